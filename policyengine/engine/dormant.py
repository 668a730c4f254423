"""Obligations no result reads that only a late delay could still change, kept on disk.

A commitment that can be delayed (`extension`) stays the latest of its case for good once
fulfilled: an approval signed after the work still moves its deadline (replay.py
`_target`), which can turn it late. So the replay keeps it — one per case for the whole
history. When no result reads it as it is (fulfilled, due outside the period evaluated), the
streaming replay puts it to sleep here: written to a SQLite file in the evaluation's
temporary directory, and taken out of memory. A delay fact that comes for it wakes it: it is
read back into the replay's `latest` table and into the obligations at the place it was made
(its ordinal), so the results come out in the same order as if it had never slept.
"""

from __future__ import annotations

import bisect
import copyreg
import io
import os
import pickle
import sqlite3
import tempfile
from array import array
from pathlib import Path
from types import MappingProxyType
from typing import Any

from policyengine.engine.compiled import CompiledPolicy
from policyengine.engine.obligation import Keyed, Obligation

_SLOTS = ("anchor", "case", "due", "fulfilled_by", "history", "missing_year", "opened_at",
          "pending", "trigger")


class _Pickler(pickle.Pickler):
    # A fact without attributes (and a message without values) holds a mappingproxy, which
    # pickle refuses: it goes as the dict it shows, and comes back read-only again.
    dispatch_table = copyreg.dispatch_table.copy()
    dispatch_table[MappingProxyType] = lambda proxy: (read_only, (dict(proxy),))


def read_only(values: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType(values)


def _dumps(value: Any) -> bytes:
    out = io.BytesIO()
    _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return out.getvalue()


class Dormant:
    """The sleeping obligations of one replay, and the ordinal of each obligation in memory
    (its place in the order obligations were made), kept beside `obligations`."""

    def __init__(self, policy: CompiledPolicy, directory: Path, obligations: list[Obligation]):
        self.policy = policy
        handle, name = tempfile.mkstemp(suffix=".sqlite", dir=directory)
        os.close(handle)
        self.db = sqlite3.connect(name, isolation_level=None)
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.execute("CREATE TABLE asleep (duty TEXT, key BLOB, ordinal INTEGER, "
                        "record BLOB, PRIMARY KEY (duty, key))")
        self.obligations = obligations
        self.ordinals = array("q")  # of obligations[:len(ordinals)]; the rest are newer
        self.made = 0               # obligations made up to the last `number`
        self.asleep = 0             # obligations put to sleep and not woken
        self.woken = 0

    def number(self) -> None:
        """Give their ordinals to the obligations made since the last call."""
        fresh = len(self.obligations) - len(self.ordinals)
        self.ordinals.extend(range(self.made, self.made + fresh))
        self.made += fresh

    def sleep(self, obligation: Obligation, ordinal: int, key: Any) -> None:
        record = tuple(getattr(obligation, slot) for slot in _SLOTS)
        keyed = (obligation.actor, obligation.seq) if isinstance(obligation, Keyed) else None
        self.db.execute("INSERT OR REPLACE INTO asleep VALUES (?, ?, ?, ?)",
                        (obligation.duty.id, _dumps(key), ordinal, _dumps((record, keyed))))
        self.asleep += 1

    def wake(self, duty: str, key: Any) -> Obligation | None:
        """The obligation asleep for `duty` and `key`, back in the obligations at its place;
        None if there is none."""
        blob = _dumps(key)
        row = self.db.execute("SELECT ordinal, record FROM asleep WHERE duty = ? AND key = ?",
                              (duty, blob)).fetchone()
        if row is None:
            return None
        self.db.execute("DELETE FROM asleep WHERE duty = ? AND key = ?", (duty, blob))
        ordinal, data = row
        record, keyed = pickle.loads(data)
        obligation: Obligation
        if keyed is not None:
            obligation = Keyed.__new__(Keyed)
            obligation.actor, obligation.seq = keyed
        else:
            obligation = Obligation.__new__(Obligation)
        obligation.duty = self.policy.duties[duty]
        for slot, value in zip(_SLOTS, record, strict=True):
            setattr(obligation, slot, value)
        place = bisect.bisect_left(self.ordinals, ordinal)
        self.obligations.insert(place, obligation)
        self.ordinals.insert(place, ordinal)
        self.asleep -= 1
        self.woken += 1
        return obligation

    def close(self) -> None:
        self.db.close()


class Latest(dict[Any, Obligation]):
    """The replay's `latest[duty]` table (the latest obligation of a delayable duty by case
    or key) that looks for a sleeping one when it has none in memory."""

    def __init__(self, duty: str, dormant: Dormant, items: dict[Any, Obligation]):
        super().__init__(items)
        self.duty, self.dormant = duty, dormant

    def get(self, key: Any, default: Any = None) -> Any:
        found = dict.get(self, key)
        if found is None and self.dormant.asleep:
            found = self.dormant.wake(self.duty, key)
            if found is not None:
                self[key] = found
        return default if found is None else found

