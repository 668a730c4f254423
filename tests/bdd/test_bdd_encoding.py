"""A feature file saved as GBK (Notepad's choice when asked nothing) is located line by line
with how to save it again, as a policy file is; it was one Python codec message."""

from __future__ import annotations

from pathlib import Path

from bdd_support import FIXTURES, make_project, run_pytest


def test_a_feature_saved_as_gbk_says_where_and_how_to_save_it(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    text = (FIXTURES / "chinese_reward_reason.feature").read_text(encoding="utf-8")
    (root / "features" / "gbk.feature").write_bytes(text.encode("gb18030"))
    run = run_pytest(root)
    assert run.code == 1, run.out
    assert ("第 2 行：这一行有一个不是 UTF-8 文字的字节（0xB9）：这个文件看起来是用 GBK/GB18030 "
            "保存的；请把文件另存为 UTF-8 编码") in run.out, run.out
    assert "codec can't decode" not in run.out
