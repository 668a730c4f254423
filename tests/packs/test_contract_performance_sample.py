"""The contract performance pack's sample month against its hand-computed ledger
(samples/contract-performance/README.md, "Expected results for October 2026"): every figure
below is copied from that ledger, not from the engine; the checks every ledger shares are
in ledger.py."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

from helpers import at
from ledger import OPEN, PROHIBITED, Ledger, LedgerChecks

import policyengine as pe

LEDGER = Ledger(
    pack="contract-performance",
    facts=37,
    # (duty, case, person, due, done, late by, penalty, amount): the ledger's violation table;
    # two are still open at 11-01 00:00 (CP1 HT260104, CP5 HT260102)
    violations=[
        ("X1", "HT260102", "吴敏", "2026-10-13 11:00", PROHIBITED, "0m", "CPP5", 500),
        ("CP1", "HT260101", "周杰", "2026-10-14 18:00", "2026-10-16 11:00", "1d17h", "CPP1", 100),
        ("CP1", "HT260101", "周杰", "2026-10-16 18:00", "2026-10-19 10:00", "2d16h", "CPP1", 50),
        ("CH1", "HT260103", "陈刚", "2026-10-19 18:00", "2026-10-20 09:00", "15h", "CPP3", 100),
        ("CP4", "HT260102", "刘洋", "2026-10-23 18:00", "2026-10-26 09:30", "2d15h30m", "CPP2", 50),
        ("CP3", "HT260101", "吴敏", "2026-10-28 18:00", "2026-10-29 09:00", "15h", "CPP2", 50),
        ("CP1", "HT260104", "刘洋", "2026-10-28 18:00", OPEN, "3d6h", "CPP1", 100),
        ("CP5", "HT260102", "刘洋", "2026-10-28 18:00", OPEN, "3d6h", "CPP2", 50),
        ("M1", None, "何静", "2026-10-30 18:00", "2026-10-31 10:00", "16h", "CPP4", 100),
    ],
    # person -> (violations, amount): the ledger's totals
    totals={"吴敏": (2, 550), "刘洋": (3, 200), "周杰": (2, 150),
            "陈刚": (1, 100), "何静": (1, 100)},
    total=1100,
    # ledger: CH1 HT260103 (11-04 18:00, 陈刚) and M1 November (11-30 18:00, 何静)
    waiting=frozenset({("CH1", "HT260103", "陈刚", "2026-11-04 18:00"),
                       ("M1", None, "何静", "2026-11-30 18:00")}),
)


class TestContractPerformanceLedger(LedgerChecks):
    ledger = LEDGER


def test_working_time_measure_decides_the_cp1_tiers(tmp_path: Path) -> None:
    # The same sample under calendar time: -3 (2d16h) and HT260104-1 (3d6h) move up a tier,
    # 50 -> 100 and 100 -> 200 (ledger, "CPP1 in working time").
    pack = shutil.copytree(LEDGER.policy_dir, tmp_path / "pack")
    penalties = pack / "penalties.yaml"
    text = penalties.read_text(encoding="utf-8")
    key = "\n    measure: working_time\n"  # the rule's key, not the comment above it
    assert text.count(key) == 1
    penalties.write_text(text.replace(key, "\n    measure: calendar_time\n"), encoding="utf-8")
    changed = pe.load_policy(pack)
    batch = pe.read_facts(LEDGER.facts_file, changed)
    result = pe.evaluate(changed, batch.facts, period="2026-10", as_of=at("2026-11-01 00:00"))
    cp1 = sorted((v.due, v.penalty.amount) for v in result.violations if v.duty == "CP1")
    assert cp1 == [(at("2026-10-14 18:00"), Decimal(100)), (at("2026-10-16 18:00"), Decimal(100)),
                   (at("2026-10-28 18:00"), Decimal(200))]
