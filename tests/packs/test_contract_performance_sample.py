"""The contract performance pack's sample month against its hand-computed ledger
(samples/contract-performance/README.md, "Expected results for October 2026"): every figure
below is copied from that ledger, not from the engine."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import REPO, at, pack_october

import policyengine as pe
from policyengine import CompiledPolicy, EvaluationResult
from policyengine.timeparse import parse_duration

PACK = REPO / "policies" / "contract-performance"
FACTS = REPO / "samples" / "contract-performance" / "facts-2026-10.jsonl"


@pytest.fixture(scope="module")
def policy() -> CompiledPolicy:
    return pe.load_policy(PACK)


@pytest.fixture(scope="module")
def october(policy: CompiledPolicy) -> EvaluationResult:
    return pack_october(policy, FACTS, 37)


# (duty, case, person, due, late by (a policy duration), penalty, amount): the ledger's table
LEDGER = [
    ("X1", "HT260102", "吴敏", "2026-10-13 11:00", "0m", "CPP5", 500),
    ("CP1", "HT260101", "周杰", "2026-10-14 18:00", "1d17h", "CPP1", 100),
    ("CP1", "HT260101", "周杰", "2026-10-16 18:00", "2d16h", "CPP1", 50),
    ("CH1", "HT260103", "陈刚", "2026-10-19 18:00", "15h", "CPP3", 100),
    ("CP4", "HT260102", "刘洋", "2026-10-23 18:00", "2d15h30m", "CPP2", 50),
    ("CP3", "HT260101", "吴敏", "2026-10-28 18:00", "15h", "CPP2", 50),
    ("CP1", "HT260104", "刘洋", "2026-10-28 18:00", "3d6h", "CPP1", 100),
    ("CP5", "HT260102", "刘洋", "2026-10-28 18:00", "3d6h", "CPP2", 50),
    ("M1", None, "何静", "2026-10-30 18:00", "16h", "CPP4", 100),
]

# person -> (violations, amount): the ledger's totals
TOTALS = {"吴敏": (2, 550), "刘洋": (3, 200), "周杰": (2, 150), "陈刚": (1, 100), "何静": (1, 100)}


def test_violations_match_the_ledger(october: EvaluationResult) -> None:
    found = sorted((v.duty, v.case, v.person, v.due, v.late_by, v.penalty.rule,
                    v.penalty.amount) for v in october.violations)
    expected = sorted((duty, case, person, at(due), parse_duration(by), rule, Decimal(amount))
                      for duty, case, person, due, by, rule, amount in LEDGER)
    assert found == expected


def test_totals_per_person(october: EvaluationResult) -> None:
    found = {p.person: (p.violations, p.amount, p.forfeit) for p in october.people}
    assert found == {k: (n, Decimal(a), False) for k, (n, a) in TOTALS.items()}
    assert sum(p.amount for p in october.people) == Decimal(1100)


def test_fulfilments_and_open_violations(october: EvaluationResult) -> None:
    # ledger "done" column: two are still open at 11-01 00:00 (CP1 HT260104, CP5 HT260102)
    done = {(v.duty, v.case, v.due): v.fulfilled_at for v in october.violations
            if v.duty != "X1"}
    assert done == {
        ("CP1", "HT260101", at("2026-10-14 18:00")): at("2026-10-16 11:00"),
        ("CP1", "HT260101", at("2026-10-16 18:00")): at("2026-10-19 10:00"),
        ("CH1", "HT260103", at("2026-10-19 18:00")): at("2026-10-20 09:00"),
        ("CP4", "HT260102", at("2026-10-23 18:00")): at("2026-10-26 09:30"),
        ("CP3", "HT260101", at("2026-10-28 18:00")): at("2026-10-29 09:00"),
        ("CP1", "HT260104", at("2026-10-28 18:00")): None,
        ("CP5", "HT260102", at("2026-10-28 18:00")): None,
        ("M1", None, at("2026-10-30 18:00")): at("2026-10-31 10:00"),
    }


def test_open_and_not_yet_due(october: EvaluationResult) -> None:
    # ledger: CH1 HT260103 (11-04 18:00, 陈刚) and M1 November (11-30 18:00, 何静)
    waiting = {(o.duty, o.case, o.person, o.due) for o in october.obligations if not o.overdue}
    assert waiting == {("CH1", "HT260103", "陈刚", at("2026-11-04 18:00")),
                       ("M1", None, "何静", at("2026-11-30 18:00"))}


def test_working_time_measure_decides_the_cp1_tiers(tmp_path: Path) -> None:
    # The same sample under calendar time: -3 (2d16h) and HT260104-1 (3d6h) move up a tier,
    # 50 -> 100 and 100 -> 200 (ledger, "CPP1 in working time").
    pack = shutil.copytree(PACK, tmp_path / "pack")
    penalties = pack / "penalties.yaml"
    text = penalties.read_text(encoding="utf-8")
    key = "\n    measure: working_time\n"  # the rule's key, not the comment above it
    assert text.count(key) == 1
    penalties.write_text(text.replace(key, "\n    measure: calendar_time\n"), encoding="utf-8")
    changed = pe.load_policy(pack)
    batch = pe.read_facts(FACTS, changed)
    result = pe.evaluate(changed, batch.facts, period="2026-10", as_of=at("2026-11-01 00:00"))
    cp1 = sorted((v.due, v.penalty.amount) for v in result.violations if v.duty == "CP1")
    assert cp1 == [(at("2026-10-14 18:00"), Decimal(100)), (at("2026-10-16 18:00"), Decimal(100)),
                   (at("2026-10-28 18:00"), Decimal(200))]
