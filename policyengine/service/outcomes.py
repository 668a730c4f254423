"""Each case's replay outcome kept in the store's database, so a restart replays nothing.

A case's `Part` (engine/cases.py: its obligations with the facts they point at, notes,
first actors, tiers, handled and forbidden facts) is encoded with pickle, the compiled
policy's objects (duties, prohibitions) written by name and read back from the policy in
force. Rows are kept under a key: the policy's digest and a digest of the engine's sources
and of this encoding. A service finding rows under another key does not trust them: it
replays every case and replaces them (service/casebook/ `CaseBook`).

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
from policyengine.engine.dormant import DISPATCH, read_only

# Bump when the encoding of a part changes (the key changes with it).
FORMAT = "2"
_ENGINE_FILES = ("engine", "results.py", "facts/schema.py", "service/outcomes.py",
                 "service/casebook", "wording.py")


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
    def __init__(self, file: io.BytesIO, table: dict[type, Any]):
        self.dispatch_table = table  # (read by the pickler as it is made: set first)
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)


def _policy_object(kind: str, name: str) -> Any:
    """Stands for a policy's object in a pickle: `_Unpickler` reads it as that object."""
    raise AssertionError("read by _Unpickler.find_class only")


_FOUND: dict[tuple[str, str], Any] = {}  # the classes and functions parts name
_READ_ONLY = (read_only.__module__, read_only.__name__)  # how a part names `read_only`


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, objects: dict[tuple[str, str], Any]):
        super().__init__(file)
        self._objects = objects

    def find_class(self, module: str, name: str) -> Any:
        # Called for each class a part names (a dozen a part): the others found once
        if module == __name__ and name == _policy_object.__name__:
            return self._object
        if (module, name) == _READ_ONLY:  # the type itself: no call of Python per mapping
            return MappingProxyType
        found = _FOUND.get((module, name))
        if found is None:
            found = _FOUND[(module, name)] = super().find_class(module, name)
        return found

    def _object(self, kind: str, name: str) -> Any:
        return self._objects[(kind, name)]


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
        # How each kind of object is pickled, looked up by pickle in C: the policy's objects
        # by name, a read-only mapping as its values. A `persistent_id` (format 1) was a
        # call of Python for every object pickled, and cost more than the pickling itself
        # (3.8 million calls for 11,486 cases at 200,000 facts: D69).
        table: dict[type, Any] = dict(DISPATCH)
        for kind in {type(obj) for obj in objects.values()}:
            table[kind] = self._by_name
        self._table = table

    def _by_name(self, obj: Any) -> Any:
        name = self._names.get(id(obj))
        if name is None:  # not the policy's own: pickled as it is
            return obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
        return _policy_object, name

    def encode(self, part: Part, reach: datetime, joins: tuple[tuple[str, Any], ...]) -> bytes:
        """A case's part, its reach (its last fact's time or a later anchor's) and the join
        values of its facts (engine/cases.py `anchor_joins`)."""
        roles, part.roles = part.roles, None  # the shared part's timeline is never kept
        try:
            out = io.BytesIO()
            _Pickler(out, self._table).dump((part, reach, joins))
            return out.getvalue()
        finally:
            part.roles = roles

    def decode(self, data: bytes) -> tuple[Part, datetime, tuple[tuple[str, Any], ...]]:
        part, reach, joins = _Unpickler(io.BytesIO(data), self._objects).load()
        assert isinstance(part, Part) and isinstance(reach, datetime)
        return part, reach, joins
