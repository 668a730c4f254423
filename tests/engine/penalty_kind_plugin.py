"""A penalty schedule kind in one file, outside the package: `per_started_day: 10` charges
10 yuan for each started 24 hours of lateness (at least one). Importing this module is all it
takes (docs/extending.md); test_penalty_kind_plugin.py proves it in a fresh interpreter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from policyengine.engine.penalties import Schedule, schedule
from policyengine.policy.model import Money
from policyengine.results import PenaltyCharge
from policyengine.wording import TEMPLATES, line

DAY = timedelta(days=1)
# Its words, with the others' (policyengine/wording.py): the explanation of each charge.
TEMPLATES["pen.per_started_day"] = (
    "{rule} as in force from {effective}: {each} yuan for each started day late, "
    "{days} day(s): {amount} yuan",
    "{rule}（{effective} 起生效）：每迟一天（不足一天按一天）{each} 元，{days} 天共 {amount} 元")


@schedule
@dataclass(frozen=True)
class PerStartedDay(Schedule):
    kind = "per_started_day"
    Terms = Money
    description = "yuan for each started day (24 hours) late, at least one"

    each: Decimal

    @classmethod
    def compile(cls, rule: str, effective: date, terms: Any) -> PerStartedDay:
        return cls(rule, effective, terms)

    def charge(self, late_by: timedelta) -> PenaltyCharge:
        days = max(1, -(-late_by // DAY))  # started days: the ceiling, never 0
        amount = self.each * days
        return PenaltyCharge(self.rule, self.kind, amount, False, self.effective,
                             line("pen.per_started_day", rule=self.rule, effective=self.since,
                                  each=self.each, days=days, amount=amount))
