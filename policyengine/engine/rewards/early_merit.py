"""`early_merit` (记功): each commitment met before its day is one merit, with the working
days early. Not quarterly: merits are listed for any period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from policyengine.engine.rewards.base import RewardRule, reward_kind
from policyengine.errors import CalendarDataMissing
from policyengine.kinds import RewardKind, Status
from policyengine.results import Merit, made
from policyengine.wording import Line, line

if TYPE_CHECKING:
    from policyengine.engine.compiled import CompiledPolicy
    from policyengine.engine.evaluate import Outcome


@reward_kind
@dataclass(frozen=True)
class EarlyMerit(RewardRule):
    kind = RewardKind.EARLY_MERIT
    needs = ("duties",)
    quarterly = False


def merits(policy: CompiledPolicy, outcomes: Sequence[Outcome], notes: list[Line]) -> list[Merit]:
    """Each commitment met before its day: one merit with the working days early (said in
    `notes` instead when they need a calendar year not yet published)."""
    cal = policy.calendar
    rules = [r for r in policy.rewards.values() if isinstance(r, EarlyMerit)]
    duties = {d for r in rules for d in r.duties}
    reward_id = min((r.id for r in rules), default="")
    tz = cal.tz
    between = cal.working_days_between
    found = []
    for outcome in outcomes:
        obligation = outcome.obligation
        if outcome.status is not Status.MET or obligation.duty.id not in duties:
            continue
        fulfilled = obligation.fulfilled_by
        assert fulfilled is not None
        done, due = fulfilled.at, obligation.due  # `cal.local`, inlined: one call each
        if done.tzinfo is not tz:
            done = done.astimezone(tz)
        if due.tzinfo is not tz:
            due = due.astimezone(tz)
        try:
            early = between(done.date(), due.date())
        except CalendarDataMissing as exc:
            if cal.is_before_data(exc.year):
                raise
            notes.append(line("pending.merit", duty=obligation.duty.id, case=obligation.case,
                              year=exc.year))
            continue
        if early > 0:  # one per commitment met early: made without the frozen __init__
            found.append(made(Merit, person=outcome.person, reward=reward_id,
                              duty=obligation.duty.id, case=obligation.case, due=due,
                              fulfilled_at=done, working_days_early=early))
    found.sort(key=_by_due)
    return found


def _by_due(merit: Merit) -> tuple[datetime, str, str]:
    return merit.due, merit.duty, merit.case or ""
