"""The replay split by case over worker processes (`evaluate --workers N`).

Cases are independent: a duty is opened, delayed and fulfilled by facts of one case. What
joins cases stays whole: every worker sees every role assignment (the role roster) and
every fact a deadline runs from (a meeting's end, replayed in full by one worker only), the
first worker alone sees the other facts without a case (the weekly report, duty W1) and
opens the recurring duties (weekly, monthly, ...: engine/recurring.py) from the first fact
of all, and the parent counts the monthly
tiers (evaluate_replay runs over the merged replay). Workers send back only the
obligations the results look at (engine/evaluate.py `triage`), naming facts by their
position in the ordered facts, which the workers share with the parent by `fork`. The
merge restores the order one replay makes obligations, notes and handled cases in, so the
results are the same, byte for byte, as with one process.
"""

from __future__ import annotations

import heapq
import multiprocessing
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from policyengine.engine.compiled import CompiledPolicy, Per
from policyengine.engine.obligation import Keyed, Obligation
from policyengine.engine.replay import Forbidden, Replay, replay_ordered
from policyengine.facts.schema import Fact
from policyengine.policy.checks import ROLE_FACT
from policyengine.wording import Line

# (trigger position or -1, duty, case, opened at, due, fulfilment position or -1,
#  history, pending date, missing year, actor, seq, anchor position or -1)
Sent = tuple[int, str, str | None, datetime, datetime, int, list[Line] | None, date | None,
             int | None, str | None, int, int]
# A forbidden fact: (position, prohibition, actor, seq)
SentForbidden = tuple[int, str, str | None, int]
Part = tuple[list[Sent], list[tuple[Any, ...]], list[Line], dict[tuple[str, str], str],
             dict[str, str], dict[str, list[tuple[datetime, str]]], int, Any,
             list[SentForbidden]]

# What the workers inherit by fork: the policy, the ordered facts, the parts, as-of, the
# obligation filter. Set by `split_replay` just before the workers start.
_JOB: tuple[CompiledPolicy, list[Fact], list[list[int]], datetime,
            Callable[[Obligation], bool]] | None = None


def can_split(policy: CompiledPolicy, workers: int) -> bool:
    """Splitting needs fork (workers share the facts without copying them) and a policy
    where role assignments open, delay and close no duty, and with no decision table."""
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return False
    if policy.decisions:  # the case values they set are not merged back (yet): one process
        return False
    return not any(ROLE_FACT in table for table in
                   (policy.by_trigger, policy.by_fulfil, policy.by_extension))


def owner(fact: Fact, workers: int) -> int:
    """The worker that replays a fact in full: its case's, or the first for one without."""
    return 0 if fact.case is None else hash(fact.case) % workers


def parts_of(ordered: list[Fact], workers: int,
             anchor_types: frozenset[str] = frozenset()) -> list[list[int]] | None:
    """Positions of the facts each worker replays: its cases, every role assignment, and
    for the first worker every other fact without a case. Facts some deadline runs from
    (`anchor_types`: a meeting's end times the decisions of every case) go to every worker;
    only their owner replays them in full. None if a role assignment names a case (it would
    belong to two workers)."""
    parts: list[list[int]] = [[] for _ in range(workers)]
    everyone = range(workers)
    for position, fact in enumerate(ordered):
        case = fact.case
        if fact.type == ROLE_FACT:
            if case is not None:
                return None
            for k in everyone:
                parts[k].append(position)
        elif fact.type in anchor_types:
            for k in everyone:
                parts[k].append(position)
        else:
            parts[owner(fact, workers)].append(position)
    return parts


def split_replay(policy: CompiledPolicy, ordered: list[Fact], as_of: datetime,
                 keep: Callable[[Obligation], bool], parts: list[list[int]]) -> Replay | None:
    """The replay of `ordered` (in order, none after as-of, no duplicates) over the parts,
    one per process (this one does the first), holding only the obligations kept. None if
    a part failed: the caller replays in one process, which says what is wrong exactly as
    it always does (the first error in time, not the first a worker happened to meet)."""
    global _JOB
    _JOB = (policy, ordered, parts, as_of, keep)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(len(parts) - 1) as pool:
            later = pool.map_async(_replay_part, range(1, len(parts)))
            first = _replay_part(0)
            results = [first, *later.get()]
    finally:
        _JOB = None
    if any(r is None for r in results):
        return None
    return _merge(policy, ordered, as_of, [r for r in results if r is not None])


def _replay_part(k: int) -> Part | None:
    """One part's replay, or None if it raised (an error travels badly between processes)."""
    try:
        return _replay(k)
    except Exception:
        return None


def _replay(k: int) -> Part:
    assert _JOB is not None
    policy, ordered, parts, as_of, keep = _JOB
    positions = parts[k]
    facts = [ordered[p] for p in positions]
    anchors = policy.anchor_types
    anchor_only = frozenset(id(f) for f in facts
                            if f.type in anchors and owner(f, len(parts)) != k)
    tags: list[tuple[Any, ...]] = []
    run = replay_ordered(policy, facts, as_of, weeks_from=ordered[0] if k == 0 else None,
                         note_tags=tags, anchor_only=anchor_only)
    where = {id(fact): p for fact, p in zip(facts, positions, strict=True)}
    sent: list[Sent] = []
    for o in run.obligations:
        if not keep(o):
            continue
        sent.append((-1 if o.trigger is None else where[id(o.trigger)], o.duty.id, o.case,
                     o.opened_at, o.due,
                     -1 if o.fulfilled_by is None else where[id(o.fulfilled_by)],
                     o.history, o.pending, o.missing_year, o.actor, o.seq,
                     -1 if o.anchor is None else where[id(o.anchor)]))
    tags = [(at, phase, positions[i]) for at, phase, i in tags]
    forbidden = [(where[id(f.fact)], f.prohibition, f.actor, f.seq) for f in run.forbidden]
    return (sent, tags, run.notes, run.first_actor, run.case_tier, dict(run.handled),
            len(run.obligations), run.roles if k == 0 else None, forbidden)


def _merge(policy: CompiledPolicy, ordered: list[Fact], as_of: datetime,
           results: list[Part]) -> Replay:
    # Obligations are made in the order of their trigger (recurring ones first, by the first
    # worker); notes by (time, phase, position); handled cases by (time, case) within a type.
    sent = heapq.merge(*(r[0] for r in results), key=lambda s: s[0])
    obligations = [_rebuilt(policy, ordered, s) for s in sent]
    notes = [n for _, n in heapq.merge(*(zip(r[1], r[2], strict=True) for r in results),
                                       key=lambda tn: tn[0])]
    first_actor: dict[tuple[str, str], str] = {}
    case_tier: dict[str, str] = {}
    handled: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    kinds = sorted({kind for r in results for kind in r[5]})
    for r in results:
        first_actor.update(r[3])
        case_tier.update(r[4])
    for kind in kinds:
        handled[kind] = list(heapq.merge(*(r[5].get(kind, []) for r in results)))
    roles = results[0][7]
    run = Replay(as_of, obligations, roles, first_actor, case_tier, len(ordered), 0, 0, notes,
                 handled)
    run.total_obligations = sum(r[6] for r in results)
    run.forbidden = [Forbidden(prohibition, ordered[position], actor, seq)
                     for position, prohibition, actor, seq
                     in heapq.merge(*(r[8] for r in results), key=lambda f: f[0])]
    return run


def _rebuilt(policy: CompiledPolicy, ordered: list[Fact], s: Sent) -> Obligation:
    trigger, duty, case, opened_at, due, fulfil, history, pending, missing_year, actor, seq, \
        anchor = s
    compiled = policy.duties[duty]
    obligation = (Obligation if compiled.per is Per.CASE else Keyed)(
        compiled, case, ordered[trigger] if trigger >= 0 else None, opened_at, due)
    if fulfil >= 0:
        obligation.fulfilled_by = ordered[fulfil]
    obligation.history, obligation.pending, obligation.missing_year = history, pending, missing_year
    if isinstance(obligation, Keyed):
        obligation.actor, obligation.seq = actor, seq
    if anchor >= 0:
        obligation.anchor = ordered[anchor]
    return obligation
