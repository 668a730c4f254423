"""The event-time replay: facts in time order open, extend and close obligations.

Pure: facts and `as_of` in, a `Replay` (every obligation with its final deadline and
fulfilment, the role timeline, per-case actors) out. The wall clock is never read.
Classification (on time, late, missed, open) needs only due, fulfilment and `as_of`, so it
happens after the replay, when every fact up to `as_of` has been seen.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from mypy_extensions import mypyc_attr

from policyengine.engine import recurring
from policyengine.engine.compiled import CompiledDuty, CompiledPolicy, Per, Step
from policyengine.engine.decisions import CaseValues, Setting
from policyengine.engine.obligation import Keyed, Obligation, opener
from policyengine.engine.ordering import dedupe, in_order_runs, runs_of
from policyengine.engine.plans import (
    DECIDE,
    EXTEND,
    FULFIL,
    OPEN,
    Delays,
    FactPlan,
    Slot,
    slot_table,
)
from policyengine.engine.recurring import Owed
from policyengine.errors import CalendarDataMissing
from policyengine.facts.schema import Fact
from policyengine.policy.checks import ROLE_FACT
from policyengine.policy.model import Who
from policyengine.wording import Line, line


@mypyc_attr(native_class=False)
@dataclass
class RoleTimeline:
    """Who held each assigned role when: from `role.assigned` facts and policy defaults.

    Assignments arrive in time order (the replay sorts facts), so the lists stay sorted.
    """

    defaults: dict[str, str | None]
    times: dict[str, list[datetime]] = field(default_factory=dict)
    people: dict[str, list[str]] = field(default_factory=dict)

    def assign(self, role: str, moment: datetime, person: str) -> None:
        self.times.setdefault(role, []).append(moment)
        self.people.setdefault(role, []).append(person)

    def holder(self, role: str, moment: datetime) -> str | None:
        times = self.times.get(role)
        if not times:
            return self.defaults.get(role)
        index = bisect.bisect_right(times, moment)
        return self.people[role][index - 1] if index else self.defaults.get(role)

    def holders_between(self, role: str, start: datetime, end: datetime) -> list[str]:
        """Everyone who held the role at some time in [start, end)."""
        held = [self.holder(role, start)]
        held += [p for at, p in zip(self.times.get(role, []), self.people.get(role, []),
                                    strict=True) if start <= at < end]
        return sorted({p for p in held if p})


@mypyc_attr(native_class=False)
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
    # Obligations made, when `obligations` holds only those the results look at (workers.py)
    total_obligations: int | None = None
    # The values decision tables set, per case and time (engine/decisions.py)
    case_values: CaseValues = field(default_factory=CaseValues)
    forbidden: list[Forbidden] = field(default_factory=list)  # in the order of their facts


@mypyc_attr(native_class=False)
@dataclass(frozen=True)
class Forbidden:
    """A fact a prohibition forbids: a violation of its own (engine/evaluate.py)."""

    prohibition: str
    fact: Fact
    actor: str | None   # for a responsible role found by actor_of: its latest fact's actor
    seq: int = 0        # tells apart facts that would name the violation alike (no id)


def replay(policy: CompiledPolicy, facts: Iterable[Fact], as_of: datetime, *,
           unread: Collection[str] | None = None) -> Replay:
    """The replay of `facts` up to `as_of`. With `unread` (duty ids), an obligation of one
    of these duties met in time is dropped as the replay goes, once nothing can change it
    (memory): `obligations` then holds only the rest, and `total_obligations` says how many
    were made."""
    unique, duplicates = dedupe(facts)
    total = len(unique)
    ordered, runs, anchored = in_order_runs(unique, as_of, policy.calendar.tz,
                                             policy.anchor_types)
    run = replay_ordered(policy, ordered, as_of, weeks_from=ordered[0] if ordered else None,
                         unread=unread, runs=runs, unanchored=not anchored)
    run.facts_after_as_of, run.duplicates = total - len(ordered), duplicates
    return run


def replay_ordered(policy: CompiledPolicy, ordered: list[Fact], as_of: datetime, *,
                   weeks_from: Fact | None, note_tags: list[tuple[Any, ...]] | None = None,
                   anchor_only: frozenset[int] = frozenset(),
                   unread: Collection[str] | None = None, runs: list[int] | None = None,
                   unanchored: bool = False) -> Replay:
    """The replay of facts already in `order_key` order, none after `as_of`, no duplicate.

    Weekly duties are opened from `weeks_from` (the first fact) unless it is None. With
    `note_tags`, each note gets a tag (time, phase, position) saying when it was made, so
    notes of replays over parts of the facts can be merged in the order one replay makes
    them (engine/workers.py). Facts whose `id()` is in `anchor_only` only time deadlines
    (`deadline: {from: ...}`): another worker replays them in full. `runs`: where the
    runs of facts of one instant lie (`in_order_runs`), if known. `unanchored`: no fact
    of `ordered` is one a deadline runs from, so every deadline runs from its trigger."""
    roles = RoleTimeline({name: spec.default for name, spec in policy.model.roles.items()
                          if spec.assigned})
    # Only duties no delay can move (an approval reaches an obligation after its
    # fulfilment), not recurring (a later report in the period replaces the fulfilment) and
    # not timed from an anchor (a later anchor re-times obligations already fulfilled;
    # with none among the facts, nothing does): nothing changes their obligations once
    # fulfilled.
    drop = None if unread is None else frozenset(
        d for d in unread if policy.duties[d].extension is None
        and policy.duties[d].recurring is None
        and (policy.duties[d].anchors is None or unanchored))
    state = _State(policy, roles, anchor_only, drop=drop, unanchored=unanchored)
    if weeks_from is not None:
        state.open_weeks(weeks_from, as_of)
    # Facts of one instant act in phases — open duties, delay requests, delay approvals,
    # fulfilments — so the result never depends on the order they arrived in.
    count, start = len(ordered), 0
    extends = state.by_extension
    notes = state.notes
    open_, extend, fulfil = state.open, state.extend, state.fulfil
    deciding, decide = policy.decisions, state.decide
    tagging = note_tags is not None
    tags: list[tuple[Any, ...]] = note_tags if note_tags is not None else []

    def tag(phase: int, i: int) -> None:  # the notes just made, with when they were made
        tags.extend([(ordered[i].at, phase, i)] * (len(notes) - len(tags)))

    if not tagging:
        _replay_untagged(state, ordered, runs if runs is not None else runs_of(ordered))
        start = count
    while start < count:
        fact = ordered[start]
        stop = start + 1
        if stop == count or ordered[stop].at != fact.at:  # alone at its instant: most facts
            if fact.type in deciding:
                decide(fact)
                if tagging and len(notes) > len(tags):
                    tag(-1, start)
            open_(fact)
            if tagging and len(notes) > len(tags):
                tag(0, start)
            if fact.type in extends:
                extend(fact, REQUEST)
                if tagging and len(notes) > len(tags):
                    tag(1, start)
                extend(fact, APPROVAL)
                if tagging and len(notes) > len(tags):
                    tag(2, start)
            fulfil(fact)
            if tagging and len(notes) > len(tags):
                tag(3, start)
            start = stop
            continue
        while stop < count and ordered[stop].at == fact.at:
            stop += 1
        # Case values first: a value set at an instant holds for every fact of that instant.
        for i in range(start, stop):
            if ordered[i].type in deciding:
                decide(ordered[i])
                if tagging and len(notes) > len(tags):
                    tag(-1, i)
        for i in range(start, stop):
            open_(ordered[i])
            if tagging and len(notes) > len(tags):
                tag(0, i)
        for phase_no, phase in ((1, REQUEST), (2, APPROVAL)):
            for i in range(start, stop):
                if ordered[i].type in extends:
                    extend(ordered[i], phase)
                    if tagging and len(notes) > len(tags):
                        tag(phase_no, i)
        for i in range(start, stop):
            fulfil(ordered[i])
            if tagging and len(notes) > len(tags):
                tag(3, i)
        start = stop
    obligations = state.obligations
    if drop is not None:  # the places of the obligations dropped when met (`_State.met`)
        # read as objects: the list holds Nones here, which its type (and compiled code
        # reading it as Obligations) does not allow
        held: list[object] = obligations  # type: ignore[assignment]
        obligations = [o for o in held if isinstance(o, Obligation)]
    run = Replay(as_of, obligations, roles, state.first_actor, state.case_tier,
                 len(ordered), 0, 0, state.notes, state.handled,
                 case_values=state.case_values, forbidden=state.forbidden)
    if drop is not None:
        run.total_obligations = len(obligations) + state.dropped
    return run


# Module constants are `Final`: compiled, each is then a constant, not a look-up by name
# in the module's globals at each use.
REQUEST: Final = "request"
APPROVAL: Final = "approval"


def _replay_untagged(state: _State, ordered: list[Fact], runs: list[int]) -> None:
    """`replay_ordered`'s loop without note tags: the same phases, in the same order, with
    nothing checked per fact but what it needs (this loop runs once per fact): what a fact
    of each type may do is looked up once (`_State.kinds`); `runs` says where the facts of
    one instant are (`in_order_runs`), so no two times are compared here. The state's
    methods are called on it, not kept as bound methods: compiled, that is a direct call."""
    count, start = len(ordered), 0
    k, bounds = 0, len(runs)
    while start < count:
        alone = runs[k] if k < bounds else count  # facts alone at their instant up to here
        while start < alone:  # most facts
            act_alone(state, ordered[start])
            start += 1
        if k < bounds:
            stop = runs[k + 1]
            _act_between(state, ordered, start, stop)
            start = stop
            k += 2


def act_alone(state: _State, fact: Fact) -> None:
    """`act_at_once` for a fact alone at its instant (most facts), shared by the replay
    loops of a list (`_replay_untagged`) and of a stream (instants.py `replay_instants`):
    its own plan says which phases it has, with no list of plans kept for the run."""
    kind = state.kinds.get(fact.type)
    if kind is None:
        return
    todo = kind.todo
    if todo & DECIDE:
        state.decide(fact)
    if todo & OPEN:
        state.open_as(fact, kind)
    if todo & EXTEND:
        state.delay(fact, kind, True)
        state.delay(fact, kind, False)
    if todo & FULFIL:
        state.fulfil_as(fact, kind)


def act_at_once(state: _State, run: list[Fact]) -> None:
    """The facts of one instant, phase by phase: decisions, then openings, then delays
    asked and approved, then fulfilments (a fact alone at its instant: `act_alone`)."""
    _act_between(state, run, 0, len(run))


def _act_between(state: _State, facts: list[Fact], start: int, stop: int) -> None:
    """`act_at_once` for the facts at [start, stop) of `facts` (no list made of them). Each
    fact's `FactPlan` is looked up once, and a phase no fact of the run has is skipped."""
    kinds = state.kinds
    count = stop - start
    # The plans of the run's facts, in a list the state keeps (a run is most often two or
    # three facts, and there are hundreds of thousands of runs: no list made and freed each)
    found = state.found
    if len(found) < count:
        found.extend([None] * (count - len(found)))
    todo = 0
    for i in range(count):
        kind = kinds.get(facts[start + i].type)
        found[i] = kind
        if kind is not None:
            todo |= kind.todo
    if todo & DECIDE:
        for i in range(count):
            kind = found[i]
            if kind is not None and kind.todo & DECIDE:
                state.decide(facts[start + i])
    if todo & OPEN:
        for i in range(count):
            kind = found[i]
            if kind is not None and kind.todo & OPEN:
                state.open_as(facts[start + i], kind)
    if todo & EXTEND:
        for i in range(count):
            kind = found[i]
            if kind is not None and kind.todo & EXTEND:
                state.delay(facts[start + i], kind, True)
        for i in range(count):
            kind = found[i]
            if kind is not None and kind.todo & EXTEND:
                state.delay(facts[start + i], kind, False)
    if todo & FULFIL:
        for i in range(count):
            kind = found[i]
            if kind is not None and kind.todo & FULFIL:
                state.fulfil_as(facts[start + i], kind)


def _waiting(table: MutableMapping[Any, Obligation], key: Any) -> Obligation | None:
    """`table.get(key)`: a plain dict's own look-up (compiled: no method found by name), or
    the mapping's own (engine/dormant.py `OpenFor` wakes what sleeps on disk)."""
    if type(table) is dict:
        return table.get(key)
    return table.get(key)


# `line(key, **args)` made as the tuple it is (as engine/evaluate.py `_new_line`): `line`
# and the NamedTuple's `__new__` are two calls of Python, once per delay asked or approved.
_NEW_LINE: Final[Callable[[type[Line], tuple[Any, ...]], Line]] = tuple.__new__


def _line(key: str, args: dict[str, Any]) -> Line:
    return _NEW_LINE(Line, (key, args))


AnchorKey = tuple[str, str, Any]  # (anchor fact type, join attribute, its value)


def _when(seen: tuple[datetime, str]) -> datetime:
    return seen[0]


class _State:
    def __init__(self, policy: CompiledPolicy, roles: RoleTimeline,
                 anchor_only: frozenset[int] = frozenset(), *,
                 drop: frozenset[str] | None = None, unanchored: bool = False):
        self.policy = policy
        # No fact of the replay is one a deadline runs from (`replay_ordered`): every
        # deadline runs from its trigger, and no obligation waits to be timed by an anchor.
        self.unanchored = unanchored
        # The duties whose obligations no result reads once met in time, and that nothing
        # changes once fulfilled: such an obligation leaves `obligations` when it is met
        # (`met`), its place set to None (removed at the end, keeping the order).
        self.drop = drop or frozenset()
        self.roles = roles
        # Deadlines that run from another fact (`from: {fact, join}`): the join attributes
        # of each anchor type, the latest anchor by join value, and the obligations timed
        # (or waiting to be timed) by each join value.
        self.anchor_joins: dict[str, set[str]] = defaultdict(set)
        for duty in policy.duties.values():
            for anchor in duty.anchors.all if duty.anchors is not None else ():
                self.anchor_joins[anchor.fact].add(anchor.join)
        self.anchors: dict[AnchorKey, Fact] = {}
        self.timed_by: dict[AnchorKey, list[Obligation]] = defaultdict(list)
        self.anchor_only = anchor_only
        # Whether any is (a native bool: a set's truth is a call of Python, twice per fact)
        self.any_anchor_only = bool(anchor_only)
        # The open obligation of each duty, by case: at most one at a time.
        # (By case and attribute for a duty `per: {attribute: X}`.)
        # Both tables are typed as mappings, not dicts: the streamed replay puts dicts whose
        # look-ups wake what sleeps on disk in their place (engine/dormant.py, OpenFor and
        # Latest), and compiled code (mypyc) calls dict's own look-ups on a `dict`, past them.
        self.open_for: dict[str, MutableMapping[Any, Obligation]] = {
            d: {} for d in policy.duties}
        # The latest obligation of each duty that can be delayed, open or not, by case.
        self.latest: dict[str, MutableMapping[Any, Obligation]] = {
            d: {} for d in policy.duties}
        self.periods: dict[str, list[Owed]] = {}
        # Of each recurring duty's periods, none before this one is still owed (`fulfil_one`)
        self.owed_from: dict[str, int] = {}
        self.by_trigger = policy.by_trigger
        self.by_fulfil = policy.by_fulfil
        self.by_extension = policy.by_extension
        # Typed as it is, never Obligation | None: `met` leaves a None in a dropped one's
        # place only when the loop's caller removes them (`replay_ordered`, with `drop`).
        self.obligations: list[Obligation] = []
        self.first_actor: dict[tuple[str, str], str] = {}
        self.case_tier: dict[str, str] = {}
        self.notes: list[Line] = []
        self.handled: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
        self.tracked = {fact for reward in policy.model.rewards.values() for fact in reward.handled}
        self.actor_types = {fact for spec in policy.model.roles.values()
                            for fact in spec.actor_of or ()}
        # The attribute carrying an urgency tier, by fact type (decision.made: tier).
        self.tier_attr = {name: attr for name, spec in policy.model.fact_types.items()
                          for attr, a in spec.attributes.items() if a.type == "tier"}
        self.by_prohibited = policy.by_prohibited
        self.noted = (self.actor_types | self.tracked | set(self.tier_attr) | {ROLE_FACT}
                      | set(self.by_prohibited))
        # Duties not keyed by case (`per`): FIFO queues of open obligations (per: trigger),
        # the latest actor of each actor_of type by case, and how often a key was used.
        self.queues: dict[str, dict[str | None, list[Obligation]]] = {
            d.id: {} for d in policy.duties.values() if d.per is Per.TRIGGER}
        self.latest_actor: dict[tuple[str, str], tuple[datetime, str]] = {}
        # Kept only when something reads it: the shipped pack's replay does as it did.
        self.track_latest = (any(d.per is not Per.CASE for d in policy.duties.values())
                             or bool(policy.prohibitions))
        self.keys_used: dict[str, int] = {}
        self.dropped = 0  # obligations dropped as the replay went (`drop`)
        self.forbidden: list[Forbidden] = []
        self.case_values = CaseValues()
        self.values_now = self.case_values.now
        self.slots: dict[str, Slot] = {}
        self.kinds: dict[str, FactPlan] = {}
        # `_act_between`'s plans of the facts of one instant, reused from run to run
        self.found: list[FactPlan | None] = []
        self.bind()

    def bind(self) -> None:
        """Each duty's `Slot` and each fact type's `FactPlan`, made from the policy and the
        tables now in `open_for` and `latest` (made again when another table takes a
        duty's place there: engine/stream.py)."""
        policy = self.policy
        steps = policy.steps
        self.slots = {d: Slot(opening, closing, self.open_for[d], self.latest[d], d in self.drop,
                              self.inline(opening))
                      for d, (opening, closing) in steps.items()}
        opening = {name: slot_table(t, self.slots) for name, t in policy.opening.items()}
        closing = {name: slot_table(t, self.slots) for name, t in policy.closing.items()}
        opens = self.noted | set(self.anchor_joins) | set(self.by_trigger)
        todo: dict[str, int] = {}
        for type_, bit in [*((k, DECIDE) for k in policy.decisions),
                           *((k, OPEN) for k in opens),
                           *((k, EXTEND) for k in self.by_extension),
                           *((k, FULFIL) for k in self.by_fulfil)]:
            todo[type_] = todo.get(type_, 0) | bit
        self.kinds = {}
        for name, bits in todo.items():
            kind = FactPlan(bits, opening.get(name), closing.get(name))
            kind.anchored = name in self.anchor_joins
            kind.noted = name in self.noted
            kind.notice = kind.anchored or kind.noted
            kind.prohibited = name in self.by_prohibited
            kind.role = name == ROLE_FACT
            kind.actor = name in self.actor_types
            kind.tier = self.tier_attr.get(name)
            kind.tracked = name in self.tracked
            extended = [(d, d.extension) for d in self.by_extension.get(name, ())
                        if d.extension is not None]
            kind.requests = Delays.of([(d, e.requested) for d, e in extended
                                       if e.requested.fact == name])
            kind.approvals = Delays.of([(d, e.approved) for d, e in extended
                                        if e.approved.fact == name])
            self.kinds[name] = kind

    def inline(self, opening: Step) -> bool:
        """Whether the hot path opens the duty's obligations itself (`open_as`): the step
        says so (compiled.py `Step.opening`), or it would but for the anchor its deadline may
        run from, and no anchor is among the facts (`unanchored`)."""
        duty = opening.duty
        return opening.inline or (
            self.unanchored and duty.anchors is not None and duty.plain_open
            and duty.deadline is not None
            and not (duty.trigger is not None and duty.trigger.case_tests))

    def values(self, case: str | None) -> dict[str, str] | None:
        """The case's values now (decision tables), or None when the policy has none."""
        return self.values_now.get(case) if self.values_now else None  # type: ignore[arg-type]

    def decide(self, fact: Fact) -> None:
        """Decision tables evaluated on this fact set its case's values from its time on."""
        for table in self.policy.decisions[fact.type]:
            outcome = table.decide(fact)
            if isinstance(outcome, Setting):
                if fact.case is not None:
                    self.case_values.set(fact.case, outcome)
            else:
                self.notes.append(outcome)

    def open_weeks(self, first: Fact, as_of: datetime) -> None:
        """Recurring duties: one obligation per period (week, month, ...) from the first
        fact's period on (recurring.py)."""
        for duty in self.policy.recurring:
            assert duty.recurring is not None
            ledger = self.periods[duty.id] = []
            for start, end, due, missing in recurring.periods(duty.recurring, duty.id, first,
                                                              as_of):
                obligation = Obligation(duty, None, None, start, due)
                obligation.missing_year = missing
                self.obligations.append(obligation)
                ledger.append(Owed(start, end, obligation))

    def open(self, fact: Fact) -> None:
        kind = self.kinds.get(fact.type)
        if kind is not None and kind.todo & OPEN:
            self.open_as(fact, kind)

    def open_as(self, fact: Fact, kind: FactPlan) -> None:
        """What `fact`, of the type `kind` describes, opens (and `noticed` does first)."""
        if kind.notice and self.noticed(fact, kind):
            return
        table = kind.opening
        if table is not None:
            candidates = table.select(fact)
        else:
            duties = self.by_trigger.get(fact.type)
            if not duties:
                return
            values = self.values_now.get(fact.case) if self.values_now else None  # type: ignore[arg-type]
            candidates = [self.slots[d.id] for d in duties
                          if d.trigger is not None and d.trigger.matches(fact, values)]
        case = fact.case
        at = fact.at
        obligations = self.obligations
        for slot in candidates:
            due_of = slot.due
            if due_of is None:  # not the common shape
                self.open_one(slot.duty, fact)
                continue
            # The common shape, made here (a call per obligation costs a few percent)
            waiting = slot.waiting
            plain = type(waiting) is dict  # else `OpenFor`: its own `in` wakes what sleeps
            if not plain and case in waiting:
                self.already_open(slot.duty, fact, waiting[case])
                continue
            try:
                due = due_of.due(at, fact.attrs)
            except Exception:
                # The long way: a deadline waiting for a year's calendar data, or a fact that
                # cannot time it (no date, when built in code: the reader requires one):
                # `open_one` says "already open" first, as it always did, else raises.
                self.open_one(slot.duty, fact)
                continue
            obligation = Obligation(slot.duty, case, fact, at, due)
            if plain:  # one look-up for "already open?" and "now open" (a plain dict's own)
                by_case: dict[Any, Obligation] = waiting  # type: ignore[assignment]
                held = by_case.setdefault(case, obligation)
                if held is not obligation:  # the one made is dropped, never seen
                    self.already_open(slot.duty, fact, held)
                    continue
            else:
                waiting[case] = obligation
            obligation.place = len(obligations)
            obligations.append(obligation)
            if slot.delayable:
                slot.latest[case] = obligation

    def noticed(self, fact: Fact, kind: FactPlan) -> bool:
        """What a fact of the few types the results need beyond duties (and anchors) does
        before it opens duties; True when it does nothing more here (another worker's fact
        that only times deadlines)."""
        case = fact.case
        if kind.anchored:
            self.anchor(fact)
            if id(fact) in self.anchor_only:
                return True
        if kind.noted:
            if kind.prohibited:
                self.prohibited(fact)
            if kind.role:
                self.roles.assign(fact.attrs["role"], fact.at, fact.attrs["person"])
            if case is not None:
                if kind.actor and fact.actor is not None:
                    self.first_actor.setdefault((case, fact.type), fact.actor)
                    if self.track_latest:
                        self.latest_actor[(case, fact.type)] = (fact.at, fact.actor)
                tier_attr = kind.tier
                if tier_attr is not None and tier_attr in fact.attrs:
                    self.case_tier[case] = fact.attrs[tier_attr]
                if kind.tracked:
                    self.handled[fact.type].append((fact.at, case))
        return False

    def already_open(self, duty: CompiledDuty, fact: Fact, waiting: Obligation) -> None:
        # One duty per case at a time: a repeated trigger (a second estimate, a repeated
        # notice) does not owe the duty twice, nor move its deadline.
        self.notes.append(line("note.already_open", where=fact.ref(), type=fact.type,
                               at=fact.at, duty=duty.id, case=fact.case,
                               opened=waiting.opened_at))

    def open_one(self, duty: CompiledDuty, fact: Fact) -> None:
        """The obligation `fact` opens of one duty, whatever its shape (`by`, `per`, a
        deadline from another fact, case values, a year without calendar data)."""
        case, at = fact.case, fact.at
        if not duty.plain_open:  # `by` on the trigger, or `per` other than case
            by = duty.trigger.by  # type: ignore[union-attr]
            if by is not None and not self.allowed(by, fact, duty.id):
                return
            if duty.per is not Per.CASE:
                self.open_keyed(duty, fact)
                return
        waiting = self.open_for[duty.id]
        if case in waiting:
            self.already_open(duty, fact, waiting[case])
            return
        key = (self._anchor_key(duty, fact) if duty.anchors is not None and not self.unanchored
               else None)
        anchor = self.anchors.get(key) if key is not None else None
        due, missing = self._due(duty, fact, anchor)
        obligation = Obligation(duty, case, fact, at, due)
        if missing is not None:
            obligation.missing_year = missing
        if key is not None:
            obligation.anchor = anchor
            self.timed_by[key].append(obligation)
        if duty.trigger is not None and duty.trigger.case_tests and case is not None:
            self.decided(obligation, duty, case, at)
        obligation.place = len(self.obligations)
        self.obligations.append(obligation)
        waiting[case] = obligation
        if duty.extension is not None:
            self.latest[duty.id][case] = obligation

    def decided(self, obligation: Obligation, duty: CompiledDuty, case: str,
                moment: datetime) -> None:
        """Say which rule set each case value the trigger's conditions read (for explain)."""
        assert duty.trigger is not None
        for decision, _ in duty.trigger.case_tests:
            setting = self.case_values.in_force(case, decision, moment)
            if setting is not None:
                obligation.note(setting.line())

    def _due(self, duty: CompiledDuty, trigger: Fact,
             anchor: Fact | None) -> tuple[datetime, int | None]:
        """The deadline of `duty` opened by `trigger`, run from `anchor` if there is one, and
        the year whose calendar data it waits for (None: the deadline is known)."""
        assert duty.deadline is not None
        start = anchor.at if anchor is not None else None
        try:
            if start is None:  # from the trigger: the rule's one-call form
                return duty.deadline.fast_due(trigger.at, trigger.attrs), None
            return duty.deadline.due(trigger.at, trigger.attrs, start=start), None
        except CalendarDataMissing as exc:
            return self.due_pending(duty, trigger, exc, start), exc.year

    def _anchor_key(self, duty: CompiledDuty, trigger: Fact) -> AnchorKey | None:
        """Which anchor times this obligation: the deadline in force on the trigger's date
        names the anchor type and the join attribute; the trigger gives the value."""
        anchors = duty.anchors
        assert anchors is not None
        # One version (the usual case): no date to find it by
        spec = (anchors.on(self.policy.calendar.local(trigger.at).date()) if anchors.changes
                else anchors.base)
        if spec is None:
            return None
        value = trigger.attrs.get(spec.join)
        return None if value is None else (spec.fact, spec.join, value)

    def anchor(self, fact: Fact) -> None:
        """A fact some deadline runs from: the latest of its join value from now on, and it
        re-times the obligations already opened with that value (the meeting ends after its
        decisions). Obligations already fulfilled are re-timed too: they were fulfilled
        before the anchor, so within any deadline that runs from it."""
        for join in self.anchor_joins[fact.type]:
            value = fact.attrs.get(join)
            if value is None:
                continue
            key = (fact.type, join, value)
            self.anchors[key] = fact
            for obligation in self.timed_by.get(key, ()):
                if obligation.anchor is fact:
                    continue
                assert obligation.trigger is not None
                old = obligation.due
                due, missing = self._due(obligation.duty, obligation.trigger, fact)
                obligation.due, obligation.missing_year = due, missing
                obligation.anchor = fact
                obligation.note(line("anchor.moved", type=fact.type, ref=fact.ref(),
                                     at=fact.at, join=join, value=value, old=old, new=due))

    def due_pending(self, duty: CompiledDuty, fact: Fact, exc: CalendarDataMissing,
                    start: datetime | None = None) -> datetime:
        """The deadline when it needs a calendar year not published yet: the duty is owed,
        its deadline waits for the year's data, and is no earlier than the time it runs from
        (the trigger, or `start`) nor than that year's start. A year before the calendar's
        data is an error."""
        if self.policy.calendar.is_before_data(exc.year):
            raise exc.with_context(f"duty {duty.id}, fact {fact.ref()}",
                                   f"职责 {duty.id}，事实 {fact.ref()}",
                                   fact.source or "") from None
        return max(start or fact.at, self.policy.calendar.year_start(exc.year))

    def owed(self, duty: CompiledDuty, fact: Fact) -> Keyed:
        """A new obligation of a duty whose `per` is not `case`, opened by `fact`."""
        key = (self._anchor_key(duty, fact) if duty.anchors is not None and not self.unanchored
               else None)
        anchor = self.anchors.get(key) if key is not None else None
        due, missing = self._due(duty, fact, anchor)
        obligation = Keyed(duty, fact.case, fact, fact.at, due)
        if missing is not None:
            obligation.missing_year = missing
        if key is not None:
            obligation.anchor = anchor
            self.timed_by[key].append(obligation)
        obligation.place = len(self.obligations)
        self.obligations.append(obligation)
        return obligation

    def open_keyed(self, duty: CompiledDuty, fact: Fact) -> None:
        """A duty keyed by trigger or by an attribute of it (`per`): see docs/decisions.md D21."""
        case = fact.case
        key: Any = case
        if duty.per is Per.ATTRIBUTE:
            key = (case, fact.attrs.get(duty.per_attribute))  # type: ignore[arg-type]
            waiting = self.open_for[duty.id]
            if key in waiting:
                self.notes.append(line("note.already_open", where=fact.ref(), type=fact.type,
                                       at=fact.at, duty=duty.id,
                                       case=self._keyed(duty, fact.type, key),
                                       opened=waiting[key].opened_at))
                return
        obligation = self.owed(duty, fact)
        obligation.actor = self.actor_now(duty.responsible, case)
        if duty.trigger is not None and duty.trigger.case_tests and case is not None:
            self.decided(obligation, duty, case, fact.at)
        seen = f"{duty.id}|{case}|{opener(fact, fact.at)}"
        obligation.seq = self.keys_used.get(seen, 0)
        self.keys_used[seen] = obligation.seq + 1
        if duty.per is Per.ATTRIBUTE:
            self.open_for[duty.id][key] = obligation
        else:
            self.queues[duty.id].setdefault(case, []).append(obligation)
        if duty.extension is not None:
            self.latest[duty.id][key] = obligation

    @staticmethod
    def _keyed(duty: CompiledDuty, fact_type: str, key: tuple[str | None, str | None]) -> Line:
        """The case and the value of the attribute the duty is owed per, of `fact_type`."""
        return line("note.keyed_case", case=key[0], attribute=duty.per_attribute, value=key[1],
                    type=fact_type)

    def actor_now(self, role: str, case: str | None) -> str | None:
        """The actor of the latest fact, in the case, of the types that name `role`
        (actor_of); None for other roles, or when there is none yet."""
        spec = self.policy.model.roles.get(role)
        if spec is None or not spec.actor_of or case is None:
            return None
        found = [self.latest_actor[(case, t)] for t in spec.actor_of
                 if (case, t) in self.latest_actor]
        return max(found, key=_when)[1] if found else None

    def permits(self, by: Who, fact: Fact) -> bool:
        """Whether the fact's actor is one `by` names: a person listed, a member of the role,
        or its holder at the fact's time."""
        actor = fact.actor
        if actor is None:
            return False
        if actor in by.people:
            return True
        if by.role is None:
            return False
        spec = self.policy.model.roles[by.role]
        return actor in (spec.members or ()) or (
            spec.assigned and self.roles.holder(by.role, fact.at) == actor)

    def allowed(self, by: Who, fact: Fact, what: str) -> bool:
        """`permits`, and if not, a note says which fact, who made it and who may."""
        if self.permits(by, fact):
            return True
        actor = fact.actor
        self.notes.append(line("note.not_allowed", where=fact.ref(), type=fact.type,
                               at=fact.at, actor=actor or "?", duty=what,
                               who=self.who(by, fact.at)))
        return False

    def who(self, by: Who, moment: datetime) -> Line:
        """Who may, in words: the role and its people then, and/or the people named."""
        parts: list[Line] = []
        if by.role is not None:
            spec = self.policy.model.roles[by.role]
            people = (spec.members or () if not spec.assigned
                      else [p for p in [self.roles.holder(by.role, moment)] if p])
            parts.append(line("who.holder" if spec.assigned else "who.members", role=by.role,
                              people=", ".join(people) or "?"))
        if by.people:
            parts.append(line("who.people", people=", ".join(by.people)))
        return parts[0] if len(parts) == 1 else line("who.either", first=parts[0],
                                                     second=parts[1])

    def prohibited(self, fact: Fact) -> None:
        """Each fact a prohibition forbids is a violation of its own."""
        for rule in self.by_prohibited[fact.type]:
            matcher = rule.fact
            if not matcher.matches(fact, self.values(fact.case)):
                continue
            # `by` narrows whom it forbids; a fact by anyone else is simply not forbidden
            # (no note: nothing was refused).
            if matcher.by is not None and not self.permits(matcher.by, fact):
                continue
            seen = f"{rule.id}|{fact.case}|{opener(fact, fact.at)}"
            seq = self.keys_used.get(seen, 0)
            self.keys_used[seen] = seq + 1
            self.forbidden.append(Forbidden(rule.id, fact,
                                            self.actor_now(rule.responsible, fact.case), seq))

    def fulfil(self, fact: Fact) -> None:
        kind = self.kinds.get(fact.type)
        if kind is not None and kind.todo & FULFIL:
            self.fulfil_as(fact, kind)

    def fulfil_as(self, fact: Fact, kind: FactPlan) -> None:
        """What `fact`, of the type `kind` describes, fulfils."""
        if self.any_anchor_only and id(fact) in self.anchor_only:
            return
        table = kind.closing
        if table is not None:
            candidates = table.select(fact)
        else:
            duties = self.by_fulfil.get(fact.type)
            if not duties:
                return
            values = self.values_now.get(fact.case) if self.values_now else None  # type: ignore[arg-type]
            candidates = [self.slots[d.id] for d in duties
                          if (d.fulfil.matches(fact, values) if len(d.fulfils) == 1
                              else d.fulfilling(fact, values) is not None)]
        case = fact.case
        for slot in candidates:
            if not slot.closes_inline:
                self.fulfil_one(slot.duty, fact)
                continue
            waiting = slot.waiting
            obligation = _waiting(waiting, case)
            if obligation is None or (slot.closes_own and obligation.trigger is fact):
                continue
            del waiting[case]
            obligation.fulfilled_by = fact
            if slot.drop:
                self.met(obligation)

    def fulfil_one(self, duty: CompiledDuty, fact: Fact) -> None:
        """What `fact` fulfils of one duty, whatever its shape (a list of matches, `by`,
        `per`, recurring)."""
        if not duty.plain_fulfil:  # a list, `by`, or `per` other than case
            if not self.may_fulfil(duty, fact):
                return
            if duty.per is not Per.CASE:
                self.fulfil_keyed(duty, fact)
                return
        if duty.recurring is not None:
            ledger = self.periods[duty.id]
            first = self.owed_from[duty.id] = recurring.owed_from(
                ledger, self.owed_from.get(duty.id, 0))
            period = recurring.match(ledger, fact.at, first)
            if period is None:
                self.notes.append(line("note.extra_report" if duty.recurring.form == "weekly"
                                       else "note.extra_period", where=fact.ref(),
                                       duty=duty.id, at=fact.at))
            else:
                period.obligation.fulfilled_by = fact
            return
        waiting = self.open_for[duty.id]
        obligation = waiting.get(fact.case)
        if obligation is None or obligation.trigger is fact:
            return
        del waiting[fact.case]
        obligation.fulfilled_by = fact
        if duty.id in self.drop:
            self.met(obligation)

    def met(self, obligation: Obligation) -> None:
        """An obligation of a `drop` duty just fulfilled: if in time, no result reads it
        and nothing can change it any more, so it leaves `obligations` now (memory, and no
        pass over every obligation to find it later)."""
        done = obligation.fulfilled_by
        if done is not None and done.at <= obligation.due and obligation.missing_year is None:
            self.obligations[obligation.place] = None  # type: ignore[call-overload]
            self.dropped += 1

    def may_fulfil(self, duty: CompiledDuty, fact: Fact) -> bool:
        """Whether a fact that matches `fulfilled_by` is from someone who may (`by`): any of
        the matches it meets will do; refused by all, a note says so."""
        values = self.values(fact.case)
        matches = [m for m in duty.fulfils if m.fact == fact.type and m.matches(fact, values)]
        if any(m.by is None or self.permits(m.by, fact) for m in matches):
            return True
        return matches == [] or self.allowed(matches[0].by, fact, duty.id)  # type: ignore[arg-type]

    def fulfil_keyed(self, duty: CompiledDuty, fact: Fact) -> None:
        """per: trigger closes the oldest open of the case (never the one the fact opened);
        per: {attribute: X} the open one whose key is the fact's own X."""
        if duty.per is Per.ATTRIBUTE:
            key = (fact.case, fact.attrs.get(duty.per_attribute))  # type: ignore[arg-type]
            waiting = self.open_for[duty.id]
            obligation = waiting.get(key)
            if obligation is None or obligation.trigger is fact:
                return
            del waiting[key]
            obligation.fulfilled_by = fact
            if duty.id in self.drop:
                self.met(obligation)
            return
        queue = self.queues[duty.id].get(fact.case)
        for i, obligation in enumerate(queue or ()):
            if obligation.trigger is not fact:
                del queue[i]  # type: ignore[union-attr]
                obligation.fulfilled_by = fact
                if duty.id in self.drop:
                    self.met(obligation)
                return

    def extend(self, fact: Fact, phase: str) -> None:
        """Delay requests (phase REQUEST) or approvals (phase APPROVAL) this fact makes."""
        kind = self.kinds.get(fact.type)
        if kind is not None:
            self.delay(fact, kind, phase == REQUEST)

    def delay(self, fact: Fact, kind: FactPlan, request: bool) -> None:
        """`extend`, for a fact of the type `kind` describes (`request`: else approvals)."""
        if self.any_anchor_only and id(fact) in self.anchor_only:
            return
        delays = kind.requests if request else kind.approvals
        if delays is None:
            return
        exact = delays.exact
        for duty, matcher in delays.select(fact):
            if not exact:
                values = self.values_now.get(fact.case) if self.values_now else None  # type: ignore[arg-type]
                if not matcher.matches(fact, values):
                    continue
            if matcher.by is not None and not self.allowed(matcher.by, fact, duty.id):
                continue
            if request:
                self.request(duty, fact)
            else:
                self.approve(duty, fact)

    def _target(self, duty: CompiledDuty, fact: Fact, word: str) -> Obligation | None:
        """The commitment a delay fact is about: the open one, else the latest of the case
        (an approval signed after the work was delivered still moves its deadline)."""
        key: Any = fact.case
        # The duty's tables and `per` from its `Slot` (native fields, not looked up by id)
        slot = self.slots[duty.id]
        if slot.by_attribute:  # about the commitment its own attribute names
            key = (fact.case, fact.attrs.get(duty.per_attribute))  # type: ignore[arg-type]
        elif slot.by_trigger:  # about the oldest still open
            queue = self.queues[duty.id].get(fact.case)
            if queue:
                return queue[0]
        target = _waiting(slot.waiting, key) or _waiting(slot.latest, key)
        if target is None:
            self.notes.append(line("delay.orphan", where=fact.ref(), word=line(word),
                                   duty=duty.id, case=fact.case, at=fact.at))
        return target

    def request(self, duty: CompiledDuty, fact: Fact) -> None:
        target = self._target(duty, fact, "word.request")
        if target is None:
            return
        assert duty.extension is not None
        new_date = fact.attrs.get(duty.extension.date_field)
        if target.missing_year is not None and fact.at > target.due:
            # After the earliest the deadline can be: in time or not is known only with the
            # year's data, so the request waits with the deadline (no guess either way).
            target.note(line("delay.request_undecided", at=fact.at, year=target.missing_year))
        elif fact.at <= target.due:
            target.pending = new_date
            target.note(_line("delay.requested", {"at": fact.at, "due": target.due,
                                                  "new": new_date}))
        else:
            target.note(_line("delay.too_late", {"at": fact.at, "due": target.due}))

    def approve(self, duty: CompiledDuty, fact: Fact) -> None:
        target = self._target(duty, fact, "word.approval")
        if target is None:
            return
        ext = duty.extension
        assert ext is not None
        if target.pending is None:
            target.note(line("delay.approval_undecided" if target.missing_year is not None
                             else "delay.unrequested", at=fact.at, year=target.missing_year))
            return
        new_date = fact.attrs.get(ext.date_field) or target.pending
        old = target.due
        # `WorkCalendar.at`, inlined (a call of Python per approval)
        target.due = datetime.combine(new_date, ext.clock, tzinfo=self.policy.calendar.tz)
        target.pending = None
        if target.missing_year is not None:  # the new date needs no working days: known now
            target.note(line("delay.approved_pending", at=fact.at,
                             by=f" ({fact.actor})" if fact.actor else "",
                             year=target.missing_year, new=target.due))
            target.missing_year = None
            return
        target.note(_line("delay.approved", {"at": fact.at,
                                             "by": f" ({fact.actor})" if fact.actor else "",
                                             "old": old, "new": target.due}))
