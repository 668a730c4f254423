"""The case book after a restart (`RestoredBook`, "restored"): the kept outcomes taken when
they were made under this policy and engine, the facts of no case read at once and, as
reads need them, a changed case's facts, the kept parts of a person's cases (or of every
case) and the count of the facts still only in the database, not every fact."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import datetime

from policyengine.engine.cases import Part
from policyengine.engine.ordering import order_key
from policyengine.facts.schema import Fact
from policyengine.policy.checks import ROLE_FACT
from policyengine.service.casebook.index import IndexedBook
from policyengine.service.mirror import stored_facts


class RestoredBook(IndexedBook):
    """The facts of a case, its kept part and the facts' counts, as reads ask for them:
    from memory, or (restored) from the database the first time."""

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

