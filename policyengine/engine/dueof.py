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


class SameWhile:
    """`rule.due` for a rule whose answer is the same over spans of local time: the whole
    day (`clock` None), or the parts of a day before and after `clock` ([midnight, clock)
    and [clock, midnight) when `before`, else [midnight, clock] and (clock, midnight)). The
    last answer is kept with its span and given again while triggers fall in it, with two
    comparisons; otherwise the rule's own memo (`remember`) answers (failures are never
    kept). Times in the calendar's zone compare as wall times, as the memo keys (a date, a
    side of a clock) do. The span and answer are one tuple, replaced whole: a thread
    reading it never sees half of another's."""

    def __init__(self, tz: tzinfo, remember: Remember, clock: time | None,
                 before: bool) -> None:
        self.tz = tz
        self.remember = remember
        self.clock = clock
        self.before = before
        self.last: tuple[datetime, datetime, datetime] | None = None

    def __call__(self, at: datetime, attrs: Mapping[str, Any]) -> datetime:
        if at.tzinfo is not self.tz:
            at = at.astimezone(self.tz)
        kept = self.last
        if kept is not None and kept[0] <= at < kept[1]:
            return kept[2]
        answer = self.remember(at, attrs)
        low, high = span_of(at, self.clock, self.before)
        self.last = (low, high, answer)
        return answer


_MIDNIGHT: Final = time(0)
_DAY: Final = timedelta(days=1)
_TICK: Final = timedelta(microseconds=1)


def span_of(at: datetime, clock: time | None, before: bool) -> tuple[datetime, datetime]:
    """The span holding the local time `at`, [low, high) (see `SameWhile`)."""
    day = at.date()
    start = datetime.combine(day, _MIDNIGHT, tzinfo=at.tzinfo)
    if clock is None:
        return start, start + _DAY
    split = datetime.combine(day, clock, tzinfo=at.tzinfo)
    if not before:
        split += _TICK
    return (start, split) if at < split else (split, start + _DAY)


class AddSpan:
    """`due` of a span on the clock: the trigger's local time plus the span."""

    def __init__(self, tz: tzinfo, span: timedelta) -> None:
        self.tz = tz
        self.span = span

    def __call__(self, at: datetime, attrs: Mapping[str, Any]) -> datetime:
        return (at if at.tzinfo is self.tz else at.astimezone(self.tz)) + self.span


class OnDate:
    """`due` of a date the trigger carries (`name`), at a clock time: the trigger's time
    is not read."""

    def __init__(self, tz: tzinfo, name: str, clock: time) -> None:
        self.tz = tz
        self.name = name
        self.clock = clock

    def __call__(self, at: datetime, attrs: Mapping[str, Any]) -> datetime:
        day: date = attrs[self.name]
        return datetime.combine(day, self.clock, tzinfo=self.tz)
