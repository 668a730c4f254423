"""Lateness measured in working time (issue 11, D20): with `measure: working_time` a tier
bound `Nd` is the deadline moved by N working days (same clock) and `Nh` by N working hours
(09:00-18:00 of working days). The shipped P6 says `measure: calendar_time` (1d = 24 hours).
Expectations are worked out by hand from the official 2026 calendar.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import (
    IT_LEAD,
    amount,
    at,
    copy_policy,
    fact,
    october_base,
    of,
    roles,
    run,
    shipped,
)

import policyengine as pe

CASE = "26101203"


def working_time_policy(tmp_path: Path) -> pe.CompiledPolicy:
    return pe.load_policy(copy_policy(tmp_path / "policies", [
        ("penalties.yaml", "measure: calendar_time", "measure: working_time")]))


def handed_over_late(when: str, policy: pe.CompiledPolicy | None = None) -> list[pe.Fact]:
    """C2 due Fri 10-16 18:00 (the committed date), the build handed over at `when`."""
    return [*october_base(),
            fact("acceptance.estimated", "2026-10-12 10:00", case=CASE, actor=IT_LEAD,
                 due="2026-10-16", policy=policy),
            fact("build.handed_over", when, case=CASE, actor=IT_LEAD, policy=policy)]


@pytest.mark.parametrize(("when", "calendar_yuan", "working_yuan"), [
    # Mon 10-19 17:00: 2d23h on the clock (over 1d: 100 yuan); in working time the 1d bound
    # is Mon 10-19 18:00 (the next working day after Fri 10-16), so it is within 1d: 20 yuan
    ("2026-10-19 17:00", 100, 20),
    # Mon 10-19 18:30: past the 1d bound; 7 working days after Fri 10-16 is Tue 10-27 18:00
    ("2026-10-19 18:30", 100, 100),
    # Sat 10-17 10:00: 16 hours on the clock (20 yuan either way)
    ("2026-10-17 10:00", 20, 20),
])
def test_lateness_across_a_weekend(tmp_path: Path, when: str, calendar_yuan: int,
                                   working_yuan: int) -> None:
    [calendar_time] = of(run(handed_over_late(when)), "C2")
    assert calendar_time.penalty.amount == Decimal(calendar_yuan)
    policy = working_time_policy(tmp_path)
    result = pe.evaluate(policy, handed_over_late(when, policy), period="2026-10")
    [working] = of(result, "C2")
    assert working.late_by == calendar_time.late_by       # the lateness shown is the clock's
    assert working.penalty.amount == Decimal(working_yuan)
    assert amount(result, IT_LEAD) == Decimal(working_yuan)


def test_the_working_time_charge_says_the_moved_deadline(tmp_path: Path) -> None:
    policy = working_time_policy(tmp_path)
    [violation] = of(pe.evaluate(policy, handed_over_late("2026-10-19 17:00", policy),
                                 period="2026-10"), "C2")
    assert violation.penalty.detail.render("en") == (
        "P6 as in force from 2014-07-01, lateness in working time: fulfilled 2d23h after the "
        "deadline, over 0m and up to 1d working time (the deadline moved to 2026-10-16 18:00 "
        "(Fri) to 2026-10-19 18:00 (Mon)): 20 yuan")
    assert "按工作时间计迟延" in violation.penalty.detail.render("zh")


def test_the_missed_forfeit_in_working_time(tmp_path: Path) -> None:
    # No hand-over: as of 11-01 00:00. 7 working days after Fri 10-16 is Tue 10-27 18:00,
    # so the duty is past the last bound: the month is forfeited (as on the clock).
    policy = working_time_policy(tmp_path)
    facts = handed_over_late("2026-10-19 17:00", policy)[:-1]
    result = pe.evaluate(policy, facts, period="2026-10")
    [violation] = of(result, "C2")
    assert violation.penalty.forfeit


def test_working_hours_and_days_arithmetic() -> None:
    cal = shipped().calendar
    # Fri 10-16 17:00 + 2 working hours: 17:00-18:00 Friday, 09:00-10:00 Monday
    assert cal.add_working_time(at("2026-10-16 17:00"), timedelta(hours=2)) == \
        at("2026-10-19 10:00")
    # 18:00 + 1h starts at the next working day's start of work
    assert cal.add_working_time(at("2026-10-16 18:00"), timedelta(hours=1)) == \
        at("2026-10-19 10:00")
    # Wed 09-30 18:00 + 1 working day: National Day 10-01..10-07, so Thu 10-08 18:00
    assert cal.add_working_time(at("2026-09-30 18:00"), timedelta(days=1)) == \
        at("2026-10-08 18:00")
    # Fri 10-09 + 1 working day is Sat 10-10, an adjusted working day
    assert cal.add_working_time(at("2026-10-09 18:00"), timedelta(days=1)) == \
        at("2026-10-10 18:00")
    # 1d2h: the next working day, then two working hours on: Mon 10-19 18:00 -> Tue 11:00
    assert cal.add_working_time(at("2026-10-16 18:00"), timedelta(days=1, hours=2)) == \
        at("2026-10-20 11:00")
    assert cal.add_working_time(at("2026-10-16 18:00"), timedelta(0)) == at("2026-10-16 18:00")


def test_working_time_into_a_year_without_data_is_not_charged_yet(tmp_path: Path) -> None:
    # C2 due Thu 12-31 18:00, handed over 2027-01-04 10:00: whether that is within one
    # working day needs 2027's working days. The violation stands (late on any reading),
    # its charge waits for the data.
    policy = working_time_policy(tmp_path)
    facts = [*roles("2026-12-01 09:00", policy=policy),
             fact("acceptance.estimated", "2026-12-28 10:00", case="26122801", actor=IT_LEAD,
                  due="2026-12-31", policy=policy),
             fact("build.handed_over", "2027-01-04 10:00", case="26122801", actor=IT_LEAD,
                  policy=policy)]
    result = pe.evaluate(policy, facts, period="2026-12", as_of=at("2027-01-05 00:00"))
    [violation] = of(result, "C2")
    assert violation.late_by == timedelta(days=3, hours=16)
    assert violation.penalty.amount == 0 and not violation.penalty.forfeit
    assert "needs the working days of 2027" in violation.penalty.detail.render("en")

