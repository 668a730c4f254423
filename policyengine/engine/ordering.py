"""Facts in event-time order: the one order every replay takes them in, whatever order they
arrived in (`order_key`), re-sent facts dropped (`dedupe`), and the facts up to an as-of.

Input sorted by time, the usual case, is only re-sorted within runs of facts of one instant
(`in_order_runs`), which is all a full sort would change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo
from typing import Final

from policyengine.errors import Diagnostic, FactError, Location
from policyengine.facts.messages import FactSay
from policyengine.facts.reader import CheckedFacts
from policyengine.facts.schema import Fact


def order_key(fact: Fact) -> tuple[object, ...]:
    """A total order on facts, so arrival order never changes a result."""
    return (fact.at, fact.type, fact.case or "", fact.id or "", fact.actor or "",
            repr(sorted(fact.attrs.items())) if fact.attrs else "")


def dedupe(facts: Iterable[Fact]) -> tuple[list[Fact], int]:
    """Drop re-sent facts (same id, same content); a different fact under a used id is an error."""
    if isinstance(facts, CheckedFacts):
        return facts, facts.duplicates  # the reader did it, and counted the duplicates
    seen: dict[str, Fact] = {}
    kept: list[Fact] = []
    duplicates = 0
    problems = []
    for fact in facts:
        if fact.id is not None:
            earlier = seen.get(fact.id)
            if earlier is not None:
                if earlier.content() == fact.content():
                    duplicates += 1
                else:
                    words = FactSay.ID_ALREADY_USED(id=fact.id,
                                                    where=earlier.source or earlier.type)
                    problems.append(Diagnostic(
                        Location(fact.origin or "<facts>", fact.line or 0), "E-FACT-DUPLICATE-ID",
                        words.en, words.zh))
                continue
            seen[fact.id] = fact
        kept.append(fact)
    if problems:
        raise FactError(problems)
    return kept, duplicates


def in_order(facts: list[Fact], *, ids_unique: bool = False) -> list[Fact]:
    """Facts in `order_key` order. Input sorted by time (the usual case) is only re-sorted
    within runs of equal times, which is all a full sort would change: each such run is put
    in order where it lies (`_settle`). `ids_unique` is kept for callers that know no two
    facts share an id (`dedupe` made sure): each run is checked for its own ids anyway."""
    return in_order_runs(facts, None, None)[0]


def in_order_runs(facts: list[Fact], as_of: datetime | None, tz: tzinfo | None,
                   watch: frozenset[str] = frozenset()) -> tuple[list[Fact], list[int], bool]:
    """`in_order(up_to(facts, as_of, tz))` (every fact when `as_of` is None), a new list,
    where the runs of two or more facts of one instant lie in it: (start, stop) pairs, flat,
    for the replay's loop (replay.py `_replay_untagged`), which then compares no times; and
    whether one of them is of a type in `watch`."""
    kept, runs, watched = _in_time(facts, as_of, tz, watch)
    if runs is None:  # not sorted by time: sorted whole, and its runs found again
        kept.sort(key=order_key)
        return kept, runs_of(kept), watched
    for k in range(0, len(runs), 2):
        _settle(kept, runs[k], runs[k + 1])
    return kept, runs, watched


def _in_time(facts: list[Fact], as_of: datetime | None, tz: tzinfo | None,
             watch: frozenset[str] = frozenset()) -> tuple[list[Fact], list[int] | None, bool]:
    """The facts at or before `as_of` (see `up_to`; all of them when None), in a new list,
    and the runs of facts of one instant in it (as `in_order_runs`), None when they are not
    in time order. One pass, each fact's time read once and compared with the one before:
    not at all when it is that one's very time (the reader shares the time of a line with
    the line before when equal: 37 % of the 1M file's facts), else asked whether later
    (most often so), then whether equal, besides the test of `as_of`."""
    kept: list[Fact] = []
    runs: list[int] = []
    everything = as_of is None
    surely = never = limit = _EPOCH
    if as_of is not None:  # the bounds need the zone: an as-of without one is a caller's bug
        assert tz is not None, "an as-of is compared in the calendar's zone"
        surely, never = wall_bounds(as_of, tz)
        limit = as_of
    in_time = True
    watching, watched = bool(watch), False
    first = 0  # where the facts of the latest instant start in `kept`
    last = _EPOCH
    for fact in facts:
        at = fact.at
        if at is last:  # tied with the one before, its very time (the reader shares them):
            # kept as that one was, with no comparison (a call each, compiled)
            if watching and fact.type in watch:
                watched, watching = True, False
            kept.append(fact)
            continue
        if not (everything or at <= surely or (at <= never and at <= limit)):
            continue
        if watching and fact.type in watch:  # read here, where the fact is in the cache
            watched, watching = True, False
        count = len(kept)
        if count == 0:
            last = at
        elif at > last:  # asked first: a fact not tied by its very time most often is not
            if count - first > 1:
                runs.append(first)
                runs.append(count)
            first, last = count, at
        elif at != last:  # (tied with the one before otherwise)
            in_time = False
        kept.append(fact)
    if not in_time:
        return kept, None, watched
    if len(kept) - first > 1:
        runs.append(first)
        runs.append(len(kept))
    return kept, runs, watched


def runs_of(ordered: list[Fact]) -> list[int]:
    """The runs of facts of one instant in facts sorted by time (as `in_order_runs`)."""
    runs: list[int] = []
    count, start = len(ordered), 0
    while start < count:
        at = ordered[start].at
        stop = start + 1
        while stop < count and ordered[stop].at == at:
            stop += 1
        if stop - start > 1:
            runs.append(start)
            runs.append(stop)
        start = stop
    return runs


# A placeholder time, never compared (`_in_time` reads it only after setting it)
_EPOCH: Final = datetime(1970, 1, 1)


def _settle(facts: list[Fact], start: int, stop: int) -> None:
    """The facts of one instant, at [start, stop) of `facts`, put in `order_key` order there.
    Between facts of one instant the order is decided by (type, case, id) whenever each has
    its own id: then neither a key nor the attributes' text is made, the facts are compared
    field by field (`_after`; most runs are two or three facts, most already in order)."""
    count = stop - start
    if count == 2:  # the usual run
        a, b = facts[start], facts[start + 1]
        a_id, b_id = a.id, b.id
        if a_id is not None and b_id is not None and a_id != b_id:
            if _after(a, b, a_id, b_id):
                facts[start], facts[start + 1] = b, a
            return
    if count <= 16 and _own_ids(facts, start, stop):
        # insertion sort, in place: few facts, mostly in order already
        for i in range(start + 1, stop):
            fact = facts[i]
            fact_id: str = fact.id  # type: ignore[assignment]
            j = i - 1
            while j >= start and _after(facts[j], fact, facts[j].id, fact_id):  # type: ignore[arg-type]
                facts[j + 1] = facts[j]
                j -= 1
            facts[j + 1] = fact
        return
    run = facts[start:stop]
    ids = {f.id for f in run}
    run.sort(key=order_key if None in ids or len(ids) != count else _tie_key)
    facts[start:stop] = run


def _own_ids(facts: list[Fact], start: int, stop: int) -> bool:
    """Whether each fact at [start, stop) has an id no other there has (a few facts: each
    compared with those before it, no set made, no id hashed)."""
    for i in range(start, stop):
        fact_id = facts[i].id
        if fact_id is None:
            return False
        for j in range(start, i):
            if facts[j].id == fact_id:
                return False
    return True


def _after(a: Fact, b: Fact, a_id: str, b_id: str) -> bool:
    """Whether `a` comes after `b`, two facts of one instant with their own ids: (type,
    case, id) compared, as `order_key` does then."""
    if a.type != b.type:
        return a.type > b.type
    a_case, b_case = a.case or "", b.case or ""
    if a_case != b_case:
        return a_case > b_case
    return a_id > b_id


def _tie_key(fact: Fact) -> tuple[str, str, str]:
    """`order_key` between facts of one instant that each have their own id."""
    return fact.type, fact.case or "", fact.id or ""


def instant_in_order(run: list[Fact]) -> list[Fact]:
    """Facts of one instant in `order_key` order (the list itself, put in order)."""
    _settle(run, 0, len(run))
    return run


# Wall times of one zone differ from the instants they name by less than this (offsets lie
# within a day of each other): further apart than it, wall times compare as instants do.
_MARGIN: Final = timedelta(days=2)


def wall_bounds(as_of: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """(surely, never) for comparing wall times of `tz` with `as_of`: one at or before
    `surely` is at or before it, one after `never` is after it, and between them the
    instants are compared. At the end of time (no wall time there), `as_of` twice."""
    try:
        limit = as_of.astimezone(tz)
        return limit - _MARGIN, limit + _MARGIN
    except OverflowError:
        return as_of, as_of


def up_to(facts: list[Fact], as_of: datetime, tz: tzinfo) -> list[Fact]:
    """The facts at or before `as_of` (as instants). Facts carry the calendar's zone: an
    as-of in another zone (a fixed offset) would make each comparison ask both zones their
    offsets, so facts are compared with the as-of moved to the calendar's zone, and only
    those within `_MARGIN` of it (where a wall time in a change of offset could mislead)
    with the as-of itself."""
    return _in_time(facts, as_of, tz)[0]
