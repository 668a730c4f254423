"""The store's facts in memory as the engine's `Fact`s (`FactMirror`), read as the store
grows; a stored fact the policy in force no longer accepts is kept aside (`Unreadable`)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from policyengine.facts.fastpath import fast_path
from policyengine.facts.schema import Fact, FactSchema, Reason
from policyengine.gcpause import gc_paused
from policyengine.service.store import Store

log = logging.getLogger("policyengine.service")

_LINE = Fact._fields.index("line")  # a stored fact has no line (and no file: origin None)
_NEW_FACT = tuple.__new__


@dataclass(frozen=True)
class Unreadable:
    """A stored fact the policy in force no longer accepts (after a policy change)."""

    seq: int
    id: str | None
    reasons: tuple[Reason, ...]


def stored_facts(schema: FactSchema, raws: list[str]) -> list[Fact | list[Reason]]:
    """Stored facts (JSON texts) as the engine's `Fact`s, read from no file, or the reasons
    the policy in force refuses one. Read as a file's lines are (facts/fastpath.py: one
    msgspec pass for many, each text the fast path is not sure of read as before): 20,000
    facts in 0.12-0.18 s of CPU, against 0.22-0.27 s for `json.loads` and `build` each."""
    build = schema.build
    fast = fast_path(schema)
    values = (fast.values(raws, 1, None, json.loads)[0] if fast is not None
              else [json.loads(raw) for raw in raws])
    return [_NEW_FACT(Fact, (*value[:_LINE], None, *value[_LINE + 1:]))
            if type(value) is Fact else build(value) for value in values]


class FactMirror:
    """The store's facts in memory, in sequence order, extended as the store grows."""

    def __init__(self, store: Store, schema: FactSchema):
        self.store = store
        self.schema = schema
        self._facts: list[Fact] = []
        self._seq = 0
        self.base = 0      # the facts up to this seq are not read (kept as case outcomes)
        self._older: list[Fact] | None = None   # those, once a reader of every fact asks
        self._lock = threading.Lock()
        self.unreadable: list[Unreadable] = []

    def refresh(self) -> int:
        """Read the facts stored since the last call; the last sequence number seen."""
        with self._lock, gc_paused():  # a million facts read: no collector passes
            self._seq = self._read(self._seq, None, self._facts.append, warn=True)
            return self._seq

    def _read(self, seq: int, up_to: int | None, keep: Callable[[Fact], None], *,
              warn: bool) -> int:
        """Build the stored facts after `seq` (up to `up_to`, if given), in sequence order,
        handing each readable one to `keep` (`warn`: note and log the unreadable); the last
        sequence number read."""
        while up_to is None or seq < up_to:
            rows = self.store.read_since(seq)
            if not rows:
                break
            built = stored_facts(self.schema, [raw for _, raw in rows])
            for (number, raw), fact in zip(rows, built, strict=True):
                if up_to is not None and number > up_to:
                    return seq
                if not isinstance(fact, list):
                    keep(fact)
                elif warn:
                    fact_id = json.loads(raw).get("id")
                    self.unreadable.append(Unreadable(number, fact_id, tuple(fact)))
                    log.warning("stored fact %s (seq %d) is not valid under the policy in "
                                "force: %s", fact_id, number, "; ".join(fact))
                seq = number
        return seq

    def snapshot(self) -> tuple[int, list[Fact]]:
        """How many facts were read, and those facts (a copy of the list)."""
        with self._lock:
            return len(self._facts), self._facts[:]

    def since(self, count: int) -> tuple[int, list[Fact]]:
        """How many facts were read, and those after the first `count`."""
        with self._lock:
            return len(self._facts), self._facts[count:]

    def since_seq(self, count: int) -> tuple[int, list[Fact], int]:
        """`since`, and the last sequence number read."""
        with self._lock:
            return len(self._facts), self._facts[count:], self._seq

    @property
    def read_any(self) -> bool:
        """Whether anything was read from the store yet."""
        return self._seq != 0

    def start_at(self, seq: int) -> None:
        """Read only the facts after `seq` (those before are kept as case outcomes):
        before anything was read."""
        with self._lock:
            assert not self._facts and self._seq == 0
            self._seq = self.base = seq

    def every_fact(self) -> tuple[int, list[Fact]]:
        """`snapshot`, with the facts before `start_at` too: what a reader of every fact
        (the dashboard's case and registry pages, the policy's effect, `evaluate` when the
        case book cannot serve) must use. Those are read from the store the first time
        only, then kept: such a reader holds every fact anyway."""
        older = self._older
        if older is None and self.base:  # read beside the reads: they need none of them
            older = []
            with gc_paused():
                self._read(0, self.base, older.append, warn=False)
            self._older = older
        count, facts = self.snapshot()
        return count, (older or []) + facts

    def __len__(self) -> int:
        return len(self._facts)
