"""The replay split by case over worker processes (`evaluate --workers N`, `--engine dask`).

Cases are independent: a duty is opened, delayed and fulfilled by facts of one case. What
joins cases stays whole: every worker sees every role assignment (the role roster) and
every fact a deadline runs from (a meeting's end, replayed in full by its owner only), the
first worker alone sees the other facts without a case (the weekly report, duty W1) and
opens the recurring duties (weekly, monthly, ...: engine/recurring.py) from the first fact
of all, and the parent counts the monthly tiers (evaluate_replay runs over the merged
replay). Workers send back only the obligations the results look at (engine/evaluate.py
`triage`), with the facts they name and a key giving each fact's place in the one order of
all facts. The merge restores the order one replay makes obligations, notes and handled
cases in, so the results are the same, byte for byte, as with one process.

Two ways in:
- facts already read (`split_replay`, the library's `evaluate(..., workers=N)`): forked
  workers share the ordered facts, a fact's key is its position;
- a JSON Lines file (`split_file`, the command line): the workers read it themselves. Each
  sorts its slice of the lines by case with a cheap decode (type, case and id only:
  engine/sharing.py), then decodes, checks and replays only the lines of its cases. A
  fact's key is (`order_key`, line): the order `in_order` gives facts read in line order.
  Rejected lines and re-sent facts are counted by the worker owning the line, so they read
  exactly as with one reader.
"""

from __future__ import annotations

import contextlib
import copyreg
import heapq
import multiprocessing
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from types import MappingProxyType
from typing import Any

from policyengine.engine.cases import splits
from policyengine.engine.compiled import CompiledPolicy, Per
from policyengine.engine.obligation import Keyed, Obligation
from policyengine.engine.replay import Forbidden, Replay, order_key, replay_ordered
from policyengine.engine.sharing import (
    BROADCAST,
    FileLines,
    Share,
    Summary,
    distinct,
    file_lines,
    ids_agree,
    read_share,
    share_of,
    sort_lines,
)
from policyengine.facts.schema import Fact
from policyengine.policy.checks import ROLE_FACT
from policyengine.wording import Line


def _read_only(attrs: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType(attrs)


# A fact's attributes may be a read-only mapping, which pickle refuses: it travels as a dict.
copyreg.pickle(MappingProxyType, lambda m: (_read_only, (dict(m),)))

# (merge key, duty, case, opened at, due, trigger, fulfilment, history, pending date,
#  missing year, actor, seq, anchor)
Sent = tuple[Any, str, str | None, datetime, datetime, Fact | None, Fact | None,
             list[Line] | None, date | None, int | None, str | None, int, Fact | None]


@dataclass
class Part:
    """What one worker's replay sends back."""

    sent: list[Sent]
    tags: list[tuple[Any, ...]]  # per note: (time, phase, key of the fact it was made at)
    notes: list[Line]
    first_actor: dict[tuple[str, str], str]
    case_tier: dict[str, str]
    handled: dict[str, list[tuple[datetime, str]]]
    total_obligations: int
    roles: Any  # the first worker's role timeline (every worker sees every assignment)
    forbidden: list[tuple[Any, Fact, str, str | None, int]]  # (key, fact, prohibition, ...)


def can_split(policy: CompiledPolicy, workers: int) -> bool:
    """Splitting needs a policy where role assignments open, delay and close no duty, and
    with no decision table; the processes need fork (or a Dask cluster)."""
    return workers >= 2 and splits(policy)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


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


# -- one worker's replay -------------------------------------------------------------------

Keep = Callable[[Obligation], bool]


def replay_part(policy: CompiledPolicy, facts: list[Fact], as_of: datetime, keep: Keep, *,
                first: Fact | None, anchor_only: frozenset[int],
                key: Callable[[Fact], Any], roles_too: bool) -> Part:
    """The replay of one worker's facts (in order), holding what the merge needs: the
    obligations kept, each fact named with its `key` in the order of all facts."""
    tags: list[tuple[Any, ...]] = []
    run = replay_ordered(policy, facts, as_of, weeks_from=first, note_tags=tags,
                         anchor_only=anchor_only)
    sent: list[Sent] = []
    for o in run.obligations:
        if not keep(o):
            continue
        sent.append(((0,) if o.trigger is None else (1, key(o.trigger)), o.duty.id, o.case,
                     o.opened_at, o.due, o.trigger, o.fulfilled_by, o.history, o.pending,
                     o.missing_year, o.actor, o.seq, o.anchor))
    return Part(sent, [(at, phase, key(facts[i])) for at, phase, i in tags], run.notes,
                run.first_actor, run.case_tier, dict(run.handled), len(run.obligations),
                run.roles if roles_too else None,
                [(key(f.fact), f.fact, f.prohibition, f.actor, f.seq) for f in run.forbidden])


def merge(policy: CompiledPolicy, as_of: datetime, parts: list[Part], facts_seen: int) -> Replay:
    """One replay from the parts: in the order one process makes obligations (by trigger;
    recurring ones first, by the first worker), notes (time, phase, fact) and handled cases
    ((time, case) within a type)."""
    sent = heapq.merge(*(p.sent for p in parts), key=_first)
    obligations = [_rebuilt(policy, s) for s in sent]
    notes = [n for _, n in heapq.merge(*(zip(p.tags, p.notes, strict=True) for p in parts),
                                       key=_first)]
    first_actor: dict[tuple[str, str], str] = {}
    case_tier: dict[str, str] = {}
    handled: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for p in parts:
        first_actor.update(p.first_actor)
        case_tier.update(p.case_tier)
    for kind in sorted({kind for p in parts for kind in p.handled}):
        handled[kind] = list(heapq.merge(*(p.handled.get(kind, []) for p in parts)))
    run = Replay(as_of, obligations, parts[0].roles, first_actor, case_tier, facts_seen, 0, 0,
                 notes, handled)
    run.total_obligations = sum(p.total_obligations for p in parts)
    run.forbidden = [Forbidden(prohibition, fact, actor, seq) for _, fact, prohibition, actor, seq
                     in heapq.merge(*(p.forbidden for p in parts), key=_first)]
    return run


def _first(item: tuple[Any, ...]) -> Any:
    return item[0]


def _rebuilt(policy: CompiledPolicy, s: Sent) -> Obligation:
    _, duty, case, opened_at, due, trigger, fulfilled, history, pending, missing_year, actor, \
        seq, anchor = s
    compiled = policy.duties[duty]
    obligation = (Obligation if compiled.per is Per.CASE else Keyed)(
        compiled, case, trigger, opened_at, due)
    obligation.fulfilled_by = fulfilled
    obligation.history, obligation.pending, obligation.missing_year = history, pending, missing_year
    if isinstance(obligation, Keyed):
        obligation.actor, obligation.seq = actor, seq
    obligation.anchor = anchor
    return obligation


# -- facts already read --------------------------------------------------------------------

# What the workers inherit by fork: the policy, the ordered facts, the parts, as-of, the
# obligation filter. Set by `split_replay` just before the workers start.
_JOB: tuple[CompiledPolicy, list[Fact], list[list[int]], datetime, Keep] | None = None


def split_replay(policy: CompiledPolicy, ordered: list[Fact], as_of: datetime,
                 keep: Keep, parts: list[list[int]]) -> Replay | None:
    """The replay of `ordered` (in order, none after as-of, no duplicates) over the parts,
    one per process (this one does the first), holding only the obligations kept. None if
    a part failed: the caller replays in one process, which says what is wrong exactly as
    it always does (the first error in time, not the first a worker happened to meet)."""
    global _JOB
    if not can_fork():
        return None
    _JOB = (policy, ordered, parts, as_of, keep)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(len(parts) - 1) as pool:
            later = pool.map_async(_replay_positions, range(1, len(parts)))
            first = _replay_positions(0)
            results = [first, *later.get()]
    finally:
        _JOB = None
    if any(r is None for r in results):
        return None
    return merge(policy, as_of, [r for r in results if r is not None], len(ordered))


def _replay_positions(k: int) -> Part | None:
    """One part's replay, or None if it raised (an error travels badly between processes)."""
    assert _JOB is not None
    policy, ordered, parts, as_of, keep = _JOB
    try:
        positions = parts[k]
        facts = [ordered[p] for p in positions]
        anchors = policy.anchor_types
        anchor_only = frozenset(id(f) for f in facts
                                if f.type in anchors and owner(f, len(parts)) != k)
        where = {id(fact): p for fact, p in zip(facts, positions, strict=True)}
        return replay_part(policy, facts, as_of, keep, first=ordered[0] if k == 0 else None,
                           anchor_only=anchor_only, key=lambda f: where[id(f)],
                           roles_too=k == 0)
    except Exception:
        return None


# -- a file read by the workers themselves -------------------------------------------------


def line_key(fact: Fact) -> tuple[Any, ...]:
    """A fact's place in the order of all facts read from one file (`in_order` sorts
    stably by `order_key`; facts come in line order)."""
    return (order_key(fact), fact.line)


@dataclass
class FileSplit:
    """A file's facts read and replayed by the workers: the merged replay, and what the
    reader says of the file (rejections in line order, counts)."""

    run: Replay
    summary: Summary  # what the reader says, over every worker


# What the forked workers inherit: the policy, the lines, the file's name, as-of, the
# obligation filter, the number of workers.
_FILE_JOB: tuple[CompiledPolicy, FileLines, str, datetime, Keep, int] | None = None


def split_file(policy: CompiledPolicy, path: Path, name: str, as_of: datetime, keep: Keep,
               workers: int) -> FileSplit | None:
    """Read, check and replay a JSON Lines file over `workers` forked processes (this one
    is the first). None when it cannot be done so (not JSON Lines, lone carriage returns,
    an id used by facts of two workers, a failure in a worker...): the caller then reads
    and replays in one process, which words every error as it always does."""
    global _FILE_JOB
    if not can_fork() or not can_split(policy, workers):
        return None
    lines = file_lines(path)
    if lines is None:
        return None
    _FILE_JOB = (policy, lines, name, as_of, keep, workers)
    context = multiprocessing.get_context("fork")
    pipes = [context.Pipe() for _ in range(workers - 1)]
    children = [context.Process(target=_child, args=(k, there), daemon=True)
                for k, (_, there) in enumerate(pipes, start=1)]
    split: FileSplit | None = None
    try:
        for child in children:
            child.start()
        split = _parent([here for here, _ in pipes])
        return split
    except (EOFError, OSError):  # a worker died (out of memory, killed): one process reads
        return None
    finally:
        _FILE_JOB = None
        for here, there in pipes:
            here.close()
            there.close()
        if split is not None:
            # Every worker has sent all it had; ending (giving back its share's memory)
            # takes it a while, which the merge and the report need not wait for.
            threading.Thread(target=_ended, args=(children,), daemon=True).start()
        else:
            _ended(children)


def _ended(children: list[Any]) -> None:
    for child in children:
        child.join(timeout=5)
        if child.is_alive():
            child.terminate()


def _slice(k: int, count: int, workers: int) -> tuple[int, int]:
    return k * count // workers, (k + 1) * count // workers


def _parent(links: list[Connection]) -> FileSplit | None:
    assert _FILE_JOB is not None
    policy, lines, name, as_of, keep, workers = _FILE_JOB
    count = len(lines.raw)
    try:
        mine = sort_lines(lines.raw, *_slice(0, count, workers), workers, policy.anchor_types)
        own = None if mine is None else distinct(mine[1])  # while the others sort
    except Exception:
        mine = own = None
    theirs = [link.recv() for link in links]
    slices = [mine, *(t and t[:2] for t in theirs)]
    if any(s is None for s in slices) or not (
            _apart(own, theirs) or ids_agree(lines.raw, slices, workers, policy.anchor_types)):
        for link in links:
            link.send(None)
        return None
    codes = b"".join(bytes(s[0]) for s in slices if s is not None)
    for link in links:
        link.send(codes)
    try:
        share = read_share(policy.schema, name, share_of(lines, codes, 0), as_of,
                           file_lines=len(lines.raw))
    except Exception:
        share = None
    firsts = [link.recv() for link in links]
    candidates = [f for f in [share and share.first, *firsts] if f]
    if share is None or any(f is False for f in firsts) or not candidates:
        for link in links:  # (no fact up to as-of at all: one process says what it says)
            link.send(False)
        return None
    for link in links:
        link.send(True)
    first = min(candidates, key=line_key)
    try:
        part: Part | None = replay_share(policy, share, as_of, keep, first, 0)
    except Exception:
        part = None
    # What only this replay read is given back while the others finish theirs (freeing a
    # million lines and half a million facts takes a few tenths of a second).
    lines.raw.clear()
    share.ordered.clear()
    others = [link.recv() for link in links]
    if part is None or any(o is None for o in others):
        return None
    parts: list[Part] = [part, *(o[0] for o in others)]
    summaries = [share.summary, *(o[1] for o in others)]
    summary = summaries[0].joined(summaries)
    return FileSplit(merge(policy, as_of, parts, summary.seen), summary)


def _apart(own: set[int] | None, theirs: list[Any]) -> bool:
    """Whether the id hashes of each slice are distinct and no two slices share one (the
    usual case, checked in one pass over the others' hashes): then every line of an id goes
    to the same workers. Else `ids_agree` looks at the repeated ids exactly."""
    if own is None or not all(t[2] for t in theirs):
        return False
    for i, t in enumerate(theirs):
        if not own.isdisjoint(t[1]):
            return False
        if i < len(theirs) - 1:
            own.update(t[1])
    return True


def _child(k: int, link: Connection) -> None:
    with contextlib.suppress(EOFError, OSError):  # the parent gave up and closed its end
        _child_steps(k, link)


def _child_steps(k: int, link: Connection) -> None:
    assert _FILE_JOB is not None
    policy, lines, name, as_of, keep, workers = _FILE_JOB
    try:
        done = sort_lines(lines.raw, *_slice(k, len(lines.raw), workers), workers,
                          policy.anchor_types)
        link.send(done and (*done, distinct(done[1]) is not None))
    except Exception:
        link.send(None)
        return
    codes = link.recv()
    if codes is None:
        return
    try:
        share = read_share(policy.schema, name, share_of(lines, codes, k), as_of,
                           file_lines=len(lines.raw))
        link.send(share.first)
    except Exception:
        link.send(False)
        return
    if not link.recv():
        return
    try:
        link.send((replay_share(policy, share, as_of, keep, None, k), share.summary))
    except Exception:
        link.send(None)


def replay_share(policy: CompiledPolicy, share: Share, as_of: datetime, keep: Keep,
                 first: Fact | None, k: int) -> Part:
    """Worker `k`'s replay of its share; `first` (the first fact of all) for the first."""
    anchors = policy.anchor_types
    anchor_only = frozenset(id(f) for f in share.ordered
                            if f.line in share.foreign and f.type in anchors)
    return replay_part(policy, share.ordered, as_of, keep, first=first,
                       anchor_only=anchor_only, key=line_key, roles_too=k == 0)


__all__ = ["BROADCAST", "FileSplit", "Part", "can_split", "merge", "parts_of", "replay_part",
           "replay_share", "split_file", "split_replay"]
