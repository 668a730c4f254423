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
  reads a byte range of the file and sorts its lines by case with a cheap decode (type,
  case and id only: engine/sharing.py), sends each other worker its lines of the range,
  then decodes, checks and replays only the lines of its cases. No process reads the
  whole file. A fact's key is (`order_key`, line): the order `in_order` gives facts read in
  line order. Rejected lines and re-sent facts are counted by the worker owning the line,
  so they read exactly as with one reader.
"""

from __future__ import annotations

import contextlib
import copyreg
import heapq
import itertools
import multiprocessing
import threading
import time
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
from policyengine.engine.dormant import read_only_reduced
from policyengine.engine.obligation import Keyed, Obligation
from policyengine.engine.ordering import order_key
from policyengine.engine.replay import Forbidden, Replay, replay_ordered
from policyengine.engine.sharing import (
    BROADCAST,
    MAX_WORKERS,
    Mapped,
    Piece,
    Share,
    Status,
    Summary,
    byte_ranges,
    formed,
    joined_pieces,
    map_range,
    one_code_per_id,
    piece_of,
    read_share,
)
from policyengine.facts.schema import Fact
from policyengine.policy.checks import ROLE_FACT
from policyengine.wording import Line

# A fact's attributes may be a read-only mapping, which pickle refuses: it travels as a dict.
copyreg.pickle(MappingProxyType, read_only_reduced)

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


# Where the last `split_file` run's time went, in CPU seconds per step and process
# (benchmarks/split_benchmark.py --phases): "worker K: step".
PHASES: dict[str, tuple[float, float]] = {}

# The share of the file's bytes the parent reads and sorts, against 1 for each other
# worker: it alone merges, counts and writes the report afterwards.
PARENT_SHARE = 1.0


@dataclass(frozen=True)
class _Job:
    """What every process of a file split knows (inherited by fork, not pickled)."""

    policy: CompiledPolicy
    path: Path
    name: str
    as_of: datetime
    keep: Keep
    ranges: list[tuple[int, int]]
    began: float  # time.perf_counter() when the split began

    @property
    def workers(self) -> int:
        return len(self.ranges)


def split_file(policy: CompiledPolicy, path: Path, name: str, as_of: datetime, keep: Keep,
               workers: int) -> FileSplit | None:
    """Read, check and replay a JSON Lines file over `workers` forked processes (this one
    is the last). None when it cannot be done so (not JSON Lines, lone carriage returns,
    an id used by facts of two workers, a failure in a worker...): the caller then reads
    and replays in one process, which words every error as it always does.

    Each process k reads and sorts byte range k of the file (engine/sharing.py
    `map_range`), sends every other its lines of that range and gets its own lines of
    theirs (a thread sends while the process receives), then decodes, checks and replays
    its share. Worker 0 agrees the first fact of all and opens the recurring duties; the
    parent, the last worker, checks the file as a whole (its first line is JSON, every line
    of an id goes to the same workers) after its replay and merges the parts."""
    if not can_fork() or not can_split(policy, workers) or workers > MAX_WORKERS:
        return None
    if path.suffix.lower() == ".csv" or not path.is_file():
        return None
    PHASES.clear()
    job = _Job(policy, path, name, as_of, keep,
               byte_ranges(path.stat().st_size, [1.0] * (workers - 1) + [PARENT_SHARE]),
               time.perf_counter())
    context = multiprocessing.get_context("fork")
    ends: list[dict[int, Connection]] = [{} for _ in range(workers)]
    for j, k in itertools.combinations(range(workers), 2):
        ends[j][k], ends[k][j] = context.Pipe()
    me = workers - 1
    children = [context.Process(target=_child, args=(job, k, ends), daemon=True)
                for k in range(me)]
    split: FileSplit | None = None
    try:
        for child in children:
            child.start()
        _keep_only(ends, me)
        split = _worker(job, me, ends[me])
        return split
    except Exception:  # a worker died or gave up (out of memory, killed, an error met...)
        return None
    finally:
        for link in ends[me].values():
            link.close()
        if split is not None:
            # Every worker has sent all it had; ending (giving back its share's memory)
            # takes it a while, which the merge and the report need not wait for.
            threading.Thread(target=_ended, args=(children,), daemon=True).start()
        else:
            _ended(children)


def _keep_only(ends: list[dict[int, Connection]], k: int) -> None:
    """Close the pipe ends of the other processes (inherited by fork): a process that ends
    then ends its pipes, and its peers read EOFError instead of waiting for ever."""
    for j, links in enumerate(ends):
        if j != k:
            for link in links.values():
                link.close()


def _ended(children: list[Any]) -> None:
    for child in children:
        child.join(timeout=5)
        if child.is_alive():
            child.terminate()


def _child(job: _Job, k: int, ends: list[dict[int, Connection]]) -> None:
    _keep_only(ends, k)
    # Any error ends this process's part (its pipes close: its peers give up too); the
    # caller then reads the file in one process, which says what is wrong.
    with contextlib.suppress(Exception):
        _worker(job, k, ends[k])


class _Steps:
    """CPU time of one process's steps, and when each ended (seconds of wall time after
    the split began: the processes share the clock), for PHASES."""

    def __init__(self, k: int, began: float) -> None:
        self.k, self.began, self._last = k, began, time.process_time()
        self.times: dict[str, tuple[float, float]] = {}

    def done(self, step: str) -> None:
        now = time.process_time()
        self.times[f"worker {self.k}: {step} (CPU; ended at)"] = (
            now - self._last, time.perf_counter() - self.began)
        self._last = now


def _worker(job: _Job, k: int, links: dict[int, Connection]) -> FileSplit | None:
    """Process k's part of a file split; the parent's (the last) returns the merged replay.
    Any step that fails ends the process's part: its peers then read EOFError (a child)
    or it returns None (the parent)."""
    steps = _Steps(k, job.began)
    policy, workers, last = job.policy, job.workers, job.workers - 1
    mapped = map_range(job.path, *job.ranges[k], workers, policy.anchor_types)
    if mapped is None:
        return None
    steps.done("read and sort its byte range")
    sending = threading.Thread(target=_send_pieces, args=(mapped, k, links), daemon=True)
    sending.start()
    pieces: list[Piece | None] = [None] * workers
    statuses: list[Status | None] = [None] * workers
    for j, link in links.items():
        pieces[j], statuses[j] = link.recv()
    pieces[k], statuses[k] = piece_of(mapped, k), mapped.status()
    sending.join()
    own_ids = mapped.ids
    del mapped
    lines = joined_pieces([p for p in pieces if p is not None])
    del pieces
    steps.done("pieces sent and joined")
    share = read_share(policy.schema, job.name, lines, job.as_of)
    del lines
    steps.done("decode and check its lines")
    if k:
        links[0].send(share.first)
        first = None
    else:
        candidates = [f for f in [share.first, *(link.recv() for link in links.values())]
                      if f is not None]
        if not candidates:
            return None  # no fact up to as-of at all: one process says what it says
        first = min(candidates, key=line_key)  # (in a child, None: the parent reads EOF)
        steps.done("the first fact agreed")
    part = replay_share(policy, share, job.as_of, job.keep, first, k)
    steps.done("replay")
    if k != last:
        links[last].send((part, share.summary, steps.times))
        return None
    summary = share.summary
    share.ordered.clear()  # given back while the others finish
    steps.done("free its facts")
    # The file as a whole, checked while the others finish: its first line is JSON, every
    # line of an id goes to the same workers.
    known = [s for s in statuses if s is not None]
    if not (formed(known) and one_code_per_id([known[-1], *known[:-1]], own_ids)):
        return None
    steps.done("the file checked")
    others = [links[j].recv() for j in range(last)]
    steps.done("receive the others' parts")
    parts: list[Part] = [*(o[0] for o in others), part]
    summary = summary.joined([*(o[1] for o in others), summary])
    for o in others:
        PHASES.update(o[2])
    split = FileSplit(merge(policy, job.as_of, parts, summary.seen), summary)
    steps.done("merge")
    PHASES.update(steps.times)
    return split


def _send_pieces(mapped: Mapped, k: int, links: dict[int, Connection]) -> None:
    """Each other worker's lines of this range (the parent, the last, also gets what the
    check of the whole file needs); a peer that has gone is left: its end of the split
    fails anyway."""
    status, last = mapped.status(), len(links)
    with contextlib.suppress(OSError):
        for j, link in links.items():
            link.send((piece_of(mapped, j), status if j == last else None))


def replay_share(policy: CompiledPolicy, share: Share, as_of: datetime, keep: Keep,
                 first: Fact | None, k: int) -> Part:
    """Worker `k`'s replay of its share; `first` (the first fact of all) for the first.
    The facts it sends back are numbered at their lines in the file (`Share.in_file`)."""
    anchors = policy.anchor_types
    anchor_only = frozenset(id(f) for f in share.ordered
                            if f.type in anchors and share.file_line(f) in share.foreign)
    if share.numbers is None:
        return replay_part(policy, share.ordered, as_of, keep, first=first,
                           anchor_only=anchor_only, key=line_key, roles_too=k == 0)
    part = replay_part(policy, share.ordered, as_of, keep, first=first,
                       anchor_only=anchor_only, key=lambda f: (order_key(f), share.file_line(f)),
                       roles_too=k == 0)
    return _in_file(part, share)


def _in_file(part: Part, share: Share) -> Part:
    """`part` with the facts it names numbered at their lines in the file (a `Sent` is a
    typed tuple: a field added to it and not here fails mypy)."""
    def numbered(fact: Fact | None) -> Fact | None:
        return None if fact is None else share.in_file(fact)

    part.sent = [(s[0], s[1], s[2], s[3], s[4], numbered(s[5]), numbered(s[6]), s[7], s[8],
                  s[9], s[10], s[11], numbered(s[12])) for s in part.sent]
    part.forbidden = [(key, share.in_file(fact), prohibition, actor, seq)
                      for key, fact, prohibition, actor, seq in part.forbidden]
    return part


__all__ = ["BROADCAST", "FileSplit", "Part", "can_split", "merge", "parts_of", "replay_part",
           "replay_share", "split_file", "split_replay"]
