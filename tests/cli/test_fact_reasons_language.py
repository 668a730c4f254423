"""Why a fact is rejected, in the reader's language: every reason of the fact check has a
Chinese and an English form, with the same code; the CLI prints the one `--lang` (else the
policy's `policy.language`, else the locale) asks for."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import POLICY_DIR

from policyengine.cli.main import main

POLICY = str(POLICY_DIR)
CJK = re.compile(r"[\u4e00-\u9fff]")
# Two English words in a row, once quoted names (fact types, fields, values) are set aside.
ENGLISH_WORDS = re.compile(r"[A-Za-z]{2,} +[A-Za-z]{2,}")
QUOTED = re.compile(r"“[^”]*”|'[^']*'|\"[^\"]*\"")

AT = "2026-10-09T10:00:00+08:00"
# One bad fact per line, each breaking a rule of the shipped policy's fact check.
BAD: list[Any] = [
    [1, 2],                                                                   # JSON
    {"id": "b1", "at": AT},                                                   # MISSING
    {"id": "b2", "type": 7, "at": AT},                                        # TYPE
    {"id": "b3", "type": "bug.fund", "at": AT, "case": "B26100901"},          # TYPE
    {"id": "b4", "type": "weekly_report.submitted", "actor": "李四"},          # MISSING
    {"id": "b5", "type": "weekly_report.submitted", "at": "tomorrow", "actor": "李四"},  # TIME
    {"id": "b6", "type": "weekly_report.submitted", "at": 20261009, "actor": "李四"},    # TYPE
    {"id": "b7", "type": "requirement.raised", "at": AT, "case": "26100901", "actor": 5},
    {"id": "b8", "type": "requirement.raised", "at": AT, "case": "26100901"},  # MISSING
    {"id": "b9", "type": "requirement.reported", "at": AT},                   # MISSING
    {"id": "b10", "type": "role.assigned", "at": AT, "case": "x", "role": "collector",
     "person": "李四"},                                                        # VALUE
    {"id": "b11", "type": "requirement.reported", "at": AT, "case": "abc"},  # CASE
    {"id": "b12", "type": "requirement.reported", "at": AT, "case": "26100901",
     "colour": "red"},                                                        # VALUE
    {"id": "b13", "type": "decision.made", "at": AT, "case": "26100901"},    # MISSING
    {"id": "b14", "type": "decision.made", "at": AT, "case": "26100901", "decision": "do"},
    {"id": "b15", "type": "decision.made", "at": AT, "case": "26100901", "decision": "dont",
     "tier": 3},
    {"id": "b16", "type": "decision.made", "at": AT, "case": "26100901",
     "decision": "maybe"},
    {"id": "b17", "type": "plan.estimated", "at": AT, "case": "26100901",
     "due": "next week"},
    {"id": "b18", "type": "plan.estimated", "at": AT, "case": "26100901", "due": 20261023},
    {"id": 18, "type": "requirement.reported", "at": AT, "case": 26100901},
    {"id": "b22", "type": "requirement.reported", "at": AT, "case": "26100901"},
    {"id": "b22", "type": "requirement.reported", "at": "2026-10-10T10:00:00+08:00",
     "case": "26100901"},                                                     # DUPLICATE-ID
]
CODES = {"E-FACT-JSON", "E-FACT-TYPE", "E-FACT-TIME", "E-FACT-CASE", "E-FACT-MISSING",
         "E-FACT-VALUE", "E-FACT-DUPLICATE-ID"}


def write(tmp_path: Path) -> Path:
    path = tmp_path / "bad.jsonl"
    lines = [json.dumps(fact, ensure_ascii=False) for fact in BAD] + ["{not json"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def rejected(capsys: pytest.CaptureFixture[str], path: Path,
             *extra: str) -> tuple[dict[tuple[int, str], str], list[str]]:
    """{(line, code): reason} of `evaluate` over `path`, and every line of standard error."""
    code = main(["evaluate", "--facts", str(path), "--month", "2026-10", "--policy", POLICY,
                 *extra])
    assert code == 1
    lines = capsys.readouterr().err.splitlines()
    found: dict[tuple[int, str], str] = {}
    for line in lines:
        match = re.match(rf"^{re.escape(str(path))}:(\d+): (E-[A-Z-]+): (.*)$", line)
        if match:  # two reasons of one code on one line are joined, to keep both
            place = (int(match.group(1)), match.group(2))
            found[place] = found[place] + " | " + match.group(3) if place in found \
                else match.group(3)
    return found, lines


def no_english_sentence(text: str) -> bool:
    return ENGLISH_WORDS.search(QUOTED.sub("", text).replace("CSV UTF-8", "")) is None


def test_every_kind_of_rejection_is_said_in_chinese(capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path) -> None:
    path = write(tmp_path)
    zh, zh_lines = rejected(capsys, path, "--lang", "zh")
    en, en_lines = rejected(capsys, path, "--lang", "en")
    assert {code for _, code in zh} == CODES  # at least one reason of every code
    assert zh.keys() == en.keys()              # the same lines, the same codes
    assert {line for line, _ in zh} == set(range(1, len(BAD) + 2))  # every line refused
    for place, reason in zh.items():
        assert CJK.search(reason), (place, reason)
        assert no_english_sentence(reason), (place, reason)
        assert reason != en[place]
        assert not CJK.search(en[place].replace("李四", "")), en[place]
    problems, places = len(zh_lines) - 1, len(BAD) + 1  # one line has two reasons
    assert problems == len(en_lines) - 1 == places + 1
    assert zh_lines[-1] == (f"{problems} 处问题（{places} 个位置）：有事实被拒收，未作任何评估"
                            "（用 --reject-file 文件路径 可先评估其余有效的事实）")
    assert en_lines[-1] == (f"{problems} problem(s) in {places} place(s): some facts were "
                            "rejected; nothing was evaluated (use --reject-file PATH to "
                            "evaluate the valid ones)")


def test_english_reasons_are_worded_as_before(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    en, _ = rejected(capsys, write(tmp_path), "--lang", "en")
    assert en[(3, "E-FACT-TYPE")] == "'type' must be text naming a fact type, not the number 7"
    assert en[(7, "E-FACT-TYPE")] == ("'at' must be a time written as text, e.g. "
                                      "\"2026-10-09T10:30:00+08:00\", not the number 20261009")
    assert en[(12, "E-FACT-CASE")] == ("case id 'abc' is not of the form of a requirement id "
                                       "(e.g. '26100903')")
    assert en[(16, "E-FACT-TYPE")] == "'tier' must be text in quotes, not the number 3"
    assert en[(8, "E-FACT-TYPE")] == ("'actor' must be text in quotes, e.g. the person's name, "
                                      "not the number 5")


def test_chinese_reasons_name_the_values_as_written(capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path) -> None:
    zh, _ = rejected(capsys, write(tmp_path), "--lang", "zh")
    assert zh[(3, "E-FACT-TYPE")] == "“type”应是写成文字的事实类型名称，而不是数字 7"
    assert zh[(4, "E-FACT-TYPE")] == "未知的事实类型“bug.fund”；是不是想写“bug.found”？"
    assert zh[(12, "E-FACT-CASE")] == ("案件编号“abc”不符合 requirement 编号的格式"
                                       "（例如 '26100903'）")
    assert zh[(len(BAD) + 1, "E-FACT-JSON")].startswith("不是有效的 JSON：第 2 列")


def test_the_policy_language_is_the_default(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")  # the policy's setting (zh) comes first
    found, lines = rejected(capsys, write(tmp_path))
    assert all(CJK.search(reason) for reason in found.values())
    assert "有事实被拒收" in lines[-1]


def test_a_file_not_in_utf8_is_refused_in_chinese(capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path) -> None:
    path = tmp_path / "gbk.jsonl"
    path.write_bytes(json.dumps({"type": "requirement.raised", "at": AT, "case": "26100901",
                                 "actor": "李四"}, ensure_ascii=False).encode("gbk") + b"\n")
    found, _ = rejected(capsys, path, "--lang", "zh")
    [(place, reason)] = found.items()
    assert place == (1, "E-FACT-ENCODING")
    assert reason.startswith("不是 UTF-8 文字（字节 0x") and no_english_sentence(reason)


def test_a_csv_row_of_the_wrong_width_is_refused_in_chinese(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "facts.csv"
    path.write_text(f"type,at,case\nrequirement.reported,{AT},26100901,extra\n",
                    encoding="utf-8")
    found, _ = rejected(capsys, path, "--lang", "zh")
    assert found == {(2, "E-FACT-VALUE"): "这一行有 4 个单元格，而表头有 3 列（type, at, case）"}


def test_the_reject_file_carries_both_languages(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.jsonl"
    code = main(["evaluate", "--facts", str(write(tmp_path)), "--month", "2026-10",
                 "--policy", POLICY, "--format", "json", "--reject-file", str(rejects),
                 "--lang", "zh"])
    assert code == 0
    err = capsys.readouterr().err
    assert f"{len(BAD) + 1} 条事实被拒收，已写入 {rejects}；其余 0 条照常评估" in err
    written = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert len(written) == len(BAD) + 1
    for row in written:
        assert len(row["reasons"]) == len(row["reasons_zh"]) >= 1
        assert all(CJK.search(text) for text in row["reasons_zh"])
        assert not any(CJK.search(text.replace("李四", "")) for text in row["reasons"])
