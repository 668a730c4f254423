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
