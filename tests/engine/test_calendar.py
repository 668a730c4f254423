"""Calendar readings (policy-reading.md §1): same day, working days, weekly deadlines on
holidays, adjusted working weekends (调休), and years without official data.

Official 2026 data used below (chinese_calendar / State Council notices):
- 2026-01-01 (Thu) .. 01-03 holiday; Sun 01-04 is an adjusted working day.
- 2026-02-15 (Sun) .. 02-23 Spring Festival; Sat 02-14 and Sat 02-28 are working days.
- Sun 09-20 is a working day; 09-25 (Fri) .. 09-27 Mid-Autumn.
- 10-01 (Thu) .. 10-07 (Wed) National Day; Sat 10-10 is a working day, Sun 10-11 is not.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from helpers import BOSS, PM, REPORTER, at, copy_policy, fact, of, roles, run

import policyengine as pe

# The weekly reports: W1 the collector's, W2 IT's bug report, W3 the tester's bug form.
WEEKLY_KINDS = (("weekly_report.submitted", "杨宝珠"), ("bug_weekly_report.submitted", "赵强"),
                ("bug_feedback_form.submitted", "孙婷"))


def _month(due: str) -> str:
    return due[:7]


# -- same day (当天): 18:00 of the trigger's date if a working day and before 18:00, else
#    18:00 of the next working day. Shown with B1 (bug found -> reported the same day). --------

SAME_DAY = [
    ("2026-10-12 17:59", "2026-10-12 18:00"),   # Mon, before end of work
    ("2026-10-12 18:00", "2026-10-13 18:00"),   # Mon exactly 18:00 is not before 18:00
    ("2026-10-12 18:30", "2026-10-13 18:00"),   # Mon after 18:00 -> Tue
    ("2026-10-16 19:00", "2026-10-19 18:00"),   # Fri after 18:00 -> skip the weekend -> Mon
    ("2026-10-17 10:00", "2026-10-19 18:00"),   # Sat -> Mon
    ("2026-10-18 23:00", "2026-10-19 18:00"),   # Sun -> Mon
    ("2026-10-02 10:00", "2026-10-08 18:00"),   # National Day holiday -> Thu 10-08
    ("2026-09-30 18:30", "2026-10-08 18:00"),   # last working day before it, after 18:00
    ("2026-10-10 10:00", "2026-10-10 18:00"),   # Sat 10-10 is an adjusted working day
    ("2026-10-09 18:30", "2026-10-10 18:00"),   # Fri after 18:00 -> the working Saturday
    ("2026-10-10 18:30", "2026-10-12 18:00"),   # working Sat after 18:00 -> Mon (Sun rests)
    ("2026-02-14 10:00", "2026-02-14 18:00"),   # Sat 02-14 is an adjusted working day
    ("2026-02-07 10:00", "2026-02-09 18:00"),   # an ordinary Saturday -> Mon
    ("2026-02-14 18:30", "2026-02-24 18:00"),   # -> after the Spring Festival (02-15..23)
    ("2026-01-01 10:00", "2026-01-04 18:00"),   # New Year -> Sun 01-04, a working day
]


@pytest.mark.parametrize(("found", "due"), SAME_DAY)
def test_same_day_deadline(found: str, due: str) -> None:
    case = "B" + datetime.fromisoformat(found).strftime("%y%m%d") + "01"
    facts = [*roles("2025-12-01 09:00"),
             fact("bug.found", found, case=case, actor=REPORTER, requester="客户")]
    [violation] = of(run(facts, _month(due)), "B1")
    assert violation.due == at(due)
    assert violation.person == REPORTER


def test_same_day_met_exactly_at_18_on_the_working_saturday() -> None:
    case = "B26101001"
    facts = [*roles(), fact("bug.found", "2026-10-10 10:00", case=case, actor=REPORTER),
             fact("bug.reported", "2026-10-10 18:00", case=case, actor=REPORTER)]
    assert of(run(facts), "B1") == []


def test_same_day_late_by_a_minute_on_the_working_saturday() -> None:
    case = "B26101001"
    facts = [*roles(), fact("bug.found", "2026-10-10 10:00", case=case, actor=REPORTER),
             fact("bug.reported", "2026-10-10 18:01", case=case, actor=REPORTER)]
    [violation] = of(run(facts), "B1")
    assert violation.due == at("2026-10-10 18:00")


# -- N working days: 18:00 of the N-th working day after the trigger's date (R4, 2 days) -----

WORKING_DAYS = [
    ("2026-10-17 10:40", "2026-10-20 18:00"),   # Sat -> Mon 10-19 (1), Tue 10-20 (2)
    ("2026-10-12 19:00", "2026-10-14 18:00"),   # counted from the date, even after 18:00
    ("2026-09-30 10:00", "2026-10-09 18:00"),   # Thu 10-08 (1), Fri 10-09 (2): skips 10-01..07
    ("2026-10-02 10:00", "2026-10-09 18:00"),   # inside the holiday: 10-08 (1), 10-09 (2)
    ("2026-10-09 10:00", "2026-10-12 18:00"),   # Sat 10-10 (1, adjusted), Mon 10-12 (2)
    ("2026-09-19 10:40", "2026-09-21 18:00"),   # Sun 09-20 (1, adjusted), Mon 09-21 (2)
    ("2026-02-13 10:00", "2026-02-24 18:00"),   # Sat 02-14 (1, adjusted), Tue 02-24 (2)
    ("2026-09-24 10:00", "2026-09-29 18:00"),   # Mid-Autumn 09-25..27: Mon 09-28, Tue 09-29
]


@pytest.mark.parametrize(("decided", "due"), WORKING_DAYS)
def test_working_days_deadline(decided: str, due: str) -> None:
    case = datetime.fromisoformat(decided).strftime("%y%m%d") + "01"
    facts = [*roles("2025-12-01 09:00"),
             fact("decision.made", decided, case=case, actor=BOSS, decision="do", tier="B")]
    [violation] = of(run(facts, _month(due)), "R4")
    assert violation.due == at(due)
    assert violation.person == PM


# -- within N hours / immediately: wall clock, any day ---------------------------------------

def test_hours_run_on_the_clock_through_nights_and_holidays() -> None:
    # R5 (1 hour): decided Wed 09-30 23:30 -> due Thu 10-01 00:30, a holiday night.
    # R13 (immediately, 30 min grace): accepted Sun 10-04 23:45 -> Mon 10-05 00:15.
    facts = [*roles(),
             fact("decision.made", "2026-09-30 23:30", case="26093001", actor=BOSS,
                  decision="dont"),
             fact("requirement.accepted", "2026-10-04 23:45", case="26093002", actor=PM)]
    result = run(facts)
    assert [v.due for v in of(result, "R5")] == [at("2026-10-01 00:30")]
    assert [v.due for v in of(result, "R13")] == [at("2026-10-05 00:15")]


# -- weekly deadlines: first Thursday 18:00 (R1), Friday 12:00 with a Thursday cut-off (R2),
#    moved to the next working day at the same clock time when the day is not a working day --

WEEKLY_R1 = [
    ("2026-10-12 10:00", "2026-10-15 18:00"),   # Mon -> Thu of the same week
    ("2026-10-08 17:00", "2026-10-08 18:00"),   # Thu before 18:00 -> that Thursday
    ("2026-10-15 18:00", "2026-10-15 18:00"),   # exactly Thu 18:00 -> 'at or after' is itself
    ("2026-10-15 18:30", "2026-10-22 18:00"),   # Thu after 18:00 -> next Thursday
    ("2026-09-28 10:00", "2026-10-08 18:00"),   # Thu 10-01 is a holiday -> Thu 10-08 18:00
    ("2026-10-03 10:00", "2026-10-08 18:00"),   # raised in the holiday: first Thu is 10-08
    ("2025-12-29 10:00", "2026-01-04 18:00"),   # Thu 01-01 holiday (01-02, 01-03 too) -> Sun 01-04
]


@pytest.mark.parametrize(("raised", "due"), WEEKLY_R1)
def test_weekly_thursday_deadline(raised: str, due: str) -> None:
    case = datetime.fromisoformat(raised).strftime("%y%m%d") + "01"
    facts = [*roles("2025-12-01 09:00"),
             fact("requirement.raised", raised, case=case, actor=REPORTER)]
    [violation] = of(run(facts, _month(due)), "R1")
    assert violation.due == at(due)


WEEKLY_R2 = [
    ("2026-10-13 10:00", "2026-10-16 12:00"),   # cut-off Thu 10-15 18:00 -> Fri 10-16 12:00
    ("2026-10-15 18:00", "2026-10-16 12:00"),   # received exactly at the cut-off: this week
    ("2026-10-15 18:01", "2026-10-23 12:00"),   # a minute after: next week's report
    ("2026-10-16 10:00", "2026-10-23 12:00"),   # Friday morning is after the cut-off
    ("2026-09-28 10:00", "2026-10-08 12:00"),   # cut-off Thu 10-01 18:00 -> Fri 10-02 12:00,
                                                # a holiday -> Thu 10-08 12:00 (same clock)
    ("2026-09-21 10:00", "2026-09-28 12:00"),   # Fri 09-25 Mid-Autumn -> Mon 09-28 12:00
]


@pytest.mark.parametrize(("reported", "due"), WEEKLY_R2)
def test_weekly_friday_deadline_with_thursday_cutoff(reported: str, due: str) -> None:
    case = datetime.fromisoformat(reported).strftime("%y%m%d") + "01"
    facts = [*roles(), fact("requirement.reported", reported, case=case, actor=REPORTER)]
    [violation] = of(run(facts, _month(due)), "R2")
    assert violation.due == at(due)
    assert violation.person == "杨宝珠"


def test_weekly_report_deadlines_around_the_holidays() -> None:
    # W1 from the week of the first fact (Mon 09-14): Fridays 09-18, 09-25 (holiday ->
    # Mon 09-28 12:00), 10-02 (holiday -> Thu 10-08 12:00), 10-09, 10-16, ... all 12:00.
    facts = roles("2026-09-14 09:00")
    assert [v.due for v in of(run(facts, "2026-09"), "W1")] == [
        at("2026-09-18 12:00"), at("2026-09-28 12:00")]
    assert [v.due for v in of(run(facts, "2026-10"), "W1")] == [
        at("2026-10-08 12:00"), at("2026-10-09 12:00"), at("2026-10-16 12:00"),
        at("2026-10-23 12:00"), at("2026-10-30 12:00")]


# -- committed dates: 18:00 of the date, whatever day it is --------------------------------

def test_committed_date_on_a_holiday_stays_on_that_date() -> None:
    # reading: 承诺完成日下班前 is 18:00 of the committed date as written; a commitment for
    # Sat 10-03 (holiday) is due Sat 10-03 18:00, not moved.
    facts = [*roles(), fact("plan.estimated", "2026-09-28 10:00", case="26092801", actor=PM,
                            due="2026-10-03")]
    [violation] = of(run(facts), "C1")
    assert violation.due == at("2026-10-03 18:00")


# -- years without official data -------------------------------------------------------------

def test_a_working_day_computation_in_2027_is_pending_and_names_the_year() -> None:
    # R4 from Thu 2026-12-31 needs the working days after it: 2027 has no official data.
    facts = [*roles(), fact("decision.made", "2026-12-31 10:00", case="26123101", actor=BOSS,
                            decision="do", tier="A")]
    result = run(facts, "2027-01")
    [pending] = [p for p in result.pending if p.duty == "R4"]
    assert (pending.missing_year, pending.case) == (2027, "26123101")
    assert pending.due_not_before == at("2027-01-01 00:00")
    assert not of(result, "R4")


def test_a_same_day_deadline_in_2027_is_pending() -> None:
    facts = [fact("bug.found", "2027-01-04 10:00", case="B27010401", actor=REPORTER)]
    result = run(facts, "2027-01")
    [pending] = [p for p in result.pending if p.duty == "B1"]
    assert pending.missing_year == 2027
    assert pending.person == REPORTER  # the actor of bug.found: known without the deadline
    assert pending.due_not_before == at("2027-01-04 10:00")


def _policy_with_years(tmp_path: Path, body: str) -> pe.CompiledPolicy:
    folder = copy_policy(tmp_path / "policies", [("policy.yaml", "  years: {}", body)])
    return pe.load_policy(folder)


def test_policy_years_fill_a_missing_year(tmp_path: Path) -> None:
    # With 2027 in the policy (only 01-01 a holiday; weekdays otherwise): R4 decided
    # Thu 2026-12-31 -> Fri 01-01 holiday, Sat/Sun 01-02/03 rest -> Mon 01-04 (1),
    # Tue 01-05 (2) -> Tue 2027-01-05 18:00.
    policy = _policy_with_years(tmp_path, "  years:\n    2027:\n"
                                         "      holidays: {2027-01-01: 元旦}\n")
    facts = [*roles(policy=policy),
             fact("decision.made", "2026-12-31 10:00", case="26123101", actor=BOSS,
                  decision="do", tier="A", policy=policy)]
    [violation] = of(run(facts, "2027-01", policy=policy), "R4")
    assert violation.due == at("2027-01-05 18:00")


def test_policy_years_may_add_a_working_weekend(tmp_path: Path) -> None:
    # As above, plus Sat 2027-01-02 declared a working day: Sat 01-02 (1), Mon 01-04 (2).
    policy = _policy_with_years(tmp_path, "  years:\n    2027:\n"
                                         "      holidays: {2027-01-01: 元旦}\n"
                                         "      working_days: {2027-01-02: 调休}\n")
    facts = [*roles(policy=policy),
             fact("decision.made", "2026-12-31 10:00", case="26123101", actor=BOSS,
                  decision="do", tier="A", policy=policy)]
    [violation] = of(run(facts, "2027-01", policy=policy), "R4")
    assert violation.due == at("2027-01-04 18:00")


def test_policy_years_correct_an_official_year(tmp_path: Path) -> None:
    # The policy may also correct a published year: declare Mon 10-12 a holiday in 2026.
    # B1 found on the working Sat 10-10 at 19:00 (after end of work): Sun 10-11 rests,
    # Mon 10-12 is now a holiday -> Tue 10-13 18:00 (without the correction: Mon 10-12).
    policy = _policy_with_years(tmp_path, "  years:\n    2026:\n"
                                         "      holidays: {2026-10-12: 公司假日}\n")
    facts = [*roles(policy=policy),
             fact("bug.found", "2026-10-10 19:00", case="B26101001", actor=REPORTER,
                  policy=policy)]
    [violation] = of(run(facts, policy=policy), "B1")
    assert violation.due == at("2026-10-13 18:00")


@pytest.mark.parametrize("period", ["2026-12", "2026-Q4"])
def test_december_2026_evaluates_without_2027_data(period: str) -> None:
    # No deadline of December needs 2027 data: the week whose Friday is 2027-01-01 is due
    # after the period at the earliest, so it must not stop the evaluation.
    # Roles 12-01; weekly reports every Friday 12-04 .. 12-25 at 10:00 (all working Fridays);
    # a bug found Tue 12-01 10:00 and reported 12-01 11:00. Nothing is late in December.
    facts = [*roles("2026-12-01 09:00"),
             *[fact(kind, f"2026-12-{d:02d} 10:00", actor=who)
               for d in (4, 11, 18, 25) for kind, who in WEEKLY_KINDS],
             fact("monthly_summary.submitted", "2026-12-25 10:00", actor="杨宝珠"),
             fact("bug.found", "2026-12-01 10:00", case="B26120101", actor=REPORTER),
             fact("bug.reported", "2026-12-01 11:00", case="B26120101", actor=REPORTER)]
    result = run(facts, period)
    assert result.violations == ()
    # the week of 12-28, whose Friday is 2027-01-01, is owed and pending calendar data (for
    # each weekly duty: W1, and W2 and W3 due the same Friday at 18:00); with the quarter
    # (as of 2027-01-01 00:00) January's W4 has begun, its last working day unknown
    assert sorted({p.duty for p in result.pending}) == ["W1", "W2", "W3", "W4"]
    [week] = [p for p in result.pending if p.duty == "W1"]
    assert (week.duty, week.missing_year, week.opened_at) == ("W1", 2027, at("2026-12-28 00:00"))
    assert week.due_not_before == at("2027-01-01 12:00")


# -- time zones: a time with another offset is the same instant, judged in Asia/Shanghai ------

@pytest.mark.parametrize(("found", "due"), [
    ("2026-10-12T11:00:00Z", "2026-10-13 18:00"),        # 19:00 in Shanghai: after 18:00
    ("2026-10-12T09:59:00+00:00", "2026-10-12 18:00"),   # 17:59 in Shanghai
    ("2026-10-16T23:30:00-00:00", "2026-10-19 18:00"),   # Sat 10-17 07:30 in Shanghai -> Mon
])
def test_offsets_are_converted_before_the_calendar_applies(found: str, due: str) -> None:
    facts = [*roles(), fact("bug.found", found, case="B26101201", actor=REPORTER)]
    [violation] = of(run(facts), "B1")
    assert violation.due == at(due)


# -- the calendar is the policy's: working hours and the grace of 'immediately' ---------------

def test_end_of_work_comes_from_the_policy(tmp_path: Path) -> None:
    # end of work 17:30: B1 found Mon 10-12 17:40 -> not before 17:30 -> Tue 10-13 17:30;
    # R4 decided Sat 10-17 -> Tue 10-20 17:30; C1 committed for 10-23 -> Fri 10-23 17:30.
    folder = copy_policy(tmp_path / "p", [("policy.yaml", 'end: "18:00"', 'end: "17:30"')])
    policy = pe.load_policy(folder)
    facts = [*roles(policy=policy),
             fact("bug.found", "2026-10-12 17:40", case="B26101201", actor=REPORTER,
                  policy=policy),
             fact("decision.made", "2026-10-17 10:40", case="26101701", actor=BOSS,
                  decision="do", tier="B", policy=policy),
             fact("plan.estimated", "2026-10-19 10:00", case="26101702", actor=PM,
                  due="2026-10-23", policy=policy)]
    result = run(facts, policy=policy)
    assert [v.due for v in of(result, "B1")] == [at("2026-10-13 17:30")]
    assert [v.due for v in of(result, "R4")] == [at("2026-10-20 17:30")]
    assert [v.due for v in of(result, "C1")] == [at("2026-10-23 17:30")]


def test_immediately_grace_comes_from_the_policy(tmp_path: Path) -> None:
    # grace 1h: R13 accepted Wed 10-21 15:00 -> due 16:00 (30 min by default).
    folder = copy_policy(tmp_path / "p", [("policy.yaml", "immediately_grace: 30m",
                                           "immediately_grace: 1h")])
    policy = pe.load_policy(folder)
    facts = [*roles(policy=policy),
             fact("requirement.accepted", "2026-10-21 15:00", case="26102101", actor=PM,
                  policy=policy)]
    assert [v.due for v in of(run(facts, policy=policy), "R13")] == [at("2026-10-21 16:00")]


def test_a_duty_may_set_its_own_grace(tmp_path: Path) -> None:
    # B2 with its own grace of 10 minutes: reproduced Wed 10-14 10:00 -> due 10:10;
    # R13 keeps the policy's 30 minutes.
    folder = copy_policy(tmp_path / "p", [(
        "duties.yaml", "    deadline: {immediately: {}}\n    responsible: tester",
        "    deadline: {immediately: {grace: 10m}}\n    responsible: tester")])
    policy = pe.load_policy(folder)
    facts = [*roles(policy=policy),
             fact("bug.reproduced", "2026-10-14 10:00", case="B26101401", actor="孙婷",
                  policy=policy),
             fact("requirement.accepted", "2026-10-21 15:00", case="26102101", actor=PM,
                  policy=policy)]
    result = run(facts, policy=policy)
    assert [v.due for v in of(result, "B2")] == [at("2026-10-14 10:10")]
    assert [v.due for v in of(result, "R13")] == [at("2026-10-21 15:30")]
