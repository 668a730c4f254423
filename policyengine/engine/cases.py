"""Evaluation by case: each case replayed on its own, the replays merged into one `Replay`.

Cases are independent (engine/workers.py says why): a case's duties are opened, delayed and
fulfilled by its own facts. What joins cases is replayed with every case or on its own:
- role assignments go into every case's replay (a `by` check reads the holder at a fact's
  time) and into the shared part, whose role timeline the merged replay keeps;
- facts without a case (the weekly report) and the recurring duties (opened from the first
  fact of all) form the shared part;
- a fact a deadline runs from (an anchor: a meeting's end times the decisions taken in it)
  goes into the replay of every case with a fact of the same join value (the meeting), where
  it only times deadlines (`anchor_only`), and into its own part in full;
- decision tables are not handled here: `splits` says no, and the caller evaluates
  everything in one replay.

`merge` puts the parts back in the order one replay makes obligations (by trigger fact,
recurring ones first), notes (by time, phase, fact) and handled cases (by time, case), so
`evaluate_replay` over the merge gives what `evaluate` gives over all the facts, byte for
byte. A part keeps only the obligations a result may read (not those met in time that no
reward reads), with the count of all it made.

Pure functions over facts, like the rest of the engine.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from policyengine.engine.compiled import CompiledPolicy
from policyengine.engine.obligation import Obligation
from policyengine.engine.ordering import in_order, order_key
from policyengine.engine.replay import Forbidden, Replay, replay_ordered
from policyengine.facts.schema import Fact
from policyengine.policy.checks import ROLE_FACT
from policyengine.wording import Line

# Sorts before any fact's order key: recurring obligations are made before any fact acts.
_FIRST: tuple[Any, ...] = ()
# A replay "of everything" stands at this moment, later than any fact: nothing is left out
# (comparing a million fact times with a moment in another zone costs a second).
END = datetime(9999, 12, 31, tzinfo=UTC)


def splits(policy: CompiledPolicy) -> bool:
    """Whether a policy's facts can be replayed case by case: no decision table, and role
    assignments that open, delay and close no duty."""
    if policy.decisions:  # the case values they set are not merged back (yet)
        return False
    return not any(ROLE_FACT in table for table in
                   (policy.by_trigger, policy.by_fulfil, policy.by_extension))


def anchor_joins(policy: CompiledPolicy) -> dict[str, frozenset[str]]:
    """Fact type -> the attributes joining it to the obligations it times."""
    joins: dict[str, set[str]] = {}
    for duty in policy.duties.values():
        if duty.anchors is not None:
            for anchor in duty.anchors.all:
                joins.setdefault(anchor.fact, set()).add(anchor.join)
    return {kind: frozenset(names) for kind, names in joins.items()}


def read_when_met(policy: CompiledPolicy) -> frozenset[str]:
    """The duties whose obligations met in time some result still reads (rewards, merits,
    whatever the period)."""
    return frozenset(d for r in policy.rewards.values() for d in r.duties)


@dataclass
class Part:
    """One case's replay (or the shared part's), reduced to what results read."""

    obligations: list[Obligation]        # those a result may read, in the order made
    keys: list[tuple[Any, ...]]          # each obligation's place in one replay's order
    total: int                           # obligations made, kept or not
    notes: list[Line]
    note_keys: list[tuple[Any, ...]]     # (time, phase, fact's order key) of each note
    first_actor: dict[tuple[str, str], str]
    case_tier: dict[str, str]
    handled: dict[str, list[tuple[datetime, str]]]
    forbidden: list[Forbidden]
    facts: int                           # the part's own facts replayed (not the roles)
    roles: Any = None                    # the role timeline (the shared part only)
    first_at: datetime | None = None     # the part's own facts' first and last times
    last_at: datetime | None = None


def replay_part(policy: CompiledPolicy, own: Sequence[Fact], roles: Sequence[Fact],
                as_of: datetime, *, anchors: Sequence[Fact] = (), shared: bool = False,
                weeks_from: Fact | None = None, kept: frozenset[str] | None = None) -> Part:
    """Replay a part's own facts (one case's, or the shared ones) with the role assignments,
    none after `as_of`. `weeks_from`: open the recurring duties from that fact (the shared
    part). `anchors`: other parts' facts that time this part's deadlines (they do nothing
    else here). `shared`: keep the role timeline (the merged replay's). `kept`: the duties whose
    obligations met in time are kept (default: read_when_met)."""
    mine = [f for f in own if f.at <= as_of]
    others = [f for f in (*roles, *anchors) if f.at <= as_of]
    ordered = in_order(sorted([*mine, *others], key=_at))
    tags: list[tuple[Any, ...]] = []
    run = replay_ordered(policy, ordered, as_of, weeks_from=weeks_from, note_tags=tags,
                         anchor_only=frozenset(id(f) for f in anchors))
    reads = read_when_met(policy) if kept is None else kept
    obligations = [o for o in run.obligations
                   if (done := o.fulfilled_by) is None or done.at > o.due
                   or o.missing_year is not None or o.duty.id in reads]
    keys = [_FIRST if o.trigger is None else order_key(o.trigger) for o in obligations]
    note_keys = [(at, phase, order_key(ordered[i])) for at, phase, i in tags]
    times = [f.at for f in mine]
    return Part(obligations, keys, len(run.obligations), list(run.notes), note_keys,
                dict(run.first_actor), dict(run.case_tier),
                {k: list(v) for k, v in run.handled.items()}, list(run.forbidden), len(mine),
                run.roles if shared else None,
                min(times) if times else None, max(times) if times else None)


def replay_cases(policy: CompiledPolicy, facts: dict[str, list[Fact]], roles: Sequence[Fact],
                 anchors: Sequence[Fact], as_of: datetime,
                 kept: frozenset[str] | None = None) -> dict[str, Part] | None:
    """Many cases' parts from one replay of all their facts (cheaper than one replay per
    case: one sort, one replay state): each case's part equals `replay_part` of its own
    facts, since cases are independent. `anchors`: facts of no case, or of a case not given,
    that time deadlines here and do nothing else. None when a note was made by a fact of no
    case (it would belong to every part): replay case by case then."""
    if as_of == END:
        mine = [f for fs in facts.values() for f in fs]
        only, joining = list(anchors), list(roles)
    else:
        mine = [f for fs in facts.values() for f in fs if f.at <= as_of]
        only = [f for f in anchors if f.at <= as_of]
        joining = [f for f in roles if f.at <= as_of]
    # Grouped by case, not by time: sorted by time first, `in_order` then settles ties.
    ordered = in_order(sorted([*mine, *joining, *only], key=_at))
    tags: list[tuple[Any, ...]] = []
    run = replay_ordered(policy, ordered, as_of, weeks_from=None, note_tags=tags,
                         anchor_only=frozenset(id(f) for f in only))
    reads = read_when_met(policy) if kept is None else kept
    parts = {case: Part([], [], 0, [], [], {}, {}, {}, [], 0) for case in facts}
    keyed: dict[int, tuple[Any, ...]] = {}  # a fact's order key, made once
    for obligation in run.obligations:
        part = parts[obligation.case]  # type: ignore[index]
        part.total += 1
        done = obligation.fulfilled_by
        if (done is None or done.at > obligation.due or obligation.missing_year is not None
                or obligation.duty.id in reads):
            part.obligations.append(obligation)
            trigger = obligation.trigger
            if trigger is None:
                part.keys.append(_FIRST)
            else:
                key = keyed.get(id(trigger))
                if key is None:
                    key = keyed[id(trigger)] = order_key(trigger)
                part.keys.append(key)
    for (at, phase, i), note in zip(tags, run.notes, strict=True):
        fact = ordered[i]
        if fact.case is None:
            return None
        parts[fact.case].notes.append(note)
        parts[fact.case].note_keys.append((at, phase, order_key(fact)))
    for (case, kind), actor in run.first_actor.items():
        parts[case].first_actor[(case, kind)] = actor
    for case, tier in run.case_tier.items():
        parts[case].case_tier[case] = tier
    for kind, handled in run.handled.items():
        for at, case in handled:
            parts[case].handled.setdefault(kind, []).append((at, case))
    for forbidden in run.forbidden:
        parts[forbidden.fact.case].forbidden.append(forbidden)  # type: ignore[index]
    for case, own in facts.items():
        times = [f.at for f in own] if as_of == END else [f.at for f in own if f.at <= as_of]
        part = parts[case]
        part.facts = len(times)
        part.first_at, part.last_at = (min(times), max(times)) if times else (None, None)
    return parts


def merge(shared: Part, parts: Iterable[Part], as_of: datetime, *, facts_seen: int,
          facts_after: int, keep: Callable[[Obligation, Part], bool] | None = None,
          with_notes: bool = True) -> Replay:
    """One replay's worth of the parts: the shared part first among equals (it holds the
    recurring obligations and the role timeline). `keep`: the obligations to hold (all)."""
    every = [shared, *parts]
    streams: list[Iterable[tuple[tuple[Any, ...], Obligation]]]
    if keep is None:
        streams = [zip(p.keys, p.obligations, strict=True) for p in every]
    else:
        streams = [[(k, o) for k, o in zip(p.keys, p.obligations, strict=True) if keep(o, p)]
                   for p in every]
    obligations = [o for _, o in heapq.merge(*streams, key=_key)]
    notes = ([n for _, n in heapq.merge(*(zip(p.note_keys, p.notes, strict=True)
                                          for p in every), key=_key)]
             if with_notes else [])
    first_actor: dict[tuple[str, str], str] = {}
    case_tier: dict[str, str] = {}
    kinds: dict[str, list[list[tuple[datetime, str]]]] = {}
    for p in every:
        first_actor.update(p.first_actor)
        case_tier.update(p.case_tier)
        for kind, handled in p.handled.items():
            kinds.setdefault(kind, []).append(handled)
    run = Replay(as_of, obligations, shared.roles, first_actor, case_tier, facts_seen,
                 facts_after, 0, notes,
                 defaultdict(list, {kind: list(heapq.merge(*lists))
                                    for kind, lists in sorted(kinds.items())}))
    run.total_obligations = sum(p.total for p in every)
    run.forbidden = [f for _, f in heapq.merge(
        *([(order_key(f.fact), f) for f in p.forbidden] for p in every), key=_key)]
    return run


def _at(fact: Fact) -> datetime:
    return fact.at


def _key(pair: tuple[tuple[Any, ...], Any]) -> tuple[Any, ...]:
    return pair[0]
