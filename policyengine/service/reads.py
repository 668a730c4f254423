"""Reading: evaluations of the stored facts, cached (`Results`).

A read brings the in-memory copy of the facts up to date with the store (service/mirror.py:
only the facts after the last sequence number seen). Results equal what the pure `evaluate`
the CLI calls gives over every stored fact (the service's contract), but are not computed
that way when the policy allows (engine/cases.py `splits`): the case book keeps each case's
replay and merges the kept replays (service/casebook/). Results are kept per (period,
as-of) until a fact at or before that as-of arrives; they hold results, not replays.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime

from policyengine.engine import cases
from policyengine.engine.compiled import CompiledPolicy
from policyengine.engine.evaluate import evaluate
from policyengine.errors import PolicyEngineError
from policyengine.gcpause import gc_paused
from policyengine.periods import Period
from policyengine.results import EvaluationResult
from policyengine.service.casebook import CaseBook
from policyengine.service.mirror import FactMirror


def resolve_as_of(period: Period | None, as_of: datetime | None,
                  policy: CompiledPolicy) -> datetime | None:
    """The moment an evaluation stands at, as `evaluate` would pick it."""
    tz = policy.calendar.tz
    if as_of is None:
        return period.end_at(tz) if period is not None else None
    return as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=tz)



# The rows (violations, obligations, pending obligations, merits) all cached results may hold
# together: memory follows rows (each carries its explanation), not results. The busiest
# person's month at 1M facts holds ~3,000 rows, a typical person's a few dozen.
CACHE_ROWS = 12_000


@dataclass(frozen=True)
class _Entry:
    result: EvaluationResult
    count: int          # how many of the mirror's facts it was computed from
    stamp: tuple[int, ...] | None = None   # CaseBook.person_stamp, one person's read

    @property
    def rows(self) -> int:
        result = self.result
        return (len(result.violations) + len(result.obligations) + len(result.pending)
                + len(result.merits))


class Results:
    """Evaluations of the stored facts, cached; one evaluation runs at a time.

    A result stays good while the facts added since it was computed all lie after its
    as-of: `evaluate` does not look at them, except to count them in
    `stats.facts_after_as_of`, which is brought up to date. So a past month keeps being
    read from the cache while today's facts arrive. One person's reads (`person`) share
    the cache and its rule. The cache holds at most `size` results and `rows` rows in all
    (the oldest dropped first, the newest always kept).
    """

    def __init__(self, policy: CompiledPolicy, mirror: FactMirror, size: int = 16,
                 rows: int = CACHE_ROWS):
        self.policy = policy
        self.mirror = mirror
        self.size = size
        self.rows = rows      # at most this many rows in all (the newest result is kept)
        self._rows = 0
        self._cache: OrderedDict[tuple[object, ...], _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._evaluating = threading.Lock()
        self.book = CaseBook(policy, mirror.store) if cases.splits(policy) else None
        self._booked = 0   # how many of the mirror's facts the book holds
        self._begun = False
        self.hits = 0
        self.misses = 0

    def get(self, period: Period | None, as_of: datetime | None) -> EvaluationResult:
        moment, key, found = self._look_up(period, as_of)
        if found is not None:
            return found
        with self._evaluating, gc_paused():
            found = self._cached(key, moment)
            if found is not None:
                return found
            return self._whole(period, moment, key)

    def person(self, period: Period | None, as_of: datetime | None,
               person: str) -> EvaluationResult:
        """A result good for `person`'s view (their violations, total and open obligations,
        the pending obligations, the facts counted): the whole result if one is cached,
        else one merged from their cases only (CaseBook.person_result)."""
        moment, key, found = self._look_up(period, as_of)
        if found is not None:
            return found
        mine = (*key, person)
        found = self._cached(mine, moment)
        if found is not None:
            return found
        with self._evaluating, gc_paused():
            book = self._settled()
            if book is None or moment is None or period is None \
                    or not book.fits_person(period, moment):
                return self._whole(period, moment, key)
            count = self._booked
            # Facts came at or before the moment, but none in a case where the person
            # answers, nor in what every read merges: the result kept stands, recounted.
            with self._lock:
                kept = self._cache.get(mine)
            stamp = book.person_stamp(person, moment, period)
            if kept is not None and stamp is not None and kept.stamp == stamp:
                result = book.recounted(kept.result, moment)
                self.hits += 1
            else:
                result = book.person_result(period, moment, person)
                stamp = book.person_stamp(person, moment, period)
                self.misses += 1
            self._keep_result(mine, _Entry(result, count, stamp))
            return result

    def _look_up(self, period: Period | None, as_of: datetime | None
                 ) -> tuple[datetime | None, tuple[str | None, datetime | None],
                            EvaluationResult | None]:
        """The stored facts brought up to date, then the read's moment, its cache key and
        the whole result cached under it (None if there is none still good)."""
        self._refresh()
        moment = resolve_as_of(period, as_of, self.policy)
        key = (period.label if period else None, moment)
        return moment, key, self._cached(key, moment)

    def uncached(self, period: Period | None, as_of: datetime | None) -> EvaluationResult:
        """An evaluation not kept in the cache (the webhook scans' "now", a new moment each
        time), from the case book when it can."""
        self._refresh()
        with self._evaluating, gc_paused():
            return self._evaluate(period, resolve_as_of(period, as_of, self.policy))[1]

    def warm(self) -> None:
        """Read the stored facts and replay every case (at start-up, in the background);
        after a restart with kept outcomes, only the facts after them."""
        self._refresh()
        with self._evaluating, gc_paused():
            self._settled()

    def _refresh(self) -> None:
        """The first time: take the kept case outcomes if they can be trusted (the mirror
        then reads only the facts after them); then the facts stored since."""
        if not self._begun:
            with self._evaluating:
                if not self._begun:
                    book = self.book
                    if book is not None and not self.mirror.read_any:
                        with gc_paused():
                            if book.restore():
                                self.mirror.start_at(book.base)
                    self._begun = True
        self.mirror.refresh()

    def _whole(self, period: Period | None, moment: datetime | None,
               key: tuple[object, ...]) -> EvaluationResult:
        count, result = self._evaluate(period, moment)
        self.misses += 1
        self._keep_result(key, _Entry(result, count))
        return result

    def _settled(self) -> CaseBook | None:
        """The case book with every fact the mirror holds, replays up to date; None when
        the policy or a fact's replay needs one replay of everything."""
        book = self.book
        if book is None:
            return None
        total, new, seq = self.mirror.since_seq(self._booked)
        book.add(new, seq)
        self._booked = total
        book.settle()
        return None if book.broken else book

    def _evaluate(self, period: Period | None,
                  moment: datetime | None) -> tuple[int, EvaluationResult]:
        book = self._settled()
        if book is not None and moment is not None:
            try:
                return self._booked, book.result(period, moment)
            except PolicyEngineError:
                pass  # said as `evaluate` says it, below
        count, facts = self.mirror.every_fact()
        return count, evaluate(self.policy, facts, period=period, as_of=moment)

    def _keep_result(self, key: tuple[object, ...], entry: _Entry) -> None:
        cache, size = self._cache, self.size
        with self._lock:
            old = cache.pop(key, None)
            self._rows += entry.rows - (old.rows if old is not None else 0)
            cache[key] = entry
            while len(cache) > size or (self._rows > self.rows and len(cache) > 1):
                self._rows -= cache.popitem(last=False)[1].rows

    def _cached(self, key: tuple[object, ...],
                moment: datetime | None) -> EvaluationResult | None:
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
                entry = replace(entry, result=replace(entry.result, stats=stats), count=total)
                self._cache[key] = entry
            self._cache.move_to_end(key)
            self.hits += 1
            return entry.result

    def flush(self) -> None:
        """Wait until the case outcomes are written to the database (tests, closing)."""
        if self.book is not None:
            self.book.flush()

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
            self._rows = 0
