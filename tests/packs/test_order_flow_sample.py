"""The order flow pack's sample month against its hand-computed ledger
(samples/order-flow/README.md, "Expected results for October 2026"): every figure below is
copied from that ledger, not from the engine."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from helpers import REPO, at, pack_october

import policyengine as pe
from policyengine import CompiledPolicy, EvaluationResult

PACK = REPO / "policies" / "order-flow"
FACTS = REPO / "samples" / "order-flow" / "facts-2026-10.jsonl"


@pytest.fixture(scope="module")
def policy() -> CompiledPolicy:
    return pe.load_policy(PACK)


@pytest.fixture(scope="module")
def october(policy: CompiledPolicy) -> EvaluationResult:
    return pack_october(policy, FACTS, 29)


def d(days: int = 0, hours: int = 0, minutes: int = 0) -> timedelta:
    return timedelta(days=days, hours=hours, minutes=minutes)


# (duty, case, person, due, done, late by, penalty, amount): the ledger's violation table
LEDGER = [
    ("OF1", "DD261002", "李娜", "2026-10-10 18:00", "2026-10-12 11:00", d(1, 17), "OFP1", 50),
    ("OF2", "DD261002", "陈静", "2026-10-15 18:00", "2026-10-16 09:30", d(0, 15, 30), "OFP2", 50),
    ("OF3", "DD261002", "刘总", "2026-10-20 18:00", "2026-10-22 10:00", d(1, 16), "OFP2", 100),
    ("OF4", "DD261002", "陈静", "2026-10-23 18:00", "2026-10-26 09:00", d(2, 15), "OFP1", 50),
    ("OF6", "DD261004", "孙强", "2026-10-26 18:00", "2026-10-27 10:00", d(0, 16), "OFP1", 50),
    ("OF5", "DD261002", "孙强", "2026-10-28 18:00", None, d(3, 6), "OFP2", 100),
]

# person -> (violations, amount): the ledger's totals
TOTALS = {"孙强": (2, 150), "陈静": (2, 100), "刘总": (1, 100), "李娜": (1, 50)}


def test_violations_match_the_ledger(october: EvaluationResult) -> None:
    found = sorted((v.duty, v.case or "", v.person, v.due, v.fulfilled_at or v.due, v.late_by,
                    v.penalty.rule, v.penalty.amount) for v in october.violations)
    expected = sorted((duty, case or "", person, at(due), at(done) if done else at(due), late,
                       rule, Decimal(amount))
                      for duty, case, person, due, done, late, rule, amount in LEDGER)
    assert found == expected
    still_open = [(v.duty, v.case) for v in october.violations if v.fulfilled_at is None]
    assert still_open == [("OF5", "DD261002")]


def test_totals_per_person(october: EvaluationResult) -> None:
    found = {p.person: (p.violations, p.amount, p.forfeit) for p in october.people}
    assert found == {k: (n, Decimal(a), False) for k, (n, a) in TOTALS.items()}
    assert sum(p.amount for p in october.people) == Decimal(400)


def test_open_and_not_yet_due(october: EvaluationResult) -> None:
    # ledger, last paragraph: only DD261005's registration waits
    waiting = {(o.duty, o.case, o.person, o.due) for o in october.obligations if not o.overdue}
    assert waiting == {("OF1", "DD261005", "张伟", at("2026-11-02 18:00"))}


def test_exempt_orders_owe_no_review_and_only_the_leader_signs(october: EvaluationResult) -> None:
    # DD261003 and DD261004 are registered review: exempt (3.1.4): no OF2, no OF3
    reviewed = {v.case for v in october.violations if v.duty in ("OF2", "OF3")}
    assert reviewed <= {"DD261001", "DD261002"}
    assert not [o for o in october.obligations if o.duty in ("OF2", "OF3")]
    # 李副总's sign-off of 10-19 is noted and counts neither for OF3 nor as OF4's trigger
    notes = [note.render("zh") for note in october.notes]
    assert any("李副总" in text and "OF3" in text for text in notes)
