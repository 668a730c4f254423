"""The event-time replay: facts in time order open, extend and close obligations.

Pure: facts and `as_of` in, a `Replay` (every obligation with its final deadline and
fulfilment, the role timeline, per-case actors) out. The wall clock is never read.
Classification (on time, late, missed, open) needs only due, fulfilment and `as_of`, so it
happens after the replay, when every fact up to `as_of` has been seen.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from policyengine.engine.compiled import CompiledDuty, CompiledPolicy
from policyengine.errors import CalendarDataMissing, Diagnostic, FactError, Location
from policyengine.facts.schema import Fact
from policyengine.wording import Line, line

ROLE_FACT = "role.assigned"


class Obligation:
    """One duty owed: opened by a trigger (or the week), closed by a fulfilling fact."""

    __slots__ = ("case", "due", "duty", "fulfilled_by", "history", "opened_at", "pending",
                 "trigger")

    def __init__(self, duty: CompiledDuty, case: str | None, trigger: Fact | None,
                 opened_at: datetime, due: datetime):
        self.duty = duty
        self.case = case
        self.trigger = trigger
        self.opened_at = opened_at
        self.due = due
        self.fulfilled_by: Fact | None = None
        self.history: list[Line] | None = None  # deadline changes, for the explanation
        self.pending: tuple[Fact, object] | None = None  # a delay request awaiting approval

    def note(self, text: Line) -> None:
        if self.history is None:
            self.history = []
        self.history.append(text)

    @property
    def fulfilled_at(self) -> datetime | None:
        return self.fulfilled_by.at if self.fulfilled_by is not None else None


@dataclass
class RoleTimeline:
    """Who held each assigned role when: from `role.assigned` facts and policy defaults."""

    defaults: dict[str, str | None]
    changes: dict[str, list[tuple[datetime, str]]] = field(default_factory=dict)

    def holder(self, role: str, moment: datetime) -> str | None:
        changes = self.changes.get(role, [])
        index = bisect.bisect_right(changes, moment, key=lambda c: c[0])
        return changes[index - 1][1] if index else self.defaults.get(role)

    def holders_between(self, role: str, start: datetime, end: datetime) -> list[str]:
        """Everyone who held the role at some time in [start, end)."""
        people = [self.holder(role, start)]
        people += [p for at, p in self.changes.get(role, []) if start <= at < end]
        return sorted({p for p in people if p})


@dataclass
class Replay:
    as_of: datetime
    obligations: list[Obligation]
    roles: RoleTimeline
    first_actor: dict[tuple[str, str], str]      # (case, fact type) -> actor of its first fact
    case_tier: dict[str, str]                    # case -> urgency tier of its latest decision
    facts_seen: int
    facts_after_as_of: int
    duplicates: int
    notes: list[Line]                            # events that changed nothing, said aloud
    handled: dict[str, list[tuple[datetime, str]]]  # fact type -> (time, case), for rewards


def order_key(fact: Fact) -> tuple[object, ...]:
    """A total order on facts, so arrival order never changes a result."""
    return (fact.at, fact.type, fact.case or "", fact.id or "", fact.actor or "",
            repr(sorted(fact.attrs.items())) if fact.attrs else "")


def dedupe(facts: Iterable[Fact]) -> tuple[list[Fact], int]:
    """Drop re-sent facts (same id, same content); a different fact under a used id is an error."""
    seen: dict[str, Fact] = {}
    kept: list[Fact] = []
    duplicates = 0
    problems = []
    for fact in facts:
        if fact.id is not None:
            earlier = seen.get(fact.id)
            if earlier is not None:
                if earlier.content() == fact.content():
                    duplicates += 1
                else:
                    problems.append(Diagnostic(
                        Location(fact.source or "<facts>"), "E-FACT-DUPLICATE-ID",
                        f"id '{fact.id}' was already used for a different fact "
                        f"({earlier.source or earlier.type})"))
                continue
            seen[fact.id] = fact
        kept.append(fact)
    if problems:
        raise FactError(problems)
    return kept, duplicates


def replay(policy: CompiledPolicy, facts: Iterable[Fact], as_of: datetime) -> Replay:
    ordered, duplicates = dedupe(facts)
    total = len(ordered)
    ordered = [f for f in ordered if f.at <= as_of]
    ordered.sort(key=order_key)
    roles = RoleTimeline({name: spec.default for name, spec in policy.model.roles.items()
                          if spec.assigned})
    state = _State(policy, roles)
    if ordered:
        state.open_recurring(ordered[0].at, as_of)
    start = 0
    while start < len(ordered):
        moment = ordered[start].at
        stop = start + 1
        while stop < len(ordered) and ordered[stop].at == moment:
            stop += 1
        group = ordered[start:stop]
        for fact in group:
            state.open(fact)
        for fact in group:
            state.close(fact)
        start = stop
    return Replay(as_of, state.obligations, roles, state.first_actor, state.case_tier,
                  len(ordered), total - len(ordered), duplicates, state.notes, state.handled)


class _State:
    def __init__(self, policy: CompiledPolicy, roles: RoleTimeline):
        self.policy = policy
        self.roles = roles
        self.open_by_key: dict[tuple[str, str | None], list[Obligation]] = defaultdict(list)
        self.obligations: list[Obligation] = []
        self.first_actor: dict[tuple[str, str], str] = {}
        self.case_tier: dict[str, str] = {}
        self.notes: list[Line] = []
        self.handled: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
        self.tracked = {fact for reward in policy.model.rewards.values() for fact in reward.handled}
        self.actor_types = {fact for spec in policy.model.roles.values()
                            for fact in spec.actor_of or ()}

    def open_recurring(self, start: datetime, as_of: datetime) -> None:
        """Weekly duties owed from the first fact's week on: one obligation per week.

        Week n opens at week n-1's deadline (before any working-day shift), so a report
        always closes the oldest week still owed.
        """
        for duty in self.policy.recurring:
            rule = duty.recurring
            assert rule is not None
            raw = rule.first_at_or_after(rule.calendar.local(start))
            opened = raw - timedelta(days=7)
            while opened <= as_of:
                due = self._guard(partial(rule.shifted, raw, None), duty, None)
                obligation = Obligation(duty, None, None, opened, due)
                self.obligations.append(obligation)
                self.open_by_key[(duty.id, None)].append(obligation)
                opened, raw = raw, raw + timedelta(days=7)

    def open(self, fact: Fact) -> None:
        kind = fact.type
        if kind == ROLE_FACT:
            self.roles.changes.setdefault(fact.attrs["role"], []).append(
                (fact.at, fact.attrs["person"]))
        if fact.case is not None:
            if kind in self.actor_types and fact.actor is not None:
                self.first_actor.setdefault((fact.case, kind), fact.actor)
            tier = fact.attrs.get("tier")
            if tier is not None:
                self.case_tier[fact.case] = tier
            if kind in self.tracked:
                self.handled[kind].append((fact.at, fact.case))
        for duty in self.policy.by_trigger.get(kind, ()):
            trigger = duty.trigger
            assert trigger is not None and duty.deadline is not None
            if trigger.where and not trigger.matches(fact):
                continue
            due = self._guard(partial(duty.deadline.due, fact.at, fact.attrs), duty, fact)
            obligation = Obligation(duty, fact.case, fact, fact.at, due)
            self.obligations.append(obligation)
            self.open_by_key[(duty.id, fact.case)].append(obligation)

    def close(self, fact: Fact) -> None:
        for duty in self.policy.by_fulfil.get(fact.type, ()):
            if duty.fulfil.where and not duty.fulfil.matches(fact):
                continue
            waiting = self.open_by_key.get((duty.id, fact.case))
            if not waiting:
                continue
            first = waiting[0]
            if first.trigger is fact or first.opened_at > fact.at:
                continue
            waiting.pop(0)
            first.fulfilled_by = fact
        for duty in self.policy.by_extension.get(fact.type, ()):
            self.extend(duty, fact)

    def extend(self, duty: CompiledDuty, fact: Fact) -> None:
        ext = duty.extension
        assert ext is not None
        is_request = ext.requested.fact == fact.type and ext.requested.matches(fact)
        is_approval = ext.approved.fact == fact.type and ext.approved.matches(fact)
        if not (is_request or is_approval):
            return
        waiting = self.open_by_key.get((duty.id, fact.case))
        if not waiting:
            word = line("word.request" if is_request else "word.approval")
            self.notes.append(line("delay.orphan", where=fact.source or fact.id or fact.type,
                                   word=word, duty=duty.id, case=fact.case, at=fact.at))
            return
        target = waiting[0]
        if is_request:
            new_date = fact.attrs.get(ext.date_field)
            if fact.at <= target.due:
                target.pending = (fact, new_date)
                target.note(line("delay.requested", at=fact.at, due=target.due, new=new_date))
            else:
                target.note(line("delay.too_late", at=fact.at, due=target.due))
            return
        if target.pending is None:
            target.note(line("delay.unrequested", at=fact.at))
            return
        _, requested_date = target.pending
        new_date = fact.attrs.get(ext.date_field) or requested_date
        old = target.due
        target.due = self.policy.calendar.at(new_date, ext.clock)  # type: ignore[arg-type]
        target.pending = None
        target.note(line("delay.approved", at=fact.at, by=f" ({fact.actor})" if fact.actor else "",
                         old=old, new=target.due))

    @staticmethod
    def _guard(compute: Callable[[], datetime], duty: CompiledDuty, fact: Fact | None) -> datetime:
        try:
            return compute()
        except CalendarDataMissing as exc:
            where = f"duty {duty.id}" + (f", fact {fact.source or fact.id}" if fact else "")
            raise exc.with_context(where) from None
