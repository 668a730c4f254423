"""The streaming evaluation of a fact file: memory bounded by the open cases, not the history.

`evaluate_file` gives the result `read_facts` + `evaluate` give (byte for byte), without a
list of every fact:

- A file sorted by time (as the replay orders it, `order_key`) is replayed as it is read:
  facts of one instant are gathered (the replay's tie rules need them together) and put in
  `order_key` order, each instant checked to be no earlier than the one before.
- A file found out of order is sorted on disk first (`spill.sorted_on_disk`): an external
  merge sort in a temporary directory, deleted after (docs/decisions.md D31).
- Re-sent facts (same id, same content) share their time, so they meet within one instant:
  dropped and counted there. An id used at two instants is a conflict, which the reader
  rejects at every use, the first one included: each id's hash goes to disk
  (`IdHashes`; not while the ids rise in file order: none can repeat), and if one comes
  back twice the file is read again for those ids only and then replayed again knowing
  them (rare: a file with conflicting ids).
- What no result of the period reads is dropped once nothing can change it (`Unread`); a
  delayable commitment only a late delay could change, and an obligation open across a
  whole compaction, sleep on disk (engine/dormant.py); the deadline rules' memos are
  forgotten at each compaction (`_deadline_memos`).

What runs per fact (the facts of each instant, their replay) is in engine/instants.py,
compiled with mypyc; this module stays Python (docs/decisions.md D60).
"""

from __future__ import annotations

import itertools
import json
import tempfile
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from policyengine import scratch
from policyengine.engine import spill
from policyengine.engine.compaction import Compaction
from policyengine.engine.compiled import CompiledDuty, CompiledPolicy, Per
from policyengine.engine.deadlines import Versioned, Weekly
from policyengine.engine.dormant import Dormant, FirstActors, Latest, OpenFor
from policyengine.engine.dueof import OnDate, SameWhile
from policyengine.engine.instants import Runs, Unsorted, replay_instants
from policyengine.engine.replay import (
    Replay,
    RoleTimeline,
    _State,
)
from policyengine.errors import Location
from policyengine.facts.messages import FactSay
from policyengine.facts.reader import FactStream, Rejection
from policyengine.facts.schema import DUPLICATE_ID, Fact, Reason

_BUCKETS = 64          # files the id hashes are spread over
_BUCKET_FLUSH = 8192   # hashes a bucket holds in memory before it is appended to its file
_COMPACT_FROM = 65_536  # obligations made before the stream first drops what no result reads


class IdHashes:
    """The hash of every fact id met, kept on disk: which hashes came more than once.

    Memory stays at most `_BUCKETS * _BUCKET_FLUSH` hashes however long the file. Two ids
    with one hash (rare) only cost a second look at those ids, never a wrong result.
    """

    def __init__(self, directory: Path):
        self.directory = directory
        self.buckets = [array("q") for _ in range(_BUCKETS)]

    def add(self, fact_id: str) -> None:
        value = hash(fact_id)
        bucket = self.buckets[value & (_BUCKETS - 1)]
        bucket.append(value)
        if len(bucket) >= _BUCKET_FLUSH:
            self.flush(value & (_BUCKETS - 1))

    def flush(self, index: int) -> None:
        with (self.directory / f"ids-{index}").open("ab") as out:
            self.buckets[index].tofile(out)
        self.buckets[index] = array("q")

    def repeated(self) -> set[int]:
        """The hashes added more than once."""
        twice: set[int] = set()
        for index in range(_BUCKETS):
            values = array("q")
            path = self.directory / f"ids-{index}"
            if path.exists():
                with path.open("rb") as handle:
                    values.frombytes(handle.read())
            values.extend(self.buckets[index])
            seen: set[int] = set()
            for value in values:
                if value in seen:
                    twice.add(value)
                seen.add(value)
        return twice


@dataclass
class Plan:
    """What the reader's duplicate check decides for the ids used at two instants: the lines
    not evaluated, the rejections, and the re-sent facts among them."""

    skip: set[int] = field(default_factory=set)
    rejected: list[Rejection] = field(default_factory=list)
    duplicates: int = 0


@dataclass(frozen=True)
class Unread:
    """What no result of the evaluation reads: the replay drops it as it goes (memory).

    An obligation fulfilled is dropped once nothing can change it any more (see `final`) and
    no result reads it: met in time and of a duty in `met`, or due outside `outside` (the
    period's [start, end)) and of a duty not in `always_read` (quarterly rewards).
    `by_case` False: case tiers and the facts handled per reward are not read either
    (only quarterly rewards read them).
    """

    met: frozenset[str]
    outside: tuple[datetime, datetime] | None = None
    always_read: frozenset[str] = frozenset()
    by_case: bool = True
    keep_case: str | None = None  # every obligation of this case is kept (`explain --case`)


def replay_runs(policy: CompiledPolicy, runs: Iterable[list[Fact]], as_of: datetime, *,
                unread: Unread | None = None, directory: Path | None = None) -> Replay:
    """`replay_ordered` over the facts of each instant as they come (none after `as_of`):
    the same phases in the same order (replay.py `_replay_untagged`), with no list of all
    facts. With `unread`, what no result reads is dropped as the replay goes; with
    `directory` too, delayable commitments no result reads sleep on disk (engine/dormant.py)."""
    roles = RoleTimeline({name: spec.default for name, spec in policy.model.roles.items()
                          if spec.assigned})
    state = _State(policy, roles)
    dormant = None
    # The first actors of cases no obligation in memory names wait on disk (results read
    # them only at the end, for the obligations left).
    actors = FirstActors(directory) if unread is not None and directory is not None else None
    if unread is not None and directory is not None:
        dormant = Dormant(policy, directory, state.obligations)
        for duty in policy.duties.values():
            if duty.extension is not None:
                state.latest[duty.id] = Latest(duty.id, dormant, state.latest[duty.id])
            if _may_sleep_open(duty):
                state.open_for[duty.id] = OpenFor(duty.id, dormant, state.open_for[duty.id])
        dormant.attach(state.open_for, state.latest)
        state.bind()  # the slots hold the tables that took the duties' places
    obligations = state.obligations
    memos = _deadline_memos(policy) if unread is not None else []

    def compact() -> int:
        """What no result reads dropped, what may sleep put to sleep; the next limit."""
        state.dropped += _drop_unread(state, unread, dormant)  # type: ignore[arg-type]
        for memo in memos:
            memo.clear()
        if actors is not None:
            actors.sleep(state.first_actor, {o.case for o in obligations})
        return max(_COMPACT_FROM, 2 * len(obligations))

    try:
        seen = replay_instants(state, runs, as_of,
                               _COMPACT_FROM if unread is not None else 1 << 62, compact)
        dropped = state.dropped
        if unread is not None:  # no fact comes any more: whatever no result reads goes
            dropped += _drop_unread(state, unread, dormant, ended=True)
        if dormant is not None:  # the results list every open obligation
            dormant.wake_open()
        if actors is not None:
            actors.wake(state.first_actor, {o.case for o in obligations})
        if dormant is not None:
            # A woken obligation was counted when it fell asleep, and is in `obligations` again.
            dropped -= dormant.woken
    finally:
        if dormant is not None:
            dormant.close()  # also when the file turns out unsorted (`Unsorted`)
    replayed = Replay(as_of, obligations, roles, state.first_actor, state.case_tier, seen, 0, 0,
                      state.notes, state.handled, case_values=state.case_values,
                      forbidden=state.forbidden)
    if unread is not None:
        replayed.total_obligations = len(obligations) + dropped
    return replayed


def _deadline_memos(policy: CompiledPolicy) -> list[dict[Any, Any]]:
    """The deadline rules' memos (engine/deadlines.py: an answer per trigger day and side of
    a clock, per rule), which grow with the days of the history. Facts come in time order,
    so the days behind are not asked again but by a late re-timing, which computes its
    answer anew: the stream forgets them at each compaction (the answers are the same).
    So do the answers their one-call forms keep by date (engine/dueof.py)."""
    memos: dict[int, dict[Any, Any]] = {}
    rules: list[Any] = [d.deadline for d in policy.duties.values() if d.deadline is not None]
    while rules:
        rule = rules.pop()
        memo = getattr(rule, "_memo", None)
        if isinstance(memo, dict):
            memos[id(memo)] = memo
        fast = rule.fast_due  # made now if not yet: the replay's are the same objects
        for kept in ((fast.early, fast.late) if isinstance(fast, SameWhile)
                     else (fast.kept,) if isinstance(fast, OnDate) else ()):
            memos[id(kept)] = kept
        if isinstance(rule, Versioned):
            rules.append(rule.base)
            rules.extend(version for _, version in rule.changes)
        elif isinstance(rule, Weekly) and rule.cutoff is not None:
            rules.append(rule.cutoff)
    return list(memos.values())


def _may_sleep_open(duty: CompiledDuty) -> bool:
    """Whether an open obligation of `duty` can sleep (`OpenFor`): kept by case in
    `open_for` (not keyed otherwise, not recurring: those are looked for elsewhere)."""
    return duty.recurring is None and duty.per is Per.CASE


def _drop_unread(state: _State, unread: Unread, dormant: Dormant | None, *,
                 ended: bool = False) -> int:
    """Drop, in place and keeping the order, the obligations `unread` says no result reads
    and nothing can change (`ended`: no fact comes any more, nothing can), put to sleep
    those only a late delay could change, and (with `dormant`, not `ended`) those open since
    before the last compaction; return how many left `obligations`."""
    if not unread.by_case:
        state.case_tier.clear()
        state.handled.clear()
    obligations = state.obligations
    before = len(obligations)
    # Open since the last compaction at least: an obligation numbered then (`settled`)
    settled = -1
    if dormant is not None:
        settled = -1 if ended else dormant.made
        dormant.number()
    kept = Compaction(state, dormant, met=unread.met, outside=unread.outside,
                      always_read=unread.always_read, keep_case=unread.keep_case, ended=ended,
                      settled=settled).kept(obligations)
    obligations[:] = itertools.compress(obligations, kept)
    if dormant is not None:
        dormant.ordinals = array("q", itertools.compress(dormant.ordinals, kept))
        dormant.flush()
    return before - len(obligations)


@dataclass
class StreamedFacts:
    """What the reading of a streamed file found, as `FactBatch` says it for a list."""

    rejected: list[Rejection]
    lines: int
    duplicates: int
    kept: int  # facts accepted, re-sent ones not counted


def replay_file(policy: CompiledPolicy, stream: FactStream, as_of: datetime, *,
                unread: Unread | None = None, case_facts: list[Fact] | None = None
                ) -> tuple[Replay, StreamedFacts]:
    """The replay of a file's facts up to `as_of`, as `replay` gives it over the list that
    `read_facts` reads, and what the reading found (rejected lines, re-sent facts). With
    `case_facts`, the facts replayed of `unread.keep_case` are put there, in replay order."""
    with tempfile.TemporaryDirectory(prefix=scratch.prefix()) as name:
        directory = Path(name)
        try:
            return _replay_pass(policy, stream, as_of, unread, directory, None, False,
                                case_facts)
        except Unsorted:
            pass
        spilled = directory / "sorted"
        spilled.mkdir()
        return _replay_pass(policy, stream, as_of, unread, spilled, None, True, case_facts)


def _watching(runs: Iterable[list[Fact]], case: str | None, into: list[Fact]
              ) -> Iterator[list[Fact]]:
    """The runs as they come, the facts of `case` copied to `into` on the way."""
    into.clear()  # a pass begun again (unsorted, an id used twice) starts over
    for run in runs:
        for fact in run:
            if fact.case == case:
                into.append(fact)
        yield run


def _replay_pass(policy: CompiledPolicy, stream: FactStream, as_of: datetime,
                 unread: Unread | None, directory: Path, plan: Plan | None,
                 sort_first: bool, case_facts: list[Fact] | None = None
                 ) -> tuple[Replay, StreamedFacts]:
    facts: Iterable[Fact] = stream
    if plan is not None and plan.skip:
        skip = plan.skip
        facts = (f for f in stream if f.line not in skip)
    if sort_first:
        facts = spill.sorted_on_disk(facts, directory, stream.name)
    ids = IdHashes(directory) if plan is None else None
    # In file order (not sorted on disk): ids that rise need no hash (`Runs`)
    runs = Runs(facts, as_of, policy.calendar.tz, ids,
                None if sort_first else partial(_ids_before, stream))
    replayed = replay_runs(policy, runs if case_facts is None else _watching(
        runs, unread.keep_case if unread is not None else None, case_facts), as_of,
        unread=unread, directory=directory)
    if ids is not None:
        repeated = ids.repeated()
        if repeated or runs.conflicted:
            # An id used again at another instant (or for another fact at one instant): what
            # the reader decides for it is found by reading those ids again, then all is
            # replayed knowing it.
            found = _plan(stream, repeated, runs.conflicted)
            return _replay_pass(policy, stream, as_of, unread, directory, found, sort_first,
                                case_facts)
    rejected = stream.rejected
    duplicates = runs.duplicates
    if plan is not None:
        rejected = sorted([*rejected, *plan.rejected], key=_line_of)
        duplicates += plan.duplicates
    replayed.facts_after_as_of, replayed.duplicates = runs.after_as_of, duplicates
    return replayed, StreamedFacts(rejected, stream.lines, duplicates, runs.kept)


def _ids_before(stream: FactStream, line: int) -> Iterator[str]:
    """The ids of the facts of `stream`'s file before `line`, read again (apart: the pass
    under way keeps its own rejected lines and counts)."""
    again = FactStream(stream.path, stream.schema, name=stream.name, fmt=stream.fmt)
    for number, _, fact in again.rows():
        if number >= line:
            break
        if fact.id is not None:
            yield fact.id


def _line_of(rejection: Rejection) -> int:
    return rejection.location.line or 0


def _plan(stream: FactStream, hashes: set[int], ids: set[str]) -> Plan:
    """The reader's decisions (facts/reader.py `collect`) for the facts whose id is in `ids`
    or hashes to one of `hashes`: a re-sent fact is dropped and counted until its id is used
    for a different fact; from then on every use, the first included, is rejected."""
    uses: dict[str, list[tuple[int, str, Fact]]] = {}
    for number, text, fact in stream.rows():
        fact_id = fact.id
        if fact_id is not None and (fact_id in ids or hash(fact_id) in hashes):
            uses.setdefault(fact_id, []).append((number, text, fact))
    plan = Plan()
    name = stream.name
    for fact_id, found in uses.items():
        _, _, first = found[0]
        conflicted = False
        for number, text, fact in found[1:]:
            plan.skip.add(number)
            if not conflicted and fact.content() == first.content():
                plan.duplicates += 1
                continue
            conflicted = True
            # Rows carry the line as read (facts/fastpath.py `rows`); rejections show it
            # stripped, as `collect` does.
            plan.rejected.append(Rejection(Location(name, number), text.strip(), (Reason(
                DUPLICATE_ID, FactSay.ID_ALSO_AT(id=fact_id, line=first.line)),)))
        if conflicted:
            plan.skip.add(found[0][0])
            plan.rejected.append(Rejection(
                Location(name, first.line or 0), json.dumps(first.to_dict(), ensure_ascii=False),
                (Reason(DUPLICATE_ID, FactSay.ID_USED_AGAIN(id=fact_id)),)))
    return plan

