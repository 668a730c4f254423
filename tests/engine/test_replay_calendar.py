"""The official working days of a year, read from chinesecalendar's tables at once
(policyengine/calendar.py), are the days its `is_workday` says, year by year."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar

from policyengine.calendar import _official_working_days, official_years


def test_each_official_year_has_the_working_days_is_workday_gives() -> None:
    years = official_years()
    assert len(years) >= 10
    for year in years:
        days = _official_working_days(year)
        assert days is not None
        day, expected = date(year, 1, 1), set()
        while day.year == year:
            if chinese_calendar.is_workday(day):
                expected.add(day)
            day += timedelta(days=1)
        assert days == expected, year
        assert 240 <= len(days) <= 255  # a year of five-day weeks, less public holidays


def test_a_year_without_data_has_none() -> None:
    assert _official_working_days(max(official_years()) + 1) is None
    assert _official_working_days(min(official_years()) - 1) is None
