"""Delays (policy-reading.md §4 C1-C3, §5 P6): a delay requested at or before the deadline
and approved replaces the deadline with 18:00 of new_due; anything else leaves it standing.
R11/R12 follow every approval.

Base: completion.estimated Mon 10-12 10:00 committed for Fri 10-16 -> C3 due Fri 10-16 18:00.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from helpers import BOSS, COLLECTOR, IT_LEAD, PM, REPORTER, at, fact, october_base, of, run

from policyengine import Fact

CASE = "26101201"


def base() -> list[Fact]:
    return [*october_base(),
            fact("requirement.raised", "2026-10-12 09:00", case=CASE, actor=REPORTER),
            fact("completion.estimated", "2026-10-12 10:00", case=CASE, actor=PM,
                 due="2026-10-16")]


def request(when: str, new_due: str, commitment: str = "completion") -> Fact:
    return fact("delay.requested", when, case=CASE, actor=PM, commitment=commitment,
                new_due=new_due)


def approve(when: str, new_due: str | None = None, commitment: str = "completion") -> Fact:
    extra: dict[str, Any] = {"new_due": new_due} if new_due else {}
    return fact("delay.approved", when, case=CASE, actor=BOSS, commitment=commitment, **extra)


def accepted(when: str) -> Fact:
    return fact("requirement.accepted", when, case=CASE, actor=PM)


def test_without_a_delay_the_commitment_is_late() -> None:
    # accepted Tue 10-20 10:00, due Fri 10-16 18:00: 3 days 16 hours -> (1d, 7d] -> 100.
    [v] = of(run([*base(), accepted("2026-10-20 10:00")]), "C3")
    assert (v.due, v.late_by, v.penalty.amount) == (
        at("2026-10-16 18:00"), timedelta(days=3, hours=16), Decimal(100))


@pytest.mark.parametrize(("done", "late"), [
    ("2026-10-20 10:00", None),                      # after the old deadline, before the new
    ("2026-10-23 18:00", None),                      # exactly at the new deadline
    ("2026-10-23 18:01", timedelta(minutes=1)),      # a minute after it: 20 yuan
])
def test_delay_requested_before_and_approved_moves_the_deadline(
        done: str, late: timedelta | None) -> None:
    # requested Thu 10-15 (before Fri 10-16 18:00) for 10-23, approved Fri 10-16 10:00
    # -> deadline Fri 10-23 18:00.
    facts = [*base(), request("2026-10-15 10:00", "2026-10-23"), approve("2026-10-16 10:00"),
             accepted(done)]
    found = of(run(facts), "C3")
    if late is None:
        assert found == []
    else:
        [v] = found
        assert (v.due, v.late_by, v.penalty.amount, v.person) == (
            at("2026-10-23 18:00"), late, Decimal(20), PM)


def test_approval_carrying_its_own_new_due_wins() -> None:
    # requested for 10-23, approved for Wed 10-21 -> deadline Wed 10-21 18:00;
    # accepted Thu 10-22 10:00: 16 hours late -> 20.
    facts = [*base(), request("2026-10-15 10:00", "2026-10-23"),
             approve("2026-10-16 10:00", "2026-10-21"), accepted("2026-10-22 10:00")]
    [v] = of(run(facts), "C3")
    assert (v.due, v.late_by, v.penalty.amount) == (
        at("2026-10-21 18:00"), timedelta(hours=16), Decimal(20))


def test_delay_requested_after_the_deadline_does_not_move_it() -> None:
    # requested Sat 10-17 10:00 (after Fri 10-16 18:00), approved Mon 10-19 10:00:
    # the deadline stands; accepted Tue 10-20 10:00 -> 3 days 16 hours -> 100.
    facts = [*base(), request("2026-10-17 10:00", "2026-10-23"), approve("2026-10-19 10:00"),
             accepted("2026-10-20 10:00")]
    result = run(facts)
    [v] = of(result, "C3")
    assert (v.due, v.late_by, v.penalty.amount) == (
        at("2026-10-16 18:00"), timedelta(days=3, hours=16), Decimal(100))
    # ... but the approval still obliges the collector to notify the reporter (R11):
    # approved Mon 10-19 10:00 + 1 hour = 11:00, never notified.
    [r11] = of(result, "R11")
    assert (r11.due, r11.person, r11.penalty.rule) == (at("2026-10-19 11:00"), COLLECTOR, "P4")


def test_delay_requested_exactly_at_the_deadline_counts_as_in_time() -> None:
    # reading: 'before the deadline' is met, like any duty, at the deadline itself
    # (samples/README.md reading 7: "at or before"). Requested Fri 10-16 18:00, approved
    # Mon 10-19 -> 10-23 18:00; accepted Thu 10-22: on time.
    facts = [*base(), request("2026-10-16 18:00", "2026-10-23"), approve("2026-10-19 10:00"),
             accepted("2026-10-22 10:00")]
    assert of(run(facts), "C3") == []


def test_approval_after_the_deadline_of_a_request_made_before_it() -> None:
    # The request (Fri 10-16 10:00) is what must precede the deadline; the approval may come
    # later (Mon 10-19): the deadline becomes 10-23 18:00; accepted Thu 10-22 is on time.
    facts = [*base(), request("2026-10-16 10:00", "2026-10-23"), approve("2026-10-19 10:00"),
             accepted("2026-10-22 10:00")]
    assert of(run(facts), "C3") == []


def test_approval_without_a_request_does_not_move_the_deadline() -> None:
    # approved Thu 10-15 for 10-23 with no request: stands at Fri 10-16 18:00;
    # accepted Tue 10-20 10:00 -> 3 days 16 hours -> 100.
    facts = [*base(), approve("2026-10-15 10:00", "2026-10-23"), accepted("2026-10-20 10:00")]
    [v] = of(run(facts), "C3")
    assert (v.due, v.penalty.amount) == (at("2026-10-16 18:00"), Decimal(100))


def test_request_without_approval_does_not_move_the_deadline() -> None:
    facts = [*base(), request("2026-10-15 10:00", "2026-10-23"), accepted("2026-10-20 10:00")]
    [v] = of(run(facts), "C3")
    assert v.due == at("2026-10-16 18:00")


def test_a_delay_of_another_commitment_does_not_move_c3() -> None:
    # a plan delay (commitment: plan) concerns C1, not C3: C3 stays at 10-16 18:00.
    facts = [*base(), request("2026-10-15 10:00", "2026-10-23", "plan"),
             approve("2026-10-16 10:00", commitment="plan"), accepted("2026-10-20 10:00")]
    [v] = of(run(facts), "C3")
    assert v.due == at("2026-10-16 18:00")


def test_two_successive_delays() -> None:
    # 1st: requested 10-15 for 10-23, approved 10-16 -> 10-23 18:00.
    # 2nd: requested Thu 10-22 (before 10-23 18:00) for 10-28, approved 10-23 -> Wed 10-28 18:00.
    # accepted 10-28 18:00: on time; 18:30: 30 minutes late.
    facts = [*base(), request("2026-10-15 10:00", "2026-10-23"), approve("2026-10-16 10:00"),
             request("2026-10-22 10:00", "2026-10-28"), approve("2026-10-23 10:00")]
    assert of(run([*facts, accepted("2026-10-28 18:00")]), "C3") == []
    [v] = of(run([*facts, accepted("2026-10-28 18:30")]), "C3")
    assert (v.due, v.late_by) == (at("2026-10-28 18:00"), timedelta(minutes=30))


def test_new_due_on_a_weekend_is_18_00_of_that_date() -> None:
    # approved for Sat 10-24 -> 10-24 18:00 (a committed date is kept as written);
    # accepted Mon 10-26 10:00 -> 1 day 16 hours late -> 100.
    facts = [*base(), request("2026-10-15 10:00", "2026-10-24"), approve("2026-10-16 10:00"),
             accepted("2026-10-26 10:00")]
    [v] = of(run(facts), "C3")
    assert (v.due, v.late_by, v.penalty.amount) == (
        at("2026-10-24 18:00"), timedelta(days=1, hours=16), Decimal(100))


@pytest.mark.parametrize(("commitment", "trigger", "fulfil", "duty", "person"), [
    ("plan", "plan.estimated", "plan.delivered", "C1", PM),
    ("acceptance", "acceptance.estimated", "build.handed_over", "C2", IT_LEAD),
])
def test_c1_and_c2_move_the_same_way(commitment: str, trigger: str, fulfil: str, duty: str,
                                     person: str) -> None:
    # committed for Fri 10-16, delay requested Thu 10-15 for Tue 10-20, approved Fri 10-16:
    # due Tue 10-20 18:00; done Wed 10-21 09:00 -> 15 hours late -> 20.
    facts = [*october_base(),
             fact(trigger, "2026-10-12 10:00", case=CASE, actor=person, due="2026-10-16"),
             request("2026-10-15 10:00", "2026-10-20", commitment),
             approve("2026-10-16 10:00", commitment=commitment),
             fact(fulfil, "2026-10-21 09:00", case=CASE, actor=person)]
    [v] = of(run(facts), duty)
    assert (v.due, v.late_by, v.person, v.penalty.amount) == (
        at("2026-10-20 18:00"), timedelta(hours=15), person, Decimal(20))


def test_r11_and_r12_follow_an_approval_on_time() -> None:
    # approved Fri 10-16 10:00 -> R11 due 11:00: notified 10:45 (on time);
    # R12 due Fri 10-16 18:00 (same day): customer told 17:00 (on time).
    facts = [*base(), request("2026-10-15 10:00", "2026-10-23"), approve("2026-10-16 10:00"),
             fact("reporter.notified", "2026-10-16 10:45", case=CASE, actor=COLLECTOR,
                  about="delay"),
             fact("requester.informed", "2026-10-16 17:00", case=CASE, actor=REPORTER,
                  about="delay"),
             accepted("2026-10-23 12:00")]
    result = run(facts)
    assert of(result, "R11") == [] and of(result, "R12") == [] and of(result, "C3") == []


def test_r11_and_r12_late() -> None:
    # approved Fri 10-16 10:00 -> R11 due 11:00; notified 11:30 (30 min late, collector, P4).
    # R12 opened 11:30 -> due Fri 10-16 18:00; customer told Mon 10-19 09:00 (P2, reporter).
    facts = [*base(), request("2026-10-15 10:00", "2026-10-23"), approve("2026-10-16 10:00"),
             fact("reporter.notified", "2026-10-16 11:30", case=CASE, actor=COLLECTOR,
                  about="delay"),
             fact("requester.informed", "2026-10-19 09:00", case=CASE, actor=REPORTER,
                  about="delay")]
    result = run(facts)
    [r11] = of(result, "R11")
    [r12] = of(result, "R12")
    assert (r11.due, r11.person, r11.late_by) == (
        at("2026-10-16 11:00"), COLLECTOR, timedelta(minutes=30))
    assert (r12.due, r12.person, r12.late_by, r12.penalty.amount) == (
        at("2026-10-16 18:00"), REPORTER, timedelta(days=2, hours=15), Decimal(20))


def test_a_delay_moves_the_violation_to_the_month_of_the_new_deadline() -> None:
    # committed for Fri 10-30; requested Wed 10-28 for Fri 11-06, approved Thu 10-29.
    # Never accepted. October: no C3 violation, the commitment is open, due 11-06 18:00.
    # November (as_of 12-01 00:00): late 24 days 6 hours -> over 7 days -> forfeit.
    facts = [*october_base(),
             fact("completion.estimated", "2026-10-12 10:00", case=CASE, actor=PM,
                  due="2026-10-30"),
             request("2026-10-28 10:00", "2026-11-06"), approve("2026-10-29 10:00")]
    october = run(facts)
    assert of(october, "C3") == []
    assert [(o.due, o.overdue) for o in october.obligations if o.duty == "C3"] == [
        (at("2026-11-06 18:00"), False)]
    [v] = of(run(facts, "2026-11"), "C3")
    assert (v.due, v.month, v.late_by, v.penalty.forfeit) == (
        at("2026-11-06 18:00"), "2026-11", timedelta(days=24, hours=6), True)


def test_request_and_approval_at_the_same_moment() -> None:
    # requested and approved Thu 10-15 10:00 (the form signed when filed) for 10-23:
    # deadline 10-23 18:00; accepted Thu 10-22 10:00: on time.
    facts = [*base(), request("2026-10-15 10:00", "2026-10-23"), approve("2026-10-15 10:00"),
             accepted("2026-10-22 10:00")]
    assert of(run(facts), "C3") == []
