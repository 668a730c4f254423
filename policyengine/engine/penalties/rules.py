"""A penalty rule compiled: its dated versions, each a `Schedule`, and what a violation costs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from policyengine.engine.penalties.base import SCHEDULES, Late, Schedule
from policyengine.kinds import LatenessMeasure, ScheduleKind
from policyengine.policy.model import Penalty, in_force
from policyengine.results import PenaltyCharge
from policyengine.wording import line

if TYPE_CHECKING:  # the calendar reads the policy model, which reads the schedule kinds
    from policyengine.calendar import WorkCalendar

NO_PENALTY = PenaltyCharge("none", ScheduleKind.NONE, Decimal(0), detail=line("pen.none"))


@dataclass(frozen=True)
class CompiledPenalty:
    id: str
    versions: tuple[Schedule, ...]  # oldest first
    measure: LatenessMeasure = LatenessMeasure.CALENDAR_TIME
    calendar: WorkCalendar | None = None  # for lateness in working time

    def in_force(self, day: date) -> Schedule | None:
        return in_force(self.versions, day)

    def same_charge(self, due_day: date) -> PenaltyCharge | None:
        """What every violation due on `due_day` costs when that does not depend on how
        late it is (None: `charge` is asked for each): one call per rule and day of
        deadline instead of one per violation (a large history has tens of thousands)."""
        version = self.in_force(due_day)
        return None if version is None else version.same_charge()

    @property
    def working_calendar(self) -> WorkCalendar | None:
        """The calendar whose working time lateness is measured in; None: on the clock."""
        return None if self.measure is LatenessMeasure.CALENDAR_TIME else self.calendar

    def on_the_clock(self, due_day: date) -> Schedule | None:
        """The version whose `charge(late_by)` is `charge` for every violation due on
        `due_day`, when this rule reads lateness on the clock (None: ask `charge`): found
        once per rule and day, not per violation."""
        return self.in_force(due_day) if self.working_calendar is None else None

    def charge(self, due_day: date, late_by: timedelta,
               due: datetime | None = None) -> PenaltyCharge:
        """What one violation costs: the version in force on the day its deadline fell.
        With the deadline (`due`), a rule measuring lateness in working time reads it so."""
        version = self.in_force(due_day)
        if version is None:
            return PenaltyCharge(self.id, ScheduleKind.NONE, Decimal(0),
                                 detail=line("pen.not_in_force", rule=self.id, day=due_day))
        calendar = self.working_calendar
        if due is None or calendar is None:
            return version.charge(late_by)
        return version.charge_late(Late(due, late_by, calendar))


def compile_penalty(penalty_id: str, spec: Penalty,
                    calendar: WorkCalendar | None = None) -> CompiledPenalty:
    versions = []
    for version in spec.versions:
        kind, terms = version.schedule
        versions.append(SCHEDULES[kind].compile(penalty_id, version.effective, terms))
    return CompiledPenalty(penalty_id, tuple(versions), spec.measure, calendar)


def charge(penalty: CompiledPenalty | None, due_day: date, late_by: timedelta,
           due: datetime | None = None) -> PenaltyCharge:
    """What one violation of a duty costs (no rule: nothing), before its month is totalled."""
    return NO_PENALTY if penalty is None else penalty.charge(due_day, late_by, due)
