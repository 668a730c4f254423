"""Deadline rules: from a trigger's time (and the dates it carries) to a due time.

Each policy deadline compiles to a `DeadlineRule`. `due()` is the hot path (no strings);
`explain()` recomputes the same due time and says how, step by step, for a reader who
wants to check it by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from croniter import croniter

from policyengine.calendar import WorkCalendar
from policyengine.policy.model import WEEKDAYS, ByTime, Deadline
from policyengine.timeparse import format_duration

_WEEKDAY_ZH = "一二三四五六日"


def fmt(moment: datetime) -> str:
    """`2026-10-09 18:00 (Fri)`: the form every explanation uses."""
    return moment.strftime("%Y-%m-%d %H:%M (%a)")


def fmt_day(day: date) -> str:
    return day.strftime("%Y-%m-%d (%a)")


@dataclass(frozen=True)
class DeadlineRule:
    """Base: a compiled deadline. Subclasses implement `_compute`."""

    calendar: WorkCalendar

    def due(self, at: datetime, attrs: Mapping[str, Any]) -> datetime:
        return self._compute(self.calendar.local(at), attrs, None)

    def explain(self, at: datetime, attrs: Mapping[str, Any]) -> tuple[datetime, list[str]]:
        steps: list[str] = []
        due = self._compute(self.calendar.local(at), attrs, steps)
        return due, steps

    def describe(self) -> str:
        raise NotImplementedError

    def _compute(self, at: datetime, attrs: Mapping[str, Any], steps: list[str] | None) -> datetime:
        raise NotImplementedError

    def _skipped(self, start: date, end: date) -> str:
        """Non-working days strictly between two dates, for explanations."""
        skipped, day = [], start + timedelta(days=1)
        while day < end:
            if not self.calendar.is_working_day(day):
                skipped.append(day.strftime("%m-%d"))
            day += timedelta(days=1)
        return f"; skipped non-working days {', '.join(skipped)}" if skipped else ""


@dataclass(frozen=True)
class ClockSpan(DeadlineRule):
    span: timedelta
    label: str = "on the clock"

    def describe(self) -> str:
        return f"within {format_duration(self.span)} {self.label}"

    def _compute(self, at: datetime, attrs: Mapping[str, Any], steps: list[str] | None) -> datetime:
        due = at + self.span
        if steps is not None:
            steps.append(f"{fmt(at)} + {format_duration(self.span)} {self.label} = {fmt(due)}")
        return due


@dataclass(frozen=True)
class WorkingDays(DeadlineRule):
    count: int

    def describe(self) -> str:
        return f"18:00 of the {self.count}th working day after the trigger's date"

    def _compute(self, at: datetime, attrs: Mapping[str, Any], steps: list[str] | None) -> datetime:
        day = self.calendar.nth_working_day_after(at.date(), self.count)
        due = self.calendar.at(day, self.calendar.end_of_work)
        if steps is not None:
            steps.append(
                f"trigger date {fmt_day(at.date())}; working day no. {self.count} after it is "
                f"{fmt_day(day)}{self._skipped(at.date(), day)}; due at end of work {fmt(due)}"
            )
        return due


@dataclass(frozen=True)
class EndOfWorkingDay(DeadlineRule):
    def describe(self) -> str:
        return "18:00 the same day (next working day if not a working day or after 18:00)"

    def _compute(self, at: datetime, attrs: Mapping[str, Any], steps: list[str] | None) -> datetime:
        cal = self.calendar
        day = at.date()
        if cal.is_working_day(day) and at.time() < cal.end_of_work:
            due = cal.at(day, cal.end_of_work)
            why = f"{fmt_day(day)} is a working day and {at:%H:%M} is before end of work"
        else:
            nxt = cal.next_working_day(day)
            due = cal.at(nxt, cal.end_of_work)
            reason = ("is not a working day" if not cal.is_working_day(day)
                      else f"is a working day but {at:%H:%M} is not before end of work")
            why = (f"{fmt_day(day)} {reason}, so the next working day "
                   f"{fmt_day(nxt)}{self._skipped(day, nxt)}")
        if steps is not None:
            steps.append(f"same day (当天): {why}; due {fmt(due)}")
        return due


@dataclass(frozen=True)
class Weekly(DeadlineRule):
    weekday: int
    clock: time
    cutoff: Weekly | None = None
    shift_to_working_day: bool = True

    def describe(self) -> str:
        text = f"the first {WEEKDAYS[self.weekday].title()} {self.clock:%H:%M} at or after"
        if self.cutoff:
            text = (f"{WEEKDAYS[self.weekday].title()} {self.clock:%H:%M} of the week whose cutoff "
                    f"({WEEKDAYS[self.cutoff.weekday].title()} {self.cutoff.clock:%H:%M}) is the "
                    "first at or after")
        return text + " the trigger"

    def first_at_or_after(self, at: datetime) -> datetime:
        """The raw weekly instant (before any working-day shift)."""
        ahead = (self.weekday - at.weekday()) % 7
        candidate = self.calendar.at(at.date() + timedelta(days=ahead), self.clock)
        if candidate < at:
            candidate += timedelta(days=7)
        return candidate

    def shifted(self, raw: datetime, steps: list[str] | None) -> datetime:
        if not self.shift_to_working_day or self.calendar.is_working_day(raw.date()):
            return raw
        day = self.calendar.next_working_day(raw.date())
        moved = self.calendar.at(day, self.clock)
        if steps is not None:
            steps.append(f"{fmt_day(raw.date())} is not a working day: moved to the next working "
                         f"day, {fmt(moved)}{self._skipped(raw.date(), day)}")
        return moved

    def _compute(self, at: datetime, attrs: Mapping[str, Any], steps: list[str] | None) -> datetime:
        if self.cutoff is None:
            raw = self.first_at_or_after(at)
            if steps is not None:
                steps.append(f"first {WEEKDAYS[self.weekday].title()} {self.clock:%H:%M} at or "
                             f"after {fmt(at)}: {fmt(raw)}")
            return self.shifted(raw, steps)
        cut = self.cutoff.first_at_or_after(at)
        raw = self.first_at_or_after(cut + timedelta(seconds=1))
        if steps is not None:
            steps.append(f"cut-off: first {WEEKDAYS[self.cutoff.weekday].title()} "
                         f"{self.cutoff.clock:%H:%M} at or after {fmt(at)} is {fmt(cut)}; "
                         f"the report after it is {fmt(raw)}")
        return self.shifted(raw, steps)


@dataclass(frozen=True)
class CommittedDate(DeadlineRule):
    field: str
    clock: time

    def describe(self) -> str:
        return f"{self.clock:%H:%M} of the date in '{self.field}'"

    def _compute(self, at: datetime, attrs: Mapping[str, Any], steps: list[str] | None) -> datetime:
        day: date = attrs[self.field]
        due = self.calendar.at(day, self.clock)
        if steps is not None:
            steps.append(f"committed date {self.field} = {day.isoformat()}; due at "
                         f"{self.clock:%H:%M} that day: {fmt(due)}")
        return due


@dataclass(frozen=True)
class Cron(DeadlineRule):
    expression: str

    def describe(self) -> str:
        return f"the first time at or after the trigger matching cron '{self.expression}'"

    def _compute(self, at: datetime, attrs: Mapping[str, Any], steps: list[str] | None) -> datetime:
        due: datetime = croniter(self.expression, at - timedelta(seconds=1)).get_next(datetime)
        due = due.astimezone(self.calendar.tz)
        if steps is not None:
            steps.append(f"first time at or after {fmt(at)} matching '{self.expression}': "
                         f"{fmt(due)}")
        return due


def compile_by(spec: ByTime, calendar: WorkCalendar) -> DeadlineRule:
    if spec.named == "end_of_working_day":
        return EndOfWorkingDay(calendar)
    if spec.weekly:
        assert spec.at is not None
        cutoff = compile_by(spec.cutoff, calendar) if spec.cutoff else None
        assert cutoff is None or isinstance(cutoff, Weekly)
        return Weekly(calendar, WEEKDAYS.index(spec.weekly), calendar.clock(spec.at), cutoff,
                      spec.if_not_working_day == "next_working_day")
    if spec.date_field:
        assert spec.at is not None
        return CommittedDate(calendar, spec.date_field, calendar.clock(spec.at))
    assert spec.cron is not None
    return Cron(calendar, spec.cron)


def compile_deadline(spec: Deadline, calendar: WorkCalendar) -> DeadlineRule:
    if spec.within is not None:
        if spec.within.working_days:
            return WorkingDays(calendar, spec.within.working_days)
        return ClockSpan(calendar, spec.within.hours)
    if spec.immediately is not None:
        grace = spec.immediately.grace or calendar.spec.immediately_grace
        return ClockSpan(calendar, grace, "grace for 'immediately' (即刻)")
    assert spec.by is not None
    return compile_by(spec.by, calendar)
