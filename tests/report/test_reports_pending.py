"""Issue 8 in the reports: an obligation whose deadline needs a year the calendar lacks is
named in every report built over it (a 待日历数据 table, `pending` in the JSON, a warning),
the rest is computed, and `policyengine report` exits 3 after writing the file. The weekly
report of 2026-W53, whose Friday is 2027-01-01, is made with its deadline as written."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from policyengine.cli.common import EXIT_CALENDAR, EXIT_OK
from policyengine.cli.main import main
from policyengine.report.labels import label

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "facts-2026-10.jsonl"
POLICY = ROOT / "policies" / "customer-requirement"  # the default pack (policies/packs.yaml)
# A decision on the last working afternoon of 2026: the estimate it opens (R4) and the weekly
# report of that week (W1, due Friday 2027-01-01) need the working days of 2027.
DECEMBER = {"id": "x-1", "type": "decision.made", "at": "2026-12-31T17:30:00+08:00",
            "case": "26091501", "actor": "决策组", "decision": "do", "tier": "A"}
# W2, W3: weekly too; W4: January 2027's month-end summary
PENDING = {("R4", "26091501"), ("W1", None), ("W2", None), ("W3", None), ("W4", None)}

KINDS: list[tuple[str, tuple[str, ...]]] = [
    ("deductions", ("--month", "2026-12")),
    ("monthly", ("--month", "2026-12")),
    ("registry", ("--month", "2026-12")),
    ("rewards", ("--quarter", "2026-Q4")),
    ("weekly", ("--week", "2026-W53")),
]
IDS = [kind for kind, _ in KINDS]


@pytest.fixture(scope="module")
def december(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("facts") / "facts-december.jsonl"
    target.write_text(SAMPLE.read_text(encoding="utf-8") + json.dumps(DECEMBER,
                      ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def report(facts: Path, kind: str, period: tuple[str, ...], fmt: str, target: Path,
           lang: str = "zh") -> int:
    return main(["report", kind, *period, "--facts", str(facts), "--policy", str(POLICY),
                 "--lang", lang, "--format", fmt, "-o", str(target)])


def sheet_rows(path: Path, title: str) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        if any(row and row[0] == title for row in rows):
            return rows
    raise AssertionError(f"no sheet with a table titled {title!r}: {book.sheetnames}")


@pytest.mark.parametrize(("kind", "period"), KINDS, ids=IDS)
def test_every_kind_names_the_pending_obligations_in_json_and_exits_3(
        december: Path, tmp_path: Path, kind: str, period: tuple[str, ...],
        capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / f"{kind}.json"
    assert report(december, kind, period, "json", target) == EXIT_CALENDAR
    data = json.loads(target.read_text(encoding="utf-8"))
    assert {(p["duty"], p["case"]) for p in data["pending"]} == PENDING
    assert data["pending_years"] == [2027]
    estimate = next(p for p in data["pending"] if p["duty"] == "R4")
    assert estimate["trigger"]["id"] == "x-1"
    assert estimate["missing_year"] == 2027
    assert estimate["status"] == "waiting"
    assert label("warn.pending", "zh", count=len(PENDING), years="2027") in data["warnings"]
    # One line on standard error says it (the exit line), not the warning again.
    err = capsys.readouterr().err
    assert err.count("2027") >= 1
    assert "退出码 3" in err
    assert label("warn.pending", "zh", count=len(PENDING), years="2027") not in err


@pytest.mark.parametrize(("kind", "period"), KINDS, ids=IDS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_kind_draws_the_pending_table_in_the_workbook(
        december: Path, tmp_path: Path, kind: str, period: tuple[str, ...], lang: str) -> None:
    target = tmp_path / f"{kind}-{lang}.xlsx"
    assert report(december, kind, period, "xlsx", target, lang) == EXIT_CALENDAR
    rows = sheet_rows(target, label("table.pending", lang))
    header = rows.index(next(r for r in rows if r and r[0] == label("col.duty", lang)))
    assert rows[header][:8] == tuple(label(k, lang) for k in (
        "col.duty", "col.duty_name", "col.case_any", "col.person", "col.trigger",
        "col.missing_year", "col.due_not_before", "col.verdict"))
    body = [r for r in rows[header + 1:header + 3]]
    assert {(r[0], r[2]) for r in body} == {("R4", "26091501"),
                                           ("W1", label("case.none", lang))}
    estimate = next(r for r in body if r[0] == "R4")
    assert estimate[4] == "x-1" and estimate[5] == 2027
    assert estimate[7] == ("待完成" if lang == "zh" else "waiting")


@pytest.mark.parametrize("fmt", ["text", "csv", "html"])
def test_the_other_formats_draw_the_pending_table(december: Path, tmp_path: Path,
                                                  fmt: str) -> None:
    target = tmp_path / f"deductions.{fmt}"
    assert report(december, "deductions", ("--month", "2026-12"), fmt, target) == EXIT_CALENDAR
    text = target.read_text(encoding="utf-8-sig")
    assert label("table.pending", "zh") in text
    assert "26091501" in text and "x-1" in text
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        estimate = next(r for r in rows if r and r[0] == "R4")
        assert estimate[2] == "26091501" and estimate[4] == "x-1" and estimate[5] == "2027"


def test_the_w53_weekly_report_is_made_with_its_deadline_as_written(
        december: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "weekly.json"
    assert report(december, "weekly", ("--week", "2026-W53"), "json", target) == EXIT_CALENDAR
    data = json.loads(target.read_text(encoding="utf-8"))
    # The cut-off needs no working days; Friday 2027-01-01 12:00 is the deadline as written.
    assert data["window"] == {"after": "2026-12-24T18:00:00+08:00",
                              "up_to": "2026-12-31T18:00:00+08:00",
                              "report_due": "2027-01-01T12:00:00+08:00",
                              "report_due_missing_year": 2027}
    assert data["as_of"].startswith("2027-01-01T12:00")
    warning = label("warn.weekly_due", "zh", due="2027-01-01 12:00", year=2027)
    assert warning in data["warnings"]
    assert warning in capsys.readouterr().err
    # The rest is computed: the registry is there, whole.
    assert any(row["case"] == "26091501" for row in data["rows"])


def test_a_week_of_a_published_year_has_no_due_warning(tmp_path: Path) -> None:
    target = tmp_path / "weekly.json"
    assert report(SAMPLE, "weekly", ("--week", "2026-W43"), "json", target) == EXIT_OK
    data = json.loads(target.read_text(encoding="utf-8"))
    assert "report_due_missing_year" not in data["window"]
    assert data["warnings"] == [] or all("2027" not in w for w in data["warnings"])


@pytest.mark.parametrize(("kind", "period"), [
    ("deductions", ("--month", "2026-10")), ("monthly", ("--month", "2026-10")),
    ("registry", ("--month", "2026-10")), ("weekly", ("--week", "2026-W43"))], ids=str)
def test_without_pending_nothing_is_added_and_the_exit_is_0(
        tmp_path: Path, kind: str, period: tuple[str, ...]) -> None:
    target = tmp_path / f"{kind}.json"
    assert report(SAMPLE, kind, period, "json", target) == EXIT_OK
    data = json.loads(target.read_text(encoding="utf-8"))
    assert "pending" not in data and "pending_years" not in data
    book = tmp_path / f"{kind}.xlsx"
    assert report(SAMPLE, kind, period, "xlsx", book) == EXIT_OK
    titles = [row[0] for sheet in openpyxl.load_workbook(book).worksheets
              for row in sheet.iter_rows(values_only=True) if row]
    assert label("table.pending", "zh") not in titles
