"""Each finding of the hostile review of policy loading, reproduced: refused quickly, located,
with a stable code, in English and Chinese.

Locations are counted by hand from the texts written here (1-based line and column).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import POLICY_DIR, REPO, SAMPLE_FACTS, copy_policy, line_of

from policyengine import PolicyError
from policyengine.cli.main import main
from policyengine.policy.loader import load_policy_files
from policyengine.policy.source import MAX_DEPTH, MAX_EXPANDED_VALUES, parse_yaml

HERE = Path(__file__).parent
TINY = (HERE / "good" / "tiny.yaml").read_text(encoding="utf-8")

# 9 levels of 9 aliases: 9**9 = 387,420,489 strings once expanded; 400-odd bytes of text.
BILLION_LAUGHS = "".join(
    [f'a: &a [{", ".join(["lol"] * 9)}]\n']
    + [f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n"
       for a, b in zip("abcdefgh", "bcdefghi", strict=True)])


def problems(path: Path) -> list[tuple[int, int, str, str, str]]:
    with pytest.raises(PolicyError) as caught:
        load_policy_files(path)
    return [(d.location.line, d.location.column, d.code, d.message, d.message_zh)
            for d in caught.value.diagnostics]


def write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def tiny_with(old: str, new: str) -> str:
    assert old in TINY
    return TINY.replace(old, new, 1)


# -- the alias bomb ------------------------------------------------------------------------

# VmHWM (the peak resident size of this process's memory) from /proc, not getrusage's
# ru_maxrss: Linux keeps ru_maxrss across fork and exec, so a child of a large pytest
# process would report its parent's peak.
MEASURE = """
import json, sys, time
from policyengine.errors import PolicyError
from policyengine.policy.loader import load_policy_files
started = time.monotonic()
try:
    load_policy_files(sys.argv[1])
    found = None
except PolicyError as exc:
    found = [str(d) for d in exc.diagnostics]
took = time.monotonic() - started
with open("/proc/self/status") as status:
    peak_kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"seconds": took, "peak_mib": peak_kib / 1024, "found": found}))
"""


def test_a_billion_laughs_is_refused_fast_and_small(tmp_path: Path) -> None:
    assert len(BILLION_LAUGHS.encode()) < 450
    path = write(tmp_path, BILLION_LAUGHS)
    done = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True,
                          text=True, timeout=60, cwd=REPO)
    assert done.returncode == 0, done.stderr
    measured = json.loads(done.stdout)
    assert measured["seconds"] < 2.0
    assert measured["peak_mib"] < 200  # the whole process: interpreter, libraries and all
    # the alias that expands most: the first '*h' on line 9 ("i: &i [" is 7 characters);
    # 9 keys + the root + the lists 10, 91, 820, ... 435,848,050 values = 490,329,064
    assert measured["found"] == [
        f"{path}:9:8: E-YAML-ALIAS: the aliases ('*name') of this file would expand to more "
        f"than {MAX_EXPANDED_VALUES:,} values (about 490,329,064); a policy needs far fewer: "
        "write the values out, or use fewer aliases of aliases"]


def test_aliases_of_a_normal_size_still_work() -> None:
    # the shipped penalties share their tiers through `&monthly_tiers` / `*monthly_tiers`
    model = load_policy_files(POLICY_DIR).model
    assert model.penalties["P4"].versions[0].monthly_count == \
        model.penalties["P3"].versions[0].monthly_count


def test_too_many_aliases_are_refused(tmp_path: Path) -> None:
    text = "x: &x 1\nys: [" + ", ".join(["*x"] * 1001) + "]\n"
    [(line, column, code, message, _)] = problems(write(tmp_path, text))
    # 1000 aliases are read; the 1001st: "ys: [" is 5 characters, each "*x, " 4 more
    assert (line, column, code) == (2, 6 + 4 * 1000, "E-YAML-ALIAS")
    assert "more than 1000 aliases" in message


# -- NUL and other control characters --------------------------------------------------------

def test_a_nul_byte_is_located(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, tiny_with("name: 小制度", "name: 小\x00制度"))
    assert problems(path) == [(4, 10, "E-YAML-CONTROL",
                               "an invisible control character (U+0000) is written here; delete "
                               "it (it often comes from copying text out of another program)",
                               "这里有一个看不见的控制字符（U+0000），请删掉它"
                               "（多半是从别的程序复制文字时带进来的）")]
    assert main(["check", str(path), "--lang", "en"]) == 1  # not 4, internal error
    assert f"{path}:4:10: E-YAML-CONTROL: line 4, column 10: " in capsys.readouterr().err


def test_every_control_character_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, tiny_with("id: tiny", "id: t\x1biny").replace(
        "version: \"1\"", "version: \"1\x07\""))
    assert [(line, col, code) for line, col, code, _, _ in problems(path)] == [
        (3, 8, "E-YAML-CONTROL"), (5, 14, "E-YAML-CONTROL")]  # '  version: "1' is 13 chars


# -- deep nesting --------------------------------------------------------------------------

# The document's mapping is level 1 and the k-th bracket level k + 1 (MAX_DEPTH = 100):
# "[": the 100th bracket, at column 9 + 99; "{a: ": the key 'a' inside the 99th mapping,
# at column 9 + 4 * 98 + 1.
@pytest.mark.parametrize(("opener", "closer", "column"), [("[", "]", 108), ("{a: ", "}", 402)])
def test_five_thousand_nested_brackets_are_refused(tmp_path: Path, opener: str, closer: str,
                                                    column: int) -> None:
    assert MAX_DEPTH == 100
    path = write(tmp_path, "policy: " + opener * 5000 + "1" + closer * 5000 + "\n")
    [(line, found_column, code, message, message_zh)] = problems(path)
    assert (line, found_column, code) == (1, column, "E-YAML-DEPTH")
    assert "nested more than 100 levels" in message and "嵌套超过了 100 层" in message_zh


def test_nesting_below_the_bound_is_read(tmp_path: Path) -> None:
    # 90 levels is read (and then refused as a policy: a list is not a policy header)
    path = write(tmp_path, tiny_with('version: "1"', 'version: ' + "[" * 90 + "]" * 90))
    [(line, column, code, _, _)] = problems(path)
    assert (line, column, code) == (5, 12, "E-TYPE")


# -- durations and numbers -----------------------------------------------------------------

def test_an_overflowing_duration_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, tiny_with("{within: 2 working_days}", "{within: 9999999999999999999d}"))
    assert problems(path) == [(
        26, 24, "E-TOO-LARGE",
        "duties.R1.deadline.within: '9999999999999999999d' is longer than 3660 days; no deadline "
        "of a rule book is that far: check the number",
        "duties.R1.deadline.within：“9999999999999999999d”超过了 3660 天；制度里的期限不会这么长："
        "请检查这个数字")]


@pytest.mark.parametrize(("value", "accepted"), [
    ("3660d", True), ("3661d", False), ("87840h", True), ("87841h", False),
    ("2500 working_days", True), ("2501 working_days", False),
    ("99999999999999999999999999 working_days", False)])
def test_the_duration_bound(tmp_path: Path, value: str, accepted: bool) -> None:
    path = write(tmp_path, tiny_with("{within: 2 working_days}", f"{{within: {value}}}"))
    if accepted:
        assert load_policy_files(path).model.duties["R1"].deadline is not None
    else:
        [(line, column, code, _, _)] = problems(path)
        assert (line, column, code) == (26, 24, "E-TOO-LARGE")


def test_a_huge_amount_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, tiny_with("per_instance: 20", "per_instance: " + "9" * 5000))
    [(line, column, code, _, zh)] = problems(path)
    assert (line, column, code) == (34, 23, "E-TOO-LARGE")
    assert "不能大于" in zh


# -- encodings -----------------------------------------------------------------------------

def test_a_gbk_file_is_located_by_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(TINY.encode("gbk"))
    [(line, column, code, message, message_zh)] = problems(path)
    # line 4 is "  name: 小制度"; in GBK '小' is D0 A1, which UTF-8 happens to read as one
    # character (U+0421), so the first byte that is not UTF-8 is 制's D6: column 10
    assert (line, column, code) == (4, 10, "E-ENCODING")
    assert "0xD6" in message
    assert "GBK" in message and "save the file as UTF-8" in message
    assert "另存为 UTF-8" in message_zh


def test_an_encoding_error_does_not_hide_the_other_files(tmp_path: Path) -> None:
    folder = copy_policy(tmp_path / "p")
    (folder / "rewards.yaml").write_bytes(
        (folder / "rewards.yaml").read_text(encoding="utf-8").encode("utf-16"))
    policy_yaml = folder / "policy.yaml"
    policy_yaml.write_text(policy_yaml.read_text(encoding="utf-8").replace(
        'version: "1.0"', 'version: "1.0\x00"'), encoding="utf-8")
    found = problems(folder)
    codes = {code for _, _, code, _, _ in found}
    assert codes == {"E-ENCODING", "E-YAML-CONTROL"}
    assert any("UTF-16" in message for _, _, code, message, _ in found if code == "E-ENCODING")


# -- the working day, and other values that silently change results ---------------------------

def test_a_working_day_ending_before_it_starts_is_an_error(tmp_path: Path) -> None:
    folder = copy_policy(tmp_path / "p", [("policy.yaml", '    end: "18:00"', '    end: "08:00"')])
    file = folder / "policy.yaml"
    line = line_of(file, 'end: "08:00"')
    [(at, column, code, message, message_zh)] = problems(folder)
    # '    end: ' is 9 characters: the value is in column 10
    assert (at, column, code) == (line, 10, "E-WORKING-HOURS")
    assert message.startswith("the working day ends at 08:00 but starts at 09:00")
    assert "必须晚于" in message_zh
    # and evaluate refuses it (exit 2) instead of reporting 73 violations instead of 40
    assert main(["evaluate", "--facts", str(SAMPLE_FACTS), "--month", "2026-10",
                 "--policy", str(folder), "--format", "json"]) == 2


@pytest.mark.parametrize(("morning", "ok"), [('"12:00"', True), ('"09:00"', False),
                                             ('"18:00"', False), ('"19:30"', False)])
def test_morning_end_falls_inside_the_working_day(tmp_path: Path, morning: str, ok: bool) -> None:
    folder = copy_policy(tmp_path / "p", [("policy.yaml", 'morning_end: "12:00"',
                                           f"morning_end: {morning}")])
    if ok:
        load_policy_files(folder)
        return
    [(line, column, code, message, _)] = problems(folder)
    assert (line, column, code) == (line_of(folder / "policy.yaml", "morning_end:"), 18,
                                    "E-WORKING-HOURS")
    assert "must fall inside the working day (09:00–18:00)" in message


def test_working_hours_cannot_name_themselves(tmp_path: Path) -> None:
    folder = copy_policy(tmp_path / "p", [("policy.yaml", '    start: "09:00"',
                                           "    start: end_of_work")])
    [(_, _, code, message, _)] = problems(folder)
    assert code == "E-VALUE" and "working_hours.start defines 'end_of_work' itself" in message


def test_a_zero_deadline_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, tiny_with("{within: 2 working_days}", "{within: 0m}"))
    assert [(line, col, code) for line, col, code, _, _ in problems(path)] == [
        (26, 24, "E-VALUE")]


def test_an_at_the_engine_would_ignore_is_an_error(tmp_path: Path) -> None:
    # R6 `by: end_of_working_day` with an 'at': the engine uses end_of_work, not 12:00
    folder = copy_policy(tmp_path / "p", [(
        "duties.yaml", "    fulfilled_by: {fact: requester.informed, where: {about: decision}}\n"
                       "    deadline: {by: end_of_working_day}",
        "    fulfilled_by: {fact: requester.informed, where: {about: decision}}\n"
        "    deadline: {by: {named: end_of_working_day, at: \"12:00\"}}")])
    [(_, _, code, message, _)] = problems(folder)
    assert code == "E-VALUE" and message.startswith("'at' is used only with 'weekly'")


def test_a_cutoff_that_is_not_weekly_is_an_error_not_a_crash(tmp_path: Path) -> None:
    folder = copy_policy(tmp_path / "p", [(
        "duties.yaml", "cutoff: {weekly: thu, at: end_of_work}",
        "cutoff: {cron: \"0 18 * * 4\"}")])
    file = folder / "duties.yaml"
    [(line, column, code, message, _)] = problems(folder)
    # '    deadline: {by: {weekly: fri, at: morning_end, cutoff: ' is 58 characters
    assert (line, column, code) == (line_of(file, "cutoff: {cron"), 59, "E-VALUE")
    assert message.startswith("a cutoff is itself weekly")


def test_tier_bounds_must_increase(tmp_path: Path) -> None:
    folder = copy_policy(tmp_path / "p", [("penalties.yaml", "{from: 6, to: 10, amount: 50}",
                                           "{from: 6, to: 4, amount: 50}")])
    found = [(code, message) for _, _, code, message, _ in problems(folder)]
    assert ("E-TIER-ORDER", "'to' (4) is below 'from' (6)") in found


def test_all_loader_errors_are_reported_at_once(tmp_path: Path) -> None:
    text = tiny_with("{within: 2 working_days}", "{within: 9999999999999999999d}")
    text = text.replace("per_instance: 20", "per_instance: 30元")
    text = text.replace("version: \"1\"", "version: \"1\"\ncalendar:\n  working_hours: "
                        "{start: \"09:00\", end: \"08:00\"}")
    found = [(line, code) for line, _, code, _, _ in problems(write(tmp_path, text))]
    assert found == [(7, "E-WORKING-HOURS"), (28, "E-TOO-LARGE"), (36, "E-NUMBER-UNIT")]


# -- plain words for the usual typing mistakes ------------------------------------------------

def test_an_indentation_mistake_in_plain_words(tmp_path: Path) -> None:
    path = write(tmp_path, tiny_with("    responsible: reporter", "     responsible: reporter"))
    [(line, column, code, message, message_zh)] = problems(path)
    assert (line, column, code) == (27, 6, "E-YAML-INDENT")
    assert message == ("this line is indented wrongly (column 6): align it with line 26 "
                       "('deadline: {within: 2 working_days}', column 5) if it belongs to the "
                       "same level, or check the line above")
    assert message_zh.startswith("这一行的缩进有误")
    assert "expected <block end>" not in message


def test_an_under_indented_key_in_plain_words(tmp_path: Path) -> None:
    path = write(tmp_path, tiny_with("    penalty: P1", "   penalty: P1"))
    [(line, column, code, message, _)] = problems(path)
    assert (line, column, code) == (28, 4, "E-YAML-INDENT")
    assert "align it with line 27 ('responsible: reporter', column 5)" in message


def test_a_tab_in_plain_words(tmp_path: Path) -> None:
    path = write(tmp_path, tiny_with("    responsible: reporter", "\tresponsible: reporter"))
    [(line, column, code, message, message_zh)] = problems(path)
    assert (line, column, code) == (27, 1, "E-YAML-TAB")
    assert "replace the tab with spaces" in message
    assert "制表符（Tab）" in message_zh and "第 26 行" in message_zh


def test_a_missing_space_after_a_colon(tmp_path: Path) -> None:
    path = write(tmp_path, tiny_with("    responsible: reporter", "    responsible:reporter"))
    assert problems(path) == [(
        27, 16, "E-YAML-COLON",
        "'responsible:' needs a space after the colon: write 'responsible: reporter'",
        "“responsible:”的冒号后面少了一个空格：请写成“responsible: reporter”")]


@pytest.mark.parametrize(("where", "written", "number", "unit", "code"), [
    ("per_instance: 20", "per_instance: 30元", "30", "元", "E-NUMBER-UNIT"),
    ("per_instance: 20", "per_instance: 20 yuan", "20", "yuan", "E-NUMBER-UNIT"),
    ("per_instance: 20", "per_instance: ¥20", "20", "¥", "E-NUMBER-UNIT"),
])
def test_a_unit_written_into_an_amount(tmp_path: Path, where: str, written: str, number: str,
                                       unit: str, code: str) -> None:
    path = write(tmp_path, tiny_with(where, written))
    [(line, column, found_code, message, message_zh)] = problems(path)
    assert (line, column, found_code) == (34, 23, code)
    assert f"write the number alone, '{number}' (without '{unit}'" in message
    assert f"这里只写数字“{number}”，不要写单位“{unit}”" in message_zh


def test_days_written_in_chinese_in_a_deadline(tmp_path: Path) -> None:
    path = write(tmp_path, tiny_with("{within: 2 working_days}", "{within: 2天}"))
    [(line, column, code, message, message_zh)] = problems(path)
    assert (line, column, code) == (26, 24, "E-AMBIGUOUS-UNIT")
    assert "'2天' could be read two ways" in message
    assert "'2d'" in message_zh and "'2 working_days'" in message_zh


def test_a_unit_in_a_count(tmp_path: Path) -> None:
    folder = copy_policy(tmp_path / "p", [("penalties.yaml", "{from: 6, to: 10, amount: 50}",
                                           "{from: 6次, to: 10, amount: 50}")])
    found = [(code, zh) for _, _, code, _, zh in problems(folder)]
    assert ("E-NUMBER-UNIT", "penalties.P3.versions.0.monthly_count.1.from：这里只写数字“6”，"
            "不要写单位“次”（这几行经别名共用，也作为 "
            "penalties.P4.versions.0.monthly_count.1.from, "
            "penalties.P5.versions.0.monthly_count.1.from 读取）") in found



def test_the_block_end_question_mark_in_plain_words(tmp_path: Path) -> None:
    # PyYAML says "expected <block end>, but found '?'" here (line 34, column 7): the key
    # belongs to the list item above, whose content starts in column 9.
    path = write(tmp_path, tiny_with("        per_instance: 20", "      per_instance: 20"))
    assert problems(path) == [(
        34, 7, "E-YAML-INDENT",
        "this line is indented wrongly (column 7): align it with line 33 ('- effective: "
        "2014-07-01', column 9) if it belongs to the same level, or check the line above",
        "这一行的缩进有误（从第 7 列开始）：如果它与第 33 行（“- effective: 2014-07-01”）"
        "属于同一层，请让它也从第 9 列开始；否则请检查上一行")]


def test_every_one_space_shift_of_the_shipped_policy_is_explained() -> None:
    """Each line of policies/ moved by one space either still reads, or fails with a
    located explanation; the generic E-YAML is left for what no rule explains."""
    codes: dict[str, int] = {}
    for file in sorted(POLICY_DIR.glob("*.yaml")):
        lines = file.read_text(encoding="utf-8").split("\n")
        for i, line in enumerate(lines):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            for moved in (" " + line, line[1:] if line.startswith(" ") else None):
                if moved is None:
                    continue
                text = "\n".join([*lines[:i], moved, *lines[i + 1:]])
                _, found = parse_yaml(text, file.name)
                for d in found:
                    assert d.location.line >= 1 and d.message_zh, d
                    codes[d.code] = codes.get(d.code, 0) + 1
    assert set(codes) <= {"E-YAML-INDENT", "E-YAML"}
    assert codes.get("E-YAML", 0) * 50 < codes["E-YAML-INDENT"], codes
