"""Evaluation periods: a month, a quarter or an ISO week, as half-open ranges of local dates.

>>> Period.parse("2026-10")
Period(label='2026-10', start=datetime.date(2026, 10, 1), end=datetime.date(2026, 11, 1))
>>> Period.parse("2026-Q4").months()
['2026-10', '2026-11', '2026-12']
>>> Period.parse("2026-W44")
Period(label='2026-W44', start=datetime.date(2026, 10, 26), end=datetime.date(2026, 11, 2))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from policyengine.errors import UsageError
from policyengine.wording import line


@dataclass(frozen=True)
class Period:
    label: str
    start: date  # first day
    end: date    # first day after

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        return cls(f"{year:04d}-{month:02d}", date(year, month, 1), end)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = 3 * (quarter - 1) + 1
        end = date(year + 1, 1, 1) if quarter == 4 else date(year, first + 3, 1)
        return cls(f"{year:04d}-Q{quarter}", date(year, first, 1), end)

    @classmethod
    def week(cls, year: int, week: int) -> Period:
        """ISO week `week` of ISO year `year`: Monday to the next Monday."""
        try:
            start = date.fromisocalendar(year, week, 1)
        except ValueError:
            raise UsageError(line("usage.no_week", value=f"{year:04d}-W{week:02d}", year=year,
                                  week=week)) from None
        return cls(f"{year:04d}-W{week:02d}", start, start + timedelta(days=7))

    @classmethod
    def parse(cls, text: str) -> Period:
        text = text.strip()
        year = re.match(r"\d{4}", text)
        if year and not 1 <= int(year.group()) < 9999:
            raise UsageError(line("usage.period_year", value=text))
        match = re.fullmatch(r"(\d{4})-(\d{2})", text)
        if match and 1 <= int(match.group(2)) <= 12:
            return cls.month(int(match.group(1)), int(match.group(2)))
        match = re.fullmatch(r"(\d{4})-?[Qq]([1-4])", text)
        if match:
            return cls.quarter(int(match.group(1)), int(match.group(2)))
        match = re.fullmatch(r"(\d{4})-?[Ww](\d{2})", text)
        if match:
            return cls.week(int(match.group(1)), int(match.group(2)))
        raise UsageError(line("usage.period", value=text))

    @property
    def is_quarter(self) -> bool:
        return "Q" in self.label

    @property
    def is_week(self) -> bool:
        return "W" in self.label

    def start_at(self, tz: ZoneInfo) -> datetime:
        return datetime.combine(self.start, time(0), tzinfo=tz)

    def end_at(self, tz: ZoneInfo) -> datetime:
        return datetime.combine(self.end, time(0), tzinfo=tz)

    def contains(self, moment: datetime, tz: ZoneInfo) -> bool:
        return self.start <= moment.astimezone(tz).date() < self.end

    def months(self) -> list[str]:
        out, year, month = [], self.start.year, self.start.month
        while date(year, month, 1) < self.end:
            out.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out
