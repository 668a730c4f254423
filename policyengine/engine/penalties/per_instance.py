"""`per_instance: 20`: the same amount for each violation (惩罚1、2: 每次扣绩效20元)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from policyengine.engine.penalties.base import Schedule, schedule
from policyengine.kinds import ScheduleKind
from policyengine.policy.model import Money
from policyengine.results import PenaltyCharge
from policyengine.wording import line


@schedule
@dataclass(frozen=True)
class PerInstance(Schedule):
    kind = ScheduleKind.PER_INSTANCE
    Terms = Money
    description = "yuan for each violation"

    amount: Decimal

    @classmethod
    def compile(cls, rule: str, effective: date, terms: Any) -> PerInstance:
        return cls(rule, effective, terms)

    def charge(self, late_by: timedelta) -> PenaltyCharge:
        return self.each_charge

    def same_charge(self) -> PenaltyCharge | None:
        return self.each_charge

    @cached_property
    def each_charge(self) -> PenaltyCharge:
        """The same for every violation (lateness is not read): made once, shared (frozen)."""
        return PenaltyCharge(self.rule, self.kind, self.amount, False, self.effective,
                             line("pen.per_instance", rule=self.rule, effective=self.since,
                                  amount=self.amount))
