"""`on_time` (奖励1): every commitment of the duties that fell due in the quarter was met."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from policyengine.engine.rewards.base import Grant, Quarter, RewardRule, reward_kind
from policyengine.kinds import RewardKind
from policyengine.wording import line

if TYPE_CHECKING:
    from policyengine.engine.evaluate import Outcome


@reward_kind
@dataclass(frozen=True)
class OnTime(RewardRule):
    kind = RewardKind.ON_TIME
    needs = ("duties", "versions")

    def qualify(self, quarter: Quarter, grant: Grant) -> None:
        owed: dict[str, list[Outcome]] = defaultdict(list)
        for outcome in quarter.due_inside:
            if outcome.obligation.duty.id in self.duties and outcome.person:
                owed[outcome.person].append(outcome)
        for person, items in sorted(owed.items()):
            if any(o.violated for o in items):
                continue
            kinds: dict[str, int] = defaultdict(int)
            for o in items:
                kinds[o.obligation.duty.id] += 1
            listing = ", ".join(f"{d} ×{n}" for d, n in sorted(kinds.items()))
            grant(person, line("reward.on_time", count=len(items), period=quarter.period.label,
                               listing=listing))
