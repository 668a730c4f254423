"""The case book: the stored facts by case, each case's whole replay, who answers in each
case, and one person's month merged from their cases only (`CaseBook`, used by
service/reads.py `Results`).

A new fact replays only its case again; a role assignment replays every case; a fact
without a case, only the shared part. One person's month merges only the cases where they
answer for something, gathered from the index once per period and as-of and then brought up
to date for the cases filed since (`_Gathered`). Each case's outcome is also kept in the
database (service/outcomes.py, written by service/outcome_writer.py after the replay): a
restart reads the facts of no case and, as reads need them, a person's cases' outcomes and
a changed case's facts ("restored"), not every fact.
"""

from __future__ import annotations

import bisect
import json
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from itertools import pairwise
from typing import Any

from policyengine.engine import cases
from policyengine.engine.cases import Part
from policyengine.engine.compiled import CompiledPolicy
from policyengine.engine.evaluate import evaluate_replay, responsible
from policyengine.engine.obligation import Obligation
from policyengine.engine.ordering import order_key
from policyengine.engine.replay import Replay
from policyengine.errors import PolicyEngineError
from policyengine.facts.schema import Fact
from policyengine.periods import Period
from policyengine.policy.checks import ROLE_FACT
from policyengine.results import EvaluationResult
from policyengine.service.mirror import stored_facts
from policyengine.service.outcome_writer import OutcomeWriter
from policyengine.service.outcomes import PartCodec, outcome_key, utc_text
from policyengine.service.store import CaseOutcome, Store

# A replay "of everything" stands at this moment: later than any fact.
_END = cases.END
# As-of moments whose shared part and straddling cases are kept.
_MOMENTS = 4
# From this many cases to replay, one replay of them all (cases.replay_cases).
_BULK = 32


class _Moment:
    """What a read at one as-of needs besides the cases' whole replays: the shared part
    then, and the cases with facts on both sides of it, replayed up to it."""

    def __init__(self, straddling: set[str], serial: int):
        self.serial = serial        # a new number each time a moment is made (cache stamps)
        self.changes = 0            # straddling cases changed since (cache stamps)
        self.shared: Part | None = None
        self.straddling = straddling
        self.parts: dict[str, Part] = {}
        # name (None: the shared part) -> (the part, in the index, the roles, the pending
        # obligations, person -> theirs): CaseBook._attributed
        self.attributed: dict[str | None, tuple[Part, bool, Any, list[_Indexed],
                                                dict[str | None, list[_Indexed]]]] = {}


class CaseBook:
    """The stored facts by case, each case's whole replay, and who answers in each case.

    `add` takes new facts; the replays are brought up to date at the next read (`settle`):
    only the cases that got a fact are replayed again, unless a role assignment came (every
    case, since a `by` check reads the holder at a fact's time)."""

    def __init__(self, policy: CompiledPolicy, store: Store | None = None):
        self.policy = policy
        # Kept outcomes (service/outcomes.py): written after each settle; read back lazily
        # after a restart ("restored": the facts up to `base` and the cases' parts stay in
        # the database until a read or a new fact needs them).
        self.store = store
        self.key = outcome_key(policy) if store is not None else None
        self.codec = PartCodec(policy)
        self.restored = False
        self.base = 0                            # facts up to this seq: in the database
        self.base_total = 0                      # how many facts that is
        self.seq = 0                             # the last fact's seq the book holds
        self._stamped: tuple[str, int] | None = None
        self._base_counts: OrderedDict[datetime, int] = OrderedDict()
        self._people_loaded: set[tuple[str, str]] = set()
        self._to_write: set[str] = set()
        self._writer = OutcomeWriter(store)
        self.cases: dict[str, list[Fact]] = {}
        self.roles: list[Fact] = []
        self.shared: list[Fact] = []
        self.times: list[datetime] = []          # every fact's time, sorted: counts to as-of
        self.first: Fact | None = None           # the first fact of all (recurring duties)
        self.whole: dict[str, Part] = {}         # each case's replay of all its facts
        self.dirty: set[str] = set()
        # Of a dirty case, the earliest time of what made it so (its new facts, an anchor);
        # none known: from the start. A moment before that keeps the case's replay up to it.
        self.dirty_from: dict[str, datetime] = {}
        self.roles_changed = False
        self.broken = False                      # a case's replay failed: evaluate instead
        # Who answers for what, found with the role holders of all time: person -> month of
        # the deadline -> case -> (order key, place in the part, obligation), for those
        # fulfilled; person -> case -> the same, for those not fulfilled (open or missed).
        self.due_index: dict[str | None, dict[str, dict[str, list[_Indexed]]]] = {}
        self.open_index: dict[str | None, dict[str, list[_Indexed]]] = {}
        self._entries: dict[str, list[tuple[str | None, str | None]]] = {}
        self.pending: set[str] = set()           # cases with obligations pending calendar data
        self.last_role_at: datetime | None = None
        self._timeline: object = None
        self._moments: OrderedDict[datetime, _Moment] = OrderedDict()
        self._made = 0          # moments made (their serial numbers)
        # What one person's read depends on, as counters (`person_stamp`): `generation`
        # moves when what every person's read merges changes (the shared part, the roles,
        # the cases pending calendar data; a moment's straddling cases: its `changes`);
        # `person_gens[p, month]` when a case where `p` answers for something due in
        # `month` (None: not fulfilled) is filed again.
        self.generation = 0
        self.person_gens: dict[tuple[str | None, str | None], int] = {}
        self.tied = False       # the last person_result had a tie across cases (above)
        # The cases filed (`_index`), in order: a person's gathered obligations (`_Gathered`)
        # are brought up to date from where they last looked. Cleared with them when long.
        self._filed: list[str] = []
        self._gathered: OrderedDict[tuple[str, datetime, datetime, datetime], _Gathered] = \
            OrderedDict()
        self.gathered_again = 0  # gatherings made from the whole index (tests)
        self.replays = 0        # whole case replays made (tests)
        self.replays_up_to = 0  # replays of a case up to an as-of (straddling cases)
        # Facts deadlines run from (anchors), by (join attribute, value); the cases with a
        # fact of that value; each case's reach: its last fact's time or a later anchor's.
        self.joins = cases.anchor_joins(policy)
        self.join_names = frozenset(j for names in self.joins.values() for j in names)
        self.anchors: dict[tuple[str, object], list[Fact]] = {}
        self.case_anchors: list[Fact] = []       # anchors with a case: the shared part's
        self.joined: dict[tuple[str, object], set[str]] = {}
        self.joins_of: dict[str, set[tuple[str, object]]] = {}  # the inverse of `joined`
        self.reach: dict[str, datetime] = {}

    def restore(self) -> bool:
        """After a restart: take the kept outcomes if they were made under this policy and
        engine (the facts of no case are read; cases, parts and the index on demand).
        False when there are none to trust (every case is replayed, and kept again)."""
        if self.key is None or self.store is None or self.cases or self.roles:
            return False
        stamp = self._stamped = self.store.outcomes_stamp()
        if stamp is None or stamp[0] != self.key:
            return False
        self.base = self.seq = stamp[1]
        schema = self.policy.schema
        loose = stored_facts(schema, self.store.facts_raw(up_to=self.base, no_case=True))
        firsts = stored_facts(schema, self.store.facts_raw(up_to=self.base, first=True))
        anchors = stored_facts(schema, self.store.facts_raw(
            up_to=self.base, types=sorted(self.joins))) if self.joins else []
        if any(isinstance(f, list) for f in (*loose, *firsts, *anchors)):
            return False  # not readable under this policy: the old way says why
        self.restored = True
        for fact in anchors:
            assert not isinstance(fact, list)
            for name in self.joins[fact.type]:
                value = fact.attrs.get(name)
                if value is not None:
                    self.anchors.setdefault((name, value), []).append(fact)
            if fact.case is not None:
                self.case_anchors.append(fact)
        for fact in loose:
            assert not isinstance(fact, list)
            if fact.type == ROLE_FACT:
                self.roles.append(fact)
                self.last_role_at = max(self.last_role_at or fact.at, fact.at)
            else:
                self.shared.append(fact)
        for fact in firsts:
            assert not isinstance(fact, list)
            if self.first is None or order_key(fact) < order_key(self.first):
                self.first = fact
        self.pending = set(self.store.outcome_cases(pending=True))
        self.base_total = self.store.count_up_to(self.base)
        return True

    def _facts_of(self, case: str) -> list[Fact]:
        """A case's facts, read from the database the first time (restored)."""
        facts = self.cases.get(case)
        if facts is None:
            self._read_cases([case])
            facts = self.cases[case]
        return facts

    def _read_cases(self, names: Iterable[str]) -> None:
        """The facts of the cases not in memory yet, read from the database (restored) in a
        query per 500 cases, not one each: a restart's first read of a month replays its
        ~600 straddling cases, and a role assignment every case."""
        missing = [c for c in dict.fromkeys(names) if c not in self.cases]
        if not missing:
            return
        read: dict[str, list[Fact]] = {case: [] for case in missing}
        if self.restored:
            assert self.store is not None
            rows = self.store.case_facts_raw(missing, up_to=self.base)
            built = stored_facts(self.policy.schema, [raw for _, raw in rows])
            for (case, _), fact in zip(rows, built, strict=True):
                assert not isinstance(fact, list)  # checked when it was stored
                read[case].append(fact)
                self._join(case, fact)
        self.cases.update(read)

    def _load_parts(self, names: Iterable[str]) -> None:
        """The kept parts of cases not in memory yet (restored), filed in the index."""
        if not self.restored:
            return
        assert self.store is not None
        missing = [c for c in names if c not in self.whole]
        for case, data in self.store.outcome_parts(missing):
            if case in self.whole:
                continue
            part, reach, joins = self.codec.decode(data)
            self.reach[case] = reach
            for joined in joins:
                self.joined.setdefault(joined, set()).add(case)
                self.joins_of.setdefault(case, set()).add(joined)
            self.whole[case] = part
            self._index(case, part)

    def _part(self, case: str) -> Part:
        part = self.whole.get(case)
        if part is None:
            self._load_parts([case])
            part = self.whole[case]
        return part

    def _all_cases(self) -> set[str]:
        if self.restored:
            assert self.store is not None
            return set(self.store.outcome_cases()) | set(self.whole) | set(self.cases)
        return set(self.cases)

    def _load_all_parts(self) -> None:
        if self.restored:
            self._load_parts(self._all_cases())

    def _load_person(self, person: str, months: list[str]) -> None:
        """The kept parts where `person` answers for something due in `months` or not
        fulfilled (restored)."""
        if not self.restored:
            return
        wanted = [m for m in ("", *months) if (person, m) not in self._people_loaded]
        if not wanted:
            return
        assert self.store is not None
        self._load_parts(self.store.outcome_cases(person=person,
                                                  months=[m for m in wanted if m]))
        self._people_loaded.update((person, m) for m in wanted)
        self._people_loaded.add((person, ""))

    def _counts(self, at: datetime) -> tuple[int, int]:
        """How many facts are at or before `at`, and how many after."""
        seen = bisect.bisect_right(self.times, at)
        total = len(self.times)
        if self.base:
            assert self.store is not None
            base = self._base_counts.get(at)
            if base is None:
                base = self._base_counts[at] = self.store.count_at_or_before(
                    at, self.base, self.base_total)
                while len(self._base_counts) > 64:
                    self._base_counts.popitem(last=False)
            seen += base
            total += self.base_total
        return seen, total - seen

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

    def _join(self, case: str, fact: Fact) -> None:
        for name in self.join_names:
            value = fact.attrs.get(name)
            if value is not None:
                self.joined.setdefault((name, value), set()).add(case)
                self.joins_of.setdefault(case, set()).add((name, value))

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

    def _index(self, case: str, part: Part) -> None:
        """File the case's obligations under who answers for them (none pending calendar
        data: those are read from `pending`), replacing what was filed before."""
        old: dict[tuple[str | None, str | None], list[_Indexed]] = {}
        for person, month in self._entries.pop(case, ()):
            if month is None:
                entries = self.open_index.get(person, {}).pop(case, None)
            else:
                entries = self.due_index.get(person, {}).get(month, {}).pop(case, None)
            old[person, month] = entries or []
        context = Replay(_END, [], self._timeline, part.first_actor,  # type: ignore[arg-type]
                         part.case_tier, 0, 0, 0, [], {})
        local = self.policy.calendar.local
        filed: dict[tuple[str | None, str | None], list[_Indexed]] = {}
        for place, (key, obligation) in enumerate(zip(part.keys, part.obligations,
                                                      strict=True)):
            if obligation.missing_year is not None:
                continue
            person = responsible(self.policy, context, obligation)[0]
            if obligation.fulfilled_by is None:
                month = None
            else:
                due = local(obligation.due)
                month = f"{due.year:04d}-{due.month:02d}"
            filed.setdefault((person, month), []).append((key, place, obligation))
        for (person, month), entries in filed.items():
            if month is None:
                self.open_index.setdefault(person, {})[case] = entries
            else:
                self.due_index.setdefault(person, {}).setdefault(month, {})[case] = entries
        self._entries[case] = list(filed)
        self._filed.append(case)
        # A person's month changes only where what is filed for them does (a read merges
        # the entries, and the part's first actors, tiers and start): counted for
        # `person_stamp`. A new replay makes new obligations: compared by value.
        before = self.whole.get(case)
        alike = before is not None and before is not part and (
            before.first_at == part.first_at and before.first_actor == part.first_actor
            and before.case_tier == part.case_tier)
        gens = self.person_gens
        for name in old.keys() | filed.keys():
            if not (alike and _same_entries(old.get(name, []), filed.get(name, []))):
                gens[name] = gens.get(name, 0) + 1

    def _straddles(self, case: str, at: datetime) -> bool:
        """Whether the case has facts (its own, or anchors timing it) on both sides of `at`."""
        first = self._part(case).first_at
        return first is not None and first <= at < self.reach[case]

    def _moment(self, at: datetime) -> _Moment:
        moment = self._moments.get(at)
        if moment is None:
            straddling = {case for case in self.whole if self._straddles(case, at)}
            if self.restored:  # those not in memory: as kept
                assert self.store is not None
                straddling.update(c for c in self.store.outcome_cases(
                    straddling=utc_text(at)) if c not in self.whole)
            self._made += 1
            moment = self._moments[at] = _Moment(straddling, self._made)
            while len(self._moments) > _MOMENTS:
                self._moments.popitem(last=False)
        self._moments.move_to_end(at)
        if moment.shared is None:
            # The first fact of all is the first by `at` too (order_key starts with the time).
            first = self.first if self.first is not None and self.first.at <= at else None
            moment.shared = cases.replay_part(self.policy, self.shared, self.roles, at,
                                              anchors=self.case_anchors, shared=True,
                                              weeks_from=first)
        return moment

    def _part_at(self, moment: _Moment, case: str, at: datetime) -> Part | None:
        """The case's replay up to `at`: its whole replay if all its facts are by then."""
        if case in moment.straddling:
            part = moment.parts.get(case)
            if part is None:
                # Every straddling case is replayed up to `at` (a read merges them all):
                # those not yet are read at once, and replayed together when many.
                waiting = {c for c in moment.straddling if c not in moment.parts}
                self._read_cases(waiting)
                together = self._together(waiting, at)
                if together is not None:
                    moment.parts.update(together)
                    self.replays_up_to += len(together)
                part = moment.parts.get(case)
            if part is None:
                part = moment.parts[case] = cases.replay_part(
                    self.policy, self._facts_of(case), self.roles, at,
                    anchors=self._anchors_of(case))
                self.replays_up_to += 1
            return part
        whole = self._part(case)
        return whole if whole.first_at is not None and whole.first_at <= at else None

    def _merged(self, at: datetime, which: set[str] | None,
                keep: Callable[[Obligation, Part], bool] | None) -> Replay:
        moment = self._moment(at)
        assert moment.shared is not None
        if which is None:
            self._load_all_parts()
        names = self.whole.keys() if which is None else which
        parts = [p for c in names if (p := self._part_at(moment, c, at)) is not None]
        seen, after = self._counts(at)
        return cases.merge(moment.shared, parts, at, facts_seen=seen,
                           facts_after=after, keep=keep,
                           with_notes=which is None)

    def result(self, period: Period | None, at: datetime) -> EvaluationResult:
        """Everything at `at` for the period, as `evaluate` gives it."""
        return evaluate_replay(self.policy, self._merged(at, None, None), period)

    def fits_person(self, period: Period | None, at: datetime) -> bool:
        """Whether one person's read can be made from the index: a period (the index is by
        month of the deadline), and no prohibition (a forbidden fact's person is not
        indexed)."""
        return period is not None and not self.policy.prohibitions

    def person_stamp(self, person: str, at: datetime,
                     period: Period) -> tuple[int, ...] | None:
        """What `person_result(…, at, person)` was made from, as counters: while they stay
        the same, a new result would differ only in the facts counted (`recounted`). None
        when it cannot be told this way: a role changed hands after `at` (every case's open
        obligations are attributed again), the moment is not kept, or the result just made
        orders obligations of two cases by their places (`tied`)."""
        moment = self._moments.get(at)
        if moment is None or self.tied or (self.last_role_at is not None
                                           and self.last_role_at > at):
            return None
        gens = self.person_gens
        return (self.generation, moment.serial, moment.changes, gens.get((person, None), 0),
                *(gens.get((person, month), 0) for month in _months(period)))

    def recounted(self, result: EvaluationResult, at: datetime) -> EvaluationResult:
        """A result made at `at` with the facts counted as they stand now."""
        seen, after = self._counts(at)
        return replace(result, stats={**result.stats, "facts": seen,
                                      "facts_after_as_of": after})

    def person_result(self, period: Period, at: datetime, person: str) -> EvaluationResult:
        """A result whose parts about `person` (violations, total, open obligations), whose
        pending obligations and whose count of facts equal `result`'s; it holds only the
        obligations those read (not the other people's, not the rewards' or notes)."""
        months = _months(period)
        if self.last_role_at is not None and self.last_role_at > at:
            self._load_all_parts()  # every open obligation is attributed again below
        else:
            self._load_person(person, months)
        moment = self._moment(at)
        shared = moment.shared
        assert shared is not None
        tz = self.policy.calendar.tz
        start, end = period.start_at(tz), period.end_at(tz)
        chosen: list[_Indexed] = []   # from the index (then the extras, below)
        used: list[Part] = [shared]
        whole, straddling = self.whole, moment.straddling

        def take(by_case: dict[str, list[_Indexed]],
                 keep: Callable[[Obligation], bool]) -> None:
            for case, entries in by_case.items():
                part = whole[case]
                if case in straddling or part.first_at is None or part.first_at > at:
                    continue  # replayed up to `at` below, or not begun by then
                found = [e for e in entries if keep(e[2])]
                if found:
                    used.append(part)
                    chosen.extend(found)

        by_month = self.due_index.get(person, {})

        def take_due_in_period() -> None:
            for month in months:
                take(by_month.get(month, {}), lambda o: start <= o.due < end)

        roles = shared.roles
        first_actor: dict[tuple[str, str], str] = dict(shared.first_actor)
        case_tier: dict[str, str] = dict(shared.case_tier)
        gathered = None
        if self.last_role_at is None or self.last_role_at <= at:
            # What `take` gathers from the due months and the open obligations, kept from
            # the last read and brought up to date for the cases filed since.
            gathered = self._gather(person, months, start, end, at, moment)
            chosen.extend(gathered.entries)
            first_actor.update(gathered.first_actor)
            case_tier.update(gathered.case_tier)
        else:
            take_due_in_period()
            # A role changed hands after `at`: the index's holder (of all time) is the one
            # at `at` for deadlines up to it; an obligation still open with a later deadline
            # is answered for by the holder at `at`'s view of that deadline: found again.
            take(self.open_index.get(person, {}), lambda o: o.due <= at)
            for by_case in self.open_index.values():
                for case, entries in by_case.items():
                    part = whole[case]
                    if case in straddling or part.first_at is None or part.first_at > at:
                        continue
                    context = Replay(at, [], roles, part.first_actor, part.case_tier,
                                     0, 0, 0, [], {})
                    found = [e for e in entries if e[2].due > at and responsible(
                        self.policy, context, e[2])[0] == person]
                    if found:
                        used.append(part)
                        chosen.extend(found)
        # The shared part, the cases replayed up to `at` and those pending calendar data:
        # who answers is found here, with the holders at `at`.
        extras: list[_Indexed] = []
        extra: list[tuple[str | None, Part | None]] = [(None, shared)]
        extra += [(c, self._part_at(moment, c, at)) for c in sorted(straddling | self.pending)]
        for name, some in extra:
            if some is None:
                continue
            indexed = name is not None and name not in straddling
            found = self._attributed(moment, name, some, indexed, at, roles, person)
            if found:
                used.append(some)
                extras.extend(found)
        every = chosen + extras
        every.sort(key=_by_order)
        # Obligations of two cases under one order key (no trigger) are ordered by their
        # places: a result with such a tie is not kept across changed places (`person_stamp`).
        self.tied = any(a[0] == b[0] and a[2].case != b[2].case
                        for a, b in pairwise(every))
        if self.tied and gathered is not None:
            # Tied ones keep the order `take` gathers them in (the sort is stable).
            chosen.clear()
            take_due_in_period()
            take(self.open_index.get(person, {}), lambda o: True)
            every = chosen + extras
            every.sort(key=_by_order)
        for part in used[1:]:  # the shared part's: above
            first_actor.update(part.first_actor)
            case_tier.update(part.case_tier)
        chosen = every
        seen, after = self._counts(at)
        run = Replay(at, [o for _, _, o in chosen], roles, first_actor, case_tier, seen,
                     after, 0, [], defaultdict(list))
        return evaluate_replay(self.policy, run, period)

    def _gather(self, person: str, months: list[str], start: datetime, end: datetime,
                at: datetime, moment: _Moment) -> _Gathered:
        """`person`'s obligations in the index for the period (due in it, or not fulfilled)
        from the cases begun by `at` and not straddling it, in order (`_by_order`), with
        those cases' first actors and tiers: kept per (person, period, moment) and brought
        up to date for the cases filed since the last read (a fact changes one case; the
        busiest person's month gathers from about 1,300)."""
        key = (person, start, end, at)
        gathered = self._gathered.get(key)
        if gathered is None or gathered.serial != moment.serial \
                or gathered.filed > len(self._filed):
            if len(self._filed) > _FILED_MOST:  # positions restart: every gathering again
                self._filed.clear()
                self._gathered.clear()
            self.gathered_again += 1
            for old in [k for k, g in self._gathered.items()  # those of moments let go
                        if (m := self._moments.get(k[3])) is None or m.serial != g.serial]:
                del self._gathered[old]
            gathered = _Gathered(moment.serial, len(self._filed))
            by_month = self.due_index.get(person, {})
            names = {c for m in months for c in by_month.get(m, ())}
            names.update(self.open_index.get(person, ()))
            gathered.update(self, person, months, start, end, at, moment.straddling, names)
            self._gathered[key] = gathered
            while len(self._gathered) > _GATHERED:
                self._gathered.popitem(last=False)
        elif gathered.filed < len(self._filed):
            changed = set(self._filed[gathered.filed:])
            gathered.filed = len(self._filed)
            gathered.update(self, person, months, start, end, at, moment.straddling, changed)
        self._gathered.move_to_end(key)
        return gathered

    def _attributed(self, moment: _Moment, name: str | None, part: Part, indexed: bool,
                    at: datetime, roles: Any, person: str) -> list[_Indexed]:
        """The part's obligations `person` answers for at `at` (with the holders then)
        and those pending calendar data (everyone's), in the part's order; only the
        pending ones for a case in the index. Who answers for each is found once per
        part and moment: every person's read walks the shared part and straddling cases."""
        kept = moment.attributed.get(name)
        if kept is None or kept[0] is not part or kept[1] != indexed or kept[2] is not roles:
            context = Replay(at, [], roles, part.first_actor, part.case_tier, 0, 0, 0, [], {})
            pending: list[_Indexed] = []
            mine: dict[str | None, list[_Indexed]] = defaultdict(list)
            for place, (key, obligation) in enumerate(zip(part.keys, part.obligations,
                                                          strict=True)):
                if obligation.missing_year is not None:
                    pending.append((key, place, obligation))
                elif not indexed:
                    mine[responsible(self.policy, context, obligation)[0]].append(
                        (key, place, obligation))
            kept = moment.attributed[name] = (part, indexed, roles, pending, dict(mine))
        pending, mine = kept[3], kept[4]
        own = mine.get(person)
        if not own:
            return pending
        if not pending:
            return own
        return sorted(pending + own, key=_place)


_Indexed = tuple[tuple[object, ...], int, Obligation]

# Person-period gatherings kept (`CaseBook._gather`): each is good for one kept moment (4 at
# most), so a few people each; filings logged before starting over.
_GATHERED = 8
_FILED_MOST = 200_000


class _Gathered:
    """One person's obligations in the index for one period and moment, as
    `CaseBook.person_result` reads them: by case (those with any), in order, and the first
    actors and tiers of those cases. Valid for the moment it was made at (`serial`: its
    straddling cases change only by filing a case, which `filed` follows)."""

    def __init__(self, serial: int, filed: int):
        self.serial = serial
        self.filed = filed        # the book's filings (`CaseBook._filed`) looked at
        self.by_case: dict[str, tuple[Part, list[_Indexed]]] = {}
        self.entries: list[_Indexed] = []
        self.first_actor: dict[tuple[str, str], str] = {}
        self.case_tier: dict[str, str] = {}

    def update(self, book: CaseBook, person: str, months: list[str], start: datetime,
               end: datetime, at: datetime, straddling: set[str], names: set[str]) -> None:
        """Gather again the obligations of the cases `names` (each as filed now)."""
        whole = book.whole
        by_month = book.due_index.get(person, {})
        due = [by_month.get(m, {}) for m in months]
        open_ = book.open_index.get(person, {})
        removed = [c for c in names if c in self.by_case]
        added: list[_Indexed] = []
        for case in removed:
            before, _ = self.by_case.pop(case)
            for actor in before.first_actor:
                self.first_actor.pop(actor, None)
            for tier in before.case_tier:
                self.case_tier.pop(tier, None)
        for case in names:
            part = whole.get(case)
            if part is None or case in straddling or part.first_at is None \
                    or part.first_at > at:
                continue  # replayed up to `at` (person_result's extras), or not begun by then
            found = [e for by_case in due for e in by_case.get(case, ())
                     if start <= e[2].due < end]
            found += open_.get(case, ())
            if not found:
                continue
            self.by_case[case] = (part, found)
            added += found
            # A case's first actors and tier are keyed by the case itself, so one case's
            # can be taken out again without touching another's.
            assert all(k[0] == case for k in part.first_actor) \
                and all(k == case for k in part.case_tier), case
            self.first_actor.update(part.first_actor)
            self.case_tier.update(part.case_tier)
        if removed:
            gone = set(removed)
            self.entries = [e for e in self.entries if e[2].case not in gone]
        if len(added) < 16:
            for entry in added:
                bisect.insort(self.entries, entry, key=_by_order)
        else:
            self.entries += added
            self.entries.sort(key=_by_order)


# What a person's read takes from an obligation besides its duty (engine/evaluate.py
# `evaluate_replay`): all its fields.
_FIELDS = ("case", "trigger", "opened_at", "due", "fulfilled_by", "history", "pending",
           "missing_year", "anchor", "actor", "seq")


def _same_entries(old: list[_Indexed], new: list[_Indexed]) -> bool:
    """Whether two filings of a case's obligations for one person and month are equal in
    value, in the same order (a case replayed again makes new but often equal
    obligations; a met one dropped from the case's list moves the places of those after it:
    places only order obligations under one key, and keep their order within a case)."""
    return len(old) == len(new) and all(
        a[0] == b[0] and type(a[2]) is type(b[2]) and a[2].duty is b[2].duty
        and all(getattr(a[2], f) == getattr(b[2], f) for f in _FIELDS)
        for a, b in zip(old, new, strict=True))


def _place(entry: _Indexed) -> int:
    return entry[1]


def _by_order(entry: _Indexed) -> tuple[tuple[object, ...], int]:
    return entry[0], entry[1]


def _months(period: Period) -> list[str]:
    """The months (YYYY-MM) a period's days fall in."""
    out = []
    year, month = period.start.year, period.start.month
    while (year, month) < (period.end.year, period.end.month) or (
            (year, month) == (period.end.year, period.end.month) and period.end.day > 1):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
