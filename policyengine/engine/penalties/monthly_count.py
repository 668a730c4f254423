"""`monthly_count: [tiers]`: a person's month is charged by how many violations of the rule
fell in it (惩罚3、4、5: 5次以内20元, 5-10次50元, 10次以上当月无绩效), each rule counted on
its own. The version in force on the month's first day applies to the whole month."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from pydantic import Field

from policyengine.engine.penalties.base import (
    Problem,
    Schedule,
    outcome,
    outcome_problems,
    schedule,
    whole_months,
)
from policyengine.kinds import ScheduleKind
from policyengine.policy.messages import Say
from policyengine.policy.model import Flag, Money, Strict
from policyengine.results import PenaltyCharge, RuleLine
from policyengine.wording import line


class CountTier(Strict):
    from_: int = Field(alias="from", ge=1)
    to: int | None = None
    amount: Money | None = None
    forfeit: Flag = False


@schedule
@dataclass(frozen=True)
class MonthlyCount(Schedule):
    kind = ScheduleKind.MONTHLY_COUNT
    Terms = tuple[CountTier, ...]
    description = "tiers by the month's count of this rule's violations: from / to, each an " \
                  "amount for the month or forfeit"
    per_month = True

    tiers: tuple[CountTier, ...]

    @classmethod
    def compile(cls, rule: str, effective: date, terms: Any) -> MonthlyCount:
        return cls(rule, effective, tuple(terms))

    @classmethod
    def check(cls, terms: Any, effective: date) -> list[Problem]:
        return [*whole_months(cls.kind, effective), *tiers_problems(terms)]

    def charge(self, late_by: timedelta) -> PenaltyCharge:
        return self.each_charge

    def same_charge(self) -> PenaltyCharge | None:
        return self.each_charge

    @cached_property
    def each_charge(self) -> PenaltyCharge:
        """The same for every violation (its month says the rest): made once, shared."""
        return PenaltyCharge(self.rule, self.kind, None, False, self.effective,
                             line("pen.monthly", rule=self.rule, effective=self.since))

    def month_line(self, month: str, charges: Sequence[PenaltyCharge]) -> RuleLine:
        count = len(charges)
        for tier in self.tiers:
            if count >= tier.from_ and (tier.to is None or count <= tier.to):
                bounds = (line("bounds.count", low=tier.from_, high=tier.to)
                          if tier.to is not None else line("bounds.count_open", low=tier.from_))
                return RuleLine(self.rule, month, count, tier.amount or Decimal(0), tier.forfeit,
                                line("pen.month_tier", rule=self.rule, effective=self.since,
                                     count=count, month=month, bounds=bounds,
                                     outcome=outcome(tier.forfeit, tier.amount,
                                                     "out.yuan_month")))
        return RuleLine(self.rule, month, count, Decimal(0), False,
                        line("pen.month_no_tier", rule=self.rule, count=count))

    @classmethod
    def in_month(cls, charge: PenaltyCharge, month: RuleLine) -> PenaltyCharge:
        """Each violation carries its month's count, tier and outcome."""
        return PenaltyCharge(charge.rule, charge.schedule, None, month.forfeit, charge.effective,
                             month.detail, month.count, month.amount)


def tiers_problems(tiers: tuple[CountTier, ...]) -> list[Problem]:
    """Tiers from 1 on, each starting after the previous ends, the last one open."""
    key = ScheduleKind.MONTHLY_COUNT.value
    found: list[Problem] = []
    expected = 1
    for i, tier in enumerate(tiers):
        here = (key, i)
        found += outcome_problems(tier, here)
        if tier.from_ != expected:
            code = "E-TIER-GAP" if tier.from_ > expected else "E-TIER-OVERLAP"
            found.append(Problem((*here, "from"), code, Say.COUNT_TIER_START(
                start=tier.from_, end=expected - 1, expected=expected)))
        if tier.to is None:
            if i != len(tiers) - 1:
                found.append(Problem((*here, "to"), "E-TIER-OVERLAP",
                                     Say.OPEN_TIER_LAST(key="to")))
            return found
        if tier.to < tier.from_:
            found.append(Problem((*here, "to"), "E-TIER-ORDER",
                                 Say.TO_BELOW_FROM(to=tier.to, start=tier.from_)))
        expected = tier.to + 1
    found.append(Problem((key,), "E-TIER-GAP",
                         Say.COUNT_TIERS_END(end=expected - 1, expected=expected)))
    return found
