"""A penalty rule compiled: its dated versions, each a `Schedule`, and what a violation costs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from policyengine.engine.penalties.base import SCHEDULES, Schedule
from policyengine.kinds import ScheduleKind
from policyengine.policy.model import Penalty, in_force
from policyengine.results import PenaltyCharge
from policyengine.wording import line

NO_PENALTY = PenaltyCharge("none", ScheduleKind.NONE, Decimal(0), detail=line("pen.none"))


@dataclass(frozen=True)
class CompiledPenalty:
    id: str
    versions: tuple[Schedule, ...]  # oldest first

    def in_force(self, day: date) -> Schedule | None:
        return in_force(self.versions, day)

    def charge(self, due_day: date, late_by: timedelta) -> PenaltyCharge:
        """What one violation costs: the version in force on the day its deadline fell."""
        version = self.in_force(due_day)
        if version is None:
            return PenaltyCharge(self.id, ScheduleKind.NONE, Decimal(0),
                                 detail=line("pen.not_in_force", rule=self.id, day=due_day))
        return version.charge(late_by)


def compile_penalty(penalty_id: str, spec: Penalty) -> CompiledPenalty:
    versions = []
    for version in spec.versions:
        kind, terms = version.schedule
        versions.append(SCHEDULES[kind].compile(penalty_id, version.effective, terms))
    return CompiledPenalty(penalty_id, tuple(versions))


def charge(penalty: CompiledPenalty | None, due_day: date, late_by: timedelta) -> PenaltyCharge:
    """What one violation of a duty costs (no rule: nothing), before its month is totalled."""
    return NO_PENALTY if penalty is None else penalty.charge(due_day, late_by)
