"""One person's month (`PersonBook`): merged from only the cases where they answer for
something, gathered from the index (`IndexedBook._gather`), with the shared part and the
cases straddling the as-of attributed to the holders then; and what such a read was made
from, as counters, so a kept one is known to stand (`person_stamp`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from itertools import pairwise
from typing import Any

from policyengine.engine.cases import Part
from policyengine.engine.evaluate import evaluate_replay, responsible
from policyengine.engine.obligation import Obligation
from policyengine.engine.replay import Replay
from policyengine.periods import Period
from policyengine.results import EvaluationResult
from policyengine.service.casebook.index import _by_order, _place
from policyengine.service.casebook.moments import MomentBook
from policyengine.service.casebook.state import _Indexed, _Moment


class PersonBook(MomentBook):
    """One person's read for a period at an as-of (`person_result`), and when it stands."""

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


def _months(period: Period) -> list[str]:
    """The months (YYYY-MM) a period's days fall in."""
    out = []
    year, month = period.start.year, period.start.month
    while (year, month) < (period.end.year, period.end.month) or (
            (year, month) == (period.end.year, period.end.month) and period.end.day > 1):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
