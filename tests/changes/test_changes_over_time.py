"""Policy changes over time: dated values, what-if diffs, corrections, explanations.

Expected values are worked out by hand from the sample ledger (samples/README.md) and the
policy reading; the engine's own functions are only run, never used to compute expectations.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import policyengine as pe
from policyengine.cli.main import main
from policyengine.compare import compare
from policyengine.errors import PolicyError

REPO = Path(__file__).resolve().parents[2]
POLICY_DIR = REPO / "policies" / "customer-requirement"  # the default pack (packs.yaml)
SAMPLE = REPO / "samples" / "facts-2026-10.jsonl"

P2_BLOCK = """    clause: 惩罚2 (每次扣绩效20元)
    versions:
      - effective: 2014-07-01
        per_instance: 20"""


def policy_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(POLICY_DIR, folder)
    for path in folder.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if old in text:
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
            return folder
    raise AssertionError(f"text to replace not found: {old!r}")


def p2_from(tmp_path: Path, effective: str) -> Path:
    return policy_copy(tmp_path, f"p2-{effective}", P2_BLOCK,
                       P2_BLOCK + f"\n      - effective: {effective}\n        per_instance: 30")


def october(policy_path: Path | str) -> dict[str, object]:
    policy = pe.load_policy(policy_path)
    facts = pe.read_facts(SAMPLE, policy).facts
    result = pe.evaluate(policy, facts, period="2026-10").to_dict()
    result.pop("policy")  # the stamp names the policy files, which differ by design
    return result


def test_a_future_dated_amount_leaves_october_byte_identical(tmp_path: Path) -> None:
    before = json.dumps(october(POLICY_DIR), ensure_ascii=False, sort_keys=True)
    after = json.dumps(october(p2_from(tmp_path, "2027-01-01")), ensure_ascii=False,
                       sort_keys=True)
    assert before == after


def test_the_same_change_dated_in_the_past_changes_october_as_diff_shows(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Ledger: P2 violations in October: 张三 ×3 (R6 26100801, R12 26092201, B4 B26102001),
    # 陈小美 ×2, 李小四 ×1. At 30 instead of 20: +30, +20, +10.
    edited = p2_from(tmp_path, "2026-10-01")
    code = main(["diff", "--facts", str(SAMPLE), "--month", "2026-10",
                 "--old", str(POLICY_DIR), "--new", str(edited), "--format", "json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    changes = {p["person"]: (p["old_amount"], p["new_amount"], p["change"])
               for p in report["people"]}
    assert changes == {"张三": (80, 110, 30), "陈小美": (60, 80, 20), "李小四": (60, 70, 10)}
    assert len(report["violations"]) == 6
    assert all(v["fields"]["penalty.amount"] == {"old": 20, "new": 30}
               for v in report["violations"])
    assert all("2026-10-01" in v["why"] for v in report["violations"])


def test_diff_with_no_change_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["diff", "--facts", str(SAMPLE), "--month", "2026-10",
                 "--old", str(POLICY_DIR), "--new", str(POLICY_DIR),
                 "--lang", "en"])
    assert code == 0
    assert "No change" in capsys.readouterr().out


def test_diff_reads_the_old_policy_from_a_git_revision(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(POLICY_DIR, repo / "policies")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "policy"], check=True)
    penalties = repo / "policies" / "penalties.yaml"
    penalties.write_text(penalties.read_text(encoding="utf-8").replace(
        P2_BLOCK, P2_BLOCK + "\n      - effective: 2026-10-01\n        per_instance: 30"),
        encoding="utf-8")
    monkeypatch.chdir(repo)
    code = main(["diff", "--facts", str(SAMPLE), "--month", "2026-10", "--old", "git:HEAD",
                 "--new", "policies", "--format", "csv", "--lang", "en"])
    assert code == 0
    rows = capsys.readouterr().out.splitlines()
    # A spreadsheet's CSV: the byte-order mark first, so Excel reads UTF-8.
    assert rows[0] == "\ufeffperson,old_amount,new_amount,change,old_forfeit,new_forfeit"
    assert "张三,80,110,30,False,False" in rows


def test_every_result_is_stamped_with_the_policy_identity_and_as_of() -> None:
    policy = pe.load_policy(POLICY_DIR)
    result = pe.evaluate(policy, pe.read_facts(SAMPLE, policy).facts, period="2026-10")
    stamp = result.to_dict()["policy"]
    assert stamp["content_hash"].startswith("sha256:") and len(stamp["content_hash"]) == 71
    assert sorted(stamp["files"]) == ["duties.yaml", "penalties.yaml", "policy.yaml",
                                      "rewards.yaml", "vocabulary.yaml"]
    assert result.to_dict()["as_of"] == "2026-11-01T00:00:00+08:00"
    # the same files give the same hash
    assert pe.load_policy(POLICY_DIR).identity == policy.identity


def test_unordered_effective_dates_are_refused_with_their_line(tmp_path: Path) -> None:
    broken = policy_copy(tmp_path, "unordered", P2_BLOCK,
                         P2_BLOCK + "\n      - effective: 2010-01-01\n        per_instance: 30")
    with pytest.raises(PolicyError) as caught:
        pe.load_policy(broken)
    [problem] = caught.value.diagnostics
    assert problem.code == "E-EFFECTIVE-ORDER"
    assert problem.location.file.endswith("penalties.yaml")
    text = (broken / "penalties.yaml").read_text(encoding="utf-8").splitlines()
    assert "2010-01-01" in text[problem.location.line - 1]


def test_a_monthly_schedule_must_start_on_the_first_of_a_month(tmp_path: Path) -> None:
    broken = policy_copy(tmp_path, "mid-month", "monthly_count: *monthly_tiers\n",
                         "monthly_count: *monthly_tiers\n      - effective: 2027-01-15\n"
                         "        monthly_count: *monthly_tiers\n")
    with pytest.raises(PolicyError) as caught:
        pe.load_policy(broken)
    assert [d.code for d in caught.value.diagnostics] == ["E-VALUE"]
    assert "1st of a month" in caught.value.diagnostics[0].message


def test_a_dated_deadline_change_applies_to_triggers_from_its_date(tmp_path: Path) -> None:
    # R5 becomes "within 2h" for decisions from 2026-10-24. Ledger: R5 of 26102701 was decided
    # Sat 10-31 10:30 (no meeting id: from the decision) and notified 11:45 -> 15 min late
    # under 1h (due 11:30), on time under 2h (due 12:30). R5 of 26101201 (decided 10-17 10:40
    # at the meeting that ended 11:00, notified 12:05, due 12:00) is before the change: late.
    deadline = "    deadline: {within: 1h, from: {fact: meeting.ended, join: meeting}}\n"
    edited = policy_copy(tmp_path, "r5", deadline + "    responsible: collector\n"
                         "    penalty: P4\n  R6:",
                         deadline + "    deadline_changes:\n"
                         "      - {effective: 2026-10-24, within: 2h}\n"
                         "    responsible: collector\n    penalty: P4\n  R6:")
    result = october(edited)
    r5 = sorted(v["case"] for v in result["violations"] if v["duty"] == "R5")  # type: ignore[index,union-attr]
    assert "26102701" not in r5
    assert "26101201" in r5


def test_corrections_against_a_saved_result(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    # Save October as of 10-20 18:00, then re-evaluate as of the month's end: violations due
    # after 10-20 18:00 appear as corrections, nothing is replaced silently.
    saved = tmp_path / "early.json"
    assert main(["evaluate", "--facts", str(SAMPLE), "--month", "2026-10", "--as-of",
                 "2026-10-20T18:00:00+08:00", "--format", "json"]) == 0
    saved.write_text(capsys.readouterr().out, encoding="utf-8")
    assert main(["evaluate", "--facts", str(SAMPLE), "--month", "2026-10", "--format", "json",
                 "--against", str(saved)]) == 0
    report = json.loads(capsys.readouterr().out)
    corrections = report["corrections"]
    assert corrections["unchanged"] is False
    added = [v for v in corrections["violations"] if v["kind"] == "added"]
    assert added and all(v["why"].startswith("now a violation") for v in added)
    # 周敏's C3 of 26092901 was due 10-28 18:00: unknown on 10-20, a correction now
    assert any(v["duty"] == "C3" and v["case"] == "26092901" for v in added)


def test_compare_of_identical_results_is_unchanged() -> None:
    policy = pe.load_policy(POLICY_DIR)
    result = pe.evaluate(policy, pe.read_facts(SAMPLE, policy).facts, period="2026-10")
    assert compare(result.to_dict(), result.to_dict()).unchanged


def test_explain_a_late_case_names_clause_value_facts_and_arithmetic(
        capsys: pytest.CaptureFixture[str]) -> None:
    # Ledger, case 26092901: C3 committed 2026-10-28, never accepted; as of 11-01 00:00 it is
    # 3d6h late: over 1d and up to 7d -> 100 yuan (P6 as in force from 2014-07-01).
    code = main(["explain", "--facts", str(SAMPLE), "--month", "2026-10", "--case", "26092901",
                 "--lang", "en"])
    assert code == 0
    out = capsys.readouterr().out
    assert "completion.estimated" in out and "due=2026-10-28" in out        # the facts
    assert "考核2; 预期·时间估算②; 惩罚6" in out                              # the clause
    assert "committed date due = 2026-10-28 (Wed); due at 18:00 that day" in out
    assert "3d6h late and still open" in out
    assert "P6 as in force from 2014-07-01: 3d6h late is over 1d and up to 7d: 100 yuan" in out
    # R2 of this case: its Friday 10-02 was in the National Day holiday
    assert "2026-10-02 (Fri) is not a working day: moved to the next working day" in out


def test_explain_in_chinese_and_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--facts", str(SAMPLE), "--month", "2026-10", "--case", "26092901",
                 "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "承诺日期（due）为 2026-10-28（周三）；当天 18:00 截止" in out
    assert "职责" in out and "未完成" in out
    assert main(["explain", "--facts", str(SAMPLE), "--month", "2026-10", "--case", "26092901",
                 "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    c3 = next(d for d in document["duties"] if d["duty"] == "C3")
    assert c3["status"] == "missed" and c3["penalty"]["amount"] == 100


def test_explain_a_person_lists_their_charges(capsys: pytest.CaptureFixture[str]) -> None:
    # Ledger: 赵强 120 yuan and the October performance pay forfeited.
    assert main(["explain", "--facts", str(SAMPLE), "--month", "2026-10",
                 "--person", "赵强", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "total: 120 yuan, performance pay forfeited" in out
    assert "15d6h late is over 7d: the month's performance pay is forfeited" in out
