"""Event-time evaluation: order independence, re-sent facts, as_of, and the month a
violation belongs to (policy-reading.md §5: the month its deadline falls in)."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from helpers import (
    BOSS,
    COLLECTOR,
    PM,
    REPORTER,
    SAMPLE_FACTS,
    at,
    fact,
    october_base,
    of,
    roles,
    run,
    shipped,
)

import policyengine as pe
from policyengine import Fact, FactError, UsageError


def sample_facts() -> list[Fact]:
    batch = pe.read_facts(SAMPLE_FACTS, shipped())
    assert batch.rejected == []
    return batch.facts


# -- order independence --------------------------------------------------------------------

@pytest.mark.parametrize("period", ["2026-10", "2026-09", "2026-Q3"])
def test_shuffled_sample_gives_the_same_result(period: str) -> None:
    facts = sample_facts()
    expected = run(facts, period).to_dict()
    for seed in (1, 2, 3, 4, 5):
        shuffled = facts[:]
        random.Random(seed).shuffle(shuffled)
        assert run(shuffled, period).to_dict() == expected, f"seed {seed}"


def test_reversed_input_gives_the_same_result() -> None:
    facts = sample_facts()
    assert run(facts[::-1]).to_dict() == run(facts).to_dict()


def _simultaneous() -> list[Fact]:
    # decision and notification at the same minute; two decisions of different cases at the
    # same minute with a single notification for one of them.
    return [*october_base(),
            fact("decision.made", "2026-10-17 10:40", case="26101201", actor=BOSS,
                 decision="dont"),
            fact("reporter.notified", "2026-10-17 10:40", case="26101201", actor=COLLECTOR,
                 about="decision"),
            fact("decision.made", "2026-10-17 10:40", case="26101202", actor=BOSS,
                 decision="dont")]


@pytest.mark.parametrize("seed", range(6))
def test_simultaneous_facts_in_any_order(seed: int) -> None:
    # The notification at the trigger's own time closes it (on time, 0 late): only the other
    # case's R5 is missed, due 11:40.
    facts = _simultaneous()
    random.Random(seed).shuffle(facts)
    result = run(facts)
    assert [(v.case, v.due) for v in of(result, "R5")] == [("26101202", at("2026-10-17 11:40"))]


# -- re-sent facts --------------------------------------------------------------------------

def _raised(**extra: Any) -> Fact:
    fields: dict[str, Any] = dict(case="26101201", actor=REPORTER, id="f-1")
    fields.update(extra)
    return fact("requirement.raised", "2026-10-12 09:30", **fields)


def test_a_re_sent_identical_fact_counts_once() -> None:
    # One requirement never reported: R1 due Thu 10-15 18:00, one P1 = 20 yuan, sent 3 times.
    once = run([*october_base(), _raised()])
    thrice = run([*october_base(), _raised(), _raised(), _raised()])
    assert len(of(thrice, "R1")) == 1
    assert thrice.person(REPORTER).amount == 20  # type: ignore[union-attr]
    assert thrice.stats["duplicates"] == 2
    as_dict = thrice.to_dict()
    as_dict["stats"] = once.to_dict()["stats"]
    assert as_dict == once.to_dict()


def test_the_same_id_with_different_content_is_an_error() -> None:
    with pytest.raises(FactError) as caught:
        run([*october_base(), _raised(), _raised(actor="张三")])
    assert [d.code for d in caught.value.diagnostics] == ["E-FACT-DUPLICATE-ID"]
    assert "f-1" in str(caught.value)


# -- as_of -----------------------------------------------------------------------------------

def _r5(notified: str) -> list[Fact]:
    # decided Sat 10-17 10:40 -> R5 due 11:40
    return [*october_base(),
            fact("decision.made", "2026-10-17 10:40", case="26101201", actor=BOSS,
                 decision="dont"),
            fact("reporter.notified", notified, case="26101201", actor=COLLECTOR,
                 about="decision")]


def test_facts_after_as_of_are_not_seen() -> None:
    # notified 12:00 (20 min late). At as_of 11:50 that fact is in the future: the duty is
    # missed, fulfilled by nothing, late by 11:50 - 11:40 = 10 minutes.
    result = run(_r5("2026-10-17 12:00"), as_of="2026-10-17 11:50")
    [v] = of(result, "R5")
    assert (v.fulfilled_at, v.late_by) == (None, timedelta(minutes=10))
    # neither are the weekly reports (W1, W2, W3) of 10-23 and 10-30 nor the month-end summary
    # (W4) of 10-30: 1 + 6 + 1 facts after as_of
    assert result.stats["facts_after_as_of"] == 8


def test_before_the_deadline_an_unfulfilled_duty_is_open_not_violated() -> None:
    result = run(_r5("2026-10-17 12:00"), as_of="2026-10-17 11:30")
    assert of(result, "R5") == []
    [obligation] = [o for o in result.obligations if o.duty == "R5"]
    assert (obligation.due, obligation.overdue, obligation.person) == (
        at("2026-10-17 11:40"), False, COLLECTOR)


def test_a_trigger_after_as_of_opens_nothing() -> None:
    result = run(_r5("2026-10-17 11:00"), as_of="2026-10-17 10:00")
    assert [o for o in result.obligations if o.duty == "R5"] == []


def test_as_of_defaults_to_the_end_of_the_period() -> None:
    result = run(_r5("2026-10-17 12:00"))
    assert result.as_of == at("2026-11-01 00:00")
    [v] = of(result, "R5")
    assert v.fulfilled_at == at("2026-10-17 12:00")


def test_no_period_and_no_as_of_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        pe.evaluate(shipped(), [])


def test_period_text_must_be_a_month_or_quarter() -> None:
    with pytest.raises(UsageError):
        run([], "2026-13")
    assert pe.Period.parse("2026-Q4").months() == ["2026-10", "2026-11", "2026-12"]


# -- the month of a violation is the month of its deadline ----------------------------------

def _september_trigger_due_in_october() -> list[Fact]:
    # R4: decided Wed 09-30 10:00 -> working days Thu 10-08 (1), Fri 10-09 (2) -> 10-09 18:00.
    return [*roles(),
            fact("decision.made", "2026-09-30 10:00", case="26093001", actor=BOSS,
                 decision="do", tier="B")]


def test_a_september_trigger_due_in_october_is_octobers() -> None:
    [v] = of(run(_september_trigger_due_in_october(), "2026-10"), "R4")
    assert (v.due, v.month, v.person) == (at("2026-10-09 18:00"), "2026-10", PM)


def test_a_september_evaluation_does_not_see_it_even_much_later() -> None:
    # as_of 10-31: the R4 violation exists, but its deadline is in October.
    result = run(_september_trigger_due_in_october(), "2026-09", as_of="2026-10-31 00:00")
    assert of(result, "R4") == []


def test_a_deadline_in_november_is_not_octobers() -> None:
    # R1: raised Fri 10-30 10:00 -> first Thursday 18:00 is Thu 11-05 18:00; never reported.
    facts = [*october_base(), fact("requirement.raised", "2026-10-30 10:00", case="26103001",
                                   actor=REPORTER)]
    # October, as_of well after the deadline: still not October's
    assert of(run(facts, "2026-10", as_of="2026-11-10 00:00"), "R1") == []
    # at the end of October it is an open obligation, not overdue
    october = run(facts, "2026-10")
    assert [(o.due, o.overdue) for o in october.obligations if o.duty == "R1"] == [
        (at("2026-11-05 18:00"), False)]
    # November's evaluation has it
    [v] = of(run(facts, "2026-11"), "R1")
    assert (v.due, v.month) == (at("2026-11-05 18:00"), "2026-11")


def test_a_quarter_collects_its_three_months() -> None:
    # R5 misses due 07-04, 08-01 and 09-05 (Saturdays, 11:40) are all in 2026-Q3.
    facts = [*roles("2026-06-01 09:00"),
             *[fact("decision.made", f"2026-{d} 10:40", case=f"26{d.replace('-', '')}01",
                    actor=BOSS, decision="dont") for d in ("07-04", "08-01", "09-05")]]
    result = run(facts, "2026-Q3")
    assert [v.month for v in of(result, "R5")] == ["2026-07", "2026-08", "2026-09"]
    # one P4 violation in each month: tier 1-5 each month -> 3 x 20 = 60
    total = result.person(COLLECTOR)
    assert total is not None
    assert sorted((x.month, x.amount) for x in total.lines if x.rule == "P4") == [
        ("2026-07", Decimal(20)), ("2026-08", Decimal(20)), ("2026-09", Decimal(20))]


def test_a_deadline_at_midnight_belongs_to_the_new_month() -> None:
    # R5: decided Sat 10-31 23:00 -> due Sun 11-01 00:00, never notified.
    # October (as_of 11-01 00:00): due == as_of, so still open, and November's anyway.
    # November: a violation of 2026-11.
    facts = [*october_base(), fact("decision.made", "2026-10-31 23:00", case="26103101",
                                   actor=BOSS, decision="dont")]
    october = run(facts)
    assert of(october, "R5") == []
    assert [(o.due, o.overdue) for o in october.obligations if o.duty == "R5"] == [
        (at("2026-11-01 00:00"), False)]
    [v] = of(run(facts, "2026-11"), "R5")
    assert (v.due, v.month) == (at("2026-11-01 00:00"), "2026-11")
