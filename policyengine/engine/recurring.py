"""Recurring duties: one obligation per period — a week, a month, a year's window, or the
stretch between two cron times — from the period of the first fact on.

One class per form of `recurring:` (weekly, monthly, yearly, cron), registered by the key a
policy writes, like penalty schedules. Each knows its periods: the raw time of a period's
deadline (before a non-working day moves it), the next period's, when a period starts and
when it naturally ends, the deadline itself, and the words that explain it. The same forms
serve `by:` deadlines (`Occurrence`: the first one at or after the trigger).

A period runs from its start to the next period's start (cron: to the next cron time);
when its deadline moves past that (a holiday moved to the next working day), it lasts until
the deadline. A fulfilling fact closes the period it falls in if that one is still owed;
otherwise the oldest period still owed (a late catch-up); otherwise it is extra and changes
nothing. So one missed period is one violation, not a late mark on every period after it.
A period whose deadline needs working days of a year the calendar lacks is owed all the
same: its deadline is then only the earliest it can be, and the missing year is given.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from calendar import monthrange
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from croniter import croniter

from policyengine.calendar import WorkCalendar
from policyengine.engine.deadlines import DeadlineRule, Steps, Weekly, moved
from policyengine.errors import CalendarDataMissing
from policyengine.facts.schema import Fact
from policyengine.policy.model import WEEKDAYS, Recurring
from policyengine.wording import Line, Weekday, line

if TYPE_CHECKING:  # the obligation module needs the compiled duty, which needs this one
    from policyengine.engine.obligation import Obligation


@dataclass(frozen=True)
class Recurrence(ABC):
    """A recurring form, compiled. `raw` is a period's deadline before any move."""

    calendar: WorkCalendar
    form: ClassVar[str]       # the key a policy writes: weekly, monthly, yearly, cron
    noun: ClassVar[str]       # the period, in an error's context: week, month, ...

    @abstractmethod
    def first_at_or_after(self, at: datetime) -> datetime:
        """The raw deadline of the first period whose deadline is at or after `at`."""

    @abstractmethod
    def following(self, raw: datetime) -> datetime:
        """The next period's raw deadline."""

    @abstractmethod
    def start_of(self, raw: datetime) -> datetime:
        """When the period of `raw` starts."""

    @abstractmethod
    def natural_end(self, raw: datetime) -> datetime:
        """When the period of `raw` ends unless its deadline is later."""

    @abstractmethod
    def due_of(self, raw: datetime, steps: Steps) -> datetime:
        """The period's deadline (may need calendar data: CalendarDataMissing)."""

    @abstractmethod
    def describe(self) -> Line:
        """The rule in words: `every month, the 25th 18:00 ...`."""

    @abstractmethod
    def period_line(self, start: datetime) -> Line:
        """`monthly duty, for the month starting ...`."""

    @abstractmethod
    def raw_line(self, raw: datetime) -> Line:
        """The first step of the arithmetic: the period's raw deadline."""

    def raw_of(self, start: datetime) -> datetime:
        """The raw deadline of the period starting at `start`."""
        return self.first_at_or_after(start)

    def earliest(self, raw: datetime) -> datetime:
        """The earliest the deadline can be when the calendar lacks its year (moves are
        forward only, so the raw time, unless a form moves it back)."""
        return raw

    def explain(self, raw: datetime) -> list[Line]:
        """The steps from the period to its deadline (or why it waits for calendar data)."""
        steps = [self.raw_line(raw)]
        try:
            self.due_of(raw, steps)
        except CalendarDataMissing as exc:
            steps.append(line("pending.why", year=exc.year,
                              earliest=self.calendar.local(self.earliest(raw))))
        return steps


FORMS: dict[str, Callable[[Recurring, WorkCalendar], Recurrence]] = {}


def form(name: str) -> Callable[[Callable[[Recurring, WorkCalendar], Recurrence]],
                                Callable[[Recurring, WorkCalendar], Recurrence]]:
    """Register how one key of `recurring:` compiles."""
    def register(build: Callable[[Recurring, WorkCalendar], Recurrence]
                 ) -> Callable[[Recurring, WorkCalendar], Recurrence]:
        if name in FORMS:
            raise TypeError(f"recurring form '{name}' is registered twice")
        FORMS[name] = build
        return build
    return register


def compile_recurring(spec: Recurring, calendar: WorkCalendar) -> Recurrence:
    """The one form the checked model holds, compiled."""
    for name, build in FORMS.items():
        if getattr(spec, name) is not None:
            return build(spec, calendar)
    raise AssertionError("a checked `recurring` has one form")  # Recurring._one_form


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


# --- weekly -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeeklyRecurrence(Recurrence):
    """Every week: the weekly deadline rule's instant; a week runs Monday to Monday."""

    rule: Weekly
    form: ClassVar[str] = "weekly"
    noun: ClassVar[str] = "week"

    @property
    def weekday(self) -> int:
        return self.rule.weekday

    @property
    def clock(self) -> time:
        return self.rule.clock

    def first_at_or_after(self, at: datetime) -> datetime:
        return self.rule.first_at_or_after(at)

    def following(self, raw: datetime) -> datetime:
        return raw + timedelta(days=7)

    def start_of(self, raw: datetime) -> datetime:
        local = self.calendar.local(raw)
        monday = local.date() - timedelta(days=local.weekday())
        return datetime.combine(monday, time(0), tzinfo=self.calendar.tz)

    def natural_end(self, raw: datetime) -> datetime:
        return self.start_of(raw) + timedelta(days=7)

    def due_of(self, raw: datetime, steps: Steps) -> datetime:
        return self.rule.shifted(raw, steps)

    def describe(self) -> Line:
        return line("rule.recurring", weekday=Weekday(self.weekday), clock=f"{self.clock:%H:%M}")

    def period_line(self, start: datetime) -> Line:
        return line("why.weekly", at=start)

    def raw_line(self, raw: datetime) -> Line:
        return line("step.weekly_week", raw=raw)


@form("weekly")
def _weekly(spec: Recurring, calendar: WorkCalendar) -> Recurrence:
    assert spec.weekly is not None and spec.at is not None
    return WeeklyRecurrence(calendar, Weekly(calendar, WEEKDAYS.index(spec.weekly),
                                             calendar.clock(spec.at), None,
                                             spec.if_not_working_day == "next_working_day"))


# --- monthly ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyRecurrence(Recurrence):
    """Every month: day `day` (a short month uses its last day), or the month's last working
    day (`day` None); a period is the calendar month."""

    day: int | None
    clock: time
    shift_to_working_day: bool = True
    form: ClassVar[str] = "monthly"
    noun: ClassVar[str] = "month"

    def _raw(self, first: date) -> datetime:
        """The raw deadline of the month starting on `first`: day N, or the last day (the
        last working day is found from it, backwards, with the calendar)."""
        last = monthrange(first.year, first.month)[1]
        return self.calendar.at(first.replace(day=min(self.day or last, last)), self.clock)

    def first_at_or_after(self, at: datetime) -> datetime:
        local = self.calendar.local(at)
        raw = self._raw(_month_start(local.date()))
        try:
            passed = self.due_of(raw, None) < local if self.day is None else raw < local
        except CalendarDataMissing:
            passed = raw < local
        return self.following(raw) if passed else raw

    def following(self, raw: datetime) -> datetime:
        return self._raw(_next_month(raw.date()))

    def start_of(self, raw: datetime) -> datetime:
        return self.calendar.at(_month_start(raw.date()), time(0))

    def natural_end(self, raw: datetime) -> datetime:
        return self.calendar.at(_next_month(raw.date()), time(0))

    def earliest(self, raw: datetime) -> datetime:
        if self.day is None:  # the last working day is on or before the last day
            return self.calendar.at(_month_start(raw.date()), self.clock)
        return raw

    def due_of(self, raw: datetime, steps: Steps) -> datetime:
        if self.day is not None:
            return moved(self.calendar, raw, self.clock, self.shift_to_working_day, steps)
        day, first = raw.date(), _month_start(raw.date())
        while not self.calendar.is_working_day(day):
            if day == first:  # a month without a working day: the calendar says so
                raise CalendarDataMissing(day.year)
            day -= timedelta(days=1)
        due = self.calendar.at(day, self.clock)
        if steps is not None:
            steps.append(line("step.last_working_day", month=f"{day:%Y-%m}", due=due))
        return due

    def describe(self) -> Line:
        clock = f"{self.clock:%H:%M}"
        if self.day is None:
            return line("rule.monthly_last", clock=clock)
        return line("rule.monthly" if self.shift_to_working_day else "rule.monthly_keep",
                    day=self.day, clock=clock)

    def period_line(self, start: datetime) -> Line:
        return line("why.monthly", month=f"{start:%Y-%m}")

    def raw_line(self, raw: datetime) -> Line:
        if self.day is None:
            return line("step.month_last_day", month=f"{raw:%Y-%m}")
        return line("step.month_day", raw=raw)


@form("monthly")
def _monthly(spec: Recurring, calendar: WorkCalendar) -> Recurrence:
    assert spec.monthly is not None and spec.at is not None
    day = None if spec.monthly == "last_working_day" else int(spec.monthly)
    return MonthlyRecurrence(calendar, day, calendar.clock(spec.at),
                             spec.if_not_working_day == "next_working_day")


# --- yearly -------------------------------------------------------------------------------


def _on(year: int, month_day: str) -> date:
    """`MM-DD` in `year`; 02-29 of a common year is 02-28."""
    month, day = (int(x) for x in month_day.split("-"))
    return date(year, month, min(day, monthrange(year, month)[1]))


@dataclass(frozen=True)
class YearlyRecurrence(Recurrence):
    """Every year, a window: it opens at the start of `start` (MM-DD) and is due at `clock`
    on `end`; an `end` before `start` falls in the next year. A period runs from one
    window's opening to the next one's."""

    start: str
    end: str
    clock: time
    shift_to_working_day: bool = True
    form: ClassVar[str] = "yearly"
    noun: ClassVar[str] = "year"

    @property
    def wraps(self) -> bool:
        return self.end < self.start

    def _raw(self, year: int) -> datetime:
        return self.calendar.at(_on(year, self.end), self.clock)

    def first_at_or_after(self, at: datetime) -> datetime:
        local = self.calendar.local(at)
        raw = self._raw(local.year)
        return raw if raw >= local else self._raw(local.year + 1)

    def following(self, raw: datetime) -> datetime:
        return self._raw(raw.year + 1)

    def start_of(self, raw: datetime) -> datetime:
        year = raw.year - 1 if self.wraps else raw.year
        return self.calendar.at(_on(year, self.start), time(0))

    def natural_end(self, raw: datetime) -> datetime:
        return self.start_of(self.following(raw))

    def due_of(self, raw: datetime, steps: Steps) -> datetime:
        return moved(self.calendar, raw, self.clock, self.shift_to_working_day, steps)

    def describe(self) -> Line:
        return line("rule.yearly" if self.shift_to_working_day else "rule.yearly_keep",
                    start=self.start, end=self.end, clock=f"{self.clock:%H:%M}")

    def period_line(self, start: datetime) -> Line:
        return line("why.yearly", at=start)

    def raw_line(self, raw: datetime) -> Line:
        return line("step.year_window", start=self.start_of(raw), raw=raw)


@form("yearly")
def _yearly(spec: Recurring, calendar: WorkCalendar) -> Recurrence:
    assert spec.yearly is not None and spec.at is not None
    return YearlyRecurrence(calendar, spec.yearly.from_, spec.yearly.to,
                            calendar.clock(spec.at),
                            spec.if_not_working_day == "next_working_day")


# --- cron ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CronRecurrence(Recurrence):
    """Every time the cron expression gives (in the policy's time zone, never moved); a
    period runs from the previous such time to the next one."""

    expression: str
    form: ClassVar[str] = "cron"
    noun: ClassVar[str] = "period"

    def _next(self, after: datetime) -> datetime:
        """The first cron time strictly after `after` (croniter reads the fields in the
        zone of the datetime it is given: a local one)."""
        found: datetime = croniter(self.expression, self.calendar.local(after)).get_next(datetime)
        return found.astimezone(self.calendar.tz)

    def _previous(self, before: datetime) -> datetime:
        found: datetime = croniter(self.expression,
                                   self.calendar.local(before)).get_prev(datetime)
        return found.astimezone(self.calendar.tz)

    def first_at_or_after(self, at: datetime) -> datetime:
        return self._next(at - timedelta(seconds=1))

    def following(self, raw: datetime) -> datetime:
        return self._next(raw)

    def start_of(self, raw: datetime) -> datetime:
        return self._previous(raw)

    def natural_end(self, raw: datetime) -> datetime:
        return self._next(raw)

    def raw_of(self, start: datetime) -> datetime:
        return self._next(start)

    def due_of(self, raw: datetime, steps: Steps) -> datetime:
        return raw

    def describe(self) -> Line:
        return line("rule.recurring_cron", expression=self.expression)

    def period_line(self, start: datetime) -> Line:
        return line("why.cron", at=start)

    def raw_line(self, raw: datetime) -> Line:
        return line("step.cron_period", expression=self.expression, raw=raw)


@form("cron")
def _cron(spec: Recurring, calendar: WorkCalendar) -> Recurrence:
    assert spec.cron is not None
    return CronRecurrence(calendar, spec.cron)


# --- a calendar form as a `by:` deadline ---------------------------------------------------


@dataclass(frozen=True)
class Occurrence(DeadlineRule):
    """`by: {monthly: 25, at: end_of_work}`: the first such deadline at or after the trigger."""

    recurrence: Recurrence

    def describe(self, at: datetime | None = None) -> Line:
        return line("rule.first_of", rule=self.recurrence.describe())

    def _compute(self, at: datetime, attrs: Mapping[str, Any], steps: Steps) -> datetime:
        raw = self.recurrence.first_at_or_after(at)
        if steps is not None:
            steps.append(self.recurrence.raw_line(raw))
        return self.recurrence.due_of(raw, steps)


# --- the periods owed, and which one a fulfilling fact closes ------------------------------


@dataclass
class Owed:
    """One period of a recurring duty and its obligation."""

    start: datetime
    end: datetime        # the window's end: the next period's start, or a later deadline
    obligation: Obligation


_NOUN_ZH = {"week": "周", "month": "月", "year": "年", "period": "个周期"}


def periods(recurrence: Recurrence, duty_id: str, first: Fact,
            as_of: datetime) -> list[tuple[datetime, datetime, datetime, int | None]]:
    """(period start, window end, deadline, missing year) for each period owed from the
    first fact's on."""
    rec = recurrence
    raw = rec.first_at_or_after(rec.calendar.local(first.at))
    found: list[tuple[datetime, datetime, datetime, int | None]] = []
    start = rec.start_of(raw)
    while start <= as_of:
        try:
            due = rec.due_of(raw, None)
        except CalendarDataMissing as exc:
            if rec.calendar.is_before_data(exc.year):
                since = first.at.date().isoformat()
                every = _NOUN_ZH.get(rec.noun, rec.noun)
                raise exc.with_context(f"{rec.form} duty {duty_id}, owed every {rec.noun} "
                                       f"from the earliest fact, {first.ref()} on {since}",
                                       f"周期职责 {duty_id} 从最早的事实"
                                       f"（{first.ref()}，{since}）起每{every}都要履行",
                                       first.source or "") from None
            found.append((start, rec.natural_end(raw), rec.earliest(raw), exc.year))
        else:
            found.append((start, max(rec.natural_end(raw), due), due, None))
        raw = rec.following(raw)
        start = rec.start_of(raw)
    return found


def match(ledger: list[Owed], moment: datetime, first: int = 0) -> Owed | None:
    """The period a fulfilling fact at `moment` closes, or None for an extra one: the
    earliest still owed, begun by `moment`, whose window or deadline `moment` is within
    (at the deadline: in time), else the earliest still owed begun by then. The ledger is
    in order of start (`periods`), so the periods begun later are not looked at; none
    before `first` is still owed (`owed_from`)."""
    earliest: Owed | None = None
    for i in range(first, len(ledger)):
        period = ledger[i]
        if period.start > moment:
            break
        if period.obligation.fulfilled_by is not None:
            continue
        if moment < period.end or moment <= period.obligation.due:
            return period
        if earliest is None:
            earliest = period
    return earliest


def owed_from(ledger: list[Owed], first: int) -> int:
    """The first period at or after `first` still owed (the ledger's length if none): the
    periods before it need not be looked at again (`match`; a period once fulfilled stays
    so), which keeps a fulfilment from going through every week since the first."""
    while first < len(ledger) and ledger[first].obligation.fulfilled_by is not None:
        first += 1
    return first
