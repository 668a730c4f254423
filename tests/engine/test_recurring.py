"""Recurring duties beyond the week (issue 11): monthly (a day, or the last working day),
a yearly window and cron, with the shipped W1 re-written to each form (its facts stay
`weekly_report.submitted`, its penalty P3). Every expectation is worked out by hand from the
official 2026 calendar: National Day 10-01..10-07 (10-08 to 10-10 worked, 10-10 a Saturday);
Mid-Autumn Fri 09-25; Sat 2026-02-28 an adjusted working day; 2027 has no data.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from helpers import COLLECTOR, at, copy_policy, fact, of, roles

import policyengine as pe
from policyengine.engine.deadlines import compile_deadline
from policyengine.engine.recurring import MonthlyRecurrence, compile_recurring
from policyengine.policy.model import Deadline, Recurring

W1 = "recurring: {weekly: fri, at: morning_end}"


def policy_with(tmp_path: Path, recurring: str) -> pe.CompiledPolicy:
    return pe.load_policy(copy_policy(tmp_path / "policies", [("duties.yaml", W1, recurring)]))


def report(policy: pe.CompiledPolicy, when: str) -> pe.Fact:
    return fact("weekly_report.submitted", when, actor=COLLECTOR, policy=policy)


def evaluate(policy: pe.CompiledPolicy, facts: list[pe.Fact], period: str | None,
             as_of: str) -> pe.EvaluationResult:
    return pe.evaluate(policy, facts, period=period, as_of=at(as_of))


# --- monthly --------------------------------------------------------------------------------


def test_monthly_last_working_day_around_national_day(tmp_path: Path) -> None:
    # The last working day of September 2026 is Wed 09-30 (a working day before the holiday):
    # due 09-30 18:00. The first fact (09-01) makes September the first month owed.
    # Thu 10-08 09:00 falls in October, which is open: it closes October (on time, due
    # Fri 10-30 18:00). Thu 10-08 09:30: October is closed, so it closes the oldest month
    # still owed, September: 10-08 09:30 - 09-30 18:00 = 7 days 15 hours 30 minutes late.
    policy = policy_with(tmp_path, "recurring: {monthly: last_working_day, at: end_of_work}")
    facts = [*roles("2026-09-01 09:00", policy=policy), report(policy, "2026-10-08 09:00"),
             report(policy, "2026-10-08 09:30")]
    result = evaluate(policy, facts, "2026-09", "2026-10-31 00:00")
    [violation] = of(result, "W1")
    assert violation.due == at("2026-09-30 18:00")
    assert violation.late_by == timedelta(days=7, hours=15, minutes=30)
    assert violation.penalty.rule == "P3"
    explained = [line.render("en") for line in violation.explain()]
    assert "monthly duty, for the month 2026-09" in explained
    assert "deadline rule: every month, the last working day at 18:00" in explained
    assert "the last working day of 2026-09: due 2026-09-30 18:00 (Wed)" in explained
    zh = [line.render("zh") for line in violation.explain()]
    assert "截止规则：每月最后一个工作日 18:00" in zh
    # October (due 10-30 18:00) was met by the first report: nothing in October
    assert of(evaluate(policy, facts, "2026-10", "2026-11-01 00:00"), "W1") == []


def test_monthly_last_working_day_may_be_an_adjusted_saturday(tmp_path: Path) -> None:
    # February 2026: Sat 02-28 is worked in exchange for the Spring Festival, so it is the
    # last working day. October 2026: Sat 10-31 is not worked, so Fri 10-30.
    policy = pe.load_policy(copy_policy(tmp_path / "policies"))
    rule = compile_recurring(Recurring(monthly="last_working_day", at="end_of_work"),
                             policy.calendar)
    assert rule.due_of(rule.first_at_or_after(at("2026-02-01 00:00")), None) == \
        at("2026-02-28 18:00")
    assert rule.due_of(rule.first_at_or_after(at("2026-10-01 00:00")), None) == \
        at("2026-10-30 18:00")
    # a first fact after the month's last working day: that month is not owed
    assert rule.first_at_or_after(at("2026-10-31 09:00")) == at("2026-11-30 18:00")


def test_monthly_day_moves_out_of_the_holiday_and_clamps_short_months(tmp_path: Path) -> None:
    policy = pe.load_policy(copy_policy(tmp_path / "policies"))
    first = compile_recurring(Recurring(monthly=1, at="end_of_work"), policy.calendar)
    # 10-01 is National Day; the next working day is Thu 10-08
    assert first.due_of(first.first_at_or_after(at("2026-09-02 00:00")), None) == \
        at("2026-10-08 18:00")
    last = compile_recurring(Recurring(monthly=31, at="12:00", if_not_working_day="keep"),
                             policy.calendar)
    # no 09-31: the month's last day, 09-30 12:00; kept as written
    assert last.first_at_or_after(at("2026-09-01 00:00")) == at("2026-09-30 12:00")
    assert isinstance(last, MonthlyRecurrence)
    # the next month has a 31st: Sat 10-31 12:00, kept although not a working day
    assert last.following(at("2026-09-30 12:00")) == at("2026-10-31 12:00")
    assert last.due_of(at("2026-10-31 12:00"), None) == at("2026-10-31 12:00")  # keep


def test_a_month_in_a_year_without_calendar_data_is_pending(tmp_path: Path) -> None:
    # December 2026: last working day Thu 12-31, due 12-31 18:00, met by 12-31 10:00.
    # January 2027 needs 2027's working days, which no calendar has: pending, due no
    # earlier than 2027-01-01 18:00 (the month's first day at the clock).
    policy = policy_with(tmp_path, "recurring: {monthly: last_working_day, at: end_of_work}")
    facts = [*roles("2026-12-01 09:00", policy=policy), report(policy, "2026-12-31 10:00")]
    result = evaluate(policy, facts, None, "2027-01-15 00:00")
    assert of(result, "W1") == []
    [pending] = [p for p in result.pending if p.duty == "W1"]
    assert (pending.missing_year, pending.due_not_before) == (2027, at("2027-01-01 18:00"))


# --- yearly ---------------------------------------------------------------------------------


def test_yearly_window_due_in_golden_week_moves_to_the_next_working_day(tmp_path: Path) -> None:
    # The window opens 09-28 00:00 and is due 10-05 18:00, a holiday: moved to Thu 10-08
    # 18:00 (10-05..10-07 skipped). A report on 09-27 is before the window: it closes
    # nothing. No report inside the window: missed; as of 10-09 00:00 it is 6 hours late.
    policy = policy_with(tmp_path,
                         'recurring: {yearly: {from: "09-28", to: "10-05"}, at: end_of_work}')
    facts = [*roles("2026-09-01 09:00", policy=policy), report(policy, "2026-09-27 10:00")]
    result = evaluate(policy, facts, "2026-10", "2026-10-09 00:00")
    [violation] = of(result, "W1")
    assert (violation.due, violation.late_by) == (at("2026-10-08 18:00"), timedelta(hours=6))
    assert any(n.key == "note.extra_period" for n in result.notes)
    explained = [line.render("en") for line in violation.explain()]
    assert "yearly duty, for the window opening 2026-09-28 00:00 (Mon)" in explained
    assert ("2026-10-05 (Mon) is not a working day: moved to the next working day, "
            "2026-10-08 18:00 (Thu); skipped non-working days 10-06, 10-07") in explained
    # a report inside the window, on 10-08 17:00, is on time
    met = evaluate(policy, [*facts, report(policy, "2026-10-08 17:00")], "2026-10",
                   "2026-10-09 00:00")
    assert of(met, "W1") == []


# --- cron -----------------------------------------------------------------------------------


def test_cron_duty_fridays_at_18(tmp_path: Path) -> None:
    # Every Friday 18:00, never moved. First fact Mon 10-12: the first period is due Fri
    # 10-16 18:00 (from Fri 10-09 18:00). Reports: Fri 10-16 17:00 (on time); Fri 10-23 19:00
    # (its period, due 10-23 18:00, lasts until the next cron time: 1 hour late); none for
    # the period due Fri 10-30 18:00: missed, as of 11-01 00:00 1 day 6 hours late.
    policy = policy_with(tmp_path, 'recurring: {cron: "0 18 * * 5"}')
    facts = [*roles("2026-10-12 09:00", policy=policy), report(policy, "2026-10-16 17:00"),
             report(policy, "2026-10-23 19:00")]
    result = evaluate(policy, facts, "2026-10", "2026-11-01 00:00")
    assert [(v.due, v.late_by) for v in of(result, "W1")] == [
        (at("2026-10-23 18:00"), timedelta(hours=1)),
        (at("2026-10-30 18:00"), timedelta(days=1, hours=6))]
    explained = [line.render("en") for line in of(result, "W1")[0].explain()]
    assert "deadline rule: every time matching cron '0 18 * * 5' (kept as written)" in explained


def test_the_split_replay_gives_the_same_monthly_result(tmp_path: Path) -> None:
    policy = policy_with(tmp_path, "recurring: {monthly: 15, at: end_of_work}")
    facts = [*roles("2026-09-01 09:00", policy=policy), report(policy, "2026-10-16 09:00"),
             fact("requirement.raised", "2026-10-12 10:00", case="26101201", actor="李小四",
                  policy=policy)]
    one = pe.evaluate(policy, facts, period="2026-10")
    two = pe.evaluate(policy, facts, period="2026-10", workers=2)
    assert [(v.duty, v.due, v.late_by) for v in one.violations] == \
        [(v.duty, v.due, v.late_by) for v in two.violations]
    # September 15 (Tue) 18:00 missed, not in October; October 15 (Thu) 18:00 met late by
    # the 10-16 09:00 report: 15 hours
    assert [(v.due, v.late_by) for v in of(one, "W1")] == [
        (at("2026-10-15 18:00"), timedelta(hours=15))]


# --- the same forms in `by:` ------------------------------------------------------------------


def test_by_monthly_is_the_first_at_or_after_the_trigger(tmp_path: Path) -> None:
    policy = pe.load_policy(copy_policy(tmp_path / "policies"))
    rule = compile_deadline(Deadline(by={"monthly": 25, "at": "end_of_work"}), policy.calendar)
    # Mon 10-26: the next 25th is Wed 11-25
    assert rule.due(at("2026-10-26 10:00"), {}) == at("2026-11-25 18:00")
    # Sun 10-25 17:00: 10-25 18:00 is at or after it, but a Sunday: Mon 10-26 18:00
    assert rule.due(at("2026-10-25 17:00"), {}) == at("2026-10-26 18:00")


# --- months and years in `within:` ----------------------------------------------------------


def test_six_months_from_august_31_is_february_28_without_calendar_data(tmp_path: Path) -> None:
    policy = pe.load_policy(copy_policy(tmp_path / "policies"))
    six = compile_deadline(Deadline(within="6 months"), policy.calendar)
    # 2027 has no calendar data: a calendar-month span needs none
    assert six.due(at("2026-08-31 10:00"), {}) == at("2027-02-28 10:00")
    _, steps = six.explain(at("2026-08-31 10:00"), {})
    assert [s.render("en") for s in steps] == [
        "2026-08-31 10:00 (Mon) + 6 months on the calendar: that month is shorter, so its last "
        "day: 2027-02-28 10:00 (Sun)"]
    assert six.describe().render("zh").startswith("按日历 6 个月后")
    year = compile_deadline(Deadline(within="1 year"), policy.calendar)
    assert year.due(at("2027-08-31 10:00"), {}) == at("2028-08-31 10:00")
    two = compile_deadline(Deadline(within="2 years"), policy.calendar)
    assert two.due(at("2028-02-29 09:00"), {}) == at("2030-02-28 09:00")
    assert compile_deadline(Deadline(within="1 month"), policy.calendar).due(
        at("2026-01-31 18:00"), {}) == at("2026-02-28 18:00")


@pytest.mark.parametrize("text", ["6 months", "1 year", "2 years", "120 months", "10 years"])
def test_calendar_spans_parse(text: str) -> None:
    from policyengine.timeparse import parse_span
    number = int(text.split()[0])
    assert parse_span(text).months == (number * 12 if "year" in text else number)
