"""A Chinese scenario checks a reward's reason in the words a Chinese report prints it in
(`无一延误`), and a wrong reason is shown in Chinese: the reason was compared, and shown, in
English only."""

from __future__ import annotations

from pathlib import Path

from bdd_support import FIXTURES, make_project, run_pytest

FEATURE = (FIXTURES / "chinese_reward_reason.feature").read_text(encoding="utf-8")


def test_part_of_the_chinese_reason_matches(tmp_path: Path) -> None:
    run = run_pytest(make_project(tmp_path, {"reason.feature": FEATURE}))
    assert run.code == 0, run.out


def test_a_wrong_reason_is_shown_in_chinese(tmp_path: Path) -> None:
    wrong = FEATURE.replace("| 陈立 | A1   | 100-1000 | 无一延误 |",
                            "| 陈立 | A1   | 100-1000 | 两项延误 |")
    assert wrong != FEATURE
    run = run_pytest(make_project(tmp_path, {"reason.feature": wrong}))
    assert run.code == 1, run.out
    assert "到期的承诺 1 项（C1 ×1），无一延误" in run.out, run.out
