"""Missing calendar years without the cliff: a deadline that needs working days of a year the
calendar lacks (2027 until the State Council publishes it) is *pending calendar data*, named
and counted; everything else is computed as usual.

The shipped calendar knows 2004-2026 (official data). The facts below sit at the turn of
2026/2027:
- Thu 2026-12-31 is a working day; Fri 2027-01-01 is in no calendar yet.
- R6 (tell the customer the decision, same day) opened at 19:00 on Thu 12-31 is due at the
  end of the next working day: in 2027, unknown.
- R5 (tell the reporter within 1h) needs no working days: decided at 23:30 on 12-31 it is due
  at 00:30 on 2027-01-01 whatever the calendar says.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import COLLECTOR, PM, REPORTER, at, copy_policy, fact, of, roles, run

import policyengine as pe
from policyengine.results import PendingStatus

CASE = "26122801"

# A SAMPLE 2027 arrangement, made up for the tests: NOT the State Council's (unpublished when
# this was written). New Year Fri 01-01 .. Sun 01-03; Spring Festival Fri 02-05 .. Thu 02-11
# with Sun 01-31 and Sat 02-20 worked in exchange.
SAMPLE_2027 = """  years:
    2027:   # SAMPLE for tests only, not the official 2027 arrangement
      holidays:
        2027-01-01: 元旦
        2027-02-05: 春节
        2027-02-08: 春节
        2027-02-09: 春节
        2027-02-10: 春节
        2027-02-11: 春节
      working_days:
        2027-01-31: 春节调休
        2027-02-20: 春节调休
"""


def _policy_with_2027(tmp_path: Path) -> pe.CompiledPolicy:
    folder = copy_policy(tmp_path / "policies", [("policy.yaml", "  years: {}", SAMPLE_2027)])
    return pe.load_policy(folder)


def december(policy: pe.CompiledPolicy | None = None) -> list[pe.Fact]:
    """A requirement raised Mon 12-28, decided Thu 12-31 18:30, its reporter told at 19:00."""
    return [*roles("2026-12-01 09:00", policy=policy),
            fact("requirement.raised", "2026-12-28 10:00", case=CASE, actor=REPORTER,
                 id="q-1", policy=policy),
            fact("requirement.reported", "2026-12-28 11:00", case=CASE, actor=REPORTER,
                 id="q-2", policy=policy),
            fact("decision.made", "2026-12-31 18:30", case=CASE, actor="王总", decision="do",
                 tier="B", id="d-1", policy=policy),
            fact("reporter.notified", "2026-12-31 19:00", case=CASE, actor=COLLECTOR,
                 about="decision", id="n-1", policy=policy),
            fact("it_lead.notified", "2026-12-31 19:00", case=CASE, actor=COLLECTOR,
                 id="t-1", policy=policy)]


def test_a_deadline_that_needs_2027_is_pending_named_and_counted() -> None:
    result = run(december(), "2026-12")
    by_duty = {p.duty: p for p in result.pending}
    # W2, W3: weekly, as W1; W4: January 2027's month-end summary
    assert set(by_duty) == {"R2", "R4", "R6", "W1", "W2", "W3", "W4"}
    r6 = by_duty["R6"]
    assert (r6.case, r6.person, r6.missing_year, r6.trigger_ref) == (CASE, REPORTER, 2027, "n-1")
    assert r6.status is PendingStatus.WAITING
    assert r6.due_not_before == at("2027-01-01 00:00")
    assert by_duty["R4"].person == PM          # the pm held the role all along: known
    assert result.stats["pending_calendar"] == 7
    # not violations, not open obligations, and the rest of the month is computed as usual
    assert not {v.duty for v in result.violations} & set(by_duty) - {"W1", "W2", "W3", "W4"}
    # the earlier, unreported weeks, and December's summary
    assert {o.duty for o in result.obligations} == {"W1", "W2", "W3", "W4"}
    assert [v.duty for v in of(result, "R5")] == []        # R5 was met at 19:00
    document = result.to_dict()
    assert document["stats"]["pending_calendar"] == 7
    assert {p["duty"] for p in document["pending"]} == {"R2", "R4", "R6", "W1", "W2", "W3",
                                                          "W4"}
    assert document["pending"][0]["missing_year"] == 2027


def test_the_same_pending_obligations_in_the_quarter_and_a_later_as_of() -> None:
    quarter = run(december(), "2026-Q4")
    later = run(december(), None, as_of="2027-01-20 09:00")
    assert {p.key for p in quarter.pending} <= {p.key for p in later.pending}
    assert "R6|26122801|n-1" in {p.key for p in later.pending}


def test_a_fulfilment_closes_a_pending_obligation_and_the_verdict_waits() -> None:
    facts = [*december(),
             fact("requester.informed", "2027-01-04 10:00", case=CASE, actor=REPORTER,
                  about="decision", id="i-1")]
    result = run(facts, None, as_of="2027-01-05 09:00")
    [r6] = [p for p in result.pending if p.duty == "R6"]
    assert r6.status is PendingStatus.FULFILLED
    assert r6.fulfilled_at == at("2027-01-04 10:00")
    assert r6.to_dict()["status"] == "fulfilled"
    assert not of(result, "R6")


def test_clock_deadlines_are_computed_across_the_year_boundary() -> None:
    # R5 within 1h: decided 23:30 on 12-31, due 00:30 on 2027-01-01, never notified.
    # C1 by a committed date: estimated on 12-30 for 2027-01-08, never delivered.
    facts = [*roles("2026-12-01 09:00"),
             fact("decision.made", "2026-12-31 23:30", case=CASE, actor="王总",
                  decision="dont", tier="C"),
             fact("plan.estimated", "2026-12-30 10:00", case="26122802", actor=PM,
                  due="2027-01-08")]
    result = run(facts, "2027-01")
    [r5] = of(result, "R5")
    assert r5.due == at("2027-01-01 00:30")
    [c1] = of(result, "C1")
    assert c1.due == at("2027-01-08 18:00")
    # only the weeks (and the month) of 2027
    assert {p.duty for p in result.pending} == {"W1", "W2", "W3", "W4"}


def test_every_week_whose_deadline_needs_2027_is_pending_and_a_report_closes_it() -> None:
    facts = [*roles("2026-12-01 09:00"),
             *[fact("weekly_report.submitted", f"2026-12-{d:02d} 10:00", actor=COLLECTOR)
               for d in (4, 11, 18, 25)],
             fact("weekly_report.submitted", "2027-01-07 10:00", actor=COLLECTOR)]
    result = run(facts, None, as_of="2027-01-20 09:00")
    weeks = {p.opened_at.date().isoformat(): p for p in result.pending if p.duty == "W1"}
    assert set(weeks) == {"2026-12-28", "2027-01-04", "2027-01-11", "2027-01-18"}
    assert weeks["2027-01-04"].status is PendingStatus.FULFILLED
    assert weeks["2026-12-28"].status is PendingStatus.WAITING
    assert not of(result, "W1")     # December's four weeks were reported on time


def test_a_delay_approval_gives_a_pending_deadline_a_date(tmp_path: Path) -> None:
    # A policy whose C1 is "2 working days", still extendable by an approved delay to a date.
    folder = copy_policy(tmp_path / "policies", [(
        "duties.yaml", "    trigger: plan.estimated\n    fulfilled_by: plan.delivered\n"
                       "    deadline: {by: {date_field: due, at: end_of_work}}",
        "    trigger: plan.estimated\n    fulfilled_by: plan.delivered\n"
        "    deadline: {within: 2 working_days}")])
    policy = pe.load_policy(folder)
    case = "26123001"
    facts = [*roles("2026-12-01 09:00", policy=policy),
             fact("plan.estimated", "2026-12-31 10:00", case=case, actor=PM, due="2027-01-08",
                  policy=policy),
             fact("delay.requested", "2026-12-31 11:00", case=case, actor=PM, commitment="plan",
                  new_due="2027-01-15", policy=policy),
             fact("delay.approved", "2026-12-31 12:00", case=case, actor="王总",
                  commitment="plan", policy=policy)]
    result = run(facts, None, as_of="2027-01-16 09:00", policy=policy)
    assert "C1" not in {p.duty for p in result.pending}
    [c1] = of(result, "C1")
    assert c1.due == at("2027-01-15 18:00")
    assert any("2027" in step.render("en") for step in c1.explanation)


def test_a_sample_2027_block_turns_pending_into_ordinary_results(tmp_path: Path) -> None:
    policy = _policy_with_2027(tmp_path)
    facts = [*december(policy),
             fact("requester.informed", "2027-01-04 10:00", case=CASE, actor=REPORTER,
                  about="decision", id="i-1", policy=policy),
             fact("plan.estimated", "2027-01-04 17:00", case=CASE, actor=PM,
                  due="2027-01-29", policy=policy)]
    without = run(facts, "2027-01")
    assert {p.duty for p in without.pending} >= {"R4", "R6"}
    result = run(facts, "2027-01", policy=policy)
    assert result.pending == ()
    assert result.stats["pending_calendar"] == 0
    # R6 from Thu 12-31 19:00: Fri 01-01 holiday, weekend -> Mon 01-04 18:00; told at 10:00.
    assert not of(result, "R6")
    # R4 from Thu 12-31 18:30: 2 working days -> Mon 01-04, Tue 01-05 18:00; the plan was
    # estimated Mon 01-04 17:00: met. R2 (Fri 12-31 was no report day: Fri 01-01 12:00
    # moved to Mon 01-04 12:00) is missed: nobody registered the requirement.
    assert not of(result, "R4")
    [r2] = of(result, "R2", CASE)
    assert r2.due == at("2027-01-04 12:00")


def test_a_year_before_the_calendar_begins_is_still_an_error() -> None:
    # Waiting brings no data for 2003: a stored fact there is a mistake, said loudly.
    facts = [fact("bug.found", "2003-06-02 10:00", case="B03060201", actor=REPORTER)]
    with pytest.raises(pe.CalendarDataMissing) as caught:
        run(facts, "2003-06")
    assert caught.value.year == 2003


def test_merits_that_need_2027_are_noted_not_a_failure() -> None:
    # C1 committed for Fri 2027-01-08, delivered Tue 2026-12-29: met early, but by how many
    # working days needs 2027. The quarter of its deadline still evaluates.
    facts = [*roles("2026-12-01 09:00"),
             fact("plan.estimated", "2026-12-28 10:00", case=CASE, actor=PM, due="2027-01-08"),
             fact("plan.delivered", "2026-12-29 10:00", case=CASE, actor=PM)]
    result = run(facts, "2027-Q1")
    assert not of(result, "C1")
    assert result.merits == ()
    assert any("C1" in n.render("en") and "2027" in n.render("en") for n in result.notes)
