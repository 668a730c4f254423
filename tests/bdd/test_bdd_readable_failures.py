"""The failures a non-programmer reads: a wrong expectation, an unknown step, a broken file.

The demo .feature files live in tests/bdd/fixtures/ (never in features/); each test runs them
with pytest in a throw-away project and checks the words a reader sees, and that no Python
traceback is shown.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bdd_support import Run, make_project, run_pytest

from policyengine.report.text import width

ALL = ("wrong_expectation.feature", "wrong_expectation_en.feature", "unknown_step.feature",
       "malformed.feature", "still_runs.feature", "duplicate_names.feature",
       "sloppy_typing.feature")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = make_project(tmp_path_factory.mktemp("demo"), fixtures=ALL)
    return run_pytest(root, autoload=True)  # as a user runs it: the plugin via its entry point


def no_traceback(text: str) -> None:
    assert "Traceback" not in text
    assert 'File "' not in text
    assert ".py:" not in text


def test_the_run_fails_but_shows_no_python_traceback(run: Run) -> None:
    assert run.code == 1, run.out
    no_traceback(run.out)


def test_a_wrong_table_shows_expected_and_actual_rows_aligned(run: Run) -> None:
    text = run.section("违规表格写错了一行")
    assert ("场景「违规表格写错了一行」（features/wrong_expectation.feature 第 9 行）："
            "结果与预期不符") in text
    assert "第 20 行：违规记录与预期不符。" in text
    lines = text.splitlines()
    header = next(line for line in lines if "职责" in line and "迟了" in line)
    expected = next(line for line in lines if line.startswith("- 22"))
    actual = next(line for line in lines if line.startswith("+ ") and "15h30m" in line)
    extra = next(line for line in lines if line.startswith("+ ") and "B26101301" in line)
    # the cells line up by display width (Chinese characters are two columns wide)
    for row, cell in ((expected, "16h"), (actual, "15h30m"), (extra, "15h")):
        assert width(row[:row.index(cell)]) == width(header[:header.index("迟了")]), text
        assert width(row[:row.index("2026-10-1")]) == width(header[:header.index("截止")]), text
    carets = lines[lines.index(actual) + 1]
    assert carets.strip() == "^^^^^^"
    assert width(carets[:carets.index("^")]) == width(header[:header.index("迟了")])
    assert "缺少 1 行（标 -）：预期有，实际没有。" in text
    assert "多出 2 行（标 +）：实际有，预期没有。" in text
    no_traceback(text)


def test_a_wrong_amount_says_expected_and_actual(run: Run) -> None:
    text = run.section("金额写错了")
    assert "第 30 行：张三 预期应缴纳 50 元，不扣绩效；实际是 20 元，不扣绩效。" in text
    assert "张三 的处罚明细：" in text
    assert "P1" in text
    no_traceback(text)


def test_a_wrong_table_in_english(run: Run) -> None:
    text = run.section("The wrong lateness")
    assert "line 12: the violations differ from the expectation." in text
    assert "missing 1 row(s) (marked -): expected, not found." in text
    assert "extra 1 row(s) (marked +): found, not expected." in text
    assert "- 14    B1    B26101301  张三    16h" in text
    assert "+       B1    B26101301  张三    15h" in text
    no_traceback(text)


def test_an_unknown_step_names_its_line_and_the_nearest_steps(run: Run) -> None:
    text = run.section("一个不认识的步骤，一个用错的关键字")
    assert "场景写法有误" in text
    assert "第 6 行的步骤无法识别：" in text
    assert "假如 杨宝珠 当上了收集人" in text
    assert "最接近的可用步骤：" in text
    nearest = text[text.index("最接近的可用步骤："):].splitlines()[1]
    assert "假如 [从 {时间} 起，]{人员} 是 {角色}" in nearest
    assert "例：假如 杨宝珠 是 collector" in nearest
    assert "policyengine steps" in text
    no_traceback(text)


def test_a_known_step_with_the_wrong_keyword_says_so(run: Run) -> None:
    text = run.section("一个不认识的步骤，一个用错的关键字")
    assert "第 11 行：「假如 没有违规」用错了关键字：这是检查结果的步骤，要用「那么」开头。" in text
    assert "请改成「那么 没有违规」" in text


def test_a_broken_file_fails_alone_with_its_line(run: Run) -> None:
    assert "features/malformed.feature 有 1 个问题：文件需要修改" in run.out
    assert "第 8 行：表格各行的格子数不一样" in run.out
    assert "这个文件的场景都没有运行；其他文件照常运行。" in run.out
    assert "FAILED features/malformed.feature::文件检查" in run.out
    assert "features/still_runs.feature .." in run.out  # its check and its scenario passed
    no_traceback(run.out)


def test_two_scenarios_with_one_name_are_an_error_not_a_silent_drop(run: Run) -> None:
    assert "features/duplicate_names.feature 有 1 个问题" in run.out
    assert "第 13 行：场景名「同一个名字」和第 9 行的场景重复" in run.out
    assert "FAILED features/duplicate_names.feature::文件检查" in run.out
    # both scenarios still ran (and passed)
    assert "features/duplicate_names.feature F.." in run.out


def test_full_width_punctuation_and_spacing_do_not_matter(run: Run) -> None:
    assert "features/sloppy_typing.feature .." in run.out
    assert "sloppy_typing.feature::" not in run.out.split("short test summary info")[-1]


def test_feature_files_are_ignored_unless_configured(tmp_path: Path) -> None:
    root = make_project(tmp_path, fixtures=("still_runs.feature",), configured=False)
    assert run_pytest(root).code == 5  # no tests collected
    named = run_pytest(root, "features/still_runs.feature")  # named on the command line: runs
    assert named.code == 0, named.out


def test_pytest_lists_the_steps(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    listed = run_pytest(root, "--policyengine-steps")
    assert listed.code == 0, listed.out
    assert "假如 以下事实：" in listed.out
    assert "Given these facts:" in listed.out
    assert "那么 {人员} 应缴纳 {金额} 元[，并扣除当月绩效]" in listed.out


def test_the_plugin_is_registered_for_pytest() -> None:
    from importlib.metadata import entry_points

    found = [e for e in entry_points(group="pytest11") if e.name == "policyengine"]
    assert [e.value for e in found] == ["policyengine.bdd.plugin"]
