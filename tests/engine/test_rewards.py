"""Quarterly rewards A1-A3 and M1 merits (policy-reading.md §6).

The quarter used is mostly 2026-Q3 (07-01 .. 09-30): July and August 2026 have no holidays,
so working days are Monday to Friday.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from helpers import (
    BOSS,
    COLLECTOR,
    IT_LEAD,
    PM,
    REPORTER,
    at,
    fact,
    october_base,
    roles,
    run,
    weekly_reports,
)

from policyengine import EvaluationResult, Fact

Q3 = "2026-Q3"


def q3_base(*, collector_reports: bool = True) -> list[Fact]:
    """Roles from Wed 07-01 and a weekly report every Friday 07-03 .. 09-25 at 10:00, which
    closes every W1 week due in Q3 (07-03 .. 09-18 and the 09-25 week moved to Mon 09-28)."""
    out = roles("2026-07-01 09:00")
    if collector_reports:
        out += weekly_reports("2026-07-03", "2026-09-25")
    return out


def granted(result: EvaluationResult, reward: str) -> list[tuple[str, Decimal, Decimal]]:
    return [(r.person, r.min, r.max) for r in result.rewards if r.reward == reward]


# -- A1 on-time: at least one C1-C3 due in the quarter, none late (100-1000) -----------------

def _commitments() -> list[Fact]:
    return [
        # 陈立 C1: committed Mon 07-06 for Fri 07-10, delivered Thu 07-09: met
        fact("plan.estimated", "2026-07-06 10:00", case="26070601", actor=PM, due="2026-07-10"),
        fact("plan.delivered", "2026-07-09 15:00", case="26070601", actor=PM),
        # 陈立 C3: committed for Fri 07-17, accepted Fri 07-17 17:00: met
        fact("completion.estimated", "2026-07-06 10:00", case="26070602", actor=PM,
             due="2026-07-17"),
        fact("requirement.accepted", "2026-07-17 17:00", case="26070602", actor=PM),
        # 赵强 C2: committed for Wed 07-15, handed over Thu 07-16 10:00: 16 hours late
        fact("acceptance.estimated", "2026-07-06 10:00", case="26070603", actor=IT_LEAD,
             due="2026-07-15"),
        fact("build.handed_over", "2026-07-16 10:00", case="26070603", actor=IT_LEAD),
        # 赵强 C2: committed for Fri 07-24, handed over Thu 07-23: met (does not undo the late one)
        fact("acceptance.estimated", "2026-07-06 10:00", case="26070604", actor=IT_LEAD,
             due="2026-07-24"),
        fact("build.handed_over", "2026-07-23 10:00", case="26070604", actor=IT_LEAD),
    ]


def test_a1_goes_to_the_person_with_every_commitment_on_time() -> None:
    result = run([*q3_base(), *_commitments()], Q3)
    assert granted(result, "A1") == [(PM, Decimal(100), Decimal(1000))]
    [reward] = [r for r in result.rewards if r.reward == "A1"]
    assert "2" in reward.reason   # two commitments


def test_a1_ignores_commitments_due_outside_the_quarter() -> None:
    # 陈立 also committed a plan for Fri 10-09 (Q4) and delivered it Mon 10-12 (late): seen
    # at as_of 10-20, but due in Q4, so Q3's A1 stands.
    facts = [*q3_base(), *_commitments(),
             fact("plan.estimated", "2026-09-28 10:00", case="26092801", actor=PM,
                  due="2026-10-09"),
             fact("plan.delivered", "2026-10-12 10:00", case="26092801", actor=PM)]
    result = run(facts, Q3, as_of="2026-10-20 00:00")
    assert granted(result, "A1") == [(PM, Decimal(100), Decimal(1000))]


def test_a1_needs_at_least_one_commitment() -> None:
    # Nobody committed anything in Q3: no A1.
    assert granted(run(q3_base(), Q3), "A1") == []


def test_no_rewards_in_a_monthly_evaluation() -> None:
    assert run([*q3_base(), *_commitments()], "2026-07").rewards == ()


# -- A2: tier A, accepted after at most half of the working days (1000-2000) ----------------

def _major(tier: str, due: str, accepted: str) -> list[Fact]:
    case = "26070101"
    return [*q3_base(),
            fact("decision.made", "2026-07-04 10:40", case=case, actor=BOSS, decision="do",
                 tier=tier),
            fact("completion.estimated", "2026-07-06 10:00", case=case, actor=PM, due=due),
            fact("requirement.accepted", accepted, case=case, actor=PM)]


@pytest.mark.parametrize(("due", "accepted", "qualifies"), [
    # estimate Mon 07-06, due Fri 07-24: working days 07-07..10 (4), 07-13..17 (5),
    # 07-20..24 (5) = 14; half = 7.
    ("2026-07-24", "2026-07-15 17:00", True),    # Wed 07-15 is working day no. 7: 7 <= 7
    ("2026-07-24", "2026-07-16 09:00", False),   # Thu 07-16 is no. 8: 8 > 7
    # due Thu 07-23: 13 working days; half = 6.5.
    ("2026-07-23", "2026-07-14 17:00", True),    # Tue 07-14 is no. 6 <= 6.5
    ("2026-07-23", "2026-07-15 09:00", False),   # Wed 07-15 is no. 7 > 6.5
])
def test_a2_half_of_the_working_days(due: str, accepted: str, qualifies: bool) -> None:
    result = run(_major("A", due, accepted), Q3)
    expected = [(PM, Decimal(1000), Decimal(2000))] if qualifies else []
    assert granted(result, "A2") == expected


def test_a2_only_for_a_major_tier() -> None:
    # tier B accepted Tue 07-07 (1 of 14 working days): early, but not major.
    assert granted(run(_major("B", "2026-07-24", "2026-07-07 10:00"), Q3), "A2") == []


def test_a2_goes_to_the_pm_at_the_deadline() -> None:
    # 周敏 becomes PM Mon 07-20 09:00, before the C3 deadline Fri 07-24 18:00: the C3 is hers.
    facts = [*_major("A", "2026-07-24", "2026-07-15 17:00"),
             fact("role.assigned", "2026-07-20 09:00", actor=BOSS, role="pm", person="周敏")]
    assert granted(run(facts, Q3), "A2") == [("周敏", Decimal(1000), Decimal(2000))]


# -- A3: collector with no P3/P4 violation in the quarter, who handled cases (50-500) -------

def _handled(collector: str = COLLECTOR, day: str = "07-08") -> list[Fact]:
    """A requirement reported (R2 met) and a bug reported, on a Wednesday of Q3."""
    case = f"26{day.replace('-', '')}01"
    bug = f"B26{day.replace('-', '')}01"
    return [fact("requirement.raised", f"2026-{day} 09:00", case=case, actor=REPORTER),
            fact("requirement.reported", f"2026-{day} 10:00", case=case, actor=REPORTER),
            fact("requirement.registered", f"2026-{day} 15:00", case=case, actor=collector),
            fact("bug.found", f"2026-{day} 09:00", case=bug, actor=REPORTER),
            fact("bug.reported", f"2026-{day} 11:00", case=bug, actor=REPORTER)]


def test_a3_collector_without_omission() -> None:
    result = run([*q3_base(), *_handled()], Q3)
    assert granted(result, "A3") == [(COLLECTOR, Decimal(50), Decimal(500))]
    [reward] = [r for r in result.rewards if r.reward == "A3"]
    assert "2" in reward.reason   # handled one requirement and one bug


def test_a3_lost_by_one_late_notification() -> None:
    # decided Sat 07-11 10:40 -> R5 due 11:40; notified 11:45: one P4 violation.
    facts = [*q3_base(), *_handled(),
             fact("decision.made", "2026-07-11 10:40", case="26070801", actor=BOSS,
                  decision="dont"),
             fact("reporter.notified", "2026-07-11 11:45", case="26070801", actor=COLLECTOR,
                  about="decision")]
    assert granted(run(facts, Q3), "A3") == []


def test_a3_lost_by_one_missed_weekly_report() -> None:
    # every weekly report except Fri 08-14's: the week due 08-14 12:00 is closed late by the
    # 08-21 report (P3), and so on down the weeks.
    facts = [f for f in q3_base() if f.at != at("2026-08-14 10:00")] + _handled()
    assert granted(run(facts, Q3), "A3") == []


def test_a3_needs_cases_handled() -> None:
    # no omission, but nothing reported to the collector in the quarter: no A3.
    assert granted(run(q3_base(), Q3), "A3") == []


def test_a3_with_a_handover() -> None:
    # 杨宝珠 misses an R5 in July (P4); 王芳 is collector from Mon 08-03 09:00 and handles
    # cases on Wed 08-05 without omission: only 王芳 qualifies.
    facts = [*q3_base(), *_handled(),
             fact("decision.made", "2026-07-11 10:40", case="26070801", actor=BOSS,
                  decision="dont"),
             fact("role.assigned", "2026-08-03 09:00", actor=BOSS, role="collector",
                  person="王芳"),
             *_handled("王芳", "08-05")]
    # The weekly reports after 08-03 are sent by 杨宝珠's helper but close 王芳's weeks
    # (the W1 duty is the role's, whoever sends it).
    assert granted(run(facts, Q3), "A3") == [("王芳", Decimal(50), Decimal(500))]


# -- M1: each commitment met before its day, with the working days early ---------------------

def test_m1_merits_count_working_days_early() -> None:
    facts = [
        *october_base(),
        # C2: committed Mon 09-28 for Fri 10-09, handed over Wed 09-30: working days after 09-30
        # up to 10-09: 10-08, 10-09 (10-01..07 holiday) -> 2
        fact("acceptance.estimated", "2026-09-28 10:00", case="26092801", actor=IT_LEAD,
             due="2026-10-09"),
        fact("build.handed_over", "2026-09-30 10:00", case="26092801", actor=IT_LEAD),
        # C1: committed Fri 10-09 for Mon 10-12, delivered Fri 10-09 17:00: Sat 10-10
        # (adjusted working day), Mon 10-12 -> 2
        fact("plan.estimated", "2026-10-09 09:00", case="26100901", actor=PM, due="2026-10-12"),
        fact("plan.delivered", "2026-10-09 17:00", case="26100901", actor=PM),
        # C1: committed for Fri 10-16, delivered Tue 10-13: 10-14, 10-15, 10-16 -> 3
        fact("plan.estimated", "2026-10-12 10:00", case="26101201", actor=PM, due="2026-10-16"),
        fact("plan.delivered", "2026-10-13 15:00", case="26101201", actor=PM),
        # C3: committed for Fri 10-16, accepted Fri 10-16 09:00: on its day, 0 early: no merit
        fact("completion.estimated", "2026-10-12 10:00", case="26101202", actor=PM,
             due="2026-10-16"),
        fact("requirement.accepted", "2026-10-16 09:00", case="26101202", actor=PM),
        # C3: committed for Mon 10-19, accepted Tue 10-20: late, no merit
        fact("completion.estimated", "2026-10-12 10:00", case="26101203", actor=PM,
             due="2026-10-19"),
        fact("requirement.accepted", "2026-10-20 10:00", case="26101203", actor=PM),
    ]
    result = run(facts)
    assert [(m.reward, m.duty, m.case, m.person, m.due, m.working_days_early)
            for m in result.merits] == [
        ("M1", "C2", "26092801", IT_LEAD, at("2026-10-09 18:00"), 2),
        ("M1", "C1", "26100901", PM, at("2026-10-12 18:00"), 2),
        ("M1", "C1", "26101201", PM, at("2026-10-16 18:00"), 3),
    ]


def test_m1_merit_for_an_early_major_requirement() -> None:
    # The A2 case accepted Wed 07-15 for Fri 07-24: 07-16, 07-17, 07-20..24 -> 7 days early.
    result = run(_major("A", "2026-07-24", "2026-07-15 17:00"), Q3)
    assert [(m.duty, m.person, m.working_days_early) for m in result.merits] == [("C3", PM, 7)]


def test_a1_lost_by_a_commitment_never_met() -> None:
    # 陈立's C1 due Fri 07-10 18:00 is never delivered: missed at the quarter's end, so his
    # met C3 does not earn A1.
    facts = [*q3_base(), *[f for f in _commitments() if f.type != "plan.delivered"]]
    assert granted(run(facts, Q3), "A1") == []
