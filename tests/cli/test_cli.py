"""The command line: `policyengine check`, `evaluate` (table, json, csv; --as-of, --quarter,
--reject-file) and `schema`; errors are lines without tracebacks, with stable exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import POLICY_DIR, REPO

from policyengine.cli.main import main
from policyengine.policy.schema import policy_json_schema

BROKEN = REPO / "tests" / "policy" / "broken"
POLICY = str(POLICY_DIR)


def jsonl(path: Path, facts: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(f, ensure_ascii=False) + "\n" for f in facts),
                    encoding="utf-8")
    return path


def roles() -> list[dict[str, Any]]:
    return [{"id": f"r-{role}", "type": "role.assigned", "at": "2026-07-01 09:00",
             "actor": "王总", "role": role, "person": person}
            for role, person in (("collector", "杨宝珠"), ("pm", "陈立"), ("it_lead", "赵强"),
                                 ("tester", "孙婷"))]


# The weekly duties and who sends each: W1 the collector's report, W2 IT's bug report, W3 the
# tester's bug form; a Friday 10:00 meets each of them.
WEEKLY = (("w", "weekly_report.submitted", "杨宝珠"), ("wb", "bug_weekly_report.submitted", "赵强"),
          ("wf", "bug_feedback_form.submitted", "孙婷"))


def weekly(fridays: list[str]) -> list[dict[str, Any]]:
    """The weekly reports of each Friday, and W4's month-end summary on the last one."""
    return [*({"id": f"{tag}-{day}", "type": kind, "at": f"{day} 10:00", "actor": who}
              for day in fridays for tag, kind, who in WEEKLY),
            {"id": f"m-{fridays[-1]}", "type": "monthly_summary.submitted",
             "at": f"{fridays[-1]} 10:00", "actor": "杨宝珠"}]


OCTOBER_FRIDAYS = ["2026-10-02", "2026-10-09", "2026-10-16", "2026-10-23", "2026-10-30"]

# A requirement raised Mon 10-12 09:30 and never reported: R1 due Thu 10-15 18:00, P1 20.
RAISED = {"id": "f-1", "type": "requirement.raised", "at": "2026-10-12 09:30",
          "case": "26101201", "actor": "李小四", "requester": "王医生"}


@pytest.fixture
def october_file(tmp_path: Path) -> Path:
    facts = [{**r, "at": "2026-10-01 09:00"} for r in roles()]
    return jsonl(tmp_path / "october.jsonl", [*facts, *weekly(OCTOBER_FRIDAYS), RAISED])


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- check ------------------------------------------------------------------------------------

def test_check_the_shipped_policy(capsys: pytest.CaptureFixture[str]) -> None:
    # mid-year: no year-end warning (tests/cli/test_cli_calendar.py has those)
    code, out, err = run_main(capsys, "check", POLICY, "--as-of", "2026-06-01T09:00+08:00",
                              "--lang", "en")
    assert code == 0
    assert out.startswith("ok: ") and "customer-requirement-feedback" in out
    assert err == ""
    # without --lang: the policy's own `language: zh`
    code, out, err = run_main(capsys, "check", POLICY)
    assert code == 0
    assert out.startswith("检查通过：") and "customer-requirement-feedback" in out


def test_check_a_broken_policy_one_line_per_mistake(capsys: pytest.CaptureFixture[str]) -> None:
    path = BROKEN / "several_mistakes.yaml"
    code, _, err = run_main(capsys, "check", str(path))
    assert code == 1
    lines = err.splitlines()
    # 7 mistakes (see tests/policy/test_loader.py), then one summary line
    assert len(lines) == 8
    assert all(line.startswith(f"{path}:") for line in lines[:7])
    assert lines[0].startswith(f"{path}:22:11: E-UNKNOWN-CASE-KIND: ")
    assert lines[7].startswith("7 ")          # the summary
    assert not lines[7].startswith(str(path))
    assert "Traceback" not in err


def test_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "check", str(BROKEN / "unknown_role.yaml"),
                            "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["ok"] is False
    assert [(e["line"], e["column"], e["code"]) for e in doc["errors"]] == [
        (27, 18, "E-UNKNOWN-ROLE")]
    code, out, _ = run_main(capsys, "check", POLICY, "--format", "json")
    assert code == 0 and json.loads(out)["ok"] is True


def test_check_by_subprocess_has_no_traceback() -> None:
    proc = subprocess.run([sys.executable, "-m", "policyengine.cli.main", "check",
                           str(BROKEN / "yaml_tab.yaml")], capture_output=True, text=True,
                          cwd=REPO, env=os.environ, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[0].startswith(f"{BROKEN / 'yaml_tab.yaml'}:27:1: E-YAML-TAB: ")
    assert "Traceback" not in proc.stderr


# -- evaluate -----------------------------------------------------------------------------------

def test_evaluate_json(capsys: pytest.CaptureFixture[str], october_file: Path) -> None:
    code, out, _ = run_main(capsys, "evaluate", "--facts", str(october_file), "--month",
                            "2026-10", "--policy", POLICY, "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert {"violations", "people", "obligations", "rewards"} <= set(doc)
    [v] = doc["violations"]
    assert {k: v[k] for k in ("duty", "case", "person", "due", "fulfilled_at")} == {
        "duty": "R1", "case": "26101201", "person": "李小四",
        "due": "2026-10-15T18:00:00+08:00", "fulfilled_at": None}
    assert (v["penalty"]["rule"], v["penalty"]["amount"]) == ("P1", 20)
    assert [{k: p[k] for k in ("person", "amount", "forfeit")} for p in doc["people"]] == [
        {"person": "李小四", "amount": 20, "forfeit": False}]
    # open at the end of October (Sun 11-01 00:00): R1 (overdue) and November's month-end
    # summary (W4, due Mon 11-30 18:00, its month has begun); the week of Mon 11-02, whose
    # report is due Fri 11-06, has not started
    assert [(o["duty"], o["due"], o["overdue"]) for o in doc["obligations"]] == [
        ("R1", "2026-10-15T18:00:00+08:00", True), ("W4", "2026-11-30T18:00:00+08:00", False)]
    assert doc["rewards"] == []
    assert doc["rejected"] == 0


def test_evaluate_as_of(capsys: pytest.CaptureFixture[str], october_file: Path) -> None:
    # at Thu 10-15 17:00 R1 is not due yet: no violation, R1 open
    code, out, _ = run_main(capsys, "evaluate", "--facts", str(october_file), "--month",
                            "2026-10", "--policy", POLICY, "--format", "json",
                            "--as-of", "2026-10-15T17:00:00+08:00")
    assert code == 0
    doc = json.loads(out)
    assert doc["violations"] == []
    assert doc["as_of"] == "2026-10-15T17:00:00+08:00"
    assert ("R1", "2026-10-15T18:00:00+08:00", False) in [
        (o["duty"], o["due"], o["overdue"]) for o in doc["obligations"]]


def test_evaluate_as_of_must_be_a_time(capsys: pytest.CaptureFixture[str],
                                       october_file: Path) -> None:
    code, _, err = run_main(capsys, "evaluate", "--facts", str(october_file), "--month",
                            "2026-10", "--policy", POLICY, "--as-of", "tomorrow")
    assert code == 2
    assert "--as-of" in err and "Traceback" not in err


def test_evaluate_csv(capsys: pytest.CaptureFixture[str], october_file: Path) -> None:
    code, out, _ = run_main(capsys, "evaluate", "--facts", str(october_file), "--month",
                            "2026-10", "--policy", POLICY, "--format", "csv", "--lang", "en")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["duty"], r["case"], r["person"], r["due"], r["penalty_rule"], r["amount"])
            for r in rows] == [
        ("R1", "26101201", "李小四", "2026-10-15T18:00:00+08:00", "P1", "20")]
    code, out, _ = run_main(capsys, "evaluate", "--facts", str(october_file), "--month",
                            "2026-10", "--policy", POLICY, "--format", "csv",
                            "--csv-table", "people", "--lang", "en")
    assert [(r["person"], r["amount"], r["forfeit"]) for r in csv.DictReader(io.StringIO(out))
            ] == [("李小四", "20", "no")]


def test_evaluate_table(capsys: pytest.CaptureFixture[str], october_file: Path) -> None:
    code, out, _ = run_main(capsys, "evaluate", "--facts", str(october_file), "--month",
                            "2026-10", "--policy", POLICY)
    assert code == 0
    assert "李小四" in out and "R1" in out and "26101201" in out


def test_evaluate_quarter_rewards(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Q3: 陈立 commits a plan Mon 07-06 for Fri 07-10 and delivers it Thu 07-09: A1 (100-1000),
    # and M1 (working days after 07-09 up to 07-10: 1).
    fridays = [f"2026-07-{d:02d}" for d in (3, 10, 17, 24, 31)] + [
        f"2026-08-{d:02d}" for d in (7, 14, 21, 28)] + [
        f"2026-09-{d:02d}" for d in (4, 11, 18, 25)]
    facts = [*roles(), *weekly(fridays),
             {"type": "plan.estimated", "at": "2026-07-06 10:00", "case": "26070601",
              "actor": "陈立", "due": "2026-07-10"},
             {"type": "plan.delivered", "at": "2026-07-09 15:00", "case": "26070601",
              "actor": "陈立"}]
    path = jsonl(tmp_path / "q3.jsonl", facts)
    code, out, _ = run_main(capsys, "evaluate", "--facts", str(path), "--quarter", "2026-Q3",
                            "--policy", POLICY, "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["period"] == "2026-Q3"
    [reward] = doc["rewards"]
    assert {k: reward[k] for k in ("person", "reward", "min", "max")} == {
        "person": "陈立", "reward": "A1", "min": 100, "max": 1000}
    assert "C1" in reward["reason"]
    assert [(m["person"], m["duty"], m["working_days_early"]) for m in doc["merits"]] == [
        ("陈立", "C1", 1)]


# -- bad facts ----------------------------------------------------------------------------------

@pytest.fixture
def mixed_file(tmp_path: Path) -> Path:
    lines = [json.dumps(RAISED, ensure_ascii=False),                                # 1 good
             '{"type": "bug.found", "at": ',                                        # 2 JSON
             json.dumps({**RAISED, "id": "f-3", "type": "requirement.rasied"}),     # 3 type
             json.dumps({**RAISED, "id": "f-4", "case": "2610121"}),                # 4 case id
             json.dumps({"id": "f-5", "type": "bug.found", "at": "2026-10-13 10:00",
                         "case": "B26101301", "actor": "张三"}, ensure_ascii=False)]  # 5 good
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bad_facts_stop_the_evaluation(capsys: pytest.CaptureFixture[str],
                                       mixed_file: Path) -> None:
    code, out, err = run_main(capsys, "evaluate", "--facts", str(mixed_file), "--month",
                              "2026-10", "--policy", POLICY, "--format", "json", "--lang", "en")
    assert code == 1
    assert out == ""                     # nothing evaluated
    lines = err.splitlines()
    assert [line.split(": ")[0] for line in lines[:3]] == [
        f"{mixed_file}:2", f"{mixed_file}:3", f"{mixed_file}:4"]
    assert "E-FACT-JSON" in lines[0]
    assert "did you mean 'requirement.raised'" in lines[1]
    assert "case id '2610121'" in lines[2]
    assert "--reject-file" in lines[3]
    assert "Traceback" not in err


def test_reject_file_evaluates_the_valid_facts(capsys: pytest.CaptureFixture[str],
                                               mixed_file: Path, tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.jsonl"
    code, out, err = run_main(capsys, "evaluate", "--facts", str(mixed_file), "--month",
                              "2026-10", "--policy", POLICY, "--format", "json",
                              "--reject-file", str(rejects), "--lang", "en")
    assert code == 0
    doc = json.loads(out)
    assert doc["rejected"] == 3
    # lines 1 and 5 evaluated: R1 of 26101201 (due Thu 10-15 18:00) and B1 of B26101301
    # (found Tue 10-13 10:00 -> due 18:00), both never done
    assert sorted((v["duty"], v["case"]) for v in doc["violations"]
                  if v["duty"] not in ("W1", "W2", "W3", "W4")) == [
        ("B1", "B26101301"), ("R1", "26101201")]
    written = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert [(r["line"], r["location"]) for r in written] == [
        (2, f"{mixed_file}:2"), (3, f"{mixed_file}:3"), (4, f"{mixed_file}:4")]
    assert "not valid JSON" in written[0]["reasons"][0]
    assert "requirement.rasied" in written[1]["reasons"][0]
    assert "2610121" in written[2]["reasons"][0]
    assert written[0]["text"] == '{"type": "bug.found", "at":'
    assert "3 fact(s) rejected" in err


# -- errors and exit codes ------------------------------------------------------------------

def test_a_broken_policy_stops_evaluate(capsys: pytest.CaptureFixture[str],
                                        october_file: Path) -> None:
    code, out, err = run_main(capsys, "evaluate", "--facts", str(october_file), "--month",
                              "2026-10", "--policy", str(BROKEN / "unknown_role.yaml"))
    assert code == 2
    assert out == ""
    assert err.splitlines()[0].startswith(f"{BROKEN / 'unknown_role.yaml'}:27:18: ")


def test_missing_calendar_year_exits_3(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    path = jsonl(tmp_path / "f.jsonl", [{"type": "bug.found", "at": "2027-01-04 10:00",
                                         "case": "B27010401", "actor": "张三"}])
    code, out, err = run_main(capsys, "evaluate", "--facts", str(path), "--month", "2027-01",
                              "--policy", POLICY)
    assert code == 3  # evaluated, with obligations pending calendar data: the report is printed
    assert "2027" in err and "Traceback" not in err
    assert "B1" in out and "B27010401" in out


def test_missing_facts_file_is_a_usage_error(capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    code, _, err = run_main(capsys, "evaluate", "--facts", str(tmp_path / "nope.jsonl"),
                            "--month", "2026-10", "--policy", POLICY)
    assert code == 2
    assert "没有这个文件" in err


def test_a_bad_period_is_a_usage_error(capsys: pytest.CaptureFixture[str],
                                       october_file: Path) -> None:
    code, _, err = run_main(capsys, "evaluate", "--facts", str(october_file), "--month",
                            "2026-13", "--policy", POLICY)
    assert code == 2
    assert "2026-13" in err


def test_month_and_quarter_are_exclusive(capsys: pytest.CaptureFixture[str],
                                         october_file: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["evaluate", "--facts", str(october_file), "--month", "2026-10",
              "--quarter", "2026-Q4"])
    assert caught.value.code == 2


def test_schema_command_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "schema")
    assert code == 0
    assert json.loads(out) == policy_json_schema()


def test_evaluate_by_subprocess_reads_stdin(october_file: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "policyengine.cli.main", "evaluate", "--facts", "-",
         "--month", "2026-10", "--policy", POLICY, "--format", "json"],
        input=october_file.read_text(encoding="utf-8"), capture_output=True, text=True,
        cwd=REPO, env=os.environ, timeout=60)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [(v["duty"], v["person"]) for v in doc["violations"]] == [("R1", "李小四")]


def test_evaluate_csv_facts(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # The same month as october_file, written as CSV: one R1 violation (P1 20) for 李小四.
    header = "id,type,at,case,actor,requester,role,person"
    rows = [f"r-{role},role.assigned,2026-10-01 09:00,,王总,,{role},{person}"
            for role, person in (("collector", "杨宝珠"), ("pm", "陈立"), ("it_lead", "赵强"),
                                 ("tester", "孙婷"))]
    rows += [f"{tag}-{day},{kind},{day} 10:00,,{who},,," for day in OCTOBER_FRIDAYS
             for tag, kind, who in WEEKLY]
    rows.append("m-1,monthly_summary.submitted,2026-10-30 10:00,,杨宝珠,,,")
    rows.append("f-1,requirement.raised,2026-10-12 09:30,26101201,李小四,王医生,,")
    path = tmp_path / "october.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    code, out, _ = run_main(capsys, "evaluate", "--facts", str(path), "--month", "2026-10",
                            "--policy", POLICY, "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert [(v["duty"], v["person"], v["penalty"]["amount"]) for v in doc["violations"]] == [
        ("R1", "李小四", 20)]
