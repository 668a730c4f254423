"""Each case's whole replay kept up to date (`ReplayingBook`): `add` files new facts by case
and `settle`, at the next read, replays again only what changed. A new fact replays only
its case again; a role assignment replays every case; a fact without a case, only the
shared part. Each case replayed is filed in the index and the kept moments, and its outcome
handed to the writer for the database (service/outcomes.py, service/outcome_writer.py)."""

from __future__ import annotations

import bisect
import json
from datetime import datetime

from policyengine.engine import cases
from policyengine.engine.cases import Part
from policyengine.engine.ordering import order_key
from policyengine.errors import PolicyEngineError
from policyengine.facts.schema import Fact
from policyengine.policy.checks import ROLE_FACT
from policyengine.service.casebook.restored import RestoredBook
from policyengine.service.casebook.state import _END
from policyengine.service.outcomes import utc_text
from policyengine.service.store import CaseOutcome

# From this many cases to replay, one replay of them all (cases.replay_cases).
_BULK = 32


class ReplayingBook(RestoredBook):
    """New facts filed by case (`add`) and the cases they changed replayed, filed and kept
    at the next read (`settle`)."""

    def add(self, facts: list[Fact], seq: int | None = None) -> None:
        if seq is not None:
            self.seq = seq
        if len(facts) > 64:  # a batch (start-up): one sort, mostly in order already
            self.times.extend(f.at for f in facts)
            self.times.sort()
        else:
            for fact in facts:
                bisect.insort(self.times, fact.at)
        for fact in facts:
            first = self.first
            if first is None or (fact.at <= first.at and order_key(fact) < order_key(first)):
                self.first = fact
                self._reset_shared()
            if fact.type in self.joins:
                self._anchor(fact)
            if fact.type == ROLE_FACT:
                self.roles.append(fact)
                self.roles_changed = True
                self.last_role_at = max(self.last_role_at or fact.at, fact.at)
                self._moments.clear()
                self.generation += 1
            elif fact.case is None:
                self.shared.append(fact)
                self._reset_shared()
            else:
                case = fact.case
                self._facts_of(case).append(fact)
                self._dirty_from(case, fact.at)
                self.dirty.add(case)
                self._join(case, fact)

    def _dirty_from(self, case: str, at: datetime) -> None:
        since = self.dirty_from.get(case)
        if since is None:
            if case in self.dirty:
                return  # dirty already for a reason not timed: from the start
            self.dirty_from[case] = at
        elif at < since:
            self.dirty_from[case] = at

    def _anchor(self, fact: Fact) -> None:
        """A fact deadlines run from: every case it may time is replayed again."""
        for name in self.joins[fact.type]:
            value = fact.attrs.get(name)
            if value is not None:
                self.anchors.setdefault((name, value), []).append(fact)
                timed = set(self.joined.get((name, value), ()))
                if self.restored:  # the cases kept with that value, not in memory
                    assert self.store is not None
                    timed.update(self.store.outcome_cases(join=(name, value)))
                for case in timed:
                    self._dirty_from(case, fact.at)
                self.dirty.update(timed)
        if fact.case is not None:
            self.case_anchors.append(fact)
            self._reset_shared()

    def _reset_shared(self) -> None:
        self.generation += 1
        for moment in self._moments.values():
            moment.shared = None
            moment.attributed.clear()  # who answers is found with the new shared part's roles

    def _anchors_of(self, case: str) -> list[Fact]:
        """The other facts that may time the case's deadlines (same join value)."""
        found: dict[int, Fact] = {}
        for joined in sorted(self.joins_of.get(case, ()), key=repr):
            for anchor in self.anchors.get(joined, ()):
                if anchor.case != case:
                    found[id(anchor)] = anchor
        return list(found.values())

    def settle(self) -> None:
        """Replay again the cases that changed (all of them after a role assignment): many
        in one replay, a few one by one."""
        if self._timeline is None or self.roles_changed:  # built once, even when both
            self._timeline = cases.replay_part(self.policy, [], self.roles, _END,
                                               shared=True).roles
            if not self.restored:
                self.dirty.update(self.cases)
        if self.roles_changed:
            self._read_cases(self._all_cases())
            self.dirty.update(self.cases)
            self.roles_changed = False
        if not self.dirty:
            return
        # Restored: the cases' facts (and join values) read first, so the anchors timing
        # them are found (`_anchors_of`).
        self._read_cases(self.dirty)
        bulk = self._together(self.dirty, _END)
        for case in self.dirty:
            anchors = self._anchors_of(case)
            part = bulk.get(case) if bulk is not None else None
            if part is None:
                try:
                    part = cases.replay_part(self.policy, self._facts_of(case), self.roles, _END,
                                             anchors=anchors)
                except PolicyEngineError:
                    self.broken = True  # say it as `evaluate` says it: the caller falls back
                    continue
            self.replays += 1
            self._file(case, part, anchors)
            self._to_write.add(case)
        self.dirty.clear()
        self.dirty_from.clear()
        self._keep()

    def _together(self, names: set[str], at: datetime) -> dict[str, Part] | None:
        """Many cases' parts up to `at` from one replay of them all (cases.replay_cases: the
        608 cases straddling the busiest month's end at 1M facts in 0.04 s of CPU, against
        0.14 s one by one); None for fewer than `_BULK`, or when one replay cannot make them
        (the caller replays one by one, which finds the case that fails)."""
        if len(names) < _BULK:
            return None
        # Anchors of no case, or of a case not replayed here, only time deadlines.
        others = {id(f): f for fs in self.anchors.values() for f in fs
                  if f.case is None or f.case not in names}
        try:
            return cases.replay_cases(self.policy, {c: self._facts_of(c) for c in names},
                                      self.roles, list(others.values()), at)
        except PolicyEngineError:
            return None

    def _keep(self) -> None:
        """Hand the re-filed cases' outcomes and the stamp to the writer (one transaction,
        written beside the reads: a slow commit must not hold up the read that replayed)."""
        if self.key is None or self.store is None or self.broken:
            return
        writer = self._writer
        if writer.failed:  # a write was lost: write every case again, from scratch
            writer.failed = False
            self._load_all_parts()
            self._to_write = set(self.whole)
            self._stamped = None
        if not self._to_write:
            return
        rows = []
        for case in sorted(self._to_write):
            part = self.whole[case]
            people = tuple(sorted((person, month or "")
                                  for person, month in self._entries.get(case, ())
                                  if person is not None))
            joins = tuple(sorted(self.joins_of.get(case, ()), key=repr))
            rows.append(CaseOutcome(case, utc_text(part.first_at), utc_text(self.reach[case]),
                                    case in self.pending,
                                    self.codec.encode(part, self.reach[case], joins), people,
                                    tuple((n, json.dumps(v, default=str)) for n, v in joins)))
        stamp = self._stamped
        writer.put(self.key, self.seq, rows, reset=stamp is None or stamp[0] != self.key)
        self._stamped = (self.key, self.seq)
        self._to_write.clear()

    def flush(self) -> None:
        """Wait until the outcomes handed to the writer are written (or failed)."""
        self._writer.flush()

    def _file(self, case: str, part: Part, anchors: list[Fact]) -> None:
        """Keep a case's new whole replay: its reach, index, pending and moments."""
        assert part.last_at is not None
        self.reach[case] = max([part.last_at, *(a.at for a in anchors)])
        self._index(case, part)
        merged = case in self.pending  # every person's read merges it: before or after
        if any(o.missing_year is not None for o in part.obligations):
            self.pending.add(case)
            merged = True
        else:
            self.pending.discard(case)
        self.whole[case] = part
        if merged:
            self.generation += 1
        since = self.dirty_from.get(case)
        for at, moment in self._moments.items():
            was = case in moment.straddling
            if was and since is not None and since > at and self._straddles(case, at):
                # Only facts after `at` came (the roles did not change: that clears the
                # moments): its replay up to `at` and who answers there stand.
                continue
            moment.parts.pop(case, None)
            moment.attributed.pop(case, None)
            if self._straddles(case, at):
                moment.straddling.add(case)
                moment.changes += 1
            else:
                moment.straddling.discard(case)
                moment.changes += was

    def _straddles(self, case: str, at: datetime) -> bool:
        """Whether the case has facts (its own, or anchors timing it) on both sides of `at`."""
        first = self._part(case).first_at
        return first is not None and first <= at < self.reach[case]

