"""The deductions report (绩效扣款表) states its totals where HR reads it, not only in the
JSON: the title block of the text, HTML and Excel forms says the violations, the yuan and the
forfeited months, the figures the rows add up to."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helpers import REPO, SAMPLE_FACTS
from openpyxl import load_workbook

CLI = Path(sys.executable).parent / "policyengine"
ZH = "合计：违规 45 次，扣款 870 元，当月无绩效 1 人次"


def report(*words: str) -> str:
    done = subprocess.run([str(CLI), "report", "deductions", "--facts", str(SAMPLE_FACTS),
                           "--month", "2026-10", *words], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_totals_agree_with_the_json_and_head_every_printed_form(tmp_path: Path) -> None:
    data = json.loads(report("--format", "json"))
    data = data.get("data", data)
    assert (data["violations"], data["total"], data["forfeits"]) == (45, 870, 1)
    assert ZH in report()
    assert ("Total: 45 violations, 870 yuan deducted, performance pay forfeited for 1 "
            "person-month(s)") in report("--lang", "en")
    html = tmp_path / "r.html"
    report("--format", "html", "-o", str(html))
    assert "违规 45 次，扣款 870 元，当月无绩效 1 人次" in html.read_text(encoding="utf-8")
    book = tmp_path / "r.xlsx"
    report("--format", "xlsx", "-o", str(book))
    sheet = load_workbook(book).worksheets[0]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any("违规 45 次，扣款 870 元，当月无绩效 1 人次" in c for c in cells), cells[:20]
