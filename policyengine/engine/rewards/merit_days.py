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
    from policyengine.engine.obligation import Obligation


_MET: Final = Status.MET  # compiled: a constant, not `Status` and its member looked up
_NEW: Final = object.__new__


def merits(policy: CompiledPolicy, outcomes: Sequence[Outcome], notes: list[Line]) -> list[Merit]:
    """Each commitment met before its day: one merit with the working days early (said in
    `notes` instead when they need a calendar year not yet published)."""
    counter = Merits(policy)
    tz = policy.calendar.tz
    for outcome in outcomes:
        obligation = outcome.obligation
        fulfilled = obligation.fulfilled_by
        if outcome.status is not _MET or fulfilled is None:
            continue
        done, due = fulfilled.at, obligation.due  # `cal.local`, inlined
        if done.tzinfo is not tz:
            done = done.astimezone(tz)
        if due.tzinfo is not tz:
            due = due.astimezone(tz)
        counter.add(obligation, outcome.person, done, due)
    notes.extend(counter.notes)
    return counter.found()


class Merits:
    """The merits of one evaluation, counted one commitment met at a time (engine/evaluate.py
    adds each as it sorts the obligations out: no `Outcome` is made for it)."""

    def __init__(self, policy: CompiledPolicy) -> None:
        self.calendar: Final = policy.calendar
        rules = [r for r in policy.rewards.values() if r.kind is RewardKind.EARLY_MERIT]
        self.duties: Final = {d for r in rules for d in r.duties}
        self.reward_id: Final = min((r.id for r in rules), default="")
        # due -> met local dates -> working days between: few pairs, asked again and again
        # (a table per due day: no tuple of the two made and hashed per merit)
        self.known: Final[dict[date, dict[date, int]]] = {}
        self.made: Final[list[Merit]] = []
        # Merits are listed by (due, duty, case), ties in the order found: each one's
        # (duty, case) and place, made with it, filed under its deadline (sorting the
        # merits by a key function reads three attributes by name per merit; the deadlines
        # are few, ~1,300 for 65,000 merits at 1M facts: sorted alone, then each one's keys)
        self.by_due: Final[dict[datetime, list[tuple[str, str, int]]]] = {}
        self.notes: Final[list[Line]] = []  # years not yet published, in the order met

    def add(self, obligation: Obligation, person: str | None, done: datetime,
            due: datetime) -> None:
        """A commitment met (`done`, at or before `due`; both in the calendar's zone): a
        merit if its duty earns one and it was met working days before its day."""
        self.add_days(obligation, obligation.duty.id, person, done, due, done.date(), due.date())

    def add_days(self, obligation: Obligation, duty: str, person: str | None, done: datetime,
                 due: datetime, done_day: date, due_day: date) -> None:
        """`add`, with what the evaluator found already: the duty's id and the local days
        of `done` and `due`."""
        if duty not in self.duties:
            return
        met_on = self.known.get(due_day)
        if met_on is None:
            met_on = self.known[due_day] = {}
        early = met_on.get(done_day)
        if early is None:
            cal = self.calendar
            try:
                early = cal.working_days_between(done_day, due_day)
            except CalendarDataMissing as exc:
                if cal.is_before_data(exc.year):
                    raise
                self.notes.append(line("pending.merit", duty=duty, case=obligation.case,
                                       year=exc.year))
                return
            met_on[done_day] = early
        if early > 0:  # one per commitment met early: made without the frozen __init__
            merit: Merit = _NEW(Merit)  # results.py `made`, inlined
            case = obligation.case
            fields = merit.__dict__  # set one by one, in their order: no dict of keywords
            fields["person"] = person
            fields["reward"] = self.reward_id
            fields["duty"] = duty
            fields["case"] = case
            fields["due"] = due
            fields["fulfilled_at"] = done
            fields["working_days_early"] = early
            key = (duty, case or "", len(self.made))
            keys = self.by_due.get(due)
            if keys is None:
                self.by_due[due] = [key]
            else:
                keys.append(key)
            self.made.append(merit)

    def found(self) -> list[Merit]:
        """The merits, in their order."""
        by_due, made = self.by_due, self.made
        out = []
        for due in sorted(by_due):
            keys = by_due[due]
            if len(keys) > 1:
                keys.sort()
            for key in keys:
                out.append(made[key[2]])
        return out
