"""A lateness rule's charge on the clock (`Lateness.charge`, penalties/lateness.py), in a
module of its own so that mypyc compiles it (policyengine/native.py): a large history has
tens of thousands of late violations of such a rule, each charged with its own lateness in
words. The compiled evaluator calls it without entering the interpreter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final

from policyengine.results import PenaltyCharge
from policyengine.wording import Line

# One tier: (over, up_to or None, the amount (0 when it forfeits), forfeit, the bounds in
# words, the outcome in words)
Tier = tuple[timedelta, timedelta | None, Decimal, bool, Line, Line]

_NEW: Final = object.__new__
_NEW_LINE: Final[Callable[[type[Line], tuple[Any, ...]], Line]] = tuple.__new__
_ZERO: Final = Decimal(0)


def tier_charge(rule: str, kind: str, amount: Decimal, forfeit: bool, effective: date,
                words: Line) -> PenaltyCharge:
    """The charge of a lateness tier (on the clock here, in working time by
    `Lateness.charge_late`), made without the frozen `__init__` (results.py `made`,
    inlined): one per late violation."""
    charge: PenaltyCharge = _NEW(PenaltyCharge)
    fields = charge.__dict__  # set one by one, in their order: no dict of keywords
    fields["rule"] = rule
    fields["schedule"] = kind
    fields["amount"] = amount
    fields["forfeit"] = forfeit
    fields["effective"] = effective
    fields["detail"] = words
    fields["count_in_month"] = None
    fields["month_amount"] = None
    return charge


class TierCharges:
    """What a violation costs under one version of a lateness rule, by how late it was on
    the clock: the charge of the tier it falls in, saying the lateness (or that no tier
    holds). Each wording is described here once; the charge is the object the frozen
    `__init__` would make (tests/engine/test_speed_charges.py checks it field by field)."""

    def __init__(self, rule: str, kind: str, effective: date, since: str,
                 tiers: tuple[Tier, ...]) -> None:
        self.rule: Final = rule
        self.kind: Final = kind
        self.effective: Final = effective
        self.since: Final = since  # the version's date as text
        self.tiers: Final = tiers

    def __call__(self, late_by: timedelta) -> PenaltyCharge:
        for over, up_to, amount, forfeit, bounds, says in self.tiers:
            if late_by > over and (up_to is None or late_by <= up_to):
                # `line(...)` made as the tuple it is (its values in the same order)
                return tier_charge(self.rule, self.kind, amount, forfeit, self.effective,
                                   _NEW_LINE(Line, ("pen.lateness", {
                                       "rule": self.rule, "effective": self.since,
                                       "late": late_by, "bounds": bounds, "outcome": says})))
        return tier_charge(self.rule, self.kind, _ZERO, False, self.effective,
                           _NEW_LINE(Line, ("pen.lateness_none", {
                               "rule": self.rule, "effective": self.since, "late": late_by})))

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with the policy (workers, Dask): compiled, the class is made only by
        calling it."""
        return (TierCharges, (self.rule, self.kind, self.effective, self.since, self.tiers))
