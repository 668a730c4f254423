"""Merits counted (`early_merit`, rewards/early_merit.py): each commitment met before its
day is one merit, with the working days early. Its own module so that mypyc compiles it
(policyengine/native.py): a large history has tens of thousands of merits, and the kind's
class (a Python dataclass of the registry) stays in early_merit.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Final

from policyengine.errors import CalendarDataMissing
from policyengine.kinds import RewardKind, Status
from policyengine.results import Merit
from policyengine.wording import Line, line

if TYPE_CHECKING:
    from policyengine.engine.compiled import CompiledPolicy
    from policyengine.engine.evaluate import Outcome


_MET: Final = Status.MET  # compiled: a constant, not `Status` and its member looked up


def merits(policy: CompiledPolicy, outcomes: Sequence[Outcome], notes: list[Line]) -> list[Merit]:
    """Each commitment met before its day: one merit with the working days early (said in
    `notes` instead when they need a calendar year not yet published)."""
    cal = policy.calendar
    rules = [r for r in policy.rewards.values() if r.kind is RewardKind.EARLY_MERIT]
    duties = {d for r in rules for d in r.duties}
    reward_id = min((r.id for r in rules), default="")
    tz = cal.tz
    # (met, due) local dates -> working days between: few pairs, asked again and again
    known: dict[tuple[date, date], int] = {}
    new = object.__new__
    found: list[Merit] = []
    # Merits are listed by (due, duty, case), ties in the order found: each one's key and
    # place, made with it (sorting the merits by a key function reads three attributes by
    # name per merit)
    keys: list[tuple[datetime, str, str, int]] = []
    for outcome in outcomes:
        obligation = outcome.obligation
        if outcome.status is not _MET:
            continue
        duty = obligation.duty.id
        if duty not in duties:
            continue
        fulfilled = obligation.fulfilled_by
        assert fulfilled is not None
        done, due = fulfilled.at, obligation.due  # `cal.local`, inlined
        if done.tzinfo is not tz:
            done = done.astimezone(tz)
        if due.tzinfo is not tz:
            due = due.astimezone(tz)
        days = (done.date(), due.date())
        early = known.get(days)
        if early is None:
            try:
                early = cal.working_days_between(days[0], days[1])
            except CalendarDataMissing as exc:
                if cal.is_before_data(exc.year):
                    raise
                notes.append(line("pending.merit", duty=duty, case=obligation.case,
                                  year=exc.year))
                continue
            known[days] = early
        if early > 0:  # one per commitment met early: made without the frozen __init__
            merit: Merit = new(Merit)  # results.py `made`, inlined
            case = obligation.case
            fields = merit.__dict__  # set one by one, in their order: no dict of keywords
            fields["person"] = outcome.person
            fields["reward"] = reward_id
            fields["duty"] = duty
            fields["case"] = case
            fields["due"] = due
            fields["fulfilled_at"] = done
            fields["working_days_early"] = early
            keys.append((due, duty, case or "", len(found)))
            found.append(merit)
    keys.sort()
    return [found[key[3]] for key in keys]

