"""Working days and working hours: the official Chinese calendar plus the policy's own dates.

A year is known when the official data covers it or the policy lists it under
`calendar.years`; asking about any other year raises `CalendarDataMissing`, never a guess.
Working days are precomputed once per year into a set (the official library answers about
20k look-ups per second; a set answers millions).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache, cached_property
from zoneinfo import ZoneInfo

from policyengine.errors import CalendarDataMissing
from policyengine.policy.model import CalendarSpec
from policyengine.timeparse import parse_clock
from policyengine.wording import Line, line

YEAR_END_WARNING_DAYS = 31  # `check` warns this many days before the last known year ends

_NAMED_TIMES = {"start_of_work": "start", "end_of_work": "end", "morning_end": "morning_end"}


class CalendarSource(StrEnum):
    """Where a year's working days come from."""

    OFFICIAL = "official"            # the official data alone
    OFFICIAL_AND_POLICY = "official_and_policy"  # official data, amended by calendar.years
    POLICY = "policy"                # calendar.years alone (weekdays, then its dates)
    NONE = "none"                    # unknown: a working-day rule that needs it must wait


@dataclass(frozen=True)
class NamedDay:
    day: date
    name: str            # the official holiday's key (`spring_festival`) or the policy's text
    official: bool       # from the official data (name is a key) or the policy (free text)


@dataclass(frozen=True)
class YearInfo:
    """What the calendar knows of one year, for `policyengine calendar show`."""

    year: int
    source: CalendarSource
    holidays: tuple[NamedDay, ...]          # the days of each holiday (weekends in it too)
    working_days: tuple[NamedDay, ...]      # adjusted working days (调休) on a weekend
    per_month: tuple[int, ...]              # working days in January ... December ( () if none)


@cache
def official_years() -> tuple[int, ...]:
    """The years the official data covers (2004-2026 with chinesecalendar 1.11)."""
    import chinese_calendar

    def covered(year: int) -> bool:  # one look-up, as in _official_working_days
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            return False
        return True

    years = sorted({day.year for day in chinese_calendar.holidays})
    return tuple(y for y in years if covered(y))


def _official_working_days(year: int) -> frozenset[date] | None:
    import chinese_calendar

    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return None
    # `is_workday`'s own rule, read from its published tables: asked day by day, it checks
    # the date against the whole data's range each time (a tenth of a second a few years).
    extra, off = chinese_calendar.workdays, chinese_calendar.holidays
    day, days = date(year, 1, 1), set()
    while day.year == year:
        if day in extra or (day.weekday() <= 4 and day not in off):
            days.add(day)
        day += timedelta(days=1)
    return frozenset(days)


def _holiday_key(english: str) -> str:
    """The official data names a holiday in English (`Spring Festival`): its enum key."""
    from chinese_calendar import Holiday

    try:
        return str(Holiday(english).name)
    except ValueError:
        return english


class WorkCalendar:
    """The policy's calendar: time zone, working hours, working days by year."""

    def __init__(self, spec: CalendarSpec):
        self.spec = spec
        self.tz = ZoneInfo(spec.timezone)
        self._years: dict[int, frozenset[date] | None] = {}
        # working_days_between's answers: merits ask it for the same few pairs again and
        # again (a failure, a year without data, is not kept: it is raised each time)
        self._between: dict[tuple[date, date], int] = {}
        self._sorted: dict[int, list[date]] = {}  # each year's working days, in order

    @cached_property
    def end_of_work(self) -> time:
        return self.clock("end_of_work")

    def clock(self, ref: str) -> time:
        """A clock reference of the policy (`18:00` or `end_of_work`) as a time."""
        attr = _NAMED_TIMES.get(ref)
        text = getattr(self.spec.working_hours, attr) if attr else ref
        return parse_clock(text)

    def at(self, day: date, clock: time) -> datetime:
        # Inlined in engine/replay.py `_State.approve` (a call per approval): change both
        return datetime.combine(day, clock, tzinfo=self.tz)

    def local(self, moment: datetime) -> datetime:
        return moment if moment.tzinfo is self.tz else moment.astimezone(self.tz)

    # -- working days --------------------------------------------------------------------

    def working_days_of(self, year: int) -> frozenset[date]:
        if year not in self._years:
            self._years[year] = self._build_year(year)
        days = self._years[year]
        if days is None:
            raise CalendarDataMissing(year)
        return days

    def _build_year(self, year: int) -> frozenset[date] | None:
        extra = self.spec.years.get(year)
        base = _official_working_days(year) if self.spec.official == "cn" else None
        if base is None:
            if extra is None:
                return None
            day, weekdays = date(year, 1, 1), set()
            while day.year == year:
                if day.weekday() < 5:
                    weekdays.add(day)
                day += timedelta(days=1)
            base = frozenset(weekdays)
        if extra is None:
            return base
        return (base - set(extra.holidays)) | set(extra.working_days)

    @cached_property
    def _known(self) -> tuple[int, ...]:
        official = set(official_years()) if self.spec.official == "cn" else set()
        return tuple(sorted(official | set(self.spec.years)))

    def known_years(self) -> tuple[int, ...]:
        """Every year whose working days are known, in order."""
        return self._known

    def is_before_data(self, year: int) -> bool:
        """A year before the calendar's first known one: waiting will not bring its data (a
        typing mistake, most likely), unlike a year not yet published."""
        known = self.known_years()
        return bool(known) and year < known[0]

    def takes_facts_in(self, year: int) -> bool:
        """Whether the service stores a fact of `year`: a known year, or the one after the
        last known (not published yet: its deadlines are pending, nothing fails). Earlier
        years would stop every evaluation; later ones are typing mistakes, most likely."""
        known = self.known_years()
        return not known or year in known or year == known[-1] + 1

    def year_start(self, year: int) -> datetime:
        return datetime(year, 1, 1, tzinfo=self.tz)

    def source_of(self, year: int) -> CalendarSource:
        official = self.spec.official == "cn" and year in official_years()
        amended = year in self.spec.years
        if official:
            return CalendarSource.OFFICIAL_AND_POLICY if amended else CalendarSource.OFFICIAL
        return CalendarSource.POLICY if amended else CalendarSource.NONE

    def year_info(self, year: int) -> YearInfo:
        """The year's holidays and adjusted working days, named, and working days per month."""
        source = self.source_of(year)
        if source is CalendarSource.NONE:
            return YearInfo(year, source, (), (), ())
        holidays: dict[date, NamedDay] = {}
        working: dict[date, NamedDay] = {}
        if source is not CalendarSource.POLICY:
            import chinese_calendar

            for table, into in ((chinese_calendar.holidays, holidays),
                                (chinese_calendar.workdays, working)):
                for day, english in table.items():
                    if day.year == year:
                        into[day] = NamedDay(day, _holiday_key(english), True)
        extra = self.spec.years.get(year)
        if extra is not None:
            for day, name in extra.holidays.items():
                working.pop(day, None)
                holidays[day] = NamedDay(day, name, False)
            for day, name in extra.working_days.items():
                holidays.pop(day, None)
                working[day] = NamedDay(day, name, False)
        days = self.working_days_of(year)
        per_month = tuple(sum(1 for d in days if d.month == month) for month in range(1, 13))
        return YearInfo(year, source, tuple(v for _, v in sorted(holidays.items())),
                        tuple(v for _, v in sorted(working.items())), per_month)

    def is_working_day(self, day: date) -> bool:
        return day in self.working_days_of(day.year)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def nth_working_day_after(self, day: date, n: int) -> date:
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def add_working_time(self, moment: datetime, span: timedelta) -> datetime:
        """`moment` moved by `span` in working time: its whole days are working days (the
        same clock time on the Nth working day after), the rest working hours, counted only
        between the start and the end of work of working days (docs/decisions.md D20)."""
        local = self.local(moment)
        days, rest = span.days, span - timedelta(days=span.days)
        if days:
            local = self.at(self.nth_working_day_after(local.date(), days), local.time())
        if not rest:
            return local
        start, end = self.clock("start_of_work"), self.end_of_work
        while True:
            day = local.date()
            if not self.is_working_day(day) or local.time() >= end:
                local = self.at(self.next_working_day(day), start)
                continue
            if local.time() < start:
                local = self.at(day, start)
            room = self.at(day, end) - local
            if rest <= room:
                return local + rest
            rest -= room
            local = self.at(self.next_working_day(day), start)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end (0 when end <= start)."""
        known = self._between.get((start, end))
        if known is not None:
            return known
        count = self._between[(start, end)] = self._count_between(start, end)
        return count

    def _count_between(self, start: date, end: date) -> int:
        """Counted in each year's working days, sorted, rather than day by day (merits ask
        for tens of thousands of pairs). A year without data raises, the earliest first."""
        count = 0
        if end <= start:
            return count
        for year in range((start + timedelta(days=1)).year, end.year + 1):
            days = self._sorted.get(year)
            if days is None:
                days = self._sorted[year] = sorted(self.working_days_of(year))
            count += bisect.bisect_right(days, end) - bisect.bisect_right(days, start)
        return count


def year_end_warning(calendar: WorkCalendar, as_of: datetime,
                     within_days: int = YEAR_END_WARNING_DAYS) -> Line | None:
    """W-CAL-YEAR-END when the calendar's last known year ends within `within_days` of
    `as_of` (its 31 December at most that many days after as-of's date), or has ended:
    deadlines after it will wait for the next year's data."""
    known = calendar.known_years()
    if not known:
        return None
    last = known[-1]
    day = calendar.local(as_of).date()
    left = (date(last, 12, 31) - day).days
    if left > within_days:
        return None
    words = dict(year=last, next=last + 1, end=date(last, 12, 31), as_of=day)
    if left < 0:
        return line("check.year_ended", **words)
    return line("check.year_end", days=left, **words)
