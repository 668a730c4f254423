"""`report monthly --month 2026-10 --format json` on the sample month equals the table worked
out by hand in samples/README.md ("Monthly summary for October 2026")."""

from __future__ import annotations

import json

import pytest
from helpers import POLICY_DIR, SAMPLE_FACTS

from policyengine.cli.main import main

# samples/README.md, worked from the facts file by hand.
HAND_COUNTS = {"submitted": 14,
               "decided": {"do": 12, "dont": 4, "reconsider": 0, "transform": 3},
               "completed": 6, "delayed": 4}
HAND_RANKING = [
    {"person": "李小四", "submitted": 5, "adopted": 4, "pending": 1, "rate": 0.8, "rank": 1},
    {"person": "陈小美", "submitted": 4, "adopted": 3, "pending": 0, "rate": 0.75, "rank": 2},
    {"person": "张三", "submitted": 5, "adopted": 2, "pending": 0, "rate": 0.4, "rank": 3},
]


def test_sample_month_monthly_summary_equals_the_hand_table(
        capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["report", "monthly", "--facts", str(SAMPLE_FACTS), "--policy", str(POLICY_DIR),
                 "--month", "2026-10", "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    data = json.loads(out)
    assert data["counts"] == HAND_COUNTS
    assert data["ranking"] == HAND_RANKING
    assert (data["kind"], data["period"], data["lang"]) == ("monthly", "2026-10", "zh")
    assert data["as_of"] == "2026-11-01T00:00:00+08:00"
    assert data["policy"]["id"] == "customer-requirement-feedback"


def test_sample_month_deductions_keep_the_evaluation_totals(
        capsys: pytest.CaptureFixture[str]) -> None:
    # samples/README.md: 45 violations, 870 yuan, one forfeited month (赵强).
    main(["report", "deductions", "--facts", str(SAMPLE_FACTS), "--policy", str(POLICY_DIR),
          "--month", "2026-10", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert (data["violations"], data["total"], data["forfeits"]) == (45, 870, 1)
    forfeited = [p["person"] for p in data["people"] if p["forfeit_months"]]
    assert forfeited == ["赵强"]


def test_sample_month_registry_carries_summaries_reasons_and_transforms(
        capsys: pytest.CaptureFixture[str]) -> None:
    main(["report", "registry", "--facts", str(SAMPLE_FACTS), "--policy", str(POLICY_DIR),
          "--month", "2026-10", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    rows = {r["case"]: r for r in data["rows"]}
    assert len(rows) == 26
    assert all(r["summary"] for r in rows.values())
    assert rows["26092201"]["status"] == "delayed"
    assert "随访流程需卫生站重新确认" in rows["26092201"]["note"]
    assert "2026-11-13" in rows["26092201"]["note"]
    assert rows["26101401"]["note"] == "需求转换为：改为标准CRM模块加自定义字段"
    assert data["warnings"] == []
