"""One regression test per defect found in review (each reproduced before it was fixed)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import COLLECTOR, PM, POLICY_DIR, REPORTER, at, fact, october_base, of, run, shipped

import policyengine as pe
from policyengine.cli.main import main
from policyengine.errors import FactError
from policyengine.timeparse import AmbiguousUnitError, parse_span

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "facts-2026-10.jsonl"


def patched_policy(tmp_path: Path, file: str, old: str, new: str) -> Path:
    folder = tmp_path / "policy"
    shutil.copytree(POLICY_DIR, folder)
    text = (folder / file).read_text(encoding="utf-8")
    assert old in text
    (folder / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def check_output(folder: Path) -> tuple[int, str]:
    done = subprocess.run([sys.executable, "-m", "policyengine.cli.main", "check", str(folder),
                           "--lang", "en"],
                          capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


# --- results --------------------------------------------------------------------------


def test_a_delay_approved_after_delivery_still_moves_the_deadline() -> None:
    # C1 due Fri 10-16 18:00; delay to 10-23 requested Thu 10-15 (before the deadline);
    # delivered Tue 10-20; approved Wed 10-21: the deadline is 10-23 18:00, so met.
    case = "26100901"
    facts = [*october_base(),
             fact("plan.estimated", "2026-10-12 10:00", case=case, actor=PM, due="2026-10-16"),
             fact("delay.requested", "2026-10-15 10:00", case=case, actor=PM,
                  commitment="plan", new_due="2026-10-23"),
             fact("plan.delivered", "2026-10-20 10:00", case=case, actor=PM),
             fact("delay.approved", "2026-10-21 10:00", case=case, actor="王总",
                  commitment="plan")]
    assert of(run(facts), "C1") == []


def test_an_unrelated_fact_at_the_same_instant_changes_nothing() -> None:
    case = "26100901"
    base = [*october_base(),
            fact("plan.estimated", "2026-10-12 10:00", case=case, actor=PM, due="2026-10-16"),
            fact("delay.requested", "2026-10-15 10:00", case=case, actor=PM,
                 commitment="plan", new_due="2026-10-23"),
            fact("delay.approved", "2026-10-15 11:00", case=case, actor="王总",
                 commitment="plan"),
            fact("plan.delivered", "2026-10-20 10:00", case=case, actor=PM)]
    other = fact("requirement.raised", "2026-10-15 11:00", case="26101501", actor=REPORTER)
    alone = [v.to_dict() for v in of(run(base), "C1")]
    together = [v.to_dict() for v in of(run([*base, other]), "C1")]
    assert alone == together == []


def test_the_tier_is_found_by_attribute_type_not_name(tmp_path: Path) -> None:
    # Renaming decision.made's tier attribute to 'grade' keeps A2 (ledger: 陈立, case
    # 26091501, tier A, accepted after 2 of 8 working days).
    folder = patched_policy(tmp_path, "vocabulary.yaml",
                            "      tier: {type: tier, required_when: {decision: [do, transform]}",
                            "      grade: {type: tier, required_when: {decision: [do, transform]}")
    facts_file = tmp_path / "facts.jsonl"
    facts_file.write_text(SAMPLE.read_text(encoding="utf-8").replace('"tier":', '"grade":'),
                          encoding="utf-8")
    policy = pe.load_policy(folder)
    result = pe.evaluate(policy, pe.read_facts(facts_file, policy).facts, period="2026-Q4",
                         as_of=at("2026-11-01 00:00"))
    assert [(r.person, r.reward) for r in result.rewards if r.reward == "A2"] == [("陈立", "A2")]


def test_zero_grace_is_zero(tmp_path: Path) -> None:
    folder = patched_policy(tmp_path, "duties.yaml",
                            "    trigger: bug.reproduced\n    fulfilled_by: bug.filed\n"
                            "    deadline: {immediately: {}}",
                            "    trigger: bug.reproduced\n    fulfilled_by: bug.filed\n"
                            "    deadline: {immediately: {grace: 0m}}")
    policy = pe.load_policy(folder)
    facts = [*october_base(),
             fact("bug.found", "2026-10-13 10:00", case="B26101301", actor=REPORTER,
                  policy=policy),
             fact("bug.reproduced", "2026-10-13 11:00", case="B26101301", actor="孙婷",
                  policy=policy),
             fact("bug.filed", "2026-10-13 11:10", case="B26101301", actor="孙婷",
                  policy=policy)]
    result = pe.evaluate(policy, facts, period="2026-10")
    [b2] = [v for v in result.violations if v.duty == "B2"]
    assert b2.late_by.total_seconds() == 600


# --- facts ----------------------------------------------------------------------------


def _lines(tmp_path: Path, rows: list[dict[str, object]], name: str = "f.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def test_conflicting_ids_are_both_rejected_whatever_the_order(tmp_path: Path) -> None:
    one = {"id": "x", "type": "requirement.raised", "at": "2026-10-12T10:00+08:00",
           "case": "26101201", "actor": "张三"}
    two = {**one, "case": "26101202", "actor": "李四"}
    for rows in ([one, two], [two, one]):
        batch = pe.read_facts(_lines(tmp_path, rows), shipped())
        assert batch.facts == []
        assert [r.location.line for r in batch.rejected] == [1, 2]


def test_a_case_id_with_a_trailing_newline_is_rejected() -> None:
    reasons = shipped().schema.build({"type": "requirement.raised", "at": "2026-10-12 10:00",
                                      "case": "26101201\n", "actor": "张三"})
    assert isinstance(reasons, list) and "case id" in reasons[0]


def test_a_role_that_is_not_assigned_cannot_be_assigned() -> None:
    reasons = shipped().schema.build({"type": "role.assigned", "at": "2026-10-12 10:00",
                                      "role": "reporter", "person": "张三"})
    assert isinstance(reasons, list) and "'role' is 'reporter'" in reasons[0]


def test_a_byte_order_mark_does_not_turn_json_lines_into_csv(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    rows = [{"id": "a", "type": "bug.found", "at": "2026-10-13T10:00+08:00",
             "case": "B26101301", "actor": "张三"},
            {"id": "b", "type": "bug.reported", "at": "2026-10-13T11:00+08:00",
             "case": "B26101301", "actor": "张三"}]
    path.write_text("\ufeff" + "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    batch = pe.read_facts(path, shipped())
    assert (len(batch.facts), batch.rejected) == (2, [])


def test_a_file_not_in_utf8_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("id,type,at,case,actor\n1,bug.found,2026-10-13 10:00,B26101301,张三\n"
                     .encode("gbk"))
    with pytest.raises(FactError) as caught:
        pe.read_facts(path, shipped())
    assert caught.value.diagnostics[0].code == "E-FACT-ENCODING"
    assert "UTF-8" in caught.value.diagnostics[0].message


# --- policy files ---------------------------------------------------------------------

R9_TAIL = "    deadline: {within: 1h}\n    responsible: collector\n    penalty: P4\n  R10:"


@pytest.mark.parametrize(("file", "old", "new", "code", "phrase"), [
    ("penalties.yaml", "effective: 2014-07-01\n        per_instance: 20",
     "effective: 2026-02-30\n        per_instance: 20", "E-TYPE", "valid date"),
    ("policy.yaml", 'version: "1.0"', 'version: !foo "1.0"', "E-YAML", "!foo"),
    ("policy.yaml", "years: {}", "years: &y {2027: *y}", "E-YAML", "alias"),
    ("policy.yaml", "timezone: Asia/Shanghai", "timezone: Asia", "E-VALUE", "time zone"),
    ("duties.yaml", R9_TAIL,
     "    deadline: {within: 1h}\n    deadline_changes:\n"
     "      - {effective: 2027-01-01, by: {cron: \"0 18 * *\"}}\n"
     "    responsible: collector\n    penalty: P4\n  R10:", "E-VALUE", "not a cron expression"),
    ("duties.yaml", R9_TAIL,
     "    deadline: {by: {cron: \"0 18 30 2 *\"}}\n    responsible: collector\n    penalty: P4\n"
     "  R10:", "E-VALUE", "never matches"),
    ("vocabulary.yaml", "      due: {type: date, required: true,", "      due: {type: date,",
     "E-VALUE", "required: true"),
])
def test_policy_mistakes_are_located_errors_not_tracebacks(
        tmp_path: Path, file: str, old: str, new: str, code: str, phrase: str) -> None:
    folder = patched_policy(tmp_path, file, old, new)
    status, output = check_output(folder)
    assert status == 1
    assert "Traceback" not in output
    assert any(f": {code}: " in line and phrase in line for line in output.splitlines()), output


def test_case_patterns_with_flags_are_checked_one_by_one(tmp_path: Path) -> None:
    folder = patched_policy(tmp_path, "vocabulary.yaml",
                            "    pattern: '^B\\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\\d|3[01])\\d{2}$'",
                            "    pattern: '(?i)^b\\d{8}$'")
    policy = pe.load_policy(folder)
    assert not isinstance(policy.schema.build({"type": "bug.found", "at": "2026-10-13 10:00",
                                               "case": "b26101301", "actor": "张三"}), list)


def test_the_duration_hint_for_a_fraction_of_a_day_is_valid() -> None:
    with pytest.raises(AmbiguousUnitError, match=r"write '1d12h' for 36 hours"):
        parse_span("1.5 days")


# --- command line ---------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["--month", "0000-10"],
    ["--month", "2026-10", "--as-of", "0001-01-01T00:00+05:00"],
])
def test_odd_command_line_values_are_usage_errors(args: list[str],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "--facts", str(SAMPLE), *args]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_a_missing_calendar_year_names_the_earliest_fact(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _lines(tmp_path, [{"id": "typo", "type": "role.assigned",
                              "at": "0226-10-12T10:00+08:00", "role": "collector",
                              "person": COLLECTOR}])
    assert main(["evaluate", "--facts", str(path), "--month", "2026-10"]) == 3
    err = capsys.readouterr().err
    assert "E-CAL-YEAR" in err and "typo" in err and "0226-10-12" in err


def test_against_refuses_a_file_that_is_not_a_saved_evaluation(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "--facts", str(SAMPLE), "--month", "2026-10", "--old", "policies",
                 "--format", "json"]) == 0
    saved = tmp_path / "diff.json"
    saved.write_text(capsys.readouterr().out, encoding="utf-8")
    assert main(["evaluate", "--facts", str(SAMPLE), "--month", "2026-10",
                 "--against", str(saved)]) == 2
    assert "不是保存的评估结果" in capsys.readouterr().err


def test_against_refuses_another_period(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "--facts", str(SAMPLE), "--month", "2026-09",
                 "--format", "json"]) == 0
    saved = tmp_path / "sep.json"
    saved.write_text(capsys.readouterr().out, encoding="utf-8")
    assert main(["evaluate", "--facts", str(SAMPLE), "--month", "2026-10",
                 "--against", str(saved)]) == 2
    assert "保存的是 2026-09 的结果，不是 2026-10 的" in capsys.readouterr().err


def test_against_is_stable_for_facts_without_ids(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        row.pop("id")
    before = _lines(tmp_path, rows, "before.jsonl")
    assert main(["evaluate", "--facts", str(before), "--month", "2026-10",
                 "--format", "json"]) == 0
    saved = tmp_path / "oct.json"
    saved.write_text(capsys.readouterr().out, encoding="utf-8")
    # the same facts, the role assignments moved to the end: every line number changes
    after = _lines(tmp_path, rows[4:] + rows[:4], "after.jsonl")
    assert main(["evaluate", "--facts", str(after), "--month", "2026-10", "--format", "json",
                 "--against", str(saved)]) == 0
    assert json.loads(capsys.readouterr().out)["corrections"]["unchanged"] is True


@pytest.mark.parametrize("text", [
    '{"id": ' + "9" * 5000 + ', "type": "role.assigned"}',
    '{"id": "deep", "person": ' + "[" * 100_000 + "]" * 100_000 + "}",
])
def test_lines_that_break_the_json_decoder_are_rejected_not_crashes(tmp_path: Path,
                                                                    text: str) -> None:
    path = tmp_path / "odd.jsonl"
    path.write_text(text + "\n", encoding="utf-8")
    [rejection] = pe.read_facts(path, shipped()).rejected
    assert rejection.reasons[0].startswith("not valid JSON")


def test_a_boolean_id_is_refused() -> None:
    reasons = shipped().schema.build({"id": True, "type": "role.assigned",
                                      "at": "2026-09-01T09:00", "role": "collector",
                                      "person": "Z"})
    assert isinstance(reasons, list) and len(reasons) == 1
    assert reasons[0].startswith("'id' must be text in quotes")
