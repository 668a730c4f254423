"""A deadline rule's one-call form (`DeadlineRule.fast_due`, engine/deadlines.py) as compiled
callables: the replay calls one for every obligation it opens, and a Python closure costs a
frame each time. Compiled with mypyc (policyengine/native.py), these are called from the
compiled replay without entering the interpreter when the answer is known.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Final

# `due(at, attrs)` with a trigger in any zone (engine/deadlines.py `DueOf`)
Remember = Callable[[datetime, Mapping[str, Any]], datetime]


class Due:
    """A one-call deadline: `due(at, attrs)`. Compiled code holding one as a `Due` calls
    `due` directly (a native method call); anything else calls the object."""

    def due(self, at: datetime, attrs: Mapping[str, Any]) -> datetime:
        raise NotImplementedError

    def __call__(self, at: datetime, attrs: Mapping[str, Any]) -> datetime:
        return self.due(at, attrs)


class Calls(Due):
    """Any other one-call form (a rule's own `due`) as a `Due`."""

    def __init__(self, call: Remember) -> None:
        self.call = call

    def due(self, at: datetime, attrs: Mapping[str, Any]) -> datetime:
        return self.call(at, attrs)


def as_due(call: Remember) -> Due:
    """`call` as a `Due` (itself when it is one)."""
    return call if isinstance(call, Due) else Calls(call)


class SameWhile(Due):
    """`rule.due` for a rule whose answer is the same over spans of local time: the whole
    day (`clock` None), or the parts of a day before and after `clock` ([midnight, clock)
    and [clock, midnight) when `before`, else [midnight, clock] and (clock, midnight)). The
    last answer is kept with its span and given again while triggers fall in it, with two
    comparisons; otherwise the answer kept for the span's date and side (`early`, `late`)
    does, else the rule's own memo (`remember`), called from here once per span (failures
    are never kept). Times in the calendar's zone compare as wall times, as the memo keys
    (a date, a side of a clock) do. The span and answer are one tuple, replaced whole: a
    thread reading it never sees half of another's."""

    def __init__(self, tz: tzinfo, remember: Remember, clock: time | None,
                 before: bool) -> None:
        self.tz = tz
        self.remember = remember
        self.clock = clock
        self.before = before
        self.last: tuple[datetime, datetime, datetime] | None = None
        # By local date: the answer of its span before the clock (all day without one), and
        # of the one after. Keyed by date, not by the span's start: an aware time hashes
        # slowly (its offset is asked).
        self.early: dict[date, datetime] = {}
        self.late: dict[date, datetime] = {}

    def due(self, at: datetime, attrs: Mapping[str, Any]) -> datetime:
        if at.tzinfo is not self.tz:
            at = at.astimezone(self.tz)
        kept = self.last
        if kept is not None and kept[0] <= at < kept[1]:
            return kept[2]
        # The span holding `at`, [low, high), and which side of the clock it is
        day = at.date()
        start = datetime.combine(day, _MIDNIGHT, tzinfo=at.tzinfo)
        clock = self.clock
        answers = self.early
        if clock is None:
            low, high = start, start + _DAY
        else:
            split = datetime.combine(day, clock, tzinfo=at.tzinfo)
            if not self.before:
                split += _TICK
            if at < split:
                low, high = start, split
            else:
                low, high, answers = split, start + _DAY, self.late
        answer = answers.get(day)
        if answer is None:
            answer = self.remember(at, attrs)
            if len(answers) >= _KEPT_DATES:
                answers.clear()
            answers[day] = answer
        self.last = (low, high, answer)
        return answer


_MIDNIGHT: Final = time(0)
_DAY: Final = timedelta(days=1)
_TICK: Final = timedelta(microseconds=1)
# Dates an answer is kept for, at most (`SameWhile`, `OnDate`): the dates of a few years
# (memory stays bounded in a service that evaluates for months; the answers are the same
# once forgotten).
_KEPT_DATES: Final = 4096


class AddSpan(Due):
    """`due` of a span on the clock: the trigger's local time plus the span."""

    def __init__(self, tz: tzinfo, span: timedelta) -> None:
        self.tz = tz
        self.span = span

    def due(self, at: datetime, attrs: Mapping[str, Any]) -> datetime:
        return (at if at.tzinfo is self.tz else at.astimezone(self.tz)) + self.span


class OnDate(Due):
    """`due` of a date the trigger carries (`name`), at a clock time: the trigger's time
    is not read. Answers are kept by date (making a time in a zone with `combine` and a
    keyword costs several times a look-up)."""

    def __init__(self, tz: tzinfo, name: str, clock: time) -> None:
        self.tz = tz
        self.name = name
        self.clock = clock
        self.kept: dict[date, datetime] = {}

    def due(self, at: datetime, attrs: Mapping[str, Any]) -> datetime:
        day: date = attrs[self.name]
        kept = self.kept
        answer = kept.get(day)
        if answer is None:
            if len(kept) >= _KEPT_DATES:
                kept.clear()
            answer = kept[day] = datetime.combine(day, self.clock, tzinfo=self.tz)
        return answer
