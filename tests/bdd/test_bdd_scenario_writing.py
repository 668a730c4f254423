"""Mistakes in how a scenario file is written, each reported at its line with what would be
right: an Examples column no step uses; keywords in any letter case; an English file with
a Chinese title; the month step suggested for a month written in words; the engine's own
errors in the scenario's language.

The fixture files live in tests/bdd/fixtures/; each test runs pytest on them in a throw-away
project, as a user would, and checks the words the reader sees.
"""

from __future__ import annotations

from pathlib import Path

from bdd_support import make_project, run_pytest


def test_an_examples_column_no_step_uses_is_an_error_at_its_header(tmp_path: Path) -> None:
    root = make_project(tmp_path, fixtures=("unused_example_column.feature",
                                            "unused_example_column_en.feature"))
    run = run_pytest(root, "-rA")
    assert run.code == 1, run.out
    zh = run.section("unused_example_column.feature 文件检查")
    assert ("第 18 行：「例子:」表格的列「罚款」没有被任何步骤用到（步骤里没有 <罚款>），"
            "这一列的值不会起任何作用、也不会被检查。步骤里用到的是：<提交>、<结论>。") in zh, zh
    assert "备注" not in zh.split("请在步骤里写上")[0]   # a 备注 column only explains: no error
    en = run.section("unused_example_column_en.feature file check")
    assert ("line 15: the 'Examples:' column 'fine' is used by no step (no step has <fine>): "
            "its values change nothing and are never checked. The steps use: <reported>, "
            "<verdict>.") in en, en
    # the file check fails; the scenarios themselves still run (and pass)
    assert "有 1 个问题" in zh and "has 1 problem(s)" in en
    assert "2 failed, 4 passed" in run.out, run.out


def test_keywords_may_be_typed_in_any_case(tmp_path: Path) -> None:
    root = make_project(tmp_path, fixtures=("keywords_any_case.feature",))
    run = run_pytest(root, "-rA")
    # every step ran: the lower-case 'and' line is checked (it was a description, or a parse
    # error, and the scenario passed with no step at all)
    assert "1 failed, 2 passed" in run.out, run.out
    assert "PASSED features/keywords_any_case.feature::Every step runs" in run.out
    text = run.section("A wrong amount after a lower-case and is checked")
    assert "line 26: 李小四 was expected to pay 50 yuan" in text, text


def test_a_misspelt_keyword_is_not_skipped_silently(tmp_path: Path) -> None:
    root = make_project(tmp_path, fixtures=("misspelt_keyword.feature",))
    run = run_pytest(root)
    assert run.code == 1, run.out
    text = run.section("misspelt_keyword.feature 文件检查")
    assert ("第 5 行：「背景:」下面的这一行不是步骤，会被当作说明文字而不运行：步骤以"
            "「假如」「当」「那么」「并且」「但是」开头（关键字写错了吗？）") in text, text
    assert "5 |     假若 杨宝珠 是 collector" in text


def test_an_english_file_with_a_chinese_title_is_english(tmp_path: Path) -> None:
    root = make_project(tmp_path, fixtures=("chinese_title_en.feature",))
    run = run_pytest(root, "-rA")
    # it was read as Chinese: every English line 'cannot be read', no scenario ran
    assert "PASSED features/chinese_title_en.feature::file check" in run.out, run.out
    assert "PASSED features/chinese_title_en.feature::The bug is posted the next morning" \
        in run.out
    text = run.section("A wrong amount is said in English")
    assert ("scenario 'A wrong amount is said in English' (features/chinese_title_en.feature, "
            "line 17): the result differs from the expectation") in text, text
    assert "line 23: 李小四 was expected to pay 50 yuan" in text, text


def test_the_engine_s_errors_are_in_chinese_in_a_chinese_scenario(tmp_path: Path) -> None:
    root = make_project(tmp_path, fixtures=("engine_errors_zh.feature",))
    run = run_pytest(root, "-rA")
    assert "2 failed, 2 passed" in run.out, run.out
    assert "PASSED features/engine_errors_zh.feature::评估失败的提示，中文和英文的说法都能查" \
        in run.out
    year = run.section("事实的年份写成了 0226")
    assert ("第 9 行：评估无法进行：features/engine_errors_zh.feature:8: E-CAL-YEAR: 没有 0226 "
            "年的工作日历数据（周期职责 W1 从最早的事实（features/engine_errors_zh.feature:8，"
            "0226-10-12）起每周都要履行）。0226 早于 1900 年，看起来是输入错误：请更正这条事实的"
            "日期。") in year, year
    typed = run.section("制度修改里的金额写成了汉字")
    assert ("无法加载：\n  E-TYPE: penalties.P1.versions.0.per_instance：这里应写数字"
            in typed), typed
    for text in (year, typed):
        assert "calendar data for" not in text and "Input should be" not in text, text


def test_a_month_in_words_is_shown_the_month_step() -> None:
    from policyengine.bdd.lint import StepCall
    from policyengine.bdd.runner import unknown_step

    for text in ("评估 十月", "评估 十月份", "评估 本月"):
        said = unknown_step(StepCall("当", "when", text, 14), "zh")
        nearest = said.splitlines()[3]  # the first of the nearest steps
        # it showed 当 评估截至 {时间}, the step's other form, and no month step at all
        assert "当 评估 {月份或季度}[，截至 {时间}]" in nearest, said
        assert "例：当 评估 2026年10月" in nearest, said


def test_a_scenario_without_a_then_step_is_an_error_not_a_pass(tmp_path: Path) -> None:
    root = make_project(tmp_path, fixtures=("no_check.feature",))
    run = run_pytest(root)
    assert "3 failed, 1 passed" in run.out, run.out  # the file check passes; no scenario does
    for name, line in (("No step at all", 4), ("No check", 6),
                       ("An outline without a check", 13)):
        text = run.section(name)
        assert (f"line {line}: this scenario checks nothing (it has no Then step), so it would "
                "pass whatever the policy gives") in text, text
        assert "cannot be run as written" in text
