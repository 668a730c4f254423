"""The sample month against its hand-computed ledger (samples/README.md, "Expected totals
for October 2026"): every figure below is copied from that ledger, not from the engine."""

from __future__ import annotations

from decimal import Decimal

import pytest
from helpers import SAMPLE_FACTS, run, shipped

import policyengine as pe
from policyengine import EvaluationResult


@pytest.fixture(scope="module")
def october() -> EvaluationResult:
    batch = pe.read_facts(SAMPLE_FACTS, shipped())
    assert (len(batch.facts), batch.rejected, batch.duplicates) == (400, [], 0)
    return run(batch.facts, "2026-10", as_of="2026-11-01 00:00")


# person -> (violations, amount, forfeit), from the ledger's summary table
LEDGER = {
    "杨宝珠": (15, 70, False),   # P3 20 (4) + P4 50 (7); R16, R17 x 2, W4 cost nothing
    "陈立": (3, 20, False),      # P5 20 (1); R4, R8 cost nothing
    "周敏": (9, 460, False),     # P5 20 (1) + P6 440 (6); R4, R8
    "赵强": (5, 120, True),      # P6 forfeit + 20 + 100; R7, W2
    "孙婷": (3, 0, False),       # B2 twice, W3
    "李小四": (3, 60, False),    # P1 2 x 20 + P2 20
    "张三": (4, 80, False),      # P1 20 + P2 3 x 20
    "陈小美": (3, 60, False),    # P1 20 + P2 2 x 20
}


def test_october_totals_per_person(october: EvaluationResult) -> None:
    found = {p.person: (p.violations, p.amount, p.forfeit) for p in october.people}
    assert found == {k: (n, Decimal(a), f) for k, (n, a, f) in LEDGER.items()}


def test_october_grand_total(october: EvaluationResult) -> None:
    # 45 violations; 870 yuan; one forfeiture (赵强)
    assert len(october.violations) == 45
    assert sum(p.amount for p in october.people) == Decimal(870)
    assert [p.person for p in october.people if p.forfeit] == ["赵强"]


def test_october_monthly_count_lines(october: EvaluationResult) -> None:
    collector = october.person("杨宝珠")
    assert collector is not None
    lines = {(x.rule, x.count, x.amount) for x in collector.lines}
    # P4: 7 since R5 of 26092101 runs from the meeting's end (on time): still tier 6-10
    assert lines == {("P3", 4, Decimal(20)), ("P4", 7, Decimal(50))}


def test_october_p6_of_the_it_lead(october: EvaluationResult) -> None:
    # C2 26092201 open 15 d 6 h -> forfeit; C2 26091602 16 h -> 20; C2 26091601 1 d 22 h -> 100
    found = {v.case: (v.penalty.amount, v.penalty.forfeit)
             for v in october.violations if v.duty == "C2"}
    assert found == {"26092201": (Decimal(0), True), "26091602": (Decimal(20), False),
                     "26091601": (Decimal(100), False)}


def test_october_merits(october: EvaluationResult) -> None:
    # ledger: 赵强 C2 26091501 (3); 陈立 C3 26091501 (6); 陈立 C1 26091602 (2);
    # 周敏 C1 26100901 (3)
    found = {(m.person, m.duty, m.case, m.working_days_early) for m in october.merits}
    assert found == {("赵强", "C2", "26091501", 3), ("陈立", "C3", "26091501", 6),
                     ("陈立", "C1", "26091602", 2), ("周敏", "C1", "26100901", 3)}


def test_september_has_one_violation() -> None:
    # R6 26091701 due Sun 09-20 18:00 (adjusted working day), told Mon 09-21 09:30: P2 20 张三.
    # (W1 weeks of September are all met in the sample.)
    result = run(pe.read_facts(SAMPLE_FACTS, shipped()).facts, "2026-09")
    assert [(v.duty, v.case, v.person, v.penalty.amount) for v in result.violations] == [
        ("R6", "26091701", "张三", Decimal(20))]
