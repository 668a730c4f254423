"""Working days and working hours: the official Chinese calendar plus the policy's own dates.

A year is known when the official data covers it or the policy lists it under
`calendar.years`; asking about any other year raises `CalendarDataMissing`, never a guess.
Working days are precomputed once per year into a set (the official library answers about
20k look-ups per second; a set answers millions).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from policyengine.errors import CalendarDataMissing
from policyengine.policy.model import CalendarSpec
from policyengine.timeparse import parse_clock

_NAMED_TIMES = {"start_of_work": "start", "end_of_work": "end", "morning_end": "morning_end"}


def _official_working_days(year: int) -> frozenset[date] | None:
    import chinese_calendar

    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return None
    day, days = date(year, 1, 1), set()
    while day.year == year:
        if chinese_calendar.is_workday(day):
            days.add(day)
        day += timedelta(days=1)
    return frozenset(days)


class WorkCalendar:
    """The policy's calendar: time zone, working hours, working days by year."""

    def __init__(self, spec: CalendarSpec):
        self.spec = spec
        self.tz = ZoneInfo(spec.timezone)
        self._years: dict[int, frozenset[date] | None] = {}

    @cached_property
    def end_of_work(self) -> time:
        return self.clock("end_of_work")

    def clock(self, ref: str) -> time:
        """A clock reference of the policy (`18:00` or `end_of_work`) as a time."""
        attr = _NAMED_TIMES.get(ref)
        text = getattr(self.spec.working_hours, attr) if attr else ref
        return parse_clock(text)

    def at(self, day: date, clock: time) -> datetime:
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

    def has_year(self, year: int) -> bool:
        """Whether working days of `year` are known (official data or the policy's own)."""
        try:
            self.working_days_of(year)
        except CalendarDataMissing:
            return False
        return True

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

    def working_days_between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end (0 when end <= start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count
