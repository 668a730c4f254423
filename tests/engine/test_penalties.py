"""Penalties P1-P6 (policy-reading.md §5): per-instance amounts, monthly-count tiers counted
per person, per rule and per month, P6 lateness bands, and dated versions of a rule."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import (
    BOSS,
    COLLECTOR,
    PM,
    REPORTER,
    amount,
    at,
    case_id,
    copy_policy,
    fact,
    forfeit,
    october_base,
    of,
    roles,
    run,
)

import policyengine as pe
from policyengine import EvaluationResult, Fact


def r2_misses(n: int, day: str = "2026-10-12") -> list[Fact]:
    """n requirements reported Mon 10-12 10:00 and never registered: R2 due Fri 10-16 12:00
    (cut-off Thu 10-15 18:00), each a P3 violation of the collector."""
    return [fact("requirement.reported", f"{day} 10:00", case=case_id(day, i), actor=REPORTER)
            for i in range(1, n + 1)]


def r5_misses(n: int, day: str = "2026-10-17", first: int = 1) -> list[Fact]:
    """n decisions (dont) at 10:40 and no notification: R5 due 11:40, each a P4 violation."""
    return [fact("decision.made", f"{day} 10:40", case=case_id(day, i), actor=BOSS,
                 decision="dont") for i in range(first, first + n)]


def r13_misses(n: int) -> list[Fact]:
    """n requirements accepted Wed 10-21 15:00 and the collector never told: R13 due 15:30,
    each a P5 violation of the PM."""
    return [fact("requirement.accepted", "2026-10-21 15:00", case=case_id("2026-10-14", i),
                 actor=PM) for i in range(1, n + 1)]


def line(result: EvaluationResult, person: str, rule: str) -> tuple[int, Decimal, bool]:
    total = result.person(person)
    assert total is not None
    [found] = [x for x in total.lines if x.rule == rule]
    return found.count, found.amount, found.forfeit


# -- monthly-count tiers: 1-5 -> 20, 6-10 -> 50, 11+ -> forfeit ------------------------------

TIERS = [(1, Decimal(20), False), (5, Decimal(20), False), (6, Decimal(50), False),
         (10, Decimal(50), False), (11, Decimal(0), True)]


@pytest.mark.parametrize(("count", "yuan", "forfeits"), TIERS)
def test_p3_tiers(count: int, yuan: Decimal, forfeits: bool) -> None:
    result = run([*october_base(), *r2_misses(count)])
    assert len(of(result, "R2")) == count
    assert line(result, COLLECTOR, "P3") == (count, yuan, forfeits)
    assert amount(result, COLLECTOR) == yuan
    assert forfeit(result, COLLECTOR) is forfeits
    # every P3 violation carries the month's count and amount
    assert {(v.penalty.count_in_month, v.penalty.month_amount) for v in of(result, "R2")} == {
        (count, yuan)}


@pytest.mark.parametrize(("count", "yuan", "forfeits"), TIERS)
def test_p4_tiers(count: int, yuan: Decimal, forfeits: bool) -> None:
    result = run([*october_base(), *r5_misses(count)])
    assert len(of(result, "R5")) == count
    assert line(result, COLLECTOR, "P4") == (count, yuan, forfeits)
    assert amount(result, COLLECTOR) == yuan
    assert forfeit(result, COLLECTOR) is forfeits


@pytest.mark.parametrize(("count", "yuan", "forfeits"), TIERS)
def test_p5_tiers(count: int, yuan: Decimal, forfeits: bool) -> None:
    result = run([*october_base(), *r13_misses(count)])
    assert len(of(result, "R13")) == count
    assert line(result, PM, "P5") == (count, yuan, forfeits)
    assert amount(result, PM) == yuan
    assert forfeit(result, PM) is forfeits


def test_p3_and_p4_are_counted_separately() -> None:
    # 5 P3 + 5 P4: each rule's count is 5 -> 20 + 20 = 40 (a pooled count of 10 would be 50).
    result = run([*october_base(), *r2_misses(5), *r5_misses(5)])
    assert line(result, COLLECTOR, "P3") == (5, Decimal(20), False)
    assert line(result, COLLECTOR, "P4") == (5, Decimal(20), False)
    assert amount(result, COLLECTOR) == Decimal(40)


def test_six_p3_and_five_p4() -> None:
    # P3 count 6 -> 50; P4 count 5 -> 20; month 70.
    result = run([*october_base(), *r2_misses(6), *r5_misses(5)])
    assert amount(result, COLLECTOR) == Decimal(70)
    assert not forfeit(result, COLLECTOR)


def test_eleven_p3_forfeits_and_keeps_the_p4_amount() -> None:
    # P3 count 11 -> forfeit (0 yuan); P4 count 1 -> 20: amount 20 and the month forfeited.
    result = run([*october_base(), *r2_misses(11), *r5_misses(1)])
    assert amount(result, COLLECTOR) == Decimal(20)
    assert forfeit(result, COLLECTOR)
    assert result.person(COLLECTOR).forfeit_months == ("2026-10",)  # type: ignore[union-attr]


def test_w1_and_r2_both_count_as_p3() -> None:
    # 4 R2 misses + 2 missed weekly reports = 6 P3 -> 50.
    # Weekly reports only for 10-02 .. 10-16, so the weeks due 10-23 and 10-30 12:00 are missed.
    base = [*roles("2026-10-01 09:00"),
            *[fact("weekly_report.submitted", f"2026-10-{d:02d} 10:00", actor=COLLECTOR)
              for d in (2, 9, 16)]]
    result = run([*base, *r2_misses(4)])
    assert [v.due for v in of(result, "W1")] == [at("2026-10-23 12:00"), at("2026-10-30 12:00")]
    assert line(result, COLLECTOR, "P3") == (6, Decimal(50), False)


def test_monthly_count_is_per_person() -> None:
    # Collector 杨宝珠 until Mon 10-19 09:00, then 王芳.
    # 3 R5 misses of decisions Sat 10-17 (due 10-17 11:40: 杨宝珠) and 3 of decisions Sat 10-24
    # (due 10-24 11:40: 王芳): each person's P4 count is 3 -> 20 each (not 6 -> 50).
    facts = [*october_base(),
             fact("role.assigned", "2026-10-19 09:00", actor=BOSS, role="collector",
                  person="王芳"),
             *r5_misses(3, "2026-10-17"), *r5_misses(3, "2026-10-24")]
    result = run(facts)
    assert line(result, COLLECTOR, "P4") == (3, Decimal(20), False)
    assert line(result, "王芳", "P4") == (3, Decimal(20), False)


def test_monthly_count_is_per_month() -> None:
    # 5 R5 misses due Sat 09-19 11:40 (September) and 1 due Sat 10-17 11:40 (October).
    # October's P4 count is 1 -> 20; September's is 5 -> 20 (together 6 would be 50).
    facts = [*roles(), *r5_misses(5, "2026-09-19"), *r5_misses(1, "2026-10-17")]
    assert line(run(facts, "2026-10"), COLLECTOR, "P4") == (1, Decimal(20), False)
    assert line(run(facts, "2026-09"), COLLECTOR, "P4") == (5, Decimal(20), False)


# -- per-instance rules ----------------------------------------------------------------------

def test_p1_and_p2_charge_each_time() -> None:
    # 3 requirements raised Mon 10-12 and never reported: R1 due Thu 10-15 18:00, 3 x P1 = 60.
    # 2 bugs fixed Fri 10-16 16:00 and the user never told: B4 due 10-16 18:00, 2 x P2 = 40.
    facts = [*october_base()]
    for i in range(1, 4):
        facts.append(fact("requirement.raised", "2026-10-12 09:30",
                          case=case_id("2026-10-12", i), actor=REPORTER, requester="客户"))
    for i in range(1, 3):
        bug = "B" + case_id("2026-10-13", i)
        facts += [fact("bug.found", "2026-10-13 09:00", case=bug, actor=REPORTER),
                  fact("bug.reported", "2026-10-13 09:30", case=bug, actor=REPORTER),
                  fact("bug.fixed", "2026-10-16 16:00", case=bug, actor="赵强")]
    result = run(facts)
    assert line(result, REPORTER, "P1") == (3, Decimal(60), False)
    assert line(result, REPORTER, "P2") == (2, Decimal(40), False)
    assert amount(result, REPORTER) == Decimal(100)
    assert all(v.penalty.amount == Decimal(20) for v in result.violations)


# -- P6 lateness: (0, 1d] -> 20, (1d, 7d] -> 100, over 7d -> forfeit -------------------------

def c1(delivered: str | None) -> list[Fact]:
    """Plan committed for Tue 2026-10-20: C1 due Tue 10-20 18:00."""
    case = "26101201"
    out = [*october_base(),
           fact("plan.estimated", "2026-10-12 10:00", case=case, actor=PM, due="2026-10-20")]
    if delivered:
        out.append(fact("plan.delivered", delivered, case=case, actor=PM))
    return out


@pytest.mark.parametrize(("delivered", "late", "yuan", "forfeits"), [
    ("2026-10-21 18:00", timedelta(days=1), Decimal(20), False),                 # exactly 1 day
    ("2026-10-21 18:01", timedelta(days=1, minutes=1), Decimal(100), False),     # 1 day + 1 min
    ("2026-10-27 18:00", timedelta(days=7), Decimal(100), False),                # exactly 7 days
    ("2026-10-27 18:01", timedelta(days=7, minutes=1), Decimal(0), True),        # 7 days + 1 min
    ("2026-10-20 18:01", timedelta(minutes=1), Decimal(20), False),              # 1 minute
])
def test_p6_lateness_bands(delivered: str, late: timedelta, yuan: Decimal,
                           forfeits: bool) -> None:
    result = run(c1(delivered))
    [violation] = of(result, "C1")
    assert violation.due == at("2026-10-20 18:00")
    assert violation.person == PM
    assert violation.late_by == late
    assert violation.penalty.rule == "P6"
    assert violation.penalty.amount == yuan
    assert violation.penalty.forfeit is forfeits
    assert amount(result, PM) == yuan
    assert forfeit(result, PM) is forfeits


def test_p6_on_time_exactly_at_the_deadline() -> None:
    result = run(c1("2026-10-20 18:00"))
    assert of(result, "C1") == []
    assert result.person(PM) is None


def test_p6_still_open_is_measured_at_as_of() -> None:
    # Never delivered. as_of Wed 10-21 18:00 -> exactly 1 day late -> 20;
    # as_of Wed 10-21 18:01 -> 1 day 1 minute -> 100.
    [v] = of(run(c1(None), as_of="2026-10-21 18:00"), "C1")
    assert (v.fulfilled_at, v.late_by, v.penalty.amount) == (None, timedelta(days=1), Decimal(20))
    [v] = of(run(c1(None), as_of="2026-10-21 18:01"), "C1")
    assert (v.late_by, v.penalty.amount) == (timedelta(days=1, minutes=1), Decimal(100))


def test_p6_is_charged_per_commitment_and_forfeit_keeps_other_amounts() -> None:
    # C1 due Tue 10-20 18:00, delivered 8 days later (10-28 18:00): forfeit.
    # C3 of another case due Fri 10-23 18:00, accepted 10-23 19:00 (1 hour late): 20.
    # C2 of a third case due Mon 10-19 18:00 (it_lead), handed over 10-21 18:00 (2 days): 100.
    facts = [*c1("2026-10-28 18:00"),
             fact("completion.estimated", "2026-10-12 10:00", case="26101202", actor=PM,
                  due="2026-10-23"),
             fact("requirement.accepted", "2026-10-23 19:00", case="26101202", actor=PM),
             fact("acceptance.estimated", "2026-10-12 10:00", case="26101203", actor="赵强",
                  due="2026-10-19"),
             fact("build.handed_over", "2026-10-21 18:00", case="26101203", actor="赵强")]
    result = run(facts)
    # PM's P6 line: 2 commitments, forfeit + 20 -> 20 yuan and the month forfeited
    assert line(result, PM, "P6") == (2, Decimal(20), True)
    assert forfeit(result, PM)
    assert line(result, "赵强", "P6") == (1, Decimal(100), False)
    assert not forfeit(result, "赵强")


def test_duty_without_penalty_is_a_violation_that_costs_nothing() -> None:
    # R4 (penalty none): decided Sat 10-17 do, no plan.estimated -> due Tue 10-20 18:00, missed.
    facts = [*october_base(),
             fact("decision.made", "2026-10-17 10:40", case="26101201", actor=BOSS,
                  decision="do", tier="C"),
             fact("reporter.notified", "2026-10-17 11:00", case="26101201", actor=COLLECTOR,
                  about="decision")]
    result = run(facts)
    [violation] = of(result, "R4")
    assert violation.person == PM
    assert violation.penalty.rule == "none"
    total = result.person(PM)
    assert total is not None
    assert (total.violations, total.amount, total.forfeit) == (1, Decimal(0), False)


# -- dated versions: the version in force when the deadline fell applies ----------------------

def test_a_new_amount_applies_from_its_effective_date(tmp_path: Path) -> None:
    # P1 raised to 30 yuan from 2026-10-01 (a new version; the 2014 one stays).
    folder = copy_policy(tmp_path / "policies", [(
        "penalties.yaml", "        per_instance: 20\n  P2:",
        "        per_instance: 20\n      - effective: 2026-10-01\n        per_instance: 30\n"
        "  P2:")])
    policy = pe.load_policy(folder)
    facts = [*roles(policy=policy),
             # raised Mon 09-21 -> R1 due Thu 09-24 18:00: September, old amount 20
             fact("requirement.raised", "2026-09-21 10:00", case="26092101", actor=REPORTER,
                  policy=policy),
             # raised Mon 09-28 -> Thu 10-01 is a holiday -> R1 due Thu 10-08 18:00: 30
             fact("requirement.raised", "2026-09-28 10:00", case="26092801", actor=REPORTER,
                  policy=policy)]
    september = run(facts, "2026-09", policy=policy)
    october = run(facts, "2026-10", policy=policy)
    [old] = of(september, "R1")
    [new] = of(october, "R1")
    assert (old.case, old.due, old.penalty.amount) == (
        "26092101", at("2026-09-24 18:00"), Decimal(20))
    assert (new.case, new.due, new.penalty.amount) == (
        "26092801", at("2026-10-08 18:00"), Decimal(30))
    assert amount(september, REPORTER) == Decimal(20)
    assert amount(october, REPORTER) == Decimal(30)


def test_a_new_monthly_schedule_applies_from_its_month(tmp_path: Path) -> None:
    # P4 gets a stricter schedule from 2026-10-01: 1-2 -> 30, 3+ -> forfeit.
    # 3 R5 misses in September (old tiers: 20) and 3 in October (new tiers: forfeit).
    folder = copy_policy(tmp_path / "policies", [(
        "penalties.yaml", "        monthly_count: *monthly_tiers\n  P5:",
        "        monthly_count: *monthly_tiers\n"
        "      - effective: 2026-10-01\n"
        "        monthly_count:\n"
        "          - {from: 1, to: 2, amount: 30}\n"
        "          - {from: 3, forfeit: true}\n"
        "  P5:")])
    policy = pe.load_policy(folder)
    facts = [*roles(policy=policy),
             *[fact("decision.made", "2026-09-19 10:40", case=f"260919{i:02d}", actor=BOSS,
                    decision="dont", policy=policy) for i in (1, 2, 3)],
             *[fact("decision.made", "2026-10-17 10:40", case=f"261017{i:02d}", actor=BOSS,
                    decision="dont", policy=policy) for i in (1, 2, 3)]]
    assert line(run(facts, "2026-09", policy=policy), COLLECTOR, "P4") == (3, Decimal(20), False)
    assert line(run(facts, "2026-10", policy=policy), COLLECTOR, "P4") == (3, Decimal(0), True)
