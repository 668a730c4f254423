"""The message catalogue: every `check` wording exists in English and Chinese, and Chinese
output (`check --lang zh`) contains no English sentences: only names from the policy file,
codes and file places.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from helpers import POLICY_DIR

from policyengine.cli.main import main
from policyengine.errors import Diagnostic, Location
from policyengine.policy.messages import Say, render

BROKEN = Path(__file__).parent / "broken"
TINY = (Path(__file__).parent / "good" / "tiny.yaml").read_text(encoding="utf-8")
CJK = re.compile(r"[\u4e00-\u9fff]")
# Three English words in a row, outside quotes: a sentence that was not translated.
ENGLISH = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}\b")
QUOTED = re.compile(r"“[^”]*”|'[^']*'|\"[^\"]*\"|（“[^”]*”）")


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("say", list(Say), ids=[s.name for s in Say])
def test_every_wording_has_both_languages(say: Say) -> None:
    en, zh = say.value
    assert en.strip() and zh.strip()
    # Chinese may leave out a detail (the YAML reader's own English words), never add one.
    assert fields(zh) <= fields(en)
    words = re.sub(r"\{\w+\}", "", zh)
    assert CJK.search(zh) or not re.search(r"[A-Za-z]", words), zh
    assert not CJK.search(en) or "：" in en, en  # English never needs Chinese characters


def chinese_lines(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    assert main(["check", *argv, "--lang", "zh"]) == 1
    return capsys.readouterr().err.splitlines()


def untranslated(line: str) -> list[str]:
    """English sentences left in a Chinese line, after its place, code and quoted names."""
    body = line.split(": ", 2)[-1]  # after `file:line:col: CODE: `
    body = QUOTED.sub("", body)
    return ENGLISH.findall(body)


HOSTILE = {
    "tab": TINY.replace("    responsible: reporter", "\tresponsible: reporter"),
    "indent": TINY.replace("    responsible: reporter", "     responsible: reporter"),
    "colon": TINY.replace("    responsible: reporter", "    responsible:reporter"),
    "yuan": TINY.replace("per_instance: 20", "per_instance: 30元"),
    "days": TINY.replace("{within: 2 working_days}", "{within: 2天}"),
    "huge": TINY.replace("{within: 2 working_days}", "{within: 9999999999999999999d}"),
    "nul": TINY.replace("name: 小制度", "name: 小\x00制度"),
    "deep": TINY + "extra: " + "[" * 200 + "]" * 200 + "\n",
    "bomb": TINY + "".join(f"l{k}: &l{k} [{', '.join([f'*l{k - 1}'] * 9)}]\n"
                           for k in range(1, 9)).replace("l1: &l1 [*l0", "l1: &l1 [x"),
    "unclosed": TINY.replace("name: 小制度", "name: '小制度"),
    "bool": TINY.replace("actor: required", "actor: required\n    attributes: "
                         "{x: {required: maybe}}"),
    "date": TINY.replace("effective: 2014-07-01", "effective: 2014-13-01"),
    "list": TINY.replace("actor_of: [requirement.raised]", "actor_of: {a: 1}"),
    "section": TINY + "penalty: {}\n",
    "missing": TINY.replace("    penalty: P1\n", ""),
    "id": TINY.replace("id: tiny", "id: Tiny Policy"),
    "hours": TINY.replace('version: "1"', 'version: "1"\ncalendar:\n  working_hours: '
                          '{start: "09:00", end: "08:00"}'),
    "literal": TINY.replace("actor: required", "actor: requried"),
    "empty": TINY.replace("    versions:\n      - effective: 2014-07-01\n        per_instance: 20",
                          "    versions: []"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_chinese_check_output_has_no_english_sentences(
        name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_text(HOSTILE[name], encoding="utf-8")
    lines = chinese_lines(capsys, str(path))
    assert len(lines) >= 2
    for line in lines:
        assert CJK.search(line), line
        assert untranslated(line) == [], line


@pytest.mark.parametrize("path", sorted(BROKEN.glob("*.yaml")), ids=lambda p: p.name)
def test_every_broken_fixture_reads_in_chinese(path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    for line in chinese_lines(capsys, str(path)):
        assert CJK.search(line), line
        assert untranslated(line) == [], line


def test_the_summary_and_the_ok_line_follow_the_language(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(POLICY_DIR), "--lang", "zh"]) == 0
    assert capsys.readouterr().out.startswith("检查通过：")
    assert main(["check", str(POLICY_DIR), "--lang", "en"]) == 0
    assert capsys.readouterr().out.startswith("ok: ")
    lines = chinese_lines(capsys, str(BROKEN / "several_mistakes.yaml"))
    assert lines[-1] == "7 处问题（7 个位置）：策略文件有错误，未作任何评估"


def test_the_language_comes_from_the_policy_when_not_given(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    path = tmp_path / "p.yaml"
    path.write_text(TINY.replace('version: "1"', 'version: "1"\n  language: en').replace(
        "per_instance: 20", "per_instance: 30元"), encoding="utf-8")
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert "write the number alone" in err and "problem(s)" in err
    path.write_text(TINY.replace("per_instance: 20", "per_instance: 30元"), encoding="utf-8")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert main(["check", str(path)]) == 1  # no policy.language: the locale
    assert "write the number alone" in capsys.readouterr().err


def test_render_keeps_the_machine_prefix() -> None:
    found = Diagnostic(Location("p.yaml", 12, 5), "E-YAML-INDENT", "indented wrongly", "缩进有误")
    assert str(found) == "p.yaml:12:5: E-YAML-INDENT: indented wrongly"
    assert found.render("en") == "p.yaml:12:5: E-YAML-INDENT: line 12, column 5: indented wrongly"
    assert found.render("zh") == "p.yaml:12:5: E-YAML-INDENT: 第 12 行第 5 列：缩进有误"
    assert render(found, "zh") == found.render("zh")
    assert found.to_dict()["message_zh"] == "缩进有误"
