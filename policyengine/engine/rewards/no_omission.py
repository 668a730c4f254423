"""`no_omission` (奖励3): the role's holder in the quarter had no violation of the listed
rules and handled at least one requirement or bug while holding the role."""

from __future__ import annotations

from dataclasses import dataclass

from policyengine.engine.rewards.base import Grant, Quarter, RewardRule, reward_kind
from policyengine.kinds import RewardKind
from policyengine.wording import line


@reward_kind
@dataclass(frozen=True)
class NoOmission(RewardRule):
    kind = RewardKind.NO_OMISSION
    needs = ("role", "rules", "handled", "versions")

    def qualify(self, quarter: Quarter, grant: Grant) -> None:
        role, run, spec = self.spec.role, quarter.run, self.spec
        assert role is not None  # the loader requires it (`needs`)
        tz = quarter.policy.calendar.tz
        start, end = quarter.period.start_at(tz), quarter.period.end_at(tz)
        missed = {v.person for v in quarter.violations if v.penalty.rule in spec.rules}
        for person in run.roles.holders_between(role, start, end):
            if person in missed:
                continue
            cases = {case for kind in spec.handled for at, case in run.handled.get(kind, [])
                     if start <= at < end and run.roles.holder(role, at) == person}
            if not cases:
                continue
            grant(person, line("reward.no_omission", rules="/".join(spec.rules),
                               period=quarter.period.label, role=role, count=len(cases)))
