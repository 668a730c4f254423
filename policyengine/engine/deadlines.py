"""Deadline rules: from a trigger's time (and the dates it carries) to a due time.

Each policy deadline compiles to a `DeadlineRule`. `due()` is the hot path (no strings);
`explain()` recomputes the same due time and says how, step by step (as wording `Line`s,
rendered in English or Chinese), for a reader who wants to check it by hand.

Rules whose answer depends on less than the exact trigger time remember their answers
(`_due`): a working-days rule only on the trigger's local date, a same-day rule on the date
and whether the trigger came before the end of work, a weekly rule (with or without a
cut-off) on the date and whether the trigger came after the clock that decides its week.
Rules that add a span to the exact time (hours, cron) compute every time. A failure (a year
without calendar data) is never remembered: it is raised again each time.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any

from croniter import croniter

from policyengine.calendar import WorkCalendar
from policyengine.engine.dueof import AddSpan, OnDate, SameWhile
from policyengine.policy.model import WEEKDAYS, Anchor, ByTime, Deadline, Duty
from policyengine.timeparse import add_months
from policyengine.wording import Line, Months, Weekday, line

Steps = list[Line] | None
# `due(at, attrs)` in one call, for the replay's hot path (`DeadlineRule.fast_due`)
DueOf = Callable[[datetime, Mapping[str, Any]], datetime]
_MIDNIGHT = time(0)
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class DeadlineRule(ABC):
    """Base: a compiled deadline. Subclasses implement `describe` and `_compute`."""

    calendar: WorkCalendar

    def due(self, at: datetime, attrs: Mapping[str, Any], *,
            start: datetime | None = None) -> datetime:
        """The due time of a trigger at `at`; `start` is the time it runs from when that is
        not the trigger's (a deadline `from` another fact, such as the meeting's end)."""
        # `calendar.local`, inlined: this runs for every obligation opened
        moment = at if start is None else start
        tz = self.calendar.tz
        return self._due(moment if moment.tzinfo is tz else moment.astimezone(tz), attrs)

    def _due(self, at: datetime, attrs: Mapping[str, Any]) -> datetime:
        """The due time from a local trigger time; rules that can remember answers do."""
        return self._compute(at, attrs, None)

    def __getstate__(self) -> dict[str, Any]:
        # `fast_due` is a closure (not picklable) and is remade on demand.
        state = dict(self.__dict__)
        state.pop("fast_due", None)
        return state

    @cached_property
    def fast_due(self) -> DueOf:
        """`due(at, attrs)` (no `start`) as one call: the replay makes one per obligation.
        Rules that can do it in fewer steps say how (`_fast_due`)."""
        return self._fast_due()

    def _fast_due(self) -> DueOf:
        return self.due

    def explain(self, at: datetime, attrs: Mapping[str, Any], *,
                start: datetime | None = None) -> tuple[datetime, list[Line]]:
        steps: list[Line] = []
        due = self._compute(self.calendar.local(at if start is None else start), attrs, steps)
        return due, steps

    @abstractmethod
    def describe(self, at: datetime | None = None) -> Line:
        """The rule in words."""

    @abstractmethod
    def _compute(self, at: datetime, attrs: Mapping[str, Any], steps: Steps) -> datetime:
        """The due time; appends the arithmetic to `steps` when it is a list."""

    def _skipped(self, start: date, end: date) -> Line:
        return skipped_days(self.calendar, start, end)


def skipped_days(calendar: WorkCalendar, start: date, end: date) -> Line:
    """Non-working days strictly between two dates, for explanations."""
    skipped, day = [], start + timedelta(days=1)
    while day < end:
        if not calendar.is_working_day(day):
            skipped.append(day.strftime("%m-%d"))
        day += timedelta(days=1)
    return line("step.skipped", days=", ".join(skipped)) if skipped else line("empty")


def _same_while(rule: DeadlineRule, clock: time | None, *, before: bool) -> DueOf:
    """`rule.due` for a rule whose answer is the same over spans of local time (the day, or
    its parts on either side of `clock`): the last answer kept with its span (compiled:
    engine/dueof.py `SameWhile`)."""
    return SameWhile(rule.calendar.tz, rule._due, clock, before)


def moved(calendar: WorkCalendar, raw: datetime, clock: time, shift: bool,
          steps: Steps) -> datetime:
    """A calendar deadline on a non-working day, moved to the next working day (same clock)
    unless the rule keeps it."""
    if not shift or calendar.is_working_day(raw.date()):
        return raw
    day = calendar.next_working_day(raw.date())
    due = calendar.at(day, clock)
    if steps is not None:
        steps.append(line("step.moved", day=raw.date(), due=due,
                          skipped=skipped_days(calendar, raw.date(), day)))
    return due


@dataclass(frozen=True)
class ClockSpan(DeadlineRule):
    span: timedelta
    grace: bool = False  # 'immediately' with a grace period, worded as such

    def describe(self, at: datetime | None = None) -> Line:
        return line("rule.grace" if self.grace else "rule.clock", span=self.span)

    def _due(self, at: datetime, attrs: Mapping[str, Any]) -> datetime:
        return at + self.span  # `_compute` without steps, one call fewer: the hot path

    def _fast_due(self) -> DueOf:
        return AddSpan(self.calendar.tz, self.span)

    def _compute(self, at: datetime, attrs: Mapping[str, Any], steps: Steps) -> datetime:
        due = at + self.span
        if steps is not None:
            steps.append(line("step.grace" if self.grace else "step.clock", at=at,
                              span=self.span, due=due))
        return due


@dataclass(frozen=True)
class WorkingDays(DeadlineRule):
    count: int
    # trigger's local date -> due time: the answer depends on nothing else
    _memo: dict[date, datetime] = field(default_factory=dict, init=False, repr=False,
                                        compare=False, hash=False)

    def _due(self, at: datetime, attrs: Mapping[str, Any]) -> datetime:
        day = at.date()
        due = self._memo.get(day)
        if due is None:
            due = self._memo[day] = self._compute(at, attrs, None)
        return due

    def _fast_due(self) -> DueOf:
        # The answer is the same for the whole local day: the last day's answer is kept with
        # its bounds and read by comparing times (facts come in time order).
        return _same_while(self, None, before=True)

    def describe(self, at: datetime | None = None) -> Line:
        return line("rule.working_days", count=self.count)

    def _compute(self, at: datetime, attrs: Mapping[str, Any], steps: Steps) -> datetime:
        day = self.calendar.nth_working_day_after(at.date(), self.count)
        due = self.calendar.at(day, self.calendar.end_of_work)
        if steps is not None:
            steps.append(line("step.working_days", day=at.date(), count=self.count, due_day=day,
                              skipped=self._skipped(at.date(), day), due=due))
        return due


@dataclass(frozen=True)
class EndOfWorkingDay(DeadlineRule):
    # (trigger's local date, before the end of work) -> due time: all the answer depends on
    _memo: dict[tuple[date, bool], datetime] = field(default_factory=dict, init=False,
                                                     repr=False, compare=False, hash=False)

    def _due(self, at: datetime, attrs: Mapping[str, Any]) -> datetime:
        key = (at.date(), at.time() < self.calendar.end_of_work)
        due = self._memo.get(key)
        if due is None:
            due = self._memo[key] = self._compute(at, attrs, None)
        return due

    def _fast_due(self) -> DueOf:
        # The same answer from midnight to the end of work, and from then to midnight.
        clock = self.calendar.end_of_work
        return _same_while(self, clock, before=True)

    def describe(self, at: datetime | None = None) -> Line:
        return line("rule.same_day")

    def _compute(self, at: datetime, attrs: Mapping[str, Any], steps: Steps) -> datetime:
        cal = self.calendar
        day = at.date()
        if cal.is_working_day(day) and at.time() < cal.end_of_work:
            due = cal.at(day, cal.end_of_work)
            if steps is not None:
                steps.append(line("step.same_day_ok", day=day, clock=f"{at:%H:%M}", due=due))
            return due
        nxt = cal.next_working_day(day)
        due = cal.at(nxt, cal.end_of_work)
        if steps is not None:
            key = "step.same_day_late" if cal.is_working_day(day) else "step.same_day_holiday"
            steps.append(line(key, day=day, clock=f"{at:%H:%M}", next=nxt,
                              skipped=self._skipped(day, nxt), due=due))
        return due


@dataclass(frozen=True)
class Weekly(DeadlineRule):
    weekday: int
    clock: time
    cutoff: Weekly | None = None
    shift_to_working_day: bool = True
    # (trigger's local date, after the clock that decides the week) -> due time: the
    # answer depends on nothing else (see `_due`)
    _memo: dict[tuple[date, bool], datetime] = field(default_factory=dict, init=False,
                                                     repr=False, compare=False, hash=False)

    def _due(self, at: datetime, attrs: Mapping[str, Any]) -> datetime:
        # `first_at_or_after(at)` reads the date, and the time only to compare it with the
        # rule's clock on the rule's weekday (a candidate and `at` share the calendar's zone,
        # so they compare as wall times). With a cut-off, the cut-off's instant is found so
        # from `at`, and the rest reads only that instant.
        key = (at.date(), at.time() > (self.cutoff or self).clock)
        due = self._memo.get(key)
        if due is None:
            due = self._memo[key] = self._compute(at, attrs, None)
        return due

    def _fast_due(self) -> DueOf:
        # The same answer from midnight to the deciding clock (included), and after it.
        clock = (self.cutoff or self).clock
        return _same_while(self, clock, before=False)

    def describe(self, at: datetime | None = None) -> Line:
        if self.cutoff:
            return line("rule.weekly_cutoff", weekday=Weekday(self.weekday),
                        clock=f"{self.clock:%H:%M}", cutoff_weekday=Weekday(self.cutoff.weekday),
                        cutoff_clock=f"{self.cutoff.clock:%H:%M}")
        return line("rule.weekly", weekday=Weekday(self.weekday), clock=f"{self.clock:%H:%M}")

    def first_at_or_after(self, at: datetime) -> datetime:
        """The raw weekly instant (before any working-day shift)."""
        ahead = (self.weekday - at.weekday()) % 7
        candidate = self.calendar.at(at.date() + timedelta(days=ahead), self.clock)
        if candidate < at:
            candidate += timedelta(days=7)
        return candidate

    def shifted(self, raw: datetime, steps: Steps) -> datetime:
        return moved(self.calendar, raw, self.clock, self.shift_to_working_day, steps)

    def _compute(self, at: datetime, attrs: Mapping[str, Any], steps: Steps) -> datetime:
        if self.cutoff is None:
            raw = self.first_at_or_after(at)
            if steps is not None:
                steps.append(line("step.weekly", weekday=Weekday(self.weekday),
                                  clock=f"{self.clock:%H:%M}", at=at, raw=raw))
            return self.shifted(raw, steps)
        cut = self.cutoff.first_at_or_after(at)
        raw = self.first_at_or_after(cut + timedelta(seconds=1))
        if steps is not None:
            steps.append(line("step.weekly_cutoff", cutoff_weekday=Weekday(self.cutoff.weekday),
                              cutoff_clock=f"{self.cutoff.clock:%H:%M}", at=at, cut=cut, raw=raw))
        return self.shifted(raw, steps)


@dataclass(frozen=True)
class CommittedDate(DeadlineRule):
    field: str
    clock: time

    def describe(self, at: datetime | None = None) -> Line:
        return line("rule.date_field", clock=f"{self.clock:%H:%M}", field=self.field)

    def _due(self, at: datetime, attrs: Mapping[str, Any]) -> datetime:
        # `_compute` without steps, one call fewer: the hot path
        return datetime.combine(attrs[self.field], self.clock, tzinfo=self.calendar.tz)

    def _fast_due(self) -> DueOf:
        return OnDate(self.calendar.tz, self.field, self.clock)  # the trigger's time unread

    def _compute(self, at: datetime, attrs: Mapping[str, Any], steps: Steps) -> datetime:
        day: date = attrs[self.field]
        due = self.calendar.at(day, self.clock)
        if steps is not None:
            steps.append(line("step.date_field", field=self.field, day=day,
                              clock=f"{self.clock:%H:%M}", due=due))
        return due


@dataclass(frozen=True)
class Cron(DeadlineRule):
    expression: str

    def describe(self, at: datetime | None = None) -> Line:
        return line("rule.cron", expression=self.expression)

    def _compute(self, at: datetime, attrs: Mapping[str, Any], steps: Steps) -> datetime:
        due: datetime = croniter(self.expression, at - timedelta(seconds=1)).get_next(datetime)
        due = due.astimezone(self.calendar.tz)
        if steps is not None:
            steps.append(line("step.cron", at=at, expression=self.expression, due=due))
        return due


@dataclass(frozen=True)
class CalendarMonths(DeadlineRule):
    """`within: 6 months`: the same day of the month that many months on (clamped to the
    month's end), the same clock time. Needs no working days."""

    months: int

    def describe(self, at: datetime | None = None) -> Line:
        return line("rule.months", span=Months(self.months))

    def _compute(self, at: datetime, attrs: Mapping[str, Any], steps: Steps) -> datetime:
        due = add_months(at, self.months)
        if steps is not None:
            key = "step.months_clamped" if due.day != at.day else "step.months"
            steps.append(line(key, at=at, span=Months(self.months), due=due))
        return due


@dataclass(frozen=True)
class Versioned(DeadlineRule):
    """Dated deadline rules: the one in force on the trigger's date applies."""

    base: DeadlineRule
    changes: tuple[tuple[date, DeadlineRule], ...]

    def pick(self, day: date) -> tuple[date | None, DeadlineRule]:
        chosen: tuple[date | None, DeadlineRule] = (None, self.base)
        for effective, rule in self.changes:
            if effective <= day:
                chosen = (effective, rule)
        return chosen

    def describe(self, at: datetime | None = None) -> Line:
        day = self.calendar.local(at).date() if at is not None else date.max
        return self.pick(day)[1].describe(at)

    def _due(self, at: datetime, attrs: Mapping[str, Any]) -> datetime:
        return self.pick(at.date())[1]._due(at, attrs)

    def due(self, at: datetime, attrs: Mapping[str, Any], *,
            start: datetime | None = None) -> datetime:
        # The version in force on the trigger's date, whatever time it runs from.
        if start is None:
            return self._due(self.calendar.local(at), attrs)
        return self.pick(self.calendar.local(at).date())[1].due(at, attrs, start=start)

    def explain(self, at: datetime, attrs: Mapping[str, Any], *,
                start: datetime | None = None) -> tuple[datetime, list[Line]]:
        if start is None:
            return super().explain(at, attrs)
        effective, rule = self.pick(self.calendar.local(at).date())
        due, steps = rule.explain(at, attrs, start=start)
        if effective is not None:
            steps.insert(0, line("step.version", day=self.calendar.local(at).date(),
                                 effective=effective))
        return due, steps

    def _compute(self, at: datetime, attrs: Mapping[str, Any], steps: Steps) -> datetime:
        effective, rule = self.pick(at.date())
        if steps is not None and effective is not None:
            steps.append(line("step.version", day=at.date(), effective=effective))
        return rule._compute(at, attrs, steps)


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
    if spec.monthly is not None or spec.yearly is not None:
        # Imported here: the recurring forms build on the rules of this module.
        from policyengine.engine.recurring import Occurrence, compile_recurring
        from policyengine.policy.model import Recurring

        form = Recurring(monthly=spec.monthly, yearly=spec.yearly, at=spec.at,
                         if_not_working_day=spec.if_not_working_day)
        return Occurrence(calendar, compile_recurring(form, calendar))
    assert spec.cron is not None
    return Cron(calendar, spec.cron)


def compile_deadline(spec: Deadline, calendar: WorkCalendar) -> DeadlineRule:
    if spec.within is not None:
        if spec.within.working_days:
            return WorkingDays(calendar, spec.within.working_days)
        if spec.within.months:
            return CalendarMonths(calendar, spec.within.months)
        return ClockSpan(calendar, spec.within.hours)
    if spec.immediately is not None:
        grace = spec.immediately.grace
        if grace is None:
            grace = calendar.spec.immediately_grace
        return ClockSpan(calendar, grace, grace=True)
    assert spec.by is not None
    return compile_by(spec.by, calendar)


def compile_duty_deadline(duty: Duty, calendar: WorkCalendar) -> DeadlineRule | None:
    if duty.deadline is None:
        return None
    base = compile_deadline(duty.deadline, calendar)
    if not duty.deadline_changes:
        return base
    changes = tuple((c.effective, compile_deadline(c, calendar)) for c in duty.deadline_changes)
    return Versioned(calendar, base, changes)


@dataclass(frozen=True)
class Anchors:
    """The facts a duty's deadlines run from (`deadline: {from: ...}`), by version: the
    deadline in force on the trigger's date says whether, and from what, it runs."""

    base: Anchor | None
    changes: tuple[tuple[date, Anchor | None], ...] = ()

    def on(self, day: date) -> Anchor | None:
        chosen = self.base
        for effective, anchor in self.changes:
            if effective <= day:
                chosen = anchor
        return chosen

    @property
    def all(self) -> tuple[Anchor, ...]:
        found = [self.base, *(a for _, a in self.changes)]
        return tuple(a for a in found if a is not None)


def compile_anchors(duty: Duty) -> Anchors | None:
    """None when no version of the duty's deadline runs from another fact (the usual case)."""
    if duty.deadline is None:
        return None
    anchors = Anchors(duty.deadline.from_, tuple((c.effective, c.from_)
                                                 for c in duty.deadline_changes))
    return anchors if anchors.all else None
