"""Each case's replay outcome kept in the store's database, so a restart replays nothing.

A case's `Part` (engine/cases.py: its obligations with the facts they point at, notes,
first actors, tiers, handled and forbidden facts) is encoded with pickle, the compiled
policy's objects (duties, prohibitions) written by name and read back from the policy in
force. Rows are kept under a key: the policy's digest and a digest of the engine's sources
and of this encoding. A service finding rows under another key does not trust them: it
replays every case and replaces them (service/casebook.py `CaseBook`).

The rows are the service's own: written only by the service, from facts it checked; anyone
able to write them can already write facts. They are read back only under the same key.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from policyengine import __version__
from policyengine.engine.cases import Part
from policyengine.engine.compiled import CompiledPolicy

# Bump when the encoding of a part changes (the key changes with it).
FORMAT = "1"
_ENGINE_FILES = ("engine", "results.py", "facts/schema.py", "service/outcomes.py",
                 "service/casebook.py", "wording.py")


def _engine_digest() -> str:
    """A digest of the sources that make a part: a changed engine never reads old rows."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(f"{__version__}\0{FORMAT}\0".encode())
    for name in _ENGINE_FILES:
        path = root / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.relative_to(root).as_posix().encode() + b"\0")
            digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


_ENGINE = _engine_digest()


def outcome_key(policy: CompiledPolicy) -> str | None:
    """The key kept rows are trusted under: None for a policy without a digest (made in
    memory), whose outcomes are not kept."""
    if policy.identity is None:
        return None
    return f"{policy.identity.content_hash}|engine:{_ENGINE[:32]}"


def utc_text(at: datetime | None) -> str | None:
    """A moment as UTC text of one fixed width, ordered as the moments are."""
    return None if at is None else at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, names: dict[int, tuple[str, str]]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._names = names

    def persistent_id(self, obj: Any) -> Any:
        name = self._names.get(id(obj))
        if name is not None:
            return name
        if type(obj) is MappingProxyType:  # a fact's attributes, a message's values
            return ("map", dict(obj))
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, objects: dict[tuple[str, str], Any]):
        super().__init__(file)
        self._objects = objects

    def persistent_load(self, pid: Any) -> Any:
        kind, value = pid
        if kind == "map":
            return MappingProxyType(value)
        return self._objects[(kind, value)]


class PartCodec:
    """Encodes and decodes parts under one compiled policy."""

    def __init__(self, policy: CompiledPolicy):
        objects: dict[tuple[str, str], Any] = {}
        for name, duty in policy.duties.items():
            objects[("duty", name)] = duty
        for name, prohibition in policy.prohibitions.items():
            objects[("prohibition", name)] = prohibition
        self._objects = objects
        self._names = {id(obj): key for key, obj in objects.items()}

    def encode(self, part: Part, reach: datetime, joins: tuple[tuple[str, Any], ...]) -> bytes:
        """A case's part, its reach (its last fact's time or a later anchor's) and the join
        values of its facts (engine/cases.py `anchor_joins`)."""
        roles, part.roles = part.roles, None  # the shared part's timeline is never kept
        try:
            out = io.BytesIO()
            _Pickler(out, self._names).dump((part, reach, joins))
            return out.getvalue()
        finally:
            part.roles = roles

    def decode(self, data: bytes) -> tuple[Part, datetime, tuple[tuple[str, Any], ...]]:
        part, reach, joins = _Unpickler(io.BytesIO(data), self._objects).load()
        assert isinstance(part, Part) and isinstance(reach, datetime)
        return part, reach, joins
