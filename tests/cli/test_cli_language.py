"""Chinese first: with the shipped policy (policy.language: zh) every heading of evaluate,
explain and diff is Chinese unless --lang en asks otherwise; a policy with uncommitted edits
says so in words."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import POLICY_DIR, SAMPLE_FACTS

from policyengine.cli.main import main

SAMPLE = ["--facts", str(SAMPLE_FACTS), "--policy", str(POLICY_DIR)]
ASCII_WORD = re.compile(r"[A-Za-z]{2,}")


def out_of(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def headings(text: str) -> list[str]:
    """What a reader takes as headings: column headers (the line above a ---- rule), and the
    label of each unindented line (its text before the value: two spaces or a colon)."""
    lines = text.splitlines()
    found = [lines[i] for i in range(len(lines) - 1)
             if lines[i + 1].strip().startswith("--") and set(lines[i + 1].strip()) <= {"-", " "}]
    found += [re.split(r"\s{2,}|：", line)[0] for line in lines
              if line and not line.startswith((" ", "■", "=", "-"))]
    return found


def test_evaluate_speaks_chinese_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    text = out_of(capsys, "evaluate", *SAMPLE, "--month", "2026-10")
    assert text.startswith("policyengine — 月度评估 2026-10")
    assert "汇总：违规 45 次，涉及 8 人，扣款 870 元，1 人当月无绩效" in text
    assert "当月无绩效 2026-10" in text and "截至评估时点的待办职责" in text
    for line in headings(text):
        # the program's name is not a word to translate
        assert not ASCII_WORD.search(line.replace("policyengine", "")), line
    # people in pinyin order: 陈立 chen, 陈小美 chen, 李小四 li, 孙婷 sun, 杨宝珠 yang, ...
    people = [line.split()[0] for line in text.splitlines()[10:18]]
    assert people == ["陈立", "陈小美", "李小四", "孙婷", "杨宝珠", "张三", "赵强", "周敏"]


def test_evaluate_in_english_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    text = out_of(capsys, "evaluate", *SAMPLE, "--month", "2026-10", "--lang", "en")
    assert ("SUMMARY: 45 violations, 8 people, 870 yuan in deductions, 1 person(s) with a "
            "forfeited month") in text
    assert "FORFEIT 2026-10" in text and "OPEN OBLIGATIONS at as-of" in text
    assert "汇总" not in text


def test_explain_and_diff_speak_chinese_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    text = out_of(capsys, "explain", *SAMPLE, "--month", "2026-10", "--case", "26092901")
    assert text.startswith("案例 26092901 — 截至 2026-11-01 00:00")
    assert "时间线" in text and "Timeline" not in text and "周三" in text
    assert "提交《需求报告表》" in text          # fact types by their Chinese names
    text = out_of(capsys, "explain", *SAMPLE, "--month", "2026-10", "--person", "赵强")
    assert "合计：120 元，当月无绩效" in text
    text = out_of(capsys, "diff", "--facts", str(SAMPLE_FACTS), "--month", "2026-10",
                  "--old", str(POLICY_DIR), "--new", str(POLICY_DIR))
    assert "无变化" in text and "No change" not in text


def test_a_policy_with_uncommitted_edits_says_so(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(POLICY_DIR, repo / "policies")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "policy"], check=True)
    policy = repo / "policies"
    argv = ["--facts", str(SAMPLE_FACTS), "--policy", str(policy), "--month", "2026-10"]
    assert "已提交" in out_of(capsys, "evaluate", *argv)
    vocabulary = policy / "vocabulary.yaml"
    vocabulary.write_text(vocabulary.read_text(encoding="utf-8") + "\n# an edit\n",
                          encoding="utf-8")
    assert "制度文件有未提交的修改" in out_of(capsys, "evaluate", *argv)
    assert "the policy files have uncommitted edits" in out_of(capsys, "evaluate", *argv,
                                                               "--lang", "en")
    report = out_of(capsys, "report", "monthly", *argv)
    assert "制度文件有未提交的修改" in report


def test_evaluate_csv_is_for_spreadsheets(capsys: pytest.CaptureFixture[str]) -> None:
    text = out_of(capsys, "evaluate", *SAMPLE, "--month", "2026-10", "--format", "csv",
                  "--csv-table", "people", "--lang", "en")
    assert text.startswith("\ufeffperiod,person,violations,amount,forfeit,forfeit_months\r\n")
    assert "2026-10,赵强,5,120,yes,2026-10\r\n" in text
