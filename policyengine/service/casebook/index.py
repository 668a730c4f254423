"""Who answers in each case (`IndexedBook`): each case's obligations filed under the person
answering for them and the month of the deadline (not fulfilled: the person alone), and one
person's obligations for a period gathered from there, kept and brought up to date for the
cases filed since (`_Gathered`). The cases by join value (the facts deadlines may run from)
are filed here too."""

from __future__ import annotations

import bisect
from datetime import datetime

from policyengine.engine.cases import Part
from policyengine.engine.evaluate import responsible
from policyengine.engine.replay import Replay
from policyengine.facts.schema import Fact
from policyengine.service.casebook.state import _END, BookState, _Indexed, _Moment

# Person-period gatherings kept (`CaseBook._gather`): each is good for one kept moment (4 at
# most), so a few people each; filings logged before starting over.
_GATHERED = 8
_FILED_MOST = 200_000


class IndexedBook(BookState):
    """Who answers for what in each case, filed as each case's replay comes (`_index`),
    read back one person and period at a time (`_gather`)."""

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

    def _join(self, case: str, fact: Fact) -> None:
        """File the case under the fact's join values (the anchors that may time it)."""
        for name in self.join_names:
            value = fact.attrs.get(name)
            if value is not None:
                self.joined.setdefault((name, value), set()).add(case)
                self.joins_of.setdefault(case, set()).add((name, value))


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

    def update(self, book: BookState, person: str, months: list[str], start: datetime,
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

