"""Renderers: CSV (BOM, formula escape, several tables), JSON (data and stamp), the dispatch
table (xlsx/html not available until wired), and the `report` command's choices."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import POLICY_DIR, SAMPLE_FACTS, fact, shipped

from policyengine.cli.main import main
from policyengine.errors import UsageError
from policyengine.periods import Period
from policyengine.report.builders import build_document
from policyengine.report.document import Document, ReportKind
from policyengine.report.render import FORMATS, RENDERERS, render_document

SAMPLE = ["--facts", str(SAMPLE_FACTS), "--policy", str(POLICY_DIR)]


def registry(requester: str) -> Document:
    facts = [fact("requirement.raised", "2026-10-12 09:00", case="26101201", actor="李小四",
                  requester=requester),
             fact("requirement.reported", "2026-10-12 10:00", case="26101201", actor="李小四",
                  summary="-1+1 报表")]
    return build_document(ReportKind.REGISTRY, shipped(), facts, period=Period.parse("2026-10"),
                          as_of=None, lang="zh")


def test_csv_has_a_bom_and_escapes_formulas() -> None:
    text = render_document(registry("=HYPERLINK(\"http://x\")"), "csv").decode("utf-8")
    assert text.startswith("\ufeff需求登记反馈表\r\n")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    assert "'-1+1 报表" in text
    assert "需求编号,填表人,需求人,决策结果" in text


def test_csv_of_several_tables_puts_a_title_row_before_each_and_a_blank_line_between() -> None:
    doc = build_document(ReportKind.MONTHLY, shipped(), [], period=Period.parse("2026-10"),
                         as_of=None, lang="zh")
    lines = render_document(doc, "csv").decode("utf-8").lstrip("\ufeff").split("\r\n")
    for table in doc.tables:
        at = lines.index(table.title)
        assert lines[at - 1] == ""
        assert lines[at + 1] == ",".join(c.header for c in table.columns)


def test_json_carries_the_data_and_what_it_stands_on() -> None:
    data = json.loads(render_document(registry("王医生"), "json"))
    assert (data["kind"], data["period"], data["lang"]) == ("registry", "2026-10", "zh")
    assert data["as_of"] == "2026-11-01T00:00:00+08:00"
    assert {"id", "version", "content_hash", "dirty"} <= set(data["policy"])
    assert data["rows"][0]["requester"] == "王医生"


def test_every_format_the_command_offers_has_a_renderer() -> None:
    doc = registry("王医生")
    for fmt in FORMATS:
        assert fmt in RENDERERS and render_document(doc, fmt)
    with pytest.raises(UsageError, match="unknown report format 'pdf'"):
        render_document(doc, "pdf")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_report_refuses_a_binary_format_on_the_terminal(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "report", "monthly", *SAMPLE, "--month", "2026-10",
                         "--format", "xlsx")
    assert code == 2 and out == ""
    assert "二进制文件" in err and "-o" in err


def test_report_writes_html_by_its_suffix(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    code, _, _ = run(capsys, "report", "monthly", *SAMPLE, "--month", "2026-10",
                     "-o", str(tmp_path / "m.html"))
    assert code == 0
    assert (tmp_path / "m.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_report_writes_the_format_its_suffix_names(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    target = tmp_path / "月报.csv"
    code, out, _ = run(capsys, "report", "monthly", *SAMPLE, "--month", "2026-10",
                       "-o", str(target))
    assert code == 0 and out == ""
    assert target.read_bytes().startswith("\ufeff需求收集处理月度总结".encode())


def test_report_period_must_fit_the_kind(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "report", "monthly", *SAMPLE, "--week", "2026-W43")
    assert code == 2 and "--month" in err
    code, _, err = run(capsys, "report", "weekly", *SAMPLE, "--week", "2026-10")
    assert code == 2 and "YYYY-Www" in err
    code, _, err = run(capsys, "report", "rewards", *SAMPLE, "--month", "2026-10")
    assert code == 2 and "--quarter" in err


ASCII_WORD = re.compile(r"[A-Za-z]{2,}")


@pytest.mark.parametrize(("kind", "period"), [("registry", ("--month", "2026-10")),
                                              ("weekly", ("--week", "2026-W43")),
                                              ("monthly", ("--month", "2026-10")),
                                              ("deductions", ("--month", "2026-10")),
                                              ("rewards", ("--quarter", "2026-Q4"))])
def test_chinese_reports_have_no_english_headings(capsys: pytest.CaptureFixture[str],
                                                  kind: str, period: tuple[str, str]) -> None:
    code, out, _ = run(capsys, "report", kind, *SAMPLE, *period, "--lang", "zh",
                       "--format", "csv")
    # The sample quarter's last weekly report (W1 of 2026-W53, due Friday 2027-01-01) waits
    # for the 2027 calendar: the rewards report lists it and exits 3 (issue 8).
    assert code == (3 if kind == "rewards" else 0)
    blocks = out.lstrip("\ufeff").split("\r\n\r\n")
    title_block = blocks[0].splitlines()
    labels = [line.split(",")[0] for line in title_block]
    headers = [block.splitlines()[1] for block in blocks[1:]]
    titles = [block.splitlines()[0] for block in blocks]
    for text in [*labels, *headers, *titles]:
        assert not ASCII_WORD.search(text), text


def test_english_reports_are_english(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "report", "registry", *SAMPLE, "--month", "2026-10",
                       "--lang", "en", "--format", "csv")
    assert code == 0
    assert "requirement no.,filed by,requester,decision" in out
    assert "需求编号" not in out
