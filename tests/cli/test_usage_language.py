"""A slip on the command line is told in the reader's language, as the reports are: `--lang`,
else the locale, else Chinese. Both argparse's own errors (a missing option, a bad choice)
and ours (a period mistyped, a facts file not there)."""

from __future__ import annotations

import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, SAMPLE_FACTS

from policyengine.cli.usage import argparse_text, argv_language
from policyengine.errors import UsageError
from policyengine.periods import Period
from policyengine.wording import TEMPLATES

CLI = Path(sys.executable).parent / "policyengine"


def run(*words: str, lang: str = "C.UTF-8") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_")}
    return subprocess.run([str(CLI), *words], capture_output=True, text=True, cwd=REPO,
                          timeout=120, env={**env, "LANG": lang})


def test_our_usage_errors_are_chinese_by_default_and_english_on_request() -> None:
    month = ("evaluate", "--facts", str(SAMPLE_FACTS), "--month", "2026-13")
    zh = run(*month)
    assert zh.returncode == 2
    assert zh.stderr.startswith("policyengine：“2026-13”不是期间：月份写作 YYYY-MM")
    en = run(*month, "--lang", "en")
    assert en.returncode == 2
    assert en.stderr.startswith("policyengine: '2026-13' is not a period: write a month")
    assert run(*month, lang="en_US.UTF-8").stderr == en.stderr
    assert run(*month, "--lang=zh", lang="en_US.UTF-8").stderr == zh.stderr


def test_argparse_errors_are_chinese_by_default() -> None:
    done = run("evaluate", "--facts", str(SAMPLE_FACTS))
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "policyengine evaluate：错误：参数 --month --quarter 必须给出其中一个")
    done = run("evaluate", "--facts", str(SAMPLE_FACTS), "--month", "2026-10", "--workers", "x")
    assert done.stderr.splitlines()[-1].endswith("参数 --workers 应为不小于 1 的整数，而不是 'x'")
    assert done.stderr.startswith("用法：policyengine evaluate [-h]")
    done = run("evaluate", "--facts", str(SAMPLE_FACTS), "--lang", "en")
    assert done.stderr.startswith("usage: policyengine evaluate [-h]")
    assert done.stderr.splitlines()[-1] == (
        "policyengine evaluate: error: one of the arguments --month --quarter is required")


@pytest.mark.parametrize(("english", "chinese"), [
    ("the following arguments are required: --facts", "缺少必需的参数：--facts"),
    ("unrecognized arguments: --bogus x", "无法识别的参数：--bogus x"),
    ("argument --quarter: not allowed with argument --month",
     "参数 --quarter 不能与 --month 同时使用"),
    ("argument --format: invalid choice: 'pdf' (choose from 'table', 'json', 'csv')",
     "参数 --format 的值 'pdf' 无效（可选：'table', 'json', 'csv'）"),
    ("argument --facts: expected one argument", "参数 --facts 后面需要一个值"),
    ("argument --facts: an empty path (a shell variable not set?): give a file's path",
     "参数 --facts 的路径是空的（是不是 shell 变量没有设置？）：请给出文件路径"),
    ("argument --port: invalid int value: 'abc'", "参数 --port 的值 'abc' 无效（应为整数）"),
    ("argument --body-timeout: invalid float value: 'x'",
     "参数 --body-timeout 的值 'x' 无效（应为数字）"),
    ("something argparse says that we do not know", "something argparse says that we do not know"),
])
def test_argparse_messages_in_chinese(english: str, chinese: str) -> None:
    assert argparse_text(english, "zh") == chinese
    assert argparse_text(english, "en") == english


def test_the_language_of_a_command_line_not_yet_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "C.UTF-8")
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    assert argv_language(["evaluate", "--lang", "en"]) == "en"
    assert argv_language(["evaluate", "--lang=en"]) == "en"
    assert argv_language(["evaluate"]) == "zh"
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert argv_language(["evaluate"]) == "en"


def test_a_usage_error_is_english_as_text_for_programs() -> None:
    with pytest.raises(UsageError) as raised:
        Period.parse("2026-13")
    assert str(raised.value).startswith("'2026-13' is not a period")
    assert raised.value.text("zh").startswith("“2026-13”不是期间")


def test_every_usage_wording_has_both_languages_with_the_same_values() -> None:
    usage = {k: v for k, v in TEMPLATES.items() if k.startswith("usage.")}
    assert len(usage) > 20
    for key, (english, chinese) in usage.items():
        fields = [{name for _, name, _, _ in string.Formatter().parse(text) if name}
                  for text in (english, chinese)]
        assert fields[0] == fields[1], key
        assert re.search(r"[\u4e00-\u9fff]", chinese), key


def test_a_year_before_the_calendar_is_told_in_the_readers_language(tmp_path: Path) -> None:
    facts = tmp_path / "facts.jsonl"
    facts.write_text('{"id":"x1","type":"requirement.raised","at":"0226-10-12T09:00:00+08:00",'
                     '"case":"26101201","actor":"李小四","requester":"王医生"}\n', encoding="utf-8")
    zh = run("evaluate", "--facts", str(facts), "--month", "2026-10")
    assert zh.returncode == 3
    assert zh.stderr.startswith(f"{facts}:1: E-CAL-YEAR: 没有 0226 年的工作日历数据")
    en = run("evaluate", "--facts", str(facts), "--month", "2026-10", "--lang", "en")
    assert en.returncode == 3
    assert en.stderr.startswith(f"{facts}:1: E-CAL-YEAR: no working-day calendar data for 0226")
