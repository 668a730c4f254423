"""The hot loops of the streamed replay (engine/stream.py), compiled with mypyc: facts in
time order gathered by instant (`Runs`), and each instant replayed (`replay_instants`).

Apart from stream.py, which stays Python: what it does once per file or per compaction
(sleeping on disk, reading ids again) is where its tests watch it, and a compiled module
calls its own functions directly, past a test's stand-in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, tzinfo
from typing import Protocol

from mypy_extensions import mypyc_attr

from policyengine.engine.ordering import instant_in_order, wall_bounds
from policyengine.engine.replay import _State, act_alone, act_at_once
from policyengine.facts.schema import Fact


class Unsorted(Exception):
    """A fact earlier than the one before it: the file is not in time order."""


class IdSet(Protocol):
    """Where the ids met are kept to find one used twice (stream.py `IdHashes`)."""

    def add(self, fact_id: str) -> None: ...


# Subclassed by tests, which count what a pass reads.
@mypyc_attr(allow_interpreted_subclasses=True)
class Runs:
    """Facts in time order -> the facts of each instant up to `as_of`, in `order_key` order,
    re-sent facts dropped. Counts what the result's statistics need.

    With `prefix` (the facts come in file order), the ids are kept only once one is not
    greater than the one before: while every id rises (files numbered as written), none can
    repeat. At the first that does not, `prefix(line)` gives the ids of the facts before
    that line, kept then, and every id after is kept as it comes.
    """

    def __init__(self, facts: Iterable[Fact], as_of: datetime, tz: tzinfo, ids: IdSet | None,
                 prefix: Callable[[int], Iterable[str]] | None = None):
        self.facts, self.as_of, self.ids, self.prefix = facts, as_of, ids, prefix
        # The facts carry the calendar's zone `tz`: an instant is compared with the as-of
        # moved there (ordering.py `wall_bounds`), not with an as-of of another zone, which
        # asks both zones their offsets each time (0.44 s over the 1M benchmark file's
        # facts; this whole loop over them now takes 0.24 s, D71).
        self.surely, self.never = wall_bounds(as_of, tz)
        self.duplicates = 0
        self.after_as_of = 0
        self.kept = 0
        self.conflicted: set[str] = set()  # ids used for two different facts of one instant
        self.rose = True  # every id so far greater than the one before (with `prefix`)

    def __iter__(self) -> Iterator[list[Fact]]:
        # Runs once per fact: the usual fact, alone at its instant, costs one comparison of
        # times and one of ids (or keeping its id); the ids of an instant are compared only
        # when it has several.
        ids = self.ids
        rising = ids is not None and self.prefix is not None
        last = ""  # the greatest id so far, while they rise
        run: list[Fact] = []
        at: datetime | None = None
        seen: dict[str, Fact] | None = None
        for fact in self.facts:
            moment = fact.at
            fact_id = fact.id
            if at is None or moment != at:
                if run:
                    assert at is not None
                    ended = self._close(run, at)
                    if ended is not None:
                        yield ended
                    if moment < at:
                        raise Unsorted(fact)
                at, run, seen = moment, [fact], None
                if fact_id is not None and ids is not None:
                    if rising:
                        if fact_id > last:
                            last = fact_id
                            continue
                        rising = self._stop_rising(fact)
                    ids.add(fact_id)
                continue
            if fact_id is not None:
                if seen is None:
                    seen = {f.id: f for f in run if f.id is not None}
                earlier = seen.get(fact_id)
                if earlier is None:
                    seen[fact_id] = fact
                    if rising and fact_id > last:
                        last = fact_id
                    elif ids is not None:
                        if rising:
                            rising = self._stop_rising(fact)
                        ids.add(fact_id)
                elif earlier.content() == fact.content():
                    self.duplicates += 1
                    continue
                else:
                    self.conflicted.add(fact_id)
            run.append(fact)
        if run:
            assert at is not None
            ended = self._close(run, at)
            if ended is not None:
                yield ended

    def _close(self, run: list[Fact], at: datetime) -> list[Fact] | None:
        """The facts of the instant `at`, all read, counted: in `order_key` order to be
        replayed, or None when the instant is after `as_of`."""
        self.kept += len(run)
        if not (at <= self.surely or (at <= self.never and at <= self.as_of)):
            self.after_as_of += len(run)
            return None
        return run if len(run) == 1 else instant_in_order(run)

    def _stop_rising(self, fact: Fact) -> bool:
        """An id not greater than the one before: the ids of the facts before it are kept
        now (read again), and every one from now on as it comes."""
        assert self.ids is not None and self.prefix is not None and fact.line is not None
        for fact_id in self.prefix(fact.line):
            self.ids.add(fact_id)
        self.rose = False
        return False


def replay_instants(state: _State, runs: Iterable[list[Fact]], as_of: datetime, limit: int,
                    compact: Callable[[], int]) -> int:
    """Replay the facts of each instant as they come (as replay.py `_replay_untagged`
    does); `compact()` once the replay holds more than `limit` obligations, which gives the
    next limit. Returns how many facts were replayed."""
    obligations = state.obligations
    seen = 0
    for run in runs:
        if not seen:
            state.open_weeks(run[0], as_of)
        seen += len(run)
        if len(obligations) > limit:
            limit = compact()
        if len(run) == 1:
            act_alone(state, run[0])
        else:
            act_at_once(state, run)
    return seen
