"""The printed report names every duty and penalty code its tables show (代号说明): a reader of
the printed page has no policy file at hand, and `R13` or `P5` alone told them nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from policyengine.cli.main import main

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "facts-2026-10.jsonl"


def report(capsys: pytest.CaptureFixture[str], lang: str) -> tuple[str, list[str]]:
    assert main(["evaluate", "--policy", str(REPO / "policies"), "--facts", str(SAMPLE),
                 "--month", "2026-10", "--lang", lang]) in (0, 1)
    out = capsys.readouterr().out
    heading = "代号说明：上文各表中的职责与罚则" if lang == "zh" else "CODES used above"
    before, legend = out.split(f"\n{heading}", 1)
    rows = [row.split(None, 1) for row in legend.splitlines()[3:] if row.strip()]
    return before, [row[0] for row in rows] + [f"{row[0]}={row[1]}" for row in rows]


def test_the_legend_names_each_code_the_tables_show(capsys: pytest.CaptureFixture[str]) -> None:
    before, said = report(capsys, "zh")
    assert "R13=通知需求收集人需求完成" in said
    assert "P5=产品经理未及时通知收集人需求完成情况" in said
    codes = [s for s in said if "=" not in s]
    assert codes.index("R2") < codes.index("R13")          # the rule book's order
    assert codes.index("W4") < codes.index("P1")           # duties, then penalties
    # every code listed is one the tables above show, and each only once
    assert len(codes) == len(set(codes))
    assert all(f"  {code} " in before or f"{code}（" in before for code in codes)


def test_the_legend_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    _, said = report(capsys, "en")
    assert "P5=PM did not tell the collector of completion in time" in said
    assert "R1=report the requirement" in said
