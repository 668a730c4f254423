"""Rewards: one module per kind, one registry (`REWARDS`), found by module.

Quarterly rewards say who qualifies and why, with the range; the decision group fixes the
amount within it, the engine never picks a number. Merits (early_merit) are per commitment.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from policyengine.engine.rewards.base import REWARDS, Grant, Quarter, RewardRule, reward_kind
from policyengine.engine.rewards.early_merit import merits
from policyengine.kinds import RewardKind
from policyengine.periods import Period
from policyengine.policy.model import Reward, RewardVersion, in_force
from policyengine.results import RewardResult, Violation
from policyengine.wording import Line

if TYPE_CHECKING:
    from policyengine.engine.compiled import CompiledPolicy
    from policyengine.engine.evaluate import Outcome
    from policyengine.engine.replay import Replay

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

_missing = [k.value for k in RewardKind if k not in REWARDS]
if _missing:
    raise RuntimeError(f"no module in policyengine/engine/rewards/ registers the reward kind(s) "
                       f"{', '.join(_missing)} named in policyengine/kinds.py")


def compile_reward(reward_id: str, spec: Reward) -> RewardRule:
    return REWARDS[spec.kind](reward_id, spec)


def rewards(policy: CompiledPolicy, run: Replay, outcomes: Sequence[Outcome],
            violations: Sequence[Violation], period: Period,
            notes: list[Line]) -> list[RewardResult]:
    """Rewards are per quarter: a month's evaluation reports none. A case that cannot be
    assessed for want of a calendar year is said in `notes`."""
    if not period.is_quarter:
        return []
    last_day = period.end - timedelta(days=1)
    quarter = Quarter(policy, run, outcomes, violations, period, notes)
    found: list[RewardResult] = []
    for rule in policy.rewards.values():
        version = in_force(rule.spec.versions, last_day)
        if version is None or not rule.quarterly:
            continue

        def grant(person: str, reason: Line, rule: RewardRule = rule,
                  version: RewardVersion = version) -> None:
            found.append(RewardResult(person, rule.id, rule.spec.name or rule.id,
                                      version.min, version.max, reason.render("en"), reason))

        rule.qualify(quarter, grant)
    found.sort(key=lambda r: (r.reward, r.person))
    return found


__all__ = [
    "REWARDS",
    "Grant",
    "Quarter",
    "RewardRule",
    "compile_reward",
    "merits",
    "reward_kind",
    "rewards",
]
