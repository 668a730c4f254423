"""A pack's sample month against its hand-computed ledger (samples/<pack>/README.md,
"Expected results for October 2026"): the checks every pack's ledger shares.

A test module writes its pack's `Ledger`, every figure copied from that README, not from
the engine, and subclasses `LedgerChecks` with it (pytest collects the subclass, named
`Test...`); the subclass holds the pack's own tests, which may ask for `october`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import pytest
from helpers import REPO, at, pack_october

import policyengine as pe
from policyengine import EvaluationResult, Violation
from policyengine.kinds import Status
from policyengine.timeparse import parse_duration

OPEN = "open"                  # the ledger's done column: still open at the as-of time
PROHIBITED = "(prohibited)"    # a prohibition's violation: nothing to be done

# (duty, case, person, due, done, late by, penalty, amount): a row of the ledger's violation
# table; due and done as "2026-10-10 18:00" (done may be OPEN or PROHIBITED), late by a policy
# duration ("1d17h")
Row = tuple[str, str | None, str, str, str, str, str, int]
# (duty, case, person, due): an obligation open and not yet due at the as-of time
Waiting = tuple[str, str | None, str, str]


@dataclass(frozen=True)
class Ledger:
    pack: str                              # its folder under policies/ and samples/
    facts: int                             # the sample's facts, none refused
    violations: Sequence[Row]
    totals: Mapping[str, tuple[int, int]]  # person -> (violations, amount)
    total: int                             # the month's amount, all people
    waiting: frozenset[Waiting]

    @property
    def policy_dir(self) -> Path:
        return REPO / "policies" / self.pack

    @property
    def facts_file(self) -> Path:
        return REPO / "samples" / self.pack / "facts-2026-10.jsonl"

    def evaluate(self) -> EvaluationResult:
        """October 2026 as of 1 November, with the pack's shipped policy."""
        return pack_october(pe.load_policy(self.policy_dir), self.facts_file, self.facts)


def _done(violation: Violation) -> object:
    if violation.status is Status.PROHIBITED:
        return PROHIBITED
    return OPEN if violation.fulfilled_at is None else violation.fulfilled_at


def _sorted(rows: Iterable[tuple[object, ...]]) -> list[tuple[object, ...]]:
    return sorted(rows, key=repr)


class LedgerChecks:
    """The ledger's violation table, its totals and its open duties, checked against the
    evaluation of the sample month."""

    ledger: ClassVar[Ledger]

    @pytest.fixture(scope="class")
    @classmethod
    def october(cls) -> EvaluationResult:
        return cls.ledger.evaluate()

    def test_violations_match_the_ledger(self, october: EvaluationResult) -> None:
        found = [(v.duty, v.case, v.person, v.due, _done(v), v.late_by, v.penalty.rule,
                  v.penalty.amount) for v in october.violations]
        expected = [(duty, case, person, at(due), done if done in (OPEN, PROHIBITED) else at(done),
                     parse_duration(late), rule, Decimal(amount))
                    for duty, case, person, due, done, late, rule, amount in self.ledger.violations]
        assert _sorted(found) == _sorted(expected)

    def test_still_open(self, october: EvaluationResult) -> None:
        # the ledger's "open" rows, and only they, are still open at the as-of time
        still_open = [(v.duty, v.case) for v in october.violations
                      if v.fulfilled_at is None and v.status is not Status.PROHIBITED]
        assert _sorted(still_open) == _sorted([(duty, case) for duty, case, _, _, done, *_
                                               in self.ledger.violations if done == OPEN])

    def test_totals_per_person(self, october: EvaluationResult) -> None:
        found = {p.person: (p.violations, p.amount, p.forfeit) for p in october.people}
        assert found == {k: (n, Decimal(a), False) for k, (n, a) in self.ledger.totals.items()}
        assert sum(p.amount for p in october.people) == Decimal(self.ledger.total)

    def test_open_and_not_yet_due(self, october: EvaluationResult) -> None:
        waiting = {(o.duty, o.case, o.person, o.due) for o in october.obligations if not o.overdue}
        assert waiting == {(duty, case, person, at(due))
                           for duty, case, person, due in self.ledger.waiting}
