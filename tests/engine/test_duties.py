"""Every duty of policy-reading.md §4, on time and late, with its due time and person.

Calendar used (official 2026 data): Mon 10-12 .. Fri 10-16, Mon 10-19 .. Fri 10-23 and
Mon 10-26 .. Fri 10-30 are working days; Sat/Sun 10-17/18 and 10-24/25 are rest days.
Roles (helpers.roles): collector 杨宝珠, pm 陈立, it_lead 赵强, tester 孙婷; the parametrized
cases use helpers.october_base (roles from 10-01, every October weekly report on time, so
the collector's P3 count is not swollen by W1).
Reporter 李小四 = actor of requirement.raised / bug.found of the case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from helpers import (
    BOSS,
    COLLECTOR,
    IT_LEAD,
    PM,
    REPORTER,
    TESTER,
    amount,
    at,
    fact,
    october_base,
    of,
    roles,
    run,
)

from policyengine import Fact

REQ = "26101201"
BUG = "B26101301"
RAISED: dict[str, Any] = dict(case=REQ, actor=REPORTER, requester="王医生")


@dataclass
class DutyCase:
    duty: str
    trigger: Fact
    fulfil: tuple[str, dict[str, Any]]   # fact type and its fields
    due: str                            # worked out by hand (comment beside each case)
    person: str
    rule: str                           # penalty rule, or "none"
    context: list[Fact] = field(default_factory=list)

    def fulfilment(self, when: str) -> Fact:
        kind, fields = self.fulfil
        return fact(kind, when, **fields)


def _raised() -> Fact:
    return fact("requirement.raised", "2026-10-12 09:30", **RAISED)


def _found() -> Fact:
    return fact("bug.found", "2026-10-13 09:00", case=BUG, actor=REPORTER, requester="王医生")


CASES = [
    # R1: raised Mon 10-12 09:30 -> the first Thursday 18:00 at or after it: Thu 10-15 18:00.
    DutyCase("R1", fact("requirement.raised", "2026-10-12 09:30", **RAISED),
             ("requirement.reported", dict(case=REQ, actor=REPORTER)),
             "2026-10-15 18:00", REPORTER, "P1"),
    # R2: reported Tue 10-13 -> cut-off Thu 10-15 18:00 -> that week's Friday 12:00 = 10-16 12:00.
    DutyCase("R2", fact("requirement.reported", "2026-10-13 10:00", case=REQ, actor=REPORTER),
             ("requirement.registered", dict(case=REQ, actor=COLLECTOR)),
             "2026-10-16 12:00", COLLECTOR, "P3", [_raised()]),
    # R4: decided Sat 10-17 -> working days after 10-17: Mon 10-19 (1), Tue 10-20 (2): 18:00.
    DutyCase("R4", fact("decision.made", "2026-10-17 10:40", case=REQ, actor=BOSS,
                        decision="do", tier="B"),
             ("plan.estimated", dict(case=REQ, actor=PM, due="2026-10-30")),
             "2026-10-20 18:00", PM, "none", [_raised()]),
    # R5: decided Sat 10-17 10:40 + 1 hour on the clock = Sat 10-17 11:40.
    DutyCase("R5", fact("decision.made", "2026-10-17 10:40", case=REQ, actor=BOSS,
                        decision="dont"),
             ("reporter.notified", dict(case=REQ, actor=COLLECTOR, about="decision")),
             "2026-10-17 11:40", COLLECTOR, "P4", [_raised()]),
    # R16: the meeting ended Sat 10-17 11:00 + 1 hour on the clock = 12:00 (决策下发2).
    DutyCase("R16", fact("meeting.ended", "2026-10-17 11:00", actor=BOSS, meeting="M20261017"),
             ("decision_results.mailed", dict(actor=COLLECTOR, meeting="M20261017")),
             "2026-10-17 12:00", COLLECTOR, "none"),
    # R17: decided (do) Sat 10-17 10:40 at meeting M20261017, which ended 11:00: the deadline
    # runs from the meeting's end, 11:00 + 1 hour = 12:00 (决策下发4).
    DutyCase("R17", fact("decision.made", "2026-10-17 10:40", case=REQ, actor=BOSS,
                         decision="do", tier="B", meeting="M20261017"),
             ("it_lead.notified", dict(case=REQ, actor=COLLECTOR)),
             "2026-10-17 12:00", COLLECTOR, "none",
             [_raised(), fact("meeting.ended", "2026-10-17 11:00", actor=BOSS,
                              meeting="M20261017")]),
    # R6: notified Sat 10-17 11:00, not a working day -> next working day Mon 10-19 18:00.
    DutyCase("R6", fact("reporter.notified", "2026-10-17 11:00", case=REQ, actor=COLLECTOR,
                        about="decision"),
             ("requester.informed", dict(case=REQ, actor=REPORTER, about="decision")),
             "2026-10-19 18:00", REPORTER, "P2", [_raised()]),
    # R7: plan delivered Thu 10-22 -> Fri 10-23 (1), Mon 10-26 (2): Mon 10-26 18:00.
    DutyCase("R7", fact("plan.delivered", "2026-10-22 10:00", case=REQ, actor=PM),
             ("acceptance.estimated", dict(case=REQ, actor=IT_LEAD, due="2026-11-20")),
             "2026-10-26 18:00", IT_LEAD, "none", [_raised()]),
    # R8: acceptance estimated Mon 10-26 15:00 + 1 hour = 16:00.
    DutyCase("R8", fact("acceptance.estimated", "2026-10-26 15:00", case=REQ, actor=IT_LEAD,
                        due="2026-11-20"),
             ("completion.estimated", dict(case=REQ, actor=PM, due="2026-11-27")),
             "2026-10-26 16:00", PM, "none", [_raised()]),
    # R9: completion estimated Mon 10-26 16:00 + 1 hour = 17:00.
    DutyCase("R9", fact("completion.estimated", "2026-10-26 16:00", case=REQ, actor=PM,
                        due="2026-11-27"),
             ("reporter.notified", dict(case=REQ, actor=COLLECTOR, about="estimate")),
             "2026-10-26 17:00", COLLECTOR, "P4", [_raised()]),
    # R10: notified Mon 10-26 17:00, a working day before 18:00 -> same day 18:00.
    DutyCase("R10", fact("reporter.notified", "2026-10-26 17:00", case=REQ, actor=COLLECTOR,
                         about="estimate"),
             ("requester.informed", dict(case=REQ, actor=REPORTER, about="estimate")),
             "2026-10-26 18:00", REPORTER, "P2", [_raised()]),
    # R11: delay approved Fri 10-16 10:00 + 1 hour = 11:00.
    DutyCase("R11", fact("delay.approved", "2026-10-16 10:00", case=REQ, actor=BOSS,
                         commitment="completion", new_due="2026-10-30"),
             ("reporter.notified", dict(case=REQ, actor=COLLECTOR, about="delay")),
             "2026-10-16 11:00", COLLECTOR, "P4", [_raised()]),
    # R12: notified of the delay Fri 10-16 17:30 -> same day 18:00.
    DutyCase("R12", fact("reporter.notified", "2026-10-16 17:30", case=REQ, actor=COLLECTOR,
                         about="delay"),
             ("requester.informed", dict(case=REQ, actor=REPORTER, about="delay")),
             "2026-10-16 18:00", REPORTER, "P2", [_raised()]),
    # R13: accepted Wed 10-21 15:00 + 30 min grace for 'immediately' = 15:30.
    DutyCase("R13", fact("requirement.accepted", "2026-10-21 15:00", case=REQ, actor=PM),
             ("collector.notified", dict(case=REQ, actor=PM, about="completion")),
             "2026-10-21 15:30", PM, "P5", [_raised()]),
    # R14: collector notified Wed 10-21 15:20 + 30 min = 15:50.
    DutyCase("R14", fact("collector.notified", "2026-10-21 15:20", case=REQ, actor=PM,
                         about="completion"),
             ("reporter.notified", dict(case=REQ, actor=COLLECTOR, about="completion")),
             "2026-10-21 15:50", COLLECTOR, "P4", [_raised()]),
    # R15: notified Wed 10-21 18:10, after end of work -> next working day Thu 10-22 18:00.
    DutyCase("R15", fact("reporter.notified", "2026-10-21 18:10", case=REQ, actor=COLLECTOR,
                         about="completion"),
             ("requester.informed", dict(case=REQ, actor=REPORTER, about="completion")),
             "2026-10-22 18:00", REPORTER, "P2", [_raised()]),
    # B1: found Tue 10-13 10:00, a working day before 18:00 -> same day 18:00.
    DutyCase("B1", fact("bug.found", "2026-10-13 10:00", case=BUG, actor=REPORTER,
                        requester="王医生"),
             ("bug.reported", dict(case=BUG, actor=REPORTER)),
             "2026-10-13 18:00", REPORTER, "P1"),
    # B2: reproduced Wed 10-14 10:00 + 30 min grace = 10:30.
    DutyCase("B2", fact("bug.reproduced", "2026-10-14 10:00", case=BUG, actor=TESTER),
             ("bug.filed", dict(case=BUG, actor=TESTER)),
             "2026-10-14 10:30", TESTER, "none", [_found()]),
    # B4: fix mail Fri 10-16 16:00 -> same day 18:00.
    DutyCase("B4", fact("bug.fixed", "2026-10-16 16:00", case=BUG, actor=IT_LEAD),
             ("requester.informed", dict(case=BUG, actor=REPORTER, about="bugfix")),
             "2026-10-16 18:00", REPORTER, "P2", [_found()]),
    # C1: plan committed for 2026-10-23 -> Fri 10-23 18:00.
    DutyCase("C1", fact("plan.estimated", "2026-10-19 10:00", case=REQ, actor=PM,
                        due="2026-10-23"),
             ("plan.delivered", dict(case=REQ, actor=PM)),
             "2026-10-23 18:00", PM, "P6", [_raised()]),
    # C2: hand-over committed for 2026-10-28 -> Wed 10-28 18:00.
    DutyCase("C2", fact("acceptance.estimated", "2026-10-19 10:00", case=REQ, actor=IT_LEAD,
                        due="2026-10-28"),
             ("build.handed_over", dict(case=REQ, actor=IT_LEAD)),
             "2026-10-28 18:00", IT_LEAD, "P6", [_raised()]),
    # C3: completion committed for 2026-10-30 -> Fri 10-30 18:00.
    DutyCase("C3", fact("completion.estimated", "2026-10-19 10:00", case=REQ, actor=PM,
                        due="2026-10-30"),
             ("requirement.accepted", dict(case=REQ, actor=PM)),
             "2026-10-30 18:00", PM, "P6", [_raised()]),
]

IDS = [c.duty for c in CASES]


def _facts(case: DutyCase, fulfil_at: str | None) -> list[Fact]:
    out = [*october_base(), *case.context, case.trigger]
    if fulfil_at is not None:
        out.append(case.fulfilment(fulfil_at))
    return out


def _plus_minute(text: str) -> str:
    return (at(text) + timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M")


def test_the_table_covers_every_triggered_duty(policy: Any) -> None:
    triggered = {d for d, spec in policy.duties.items() if spec.trigger is not None}
    assert {c.duty for c in CASES} == triggered


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_fulfilled_exactly_at_the_deadline_is_on_time(case: DutyCase) -> None:
    result = run(_facts(case, case.due))
    assert of(result, case.duty) == []
    assert [o for o in result.obligations if o.duty == case.duty] == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_fulfilled_a_minute_late_is_a_violation(case: DutyCase) -> None:
    late = _plus_minute(case.due)
    result = run(_facts(case, late))
    [violation] = of(result, case.duty)
    assert violation.case == case.trigger.case
    assert violation.due == at(case.due)
    assert violation.person == case.person
    assert violation.fulfilled_at == at(late)
    assert violation.late_by == timedelta(minutes=1)
    assert violation.month == "2026-10"
    assert violation.penalty.rule == case.rule


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_minute_late_costs_what_the_rule_says(case: DutyCase) -> None:
    # One violation in the month: P1/P2 20 yuan each; P3/P4/P5 count 1 -> tier 1-5, 20 yuan
    # for the month; P6 one minute late is within (0, 1 day] -> 20 yuan; "none" costs 0.
    result = run(_facts(case, _plus_minute(case.due)))
    [violation] = of(result, case.duty)
    penalty = violation.penalty
    if case.rule == "none":
        assert penalty.amount == 0
        assert not penalty.forfeit
    elif case.rule in ("P3", "P4", "P5"):
        assert penalty.schedule == "monthly_count"
        assert penalty.count_in_month == 1
        assert penalty.month_amount == Decimal(20)
    else:
        assert penalty.amount == Decimal(20)
        assert not penalty.forfeit


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_fulfilled_before_the_trigger_does_not_count(case: DutyCase) -> None:
    # A fulfilling fact an hour before the trigger cannot close the duty opened later:
    # the duty stays open and is missed at the end of October.
    trigger_at = case.trigger.at.strftime("%Y-%m-%d %H:%M")
    early = (at(trigger_at) - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    facts = [*october_base(), *case.context, case.fulfilment(early), case.trigger]
    [violation] = of(run(facts), case.duty)
    assert violation.fulfilled_at is None
    # as_of is the end of the period, Sun 2026-11-01 00:00.
    assert violation.late_by == at("2026-11-01 00:00") - at(case.due)


def test_missed_duty_is_late_by_as_of_minus_due() -> None:
    # R1 due Thu 10-15 18:00 never fulfilled; as_of 2026-11-01 00:00:
    # 10-15 18:00 -> 11-01 00:00 = 16 days 6 hours.
    result = run([*roles(), fact("requirement.raised", "2026-10-12 09:30", **RAISED)])
    [violation] = of(result, "R1")
    assert violation.fulfilled_at is None
    assert violation.late_by == timedelta(days=16, hours=6)
    assert violation.person == REPORTER
    assert amount(result, REPORTER) == Decimal(20)


def test_r4_only_for_do_and_transform() -> None:
    # R4's trigger is decision.made with decision do or transform; dont/reconsider open none.
    facts = [*roles(), _raised()]
    for n, decision in enumerate(("do", "dont", "reconsider", "transform"), start=1):
        extra: dict[str, Any] = {"tier": "C"} if decision in ("do", "transform") else {}
        facts.append(fact("decision.made", "2026-10-17 10:40", case=f"261012{n:02d}",
                          actor=BOSS, decision=decision, **extra))
    result = run(facts)
    # each missed: due Tue 10-20 18:00
    assert sorted(str(v.case) for v in of(result, "R4")) == ["26101201", "26101204"]
    # R5 is owed for every decision
    assert len(of(result, "R5")) == 4


def test_a_notification_about_something_else_does_not_fulfil() -> None:
    # R5 (notify of the decision) is not closed by reporter.notified about=estimate.
    facts = [*roles(), _raised(),
             fact("decision.made", "2026-10-17 10:40", case=REQ, actor=BOSS, decision="dont"),
             fact("reporter.notified", "2026-10-17 11:00", case=REQ, actor=COLLECTOR,
                  about="estimate")]
    result = run(facts)
    [violation] = of(result, "R5")
    assert violation.fulfilled_at is None
    assert violation.due == at("2026-10-17 11:40")
    # ... and that notification about an estimate opens R10 for the reporter:
    # Sat 10-17 is not a working day -> Mon 10-19 18:00.
    [r10] = of(result, "R10")
    assert r10.due == at("2026-10-19 18:00")
    assert r10.person == REPORTER


def test_a_fulfilling_fact_of_another_case_does_not_fulfil() -> None:
    facts = [*roles(), _raised(),
             fact("decision.made", "2026-10-17 10:40", case=REQ, actor=BOSS, decision="dont"),
             fact("reporter.notified", "2026-10-17 11:00", case="26101202", actor=COLLECTOR,
                  about="decision")]
    [violation] = of(run(facts), "R5", REQ)
    assert violation.fulfilled_at is None


def test_two_triggers_of_one_case_pair_with_fulfilments_in_order() -> None:
    # Decided twice (reconsider Sat 10-17 10:40, then do Sat 10-24 10:40): two R5 duties,
    # due 10-17 11:40 and 10-24 11:40. Notifications 10-17 11:00 and 10-24 12:00: the first
    # closes the first duty on time; the second closes the second 20 minutes late.
    facts = [*roles(), _raised(),
             fact("decision.made", "2026-10-17 10:40", case=REQ, actor=BOSS,
                  decision="reconsider"),
             fact("reporter.notified", "2026-10-17 11:00", case=REQ, actor=COLLECTOR,
                  about="decision"),
             fact("decision.made", "2026-10-24 10:40", case=REQ, actor=BOSS, decision="do",
                  tier="C"),
             fact("reporter.notified", "2026-10-24 12:00", case=REQ, actor=COLLECTOR,
                  about="decision")]
    [violation] = of(run(facts), "R5")
    assert violation.due == at("2026-10-24 11:40")
    assert violation.late_by == timedelta(minutes=20)


def test_w1_weekly_report_on_time_late_and_missed() -> None:
    # First fact Mon 10-12 09:00, so weeks are owed from the one due Fri 10-16 12:00.
    # Reports: Fri 10-16 12:00 (exactly on time), Fri 10-23 12:01 (1 minute late),
    # none for the week due Fri 10-30 12:00 (missed: as_of 11-01 00:00 - 10-30 12:00 = 1d12h).
    # The week due Fri 11-06 is not October's.
    facts = [*roles("2026-10-12 09:00"),
             fact("weekly_report.submitted", "2026-10-16 12:00", actor=COLLECTOR),
             fact("weekly_report.submitted", "2026-10-23 12:01", actor=COLLECTOR)]
    result = run(facts)
    w1 = of(result, "W1")
    assert [(v.due, v.late_by, v.person, v.case) for v in w1] == [
        (at("2026-10-23 12:00"), timedelta(minutes=1), COLLECTOR, None),
        (at("2026-10-30 12:00"), timedelta(days=1, hours=12), COLLECTOR, None),
    ]
    assert {v.penalty.rule for v in w1} == {"P3"}
    # two P3 violations in October -> tier 1-5 -> 20 yuan for the month
    assert amount(result, COLLECTOR) == Decimal(20)
    # open at as_of (Sun 11-01 00:00): the missed week (overdue); the week of Mon 11-02 has
    # not started yet
    assert [(o.due, o.overdue) for o in result.obligations if o.duty == "W1"] == [
        (at("2026-10-30 12:00"), True)]


def test_w1_a_report_belongs_to_its_week_and_a_second_one_catches_up() -> None:
    # Weeks (Mon-Sun) due Fri 10-16, 10-23 and 10-30, 12:00. No report in the week of 10-12.
    # Tue 10-20 10:00 is in the week of 10-19, which is open: it closes that week (on time).
    # Tue 10-20 10:05: its week is closed, so it closes the oldest week still owed, the one
    # due 10-16: Fri 10-16 12:00 -> Tue 10-20 10:05 = 3 days 22 hours 5 minutes late.
    # Fri 10-30 10:00 closes the week of 10-26.
    facts = [*roles("2026-10-12 09:00"),
             fact("weekly_report.submitted", "2026-10-20 10:00", actor=COLLECTOR),
             fact("weekly_report.submitted", "2026-10-20 10:05", actor=COLLECTOR),
             fact("weekly_report.submitted", "2026-10-30 10:00", actor=COLLECTOR)]
    [violation] = of(run(facts), "W1")
    assert violation.due == at("2026-10-16 12:00")
    assert violation.late_by == timedelta(days=3, hours=22, minutes=5)


def test_w1_one_missed_week_is_one_violation_not_a_cascade() -> None:
    # No report in the week of 10-12; every later week's report on its Friday at 10:00.
    # Each later report belongs to its own (open) week, so only the week due 10-16 is
    # violated: missed, as of 11-01 00:00 it is 15 days 12 hours late. One P3 -> 20 yuan.
    facts = [*roles("2026-10-12 09:00"),
             *(fact("weekly_report.submitted", f"2026-10-{day} 10:00", actor=COLLECTOR)
               for day in ("23", "30"))]
    result = run(facts)
    [violation] = of(result, "W1")
    assert (violation.due, violation.fulfilled_at) == (at("2026-10-16 12:00"), None)
    assert violation.late_by == timedelta(days=15, hours=12)
    assert amount(result, COLLECTOR) == Decimal(20)
