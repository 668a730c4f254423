"""Reading: the stored facts as the engine's `Fact`s, and evaluations of them, cached.

The service holds no results of its own. A read brings the in-memory copy of the facts up
to date with the store (only the facts after the last sequence number seen), then calls the
same pure `evaluate` the CLI calls, with every stored fact, so results equal the CLI's for
the same facts. Results are kept per (period, as-of) until a fact at or before that as-of
arrives.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime

from policyengine.engine.compiled import CompiledPolicy
from policyengine.engine.evaluate import evaluate
from policyengine.facts.schema import Fact, FactSchema, Reason
from policyengine.periods import Period
from policyengine.results import EvaluationResult
from policyengine.service.store import Store

log = logging.getLogger("policyengine.service")


@dataclass(frozen=True)
class Unreadable:
    """A stored fact the policy in force no longer accepts (after a policy change)."""

    seq: int
    id: str | None
    reasons: tuple[Reason, ...]


class FactMirror:
    """The store's facts in memory, in sequence order, extended as the store grows."""

    def __init__(self, store: Store, schema: FactSchema):
        self.store = store
        self.schema = schema
        self._facts: list[Fact] = []
        self._seq = 0
        self._lock = threading.Lock()
        self.unreadable: list[Unreadable] = []

    def refresh(self) -> int:
        """Read the facts stored since the last call; the last sequence number seen."""
        with self._lock:
            build = self.schema.build
            while True:
                rows = self.store.read_since(self._seq)
                if not rows:
                    return self._seq
                for seq, raw in rows:
                    value = json.loads(raw)
                    fact = build(value)
                    if isinstance(fact, list):
                        self.unreadable.append(Unreadable(seq, value.get("id"), tuple(fact)))
                        log.warning("stored fact %s (seq %d) is not valid under the policy in "
                                    "force: %s", value.get("id"), seq, "; ".join(fact))
                    else:
                        self._facts.append(fact)
                self._seq = rows[-1][0]

    def snapshot(self) -> tuple[int, list[Fact]]:
        """How many facts were read, and those facts (a copy of the list)."""
        with self._lock:
            return len(self._facts), self._facts[:]

    def since(self, count: int) -> tuple[int, list[Fact]]:
        """How many facts were read, and those after the first `count`."""
        with self._lock:
            return len(self._facts), self._facts[count:]

    def __len__(self) -> int:
        return len(self._facts)


def resolve_as_of(period: Period | None, as_of: datetime | None,
                  policy: CompiledPolicy) -> datetime | None:
    """The moment an evaluation stands at, as `evaluate` would pick it."""
    tz = policy.calendar.tz
    if as_of is None:
        return period.end_at(tz) if period is not None else None
    return as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=tz)


@dataclass(frozen=True)
class _Entry:
    result: EvaluationResult
    count: int          # how many of the mirror's facts it was computed from


class Results:
    """Evaluations of the stored facts, cached; one evaluation runs at a time.

    A result stays good while the facts added since it was computed all lie after its
    as-of: `evaluate` does not look at them, except to count them in
    `stats.facts_after_as_of`, which is brought up to date. So a past month keeps being
    read from the cache while today's facts arrive.
    """

    def __init__(self, policy: CompiledPolicy, mirror: FactMirror, size: int = 16):
        self.policy = policy
        self.mirror = mirror
        self.size = size
        self._cache: OrderedDict[tuple[object, ...], _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._evaluating = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, period: Period | None, as_of: datetime | None) -> EvaluationResult:
        self.mirror.refresh()
        moment = resolve_as_of(period, as_of, self.policy)
        key = (period.label if period else None, moment)
        found = self._cached(key, moment)
        if found is not None:
            return found
        with self._evaluating:
            found = self._cached(key, moment)
            if found is not None:
                return found
            count, facts = self.mirror.snapshot()
            result = evaluate(self.policy, facts, period=period, as_of=moment)
            with self._lock:
                self.misses += 1
                self._cache[key] = _Entry(result, count)
                while len(self._cache) > self.size:
                    self._cache.popitem(last=False)
            return result

    def _cached(self, key: tuple[object, ...], moment: datetime | None) -> EvaluationResult | None:
        with self._lock:
            entry = self._cache.get(key)
            if entry is None or moment is None:
                return None
            total, later = self.mirror.since(entry.count)
            if any(fact.at <= moment for fact in later):
                return None
            if later:
                stats = dict(entry.result.stats)
                stats["facts_after_as_of"] = stats.get("facts_after_as_of", 0) + len(later)
                entry = _Entry(replace(entry.result, stats=stats), total)
                self._cache[key] = entry
            self._cache.move_to_end(key)
            self.hits += 1
            return entry.result

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
