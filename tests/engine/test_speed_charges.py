"""A charge asked once per rule and day (`same_charge`, docs/decisions.md D43, second
pass) is the charge each violation would get: for every rule of the shipped policy, on days
in and out of force, at any lateness."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from helpers import TZ, shipped

from policyengine.engine.penalties.capped_per_instance import CappedPerInstance, CappedTerms
from policyengine.engine.penalties.lateness import Lateness

LATENESS = (timedelta(0), timedelta(minutes=1), timedelta(hours=5), timedelta(days=3),
            timedelta(days=40))
DAYS = (date(2000, 1, 1), date(2014, 7, 1), date(2026, 10, 12), date(2026, 12, 31))


def test_a_rules_same_charge_is_every_violations_charge() -> None:
    policy = shipped()
    asked = 0
    for penalty in policy.penalties.values():
        for day in DAYS:
            due = datetime(day.year, day.month, day.day, 18, tzinfo=TZ)
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
