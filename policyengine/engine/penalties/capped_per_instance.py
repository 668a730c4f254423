"""`capped_per_instance: {each: 20, monthly_cap: 100}`: an amount for each violation, and at
most so much for one person's month under the rule ("每次扣20元，每月最多扣100元").

Each violation shows the amount of one violation; the month's line shows the sum, capped.
The cap is the one of the version in force on the month's first day, so a version starts on
the 1st of a month (as a monthly count does)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from policyengine.engine.penalties.base import Problem, Schedule, schedule, whole_months
from policyengine.kinds import ScheduleKind
from policyengine.policy.messages import Say
from policyengine.policy.model import Money, Strict
from policyengine.results import PenaltyCharge, RuleLine
from policyengine.wording import line


class CappedTerms(Strict):
    each: Money
    monthly_cap: Money


@schedule
@dataclass(frozen=True)
class CappedPerInstance(Schedule):
    kind = ScheduleKind.CAPPED_PER_INSTANCE
    Terms = CappedTerms
    description = "yuan for each violation ('each'), at most 'monthly_cap' yuan for one " \
                  "person's month under this rule"
    per_month = True

    each: Decimal
    cap: Decimal

    @classmethod
    def compile(cls, rule: str, effective: date, terms: Any) -> CappedPerInstance:
        return cls(rule, effective, terms.each, terms.monthly_cap)

    @classmethod
    def check(cls, terms: Any, effective: date) -> list[Problem]:
        found = whole_months(cls.kind, effective)
        if terms.monthly_cap < terms.each:
            found.append(Problem((cls.kind.value, "monthly_cap"), "E-VALUE",
                                 Say.CAP_BELOW_EACH(cap=terms.monthly_cap, each=terms.each)))
        return found

    def charge(self, late_by: timedelta) -> PenaltyCharge:
        return self.each_charge

    def same_charge(self) -> PenaltyCharge | None:
        return self.each_charge

    @cached_property
    def each_charge(self) -> PenaltyCharge:
        """The same for every violation (lateness is not read): made once, shared (frozen)."""
        return PenaltyCharge(self.rule, self.kind, self.each, False, self.effective,
                             line("pen.capped", rule=self.rule, effective=self.since,
                                  amount=self.each, cap=self.cap))

    def month_line(self, month: str, charges: Sequence[PenaltyCharge]) -> RuleLine:
        total = sum((c.amount or Decimal(0) for c in charges), Decimal(0))
        count = len(charges)
        if total > self.cap:
            return RuleLine(self.rule, month, count, self.cap, False,
                            line("pen.capped_month", rule=self.rule, month=month, count=count,
                                 total=total, cap=self.cap))
        return RuleLine(self.rule, month, count, total, False,
                        line("pen.capped_under", rule=self.rule, month=month, count=count,
                             amount=total, cap=self.cap))

    @classmethod
    def in_month(cls, charge: PenaltyCharge, month: RuleLine) -> PenaltyCharge:
        """Each violation keeps its own amount and also carries its month's count and total."""
        return PenaltyCharge(charge.rule, charge.schedule, charge.amount, False, charge.effective,
                             charge.detail, month.count, month.amount)
