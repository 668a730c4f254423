"""`evaluate_replay` sorts the obligations out in one loop (docs/decisions.md D51):
`triage` and `_status` inlined, merits counted as they are found (`Merits`), charges
grouped into months as they are made (`group`). The loop's verdicts are checked against
`triage`'s (which workers and Dask still use), the merits and month lines against
`merits` and `_Charger`, `group` and `months_of` over every violation (which share
`Merits` and `group` with the loop: only which obligations reach them is checked apart). And
(D55) a violation's `explain` is an `Explanation`, and merits are ordered by
deadline, duty and case through their deadlines."""

from __future__ import annotations

import copy
import random
from datetime import datetime
from decimal import Decimal

import pytest
from helpers import shipped
from test_workers import generated

import policyengine as pe
from policyengine.engine.compiled import CompiledPolicy
from policyengine.engine.evaluate import (
    Explanation,
    _Charger,
    _forbidden,
    _looked_at_when_met,
    _status,
    classify,
    evaluate_replay,
    explain_at,
    responsible,
    triage,
)
from policyengine.engine.obligation import obligation_key
from policyengine.engine.penalties.months import Groups, group, months_of
from policyengine.engine.replay import Replay, replay
from policyengine.engine.rewards import merits
from policyengine.engine.rewards.merit_days import Merits
from policyengine.kinds import Status
from policyengine.periods import Period
from policyengine.results import RuleLine
from policyengine.wording import line

PERIODS = ["2021-02", "2021-Q1", "2022-03", None]


def _run(label: str | None) -> tuple[CompiledPolicy, Replay, Period | None, datetime]:
    policy = shipped()
    facts = pe.read_facts(generated(), policy).facts
    period = Period.parse(label) if label else None
    as_of = period.end_at(policy.calendar.tz) if period else max(f.at for f in facts)
    looked_at = _looked_at_when_met(policy, period)
    run = replay(policy, facts, as_of, unread=[d for d in policy.duties if d not in looked_at])
    return policy, run, period, as_of


@pytest.mark.parametrize("label", PERIODS)
def test_the_loop_finds_what_triage_finds(label: str | None) -> None:
    """Violations, open obligations and merits are those of the obligations `triage` says
    are violations, open, or early, in the period."""
    policy, run, period, as_of = _run(label)
    result = evaluate_replay(policy, run, period)
    sort_out = triage(policy, period, as_of)
    verdicts = [(o, sort_out(o)) for o in run.obligations if o.missing_year is None]
    violated = {(o.duty.id, o.due) for o, v in verdicts if v is not None and v[2]}
    opened = {(o.duty.id, o.due) for o, v in verdicts
              if v is not None and o.fulfilled_by is None}
    early = {(o.duty.id, o.due) for o, v in verdicts if v is not None and v[3]}
    duties = {v.duty for v in result.violations if v.status is not Status.PROHIBITED}
    assert duties and violated  # a history with violations of duties
    assert {(v.duty, v.due) for v in result.violations
            if v.status is not Status.PROHIBITED} == violated
    assert len([v for v in result.violations if v.status is not Status.PROHIBITED]) == len(
        [1 for _, v in verdicts if v is not None and v[2]])
    assert {(o.duty, o.due) for o in result.obligations} == opened
    assert {(m.duty, m.due) for m in result.merits} <= early
    # each violation's status and lateness as `_status` says
    status = {obligation_key(o): _status(o, as_of, as_of, as_of) for o, _ in verdicts}
    for violation in result.violations:
        if violation.status is not Status.PROHIBITED:
            assert (violation.status, violation.late_by) == status[violation.key]


@pytest.mark.parametrize("label", PERIODS)
def test_merits_counted_in_the_loop_are_those_of_the_outcomes(label: str | None) -> None:
    policy, run, period, as_of = _run(label)
    result = evaluate_replay(policy, run, period)
    outcomes = [classify(policy, run, o) for o in run.obligations if o.missing_year is None]
    sort_out = triage(policy, period, as_of)
    early = [o for o in outcomes if (v := sort_out(o.obligation)) is not None and v[3]]
    notes: list[object] = []
    expected = merits(policy, early, notes)  # type: ignore[arg-type]
    assert list(result.merits) == expected
    assert [vars(m) for m in result.merits] == [vars(m) for m in expected]
    if label is None:
        assert expected  # the whole history has merits


def test_charges_grouped_as_made_are_the_month_lines() -> None:
    policy, run, period, _ = _run(None)
    result = evaluate_replay(policy, run, period)
    outcomes = [classify(policy, run, o) for o in run.obligations if o.missing_year is None]
    charger = _Charger(policy)
    groups: Groups = {}
    for outcome in outcomes:
        if outcome.violated:
            obligation = outcome.obligation
            charged, month, _ = charger.charge(obligation, obligation.duty.id, outcome.late_by)
            group(groups, outcome.person, charged, month)
    for forbade, charged, month in _forbidden(policy, run, period):
        group(groups, forbade.person, charged, month)
    months = months_of(policy.penalties, groups)
    assert months.lines
    assert sorted(months.lines.values(), key=repr) == sorted(
        (line for p in result.people for line in p.lines), key=repr)


def test_merits_are_ordered_by_deadline_duty_and_case_ties_as_found() -> None:
    """`Merits.found` files each merit under its deadline: the order is the stable sort of
    the merits as found by (due, duty, case), whatever the order they are found in."""
    policy, run, period, as_of = _run(None)
    outcomes = [classify(policy, run, o) for o in run.obligations if o.missing_year is None]
    sort_out = triage(policy, period, as_of)
    early = [o for o in outcomes if (v := sort_out(o.obligation)) is not None and v[3]]
    tz = policy.calendar.tz
    for seed in (None, 1, 2):
        if seed is not None:
            random.Random(seed).shuffle(early)
        counter = Merits(policy)
        for outcome in early:
            obligation = outcome.obligation
            assert obligation.fulfilled_by is not None
            counter.add(obligation, outcome.person, obligation.fulfilled_by.at.astimezone(tz),
                        obligation.due.astimezone(tz))
        found = counter.found()
        expected = sorted(counter.made, key=lambda m: (m.due, m.duty, m.case or ""))
        assert len(found) == len(expected) == len(counter.made)
        assert all(a is b for a, b in zip(found, expected, strict=True))
        assert len({m.due for m in found}) < len(found)  # deadlines shared: ties were settled


def test_a_violations_explanation_is_made_when_called_and_copies() -> None:
    """(Copied by its `__reduce__`, as a native class must be; the compiled policy itself
    does not pickle, so neither did the `partial` it replaces.)"""
    policy, run, period, as_of = _run("2021-Q1")
    result = evaluate_replay(policy, run, period)
    of_duties = [v for v in result.violations if v.status is not Status.PROHIBITED]
    assert of_duties
    for violation in of_duties[:20]:
        explain = violation.explain
        assert isinstance(explain, Explanation)
        assert explain.as_of == as_of and explain.policy is policy
        assert obligation_key(explain.outcome.obligation) == violation.key
        steps = explain()
        assert steps == tuple(explain_at(policy, as_of, explain.outcome))
        assert violation.explanation == steps
        copied = copy.copy(explain)
        assert copied is not explain and copied.outcome == explain.outcome
        assert copied.outcome.obligation is explain.outcome.obligation
        assert copied() == steps


@pytest.mark.parametrize("label", PERIODS)
def test_the_loop_answers_for_each_result_as_responsible_does(label: str | None) -> None:
    """The loop asks each duty's `_Duty` (found once per evaluation) who answers, and
    remembers the holder of a role per deadline: each violation and open obligation names
    the person `responsible` finds, found the same way."""
    policy, run, period, _ = _run(label)
    result = evaluate_replay(policy, run, period)
    by_key = {obligation_key(o): o for o in run.obligations}
    holders = 0
    for violation in result.violations:
        if violation.status is Status.PROHIBITED:
            continue
        assert isinstance(violation.explain, Explanation)
        outcome = violation.explain.outcome
        person, how = responsible(policy, run, outcome.obligation)
        assert (violation.person, outcome.person, outcome.how_found) == (person, person, how)
        holders += how.key == "how.holder"
    for found in result.obligations:
        person, _ = responsible(policy, run, by_key[found.key])
        assert found.person == person
    if label is None:
        assert holders  # the memo of holders was asked


def test_a_summed_month_line_is_the_one_its_init_makes() -> None:
    """`months_of` makes the line of a kind summed per violation without the frozen
    `__init__`: the line `RuleLine(...)` makes with `line("pen.instances", ...)`, the amount
    `sum` gives (its exponent too) and `any` forfeit."""
    policy, run, period, _ = _run(None)
    result = evaluate_replay(policy, run, period)
    summed = [(p, rule_line) for p in result.people for rule_line in p.lines
              if rule_line.detail.key == "pen.instances"]
    assert summed
    forfeits = 0
    for person, rule_line in summed:
        charges = [v.penalty for v in result.violations if v.person == person.person
                   and v.penalty.rule == rule_line.rule and v.month == rule_line.month]
        amount = sum((c.amount or Decimal(0) for c in charges), Decimal(0))
        forfeit = any(c.forfeit for c in charges)
        expected = RuleLine(rule_line.rule, rule_line.month, len(charges), amount, forfeit,
                            line("pen.instances", rule=rule_line.rule, month=rule_line.month,
                                 count=len(charges), amount=amount,
                                 forfeit=line("out.and_forfeit") if forfeit
                                 else line("empty")))
        assert rule_line == expected and vars(rule_line) == vars(expected)
        assert repr(rule_line) == repr(expected)
        assert str(rule_line.amount) == str(amount)
        forfeits += forfeit
    assert forfeits  # a forfeit line compared too
