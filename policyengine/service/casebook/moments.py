"""Reads at one as-of (`MomentBook`): the shared part then and the cases with facts on both
sides of it replayed up to it, kept for the last few as-ofs (`_Moment`), and everything at
an as-of merged from them and the other cases' whole replays (`result`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from policyengine.engine import cases
from policyengine.engine.cases import Part
from policyengine.engine.evaluate import evaluate_replay
from policyengine.engine.obligation import Obligation
from policyengine.engine.replay import Replay
from policyengine.periods import Period
from policyengine.results import EvaluationResult
from policyengine.service.casebook.replays import ReplayingBook
from policyengine.service.casebook.state import _Moment
from policyengine.service.outcomes import utc_text

# As-of moments whose shared part and straddling cases are kept.
_MOMENTS = 4


class MomentBook(ReplayingBook):
    """A read at an as-of: the moment kept for it (`_moment`), each case's replay up to it
    (`_part_at`), and all of them merged (`result`)."""

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
