"""The customer grading pack's sample month against its hand-computed ledger
(samples/customer-grading/README.md, "Expected results for October 2026"): every figure
below is copied from that ledger, not from the engine."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from helpers import REPO, at, pack_october

import policyengine as pe
from policyengine import CompiledPolicy, EvaluationResult

PACK = REPO / "policies" / "customer-grading"
FACTS = REPO / "samples" / "customer-grading" / "facts-2026-10.jsonl"


@pytest.fixture(scope="module")
def policy() -> CompiledPolicy:
    return pe.load_policy(PACK)


@pytest.fixture(scope="module")
def october(policy: CompiledPolicy) -> EvaluationResult:
    return pack_october(policy, FACTS, 40)


def d(days: int = 0, hours: int = 0) -> timedelta:
    return timedelta(days=days, hours=hours)


# (duty, case, person, due, done, late by, penalty, amount): the ledger's violation table
LEDGER = [
    ("G7", None, "钱芳", "2026-10-08 18:00", "2026-10-09 10:00", d(0, 16), "GP3", 100),
    ("G4", "KH0005", "黄磊", "2026-10-15 18:00", "2026-10-16 10:00", d(0, 16), "GP2", 50),
    ("G2", "KH0002", "林娜", "2026-10-18 15:00", "2026-10-26 11:00", d(7, 20), "GP1", 100),
    ("G5", "KH0003", "马超", "2026-10-20 10:00", "2026-10-23 16:00", d(3, 6), "GP2", 50),
    ("G6", None, "高峰", "2026-10-20 18:00", "2026-10-22 10:00", d(1, 16), "GP3", 100),
    ("G2", "KH0001", "黄磊", "2026-10-29 10:00", None, d(2, 14), "GP1", 50),
]

# person -> (violations, amount): the ledger's totals
TOTALS = {"黄磊": (2, 100), "林娜": (1, 100), "高峰": (1, 100), "钱芳": (1, 100), "马超": (1, 50)}


def test_violations_match_the_ledger(october: EvaluationResult) -> None:
    found = sorted((v.duty, v.case or "", v.person, v.due, v.fulfilled_at or v.due, v.late_by,
                    v.penalty.rule, v.penalty.amount) for v in october.violations)
    expected = sorted((duty, case or "", person, at(due), at(done) if done else at(due), late,
                       rule, Decimal(amount))
                      for duty, case, person, due, done, late, rule, amount in LEDGER)
    assert found == expected
    still_open = [(v.duty, v.case) for v in october.violations if v.fulfilled_at is None]
    assert still_open == [("G2", "KH0001")]


def test_totals_per_person(october: EvaluationResult) -> None:
    found = {p.person: (p.violations, p.amount, p.forfeit) for p in october.people}
    assert found == {k: (n, Decimal(a), False) for k, (n, a) in TOTALS.items()}
    assert sum(p.amount for p in october.people) == Decimal(450)


def test_open_and_not_yet_due(october: EvaluationResult) -> None:
    # ledger, last paragraph: nine obligations wait, none overdue besides G2 KH0001 (a violation)
    waiting = {(o.duty, o.case, o.person, o.due) for o in october.obligations if not o.overdue}
    assert waiting == {
        ("G2", "KH0002", "马超", at("2026-11-26 11:00")),
        ("G2", "KH0005", "黄磊", at("2026-11-21 10:00")),
        ("G3", "KH0001", "高峰", at("2026-12-28 10:00")),
        ("G3", "KH0002", "高峰", at("2026-11-15 10:00")),
        ("G7", None, "钱芳", at("2026-11-05 18:00")),
        ("G6", None, "高峰", at("2027-01-20 18:00")),
        ("G8", "KH0002", "高峰", at("2027-08-15 10:00")),
        ("G8", "KH0001", "高峰", at("2027-09-28 10:00")),
        ("G8", "KH0005", "高峰", at("2027-09-30 10:00")),
    }


def test_a_grade_duties_follow_the_decision_table(october: EvaluationResult) -> None:
    # Grades (ledger table): KH0001, KH0002, KH0005 A; KH0003, KH0004 B. Only A customers
    # owe a sales-manager visit (G3), and KH0005's was made (10-21): G3 waits for KH0001, KH0002.
    g3 = {o.case for o in october.obligations if o.duty == "G3"}
    assert g3 == {"KH0001", "KH0002"}
    # KH0004 (B) was visited 10-12: no G2 for it; KH0003 (B) declined an order: no G4
    assert not [o for o in october.obligations if o.case in ("KH0003", "KH0004")]
    assert [v.case for v in october.violations if v.duty == "G4"] == ["KH0005"]
