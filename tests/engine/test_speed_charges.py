"""A charge asked once per rule and day (`same_charge`, docs/decisions.md D43, second
pass) is the charge each violation would get: for every rule of the shipped policy, on days
in and out of force, at any lateness. So is the version found once per rule and day for
lateness on the clock (`on_the_clock`), and a lateness charge made the short way."""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal

from helpers import SAMPLE_FACTS, TZ, at, shipped

import policyengine as pe
from policyengine.engine.evaluate import _Charger, classify
from policyengine.engine.penalties.base import outcome
from policyengine.engine.penalties.capped_per_instance import CappedPerInstance, CappedTerms
from policyengine.engine.penalties.lateness import Lateness, _bounds
from policyengine.engine.penalties.rules import NO_PENALTY, CompiledPenalty
from policyengine.engine.replay import replay
from policyengine.kinds import LatenessMeasure
from policyengine.results import PenaltyCharge
from policyengine.wording import line

LATENESS = (timedelta(0), timedelta(minutes=1), timedelta(hours=5), timedelta(days=3),
            timedelta(days=40))
DAYS = (date(2000, 1, 1), date(2014, 7, 1), date(2026, 10, 12), date(2026, 12, 31))


def rules_and_days() -> Iterator[tuple[CompiledPenalty, date, datetime]]:
    """Each shipped penalty rule on each of `DAYS`, with a deadline at 18:00 that day."""
    for penalty in shipped().penalties.values():
        for day in DAYS:
            yield penalty, day, datetime(day.year, day.month, day.day, 18, tzinfo=TZ)


def test_a_rules_same_charge_is_every_violations_charge() -> None:
    asked = 0
    for penalty, day, due in rules_and_days():
        same = penalty.same_charge(day)
        charges = [penalty.charge(day, late, due) for late in LATENESS]
        if same is not None:
            asked += 1
            assert all(charge == same for charge in charges), (penalty.id, day)
    assert asked > 0  # the shipped rules have kinds that do not read lateness


def test_kinds_that_read_lateness_give_none() -> None:
    policy = shipped()
    versions = [v for p in policy.penalties.values() for v in p.versions]
    tiered = [v for v in versions if isinstance(v, Lateness)]
    assert tiered and all(v.same_charge() is None for v in tiered)
    # and an amount of the violation's month (not of its lateness) is one charge
    capped = CappedPerInstance.compile(
        "P9", date(2026, 1, 1), CappedTerms(each=Decimal(20), monthly_cap=Decimal(50)))
    assert capped.same_charge() == capped.charge(timedelta(days=2)) == capped.charge(timedelta(0))


def test_the_version_on_the_clock_charges_as_the_rule_does() -> None:
    """`on_the_clock` (asked once per rule and day by engine/evaluate.py `_Charger`): its
    `charge(late_by)` is the rule's own charge, on days in and out of force."""
    compared = 0
    for penalty, day, due in rules_and_days():
        version = penalty.on_the_clock(day)
        assert version is penalty.in_force(day)  # lateness on the clock: the version
        if version is None:
            continue
        for late in LATENESS:
            compared += 1
            assert version.charge(late) == penalty.charge(day, late, due)
    assert compared > 0


def test_a_rule_in_working_time_is_never_charged_on_the_clock() -> None:
    policy = shipped()
    rule = next(p for p in policy.penalties.values()
                if any(isinstance(v, Lateness) for v in p.versions))
    working = dataclasses.replace(rule, measure=LatenessMeasure.WORKING_TIME,
                                  calendar=policy.calendar)
    assert all(working.on_the_clock(day) is None for day in DAYS)


def test_a_lateness_charge_is_the_whole_dataclass_with_its_tiers_words() -> None:
    """Lateness charges are made without the frozen `__init__` and with each tier's words
    made once: the same charge, field for field, as made the long way."""
    policy = shipped()
    versions = [v for p in policy.penalties.values() for v in p.versions
                if isinstance(v, Lateness)]
    assert versions
    for version in versions:
        for late in LATENESS:
            got = version.charge(late)
            tier = next((t for t in version.tiers if late > t.over
                         and (t.up_to is None or late <= t.up_to)), None)
            if tier is None:
                expected = PenaltyCharge(version.rule, version.kind, Decimal(0), False,
                                         version.effective,
                                         line("pen.lateness_none", rule=version.rule,
                                              effective=version.since, late=late))
                assert got == expected and vars(got) == vars(expected)
                assert repr(got) == repr(expected)  # the words' values in the same order
                continue
            words = line("pen.lateness", rule=version.rule, effective=version.since,
                         late=late, bounds=_bounds(tier),
                         outcome=outcome(tier.forfeit, tier.amount))
            expected = PenaltyCharge(version.rule, version.kind, tier.amount or Decimal(0),
                                     tier.forfeit, version.effective, words)
            assert got == expected and vars(got) == vars(expected)
            assert repr(got) == repr(expected)
            assert got.detail.render("zh") == expected.detail.render("zh")
            assert got.detail.render("en") == expected.detail.render("en")


def test_a_runs_charges_are_each_violations_own_charge() -> None:
    """`_Charger` over a real replay (the sample month, as of the end of 2026) keeps a charge
    or a version per (rule, due day) in a table: each violation still gets what its rule
    charges it alone, with the rules as shipped (on the clock) and with every lateness rule
    measured in working time (asked per violation)."""
    shipped_policy = shipped()
    in_working_time = {
        rule_id: dataclasses.replace(rule, measure=LatenessMeasure.WORKING_TIME,
                                     calendar=shipped_policy.calendar)
        for rule_id, rule in shipped_policy.penalties.items()
        if any(isinstance(v, Lateness) for v in rule.versions)}
    assert in_working_time
    working = dataclasses.replace(
        shipped_policy, penalties={**shipped_policy.penalties, **in_working_time})
    facts = pe.read_facts(SAMPLE_FACTS, shipped_policy).facts
    for policy in (shipped_policy, working):
        run = replay(policy, facts, at("2026-12-31 00:00"))
        violated = [o for o in (classify(policy, run, ob) for ob in run.obligations)
                    if o.violated]
        by_lateness = 0
        charger = _Charger(policy)
        for violation in violated:
            duty = violation.obligation.duty
            charged, _month, due = charger.charge(violation.obligation, duty.id,
                                                  violation.late_by)
            rule = policy.penalties.get(duty.penalty) if duty.penalty else None
            if rule is None:
                assert charged == NO_PENALTY
                continue
            assert charged == rule.charge(due.date(), violation.late_by, due), (duty.id, due)
            by_lateness += rule.id in in_working_time
        assert by_lateness > 10  # the table's lateness answers are compared, not only others


def test_a_lateness_version_pickles_with_its_compiled_charge() -> None:
    """The compiled charge (penalties/tiers.py `TierCharges`, kept on the version once
    asked) travels with the policy to the workers and Dask: pickled, it charges the same."""
    versions = [v for p in shipped().penalties.values() for v in p.versions
                if isinstance(v, Lateness)]
    assert versions
    for version in versions:
        before = [version.charge(late) for late in LATENESS]
        assert "_tiers" in vars(version)  # kept once asked
        again = pickle.loads(pickle.dumps(version))
        assert again == version
        assert [again.charge(late) for late in LATENESS] == before
        assert [repr(again.charging(late)) for late in LATENESS] == [repr(c) for c in before]


def test_a_kind_made_from_lateness_that_charges_otherwise_is_asked_itself() -> None:
    """The evaluator calls `Schedule.charging`: compiled for lateness as shipped, the kind's
    own `charge` for a kind that overrides it."""

    class Halved(Lateness):
        def charge(self, late_by: timedelta) -> PenaltyCharge:
            return dataclasses.replace(super().charge(late_by), amount=Decimal(1))

    version = next(v for p in shipped().penalties.values() for v in p.versions
                   if isinstance(v, Lateness))
    halved = Halved(version.rule, version.effective, version.tiers)
    late = timedelta(hours=5)
    assert version.charging(late) == version.charge(late)
    assert halved.charging(late) == halved.charge(late)
    assert halved.charging(late).amount == 1 != version.charge(late).amount


def test_a_lateness_charge_in_working_time_is_the_whole_dataclass() -> None:
    """`Lateness.charge_late` makes its charge with `tier_charge` (penalties/tiers.py, the
    same maker as on the clock): the charge its frozen `__init__` makes, field for field,
    for each tier a lateness in working time falls in."""
    policy = shipped()
    rule = next(p for p in policy.penalties.values()
                if any(isinstance(v, Lateness) for v in p.versions))
    working = dataclasses.replace(rule, measure=LatenessMeasure.WORKING_TIME,
                                  calendar=policy.calendar)
    due = datetime(2026, 10, 12, 18, tzinfo=TZ)  # a Monday, in force
    version = working.in_force(due.date())
    assert isinstance(version, Lateness)
    tiers = set()
    for late in (timedelta(minutes=5), timedelta(days=3), timedelta(days=15),
                 timedelta(days=60)):
        got = working.charge(due.date(), late, due)
        # the tier the lateness falls in, found here on the calendar's working time
        cal, end = policy.calendar, due + late
        tier = next(t for t in version.tiers if end > cal.add_working_time(due, t.over) and (
            t.up_to is None or end <= cal.add_working_time(due, t.up_to)))
        expected = PenaltyCharge(version.rule, version.kind, tier.amount or Decimal(0),
                                 tier.forfeit, version.effective, got.detail)
        assert got == expected and vars(got) == vars(expected)
        assert repr(got) == repr(expected)
        assert got.detail.key in ("pen.lateness_working", "pen.lateness_working_none")
        assert got.rule == version.rule and got.effective == version.effective
        tiers.add((got.amount, got.forfeit))
    assert len(tiers) > 1  # more than one tier compared
