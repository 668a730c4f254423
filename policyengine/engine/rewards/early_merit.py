"""`early_merit` (记功): each commitment met before its day is one merit, with the working
days early. Not quarterly: merits are listed for any period."""

from __future__ import annotations

from dataclasses import dataclass

from policyengine.engine.rewards.base import RewardRule, reward_kind
from policyengine.engine.rewards.merit_days import merits
from policyengine.kinds import RewardKind

__all__ = ["EarlyMerit", "merits"]  # merits are counted in merit_days.py (compiled)


@reward_kind
@dataclass(frozen=True)
class EarlyMerit(RewardRule):
    kind = RewardKind.EARLY_MERIT
    needs = ("duties",)
    quarterly = False
