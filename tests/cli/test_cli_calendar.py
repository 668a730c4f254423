"""The command line at a year's end: pending obligations in every format and exit code 3,
`calendar show YEAR`, and `check`'s W-CAL-YEAR-END warning."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from helpers import POLICY_DIR, copy_policy

from policyengine.cli.main import EXIT_CALENDAR, main
from policyengine.results import PendingStatus
from policyengine.wording import TEMPLATES

POLICY = str(POLICY_DIR)
FACTS = [
    {"id": "r-1", "type": "role.assigned", "at": "2026-12-01T09:00:00+08:00",
     "role": "collector", "person": "杨宝珠"},
    {"id": "q-1", "type": "requirement.raised", "at": "2026-12-28T10:00:00+08:00",
     "case": "26122801", "actor": "张三"},
    {"id": "d-1", "type": "decision.made", "at": "2026-12-31T18:30:00+08:00",
     "case": "26122801", "actor": "王总", "decision": "dont", "tier": "C"},
    # R6 (same day) opened after end of work on Thu 12-31: due on the next working day, 2027
    {"id": "n-1", "type": "reporter.notified", "at": "2026-12-31T19:00:00+08:00",
     "case": "26122801", "actor": "杨宝珠", "about": "decision"},
]


@pytest.fixture
def facts(tmp_path: Path) -> str:
    path = tmp_path / "december.jsonl"
    path.write_text("".join(json.dumps(f, ensure_ascii=False) + "\n" for f in FACTS),
                    encoding="utf-8")
    return str(path)


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def evaluate(capsys: pytest.CaptureFixture[str], facts: str, *more: str) -> tuple[int, str, str]:
    return run_main(capsys, "evaluate", "--facts", facts, "--month", "2026-12", "--policy",
                    POLICY, *more)


def test_the_table_lists_pending_obligations_and_exits_3(
        capsys: pytest.CaptureFixture[str], facts: str) -> None:
    code, out, err = evaluate(capsys, facts, "--lang", "en")
    assert code == EXIT_CALENDAR == 3
    assert "PENDING CALENDAR DATA: 5 obligation(s)" in out
    pending = out.split("PENDING CALENDAR DATA")[1].split("\n\n")[0]
    [r6] = [row for row in pending.splitlines() if row.strip().startswith("R6")]
    assert "26122801" in r6 and "张三" in r6 and "n-1" in r6 and "2027" in r6
    assert "SUMMARY:" in out                        # the rest of the report is there
    assert "5 obligation(s) pending calendar data for 2027" in err


def test_the_table_in_chinese(capsys: pytest.CaptureFixture[str], facts: str) -> None:
    _, out, err = evaluate(capsys, facts, "--lang", "zh")
    assert "待日历数据：5 项职责" in out and "待完成" in out
    assert "退出码 3" in err


def test_json_and_csv_carry_the_pending_obligations(
        capsys: pytest.CaptureFixture[str], facts: str) -> None:
    code, out, _ = evaluate(capsys, facts, "--format", "json")
    document: dict[str, Any] = json.loads(out)
    assert code == 3
    # R6, the week of Fri 2027-01-01 of each weekly duty (W1, W2, W3) and January 2027 of
    # the monthly W4 (its last working day needs the 2027 calendar)
    assert document["stats"]["pending_calendar"] == 5
    by_duty = {p["duty"]: p for p in document["pending"]}
    assert set(by_duty) == {"R6", "W1", "W2", "W3", "W4"}
    assert by_duty["R6"]["trigger"]["id"] == "n-1"
    assert by_duty["R6"]["person"] == "张三" and by_duty["R6"]["missing_year"] == 2027
    assert by_duty["R6"]["status"] == "waiting" and by_duty["R6"]["case"] == "26122801"
    code, out, _ = evaluate(capsys, facts, "--format", "csv", "--csv-table", "pending",
                              "--lang", "en")
    assert out.startswith("\ufeff")                  # the BOM, for Excel
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"))))
    assert code == 3
    assert {(r["duty"], r["missing_year"], r["status"]) for r in rows} == {
        ("R6", "2027", "waiting"), ("W1", "2027", "waiting"), ("W2", "2027", "waiting"),
        ("W3", "2027", "waiting"), ("W4", "2027", "waiting")}


def test_nothing_pending_exits_0(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "october.jsonl"
    path.write_text(json.dumps(FACTS[0]) + "\n", encoding="utf-8")
    code, out, _ = run_main(capsys, "evaluate", "--facts", str(path), "--month", "2026-10",
                            "--policy", POLICY)
    assert code == 0
    assert "PENDING" not in out and "待日历数据" not in out


def test_explain_shows_the_pending_duty_of_a_case(
        capsys: pytest.CaptureFixture[str], facts: str) -> None:
    code, out, _ = run_main(capsys, "explain", "--facts", facts, "--month", "2026-12",
                            "--case", "26122801", "--policy", POLICY, "--lang", "en")
    assert code == 3
    [heading] = [row for row in out.splitlines() if "duty R6" in row]
    assert heading.endswith("PENDING calendar data")
    assert "needs the working days of 2027" in out
    code, out, _ = run_main(capsys, "explain", "--facts", facts, "--month", "2026-12",
                            "--case", "26122801", "--policy", POLICY, "--format", "json")
    [r6] = [d for d in json.loads(out)["duties"] if d["duty"] == "R6"]
    assert (r6["status"], r6["due"], r6["missing_year"]) == ("pending", None, 2027)
    code, out, _ = run_main(capsys, "explain", "--facts", facts, "--month", "2026-12",
                            "--person", "张三", "--policy", POLICY, "--format", "json")
    assert [p["duty"] for p in json.loads(out)["pending"]] == ["R6"]


def test_calendar_show_a_known_year_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "calendar", "show", "2026", "--policy", POLICY)
    assert code == 0
    assert out.startswith("2026 年工作日历")            # the shipped policy's language: zh
    assert "官方数据" in out
    assert "2026-10-01（周四）  国庆节" in out            # a holiday, named
    assert "2026-10-10（周六）  国庆节" in out            # an adjusted working day (调休)
    assert "全年 248 天" in out


def test_calendar_show_an_unknown_year_says_how_to_add_it(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "calendar", "show", "2027", "--policy", POLICY,
                            "--lang", "en")
    assert code == EXIT_CALENDAR
    assert "2027: not in the calendar (source: none)" in out
    assert "calendar.years.2027" in out and "2004-2026" in out


def test_calendar_show_a_year_from_the_policy_file(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    folder = copy_policy(tmp_path / "policies", [(
        "policy.yaml", "  years: {}",
        "  years:\n    2027:   # SAMPLE, not the official arrangement\n"
        "      holidays: {2027-01-01: 元旦}\n      working_days: {2027-02-20: 春节调休}\n")])
    code, out, _ = run_main(capsys, "calendar", "show", "2027", "--policy", str(folder),
                            "--lang", "en")
    assert code == 0
    assert "the policy file (calendar.years.2027)" in out
    assert "2027-01-01 (Fri)  元旦" in out and "2027-02-20 (Sat)  春节调休" in out
    # January 2027: 21 weekdays less New Year's Day
    assert out.splitlines()[-1].split()[0] == "20"


def test_calendar_show_refuses_a_non_year(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(capsys, "calendar", "show", "20x7", "--policy", POLICY)
    assert code == 2
    assert "20x7" in err


@pytest.mark.parametrize(("as_of", "warned"), [
    ("2026-11-29T12:00+08:00", False),   # 32 days before 12-31
    ("2026-11-30T09:00+08:00", True),    # 31 days: today, as this was written
    ("2027-01-05T09:00+08:00", True),    # the year has ended
])
def test_check_warns_when_the_calendar_runs_out(
        capsys: pytest.CaptureFixture[str], as_of: str, warned: bool) -> None:
    code, out, err = run_main(capsys, "check", POLICY, "--as-of", as_of, "--lang", "en")
    assert code == 0
    assert out.startswith("ok: ")
    assert ("W-CAL-YEAR-END" in err) is warned
    code, out, _ = run_main(capsys, "check", POLICY, "--as-of", as_of, "--format", "json")
    warnings = json.loads(out)["warnings"]
    assert code == 0
    assert [w["code"] for w in warnings] == (["W-CAL-YEAR-END"] if warned else [])


def test_every_official_holiday_and_pending_status_has_words() -> None:
    # Their wording keys are built from names (holiday.<key>, pending.<status>_status).
    from chinese_calendar import Holiday

    for holiday in Holiday:
        assert TEMPLATES[f"holiday.{holiday.name}"][1], holiday
    for status in PendingStatus:
        assert status.words.render("zh") and status.words.render("en")
