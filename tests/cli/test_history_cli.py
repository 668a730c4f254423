"""`policyengine check` against git: an edit of a value in force is refused (exit 1) with
its file:line; `--allow-history-edit` lets it through as a warning that results record."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import POLICY_DIR, SAMPLE_FACTS

from policyengine.cli.main import main

OLD_P2 = "      - effective: 2014-07-01\n        per_instance: 20\n  P3:"
NEW_P2 = "      - effective: 2014-07-01\n        per_instance: 25\n  P3:"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(repo: Path, *words: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@example.com",
                           "-c", "user.name=t", *words], capture_output=True, text=True,
                          check=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding the shipped policy, committed."""
    shutil.copytree(POLICY_DIR, tmp_path / "policies")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "policy")
    return tmp_path


def edit_p2(repo: Path) -> Path:
    penalties = repo / "policies" / "penalties.yaml"
    text = penalties.read_text(encoding="utf-8")
    assert text.count(OLD_P2) == 1
    penalties.write_text(text.replace(OLD_P2, NEW_P2), encoding="utf-8")
    return penalties


def test_the_finding_check_refuses_an_amount_edited_in_place(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    penalties = edit_p2(repo)
    line = penalties.read_text(encoding="utf-8").splitlines().index(
        "        per_instance: 25") + 1
    code = main(["check", str(repo / "policies"), "--as-of", "2026-11-30", "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"error: {penalties}:{line}:23: E-HISTORY-EDIT: " in err
    assert "penalties.P2.versions.0.per_instance was 20, now 25" in err
    assert "  - {effective: 2026-12-01, per_instance: 25}" in err   # the YAML to add
    assert "--allow-history-edit" in err


def test_check_json_lists_the_refusal_with_its_suggestion(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit_p2(repo)
    code = main(["check", str(repo / "policies"), "--as-of", "2026-11-30", "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 1 and document["ok"] is False
    [error] = document["errors"]
    assert error["code"] == "E-HISTORY-EDIT" and error["line"] > 0
    assert "per_instance: 25" in error["suggestion"]


def test_a_version_still_to_come_may_be_edited(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit_p2(repo)
    # as of 2014-06-30 the version of 2014-07-01 was not yet in force
    assert main(["check", str(repo / "policies"), "--as-of", "2014-06-30", "--lang", "en"]) == 0
    assert "ok: " in capsys.readouterr().out


def test_allow_history_edit_warns_and_is_recorded(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit_p2(repo)
    code = main(["check", str(repo / "policies"), "--as-of", "2026-11-30",
                 "--allow-history-edit", "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0
    assert "W-HISTORY-EDIT" in captured.err
    record = json.loads(captured.out)["identity"]["history_edit"]
    assert (record["against"], record["allowed"], record["as_of"]) == ("HEAD", True, "2026-11-30")
    assert [c["path"] for c in record["changes"]] == ["penalties.P2.versions.0.per_instance"]


def test_evaluate_with_allow_history_edit_stamps_every_result(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit_p2(repo)
    code = main(["evaluate", "--policy", str(repo / "policies"), "--facts", str(SAMPLE_FACTS),
                 "--month", "2026-10", "--format", "json", "--allow-history-edit"])
    captured = capsys.readouterr()
    assert code == 0 and "W-HISTORY-EDIT" in captured.err
    stamp = json.loads(captured.out)["policy"]
    assert stamp["git_revision"].endswith("+dirty")
    assert stamp["history_edit"]["allowed"] is True
    assert stamp["history_edit"]["changes"][0]["old"] == "20"
    assert stamp["history_edit"]["changes"][0]["new"] == "25"


def test_evaluate_without_the_flag_stamps_nothing(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "--policy", str(repo / "policies"), "--facts", str(SAMPLE_FACTS),
                 "--month", "2026-10", "--format", "json"]) == 0
    assert "history_edit" not in json.loads(capsys.readouterr().out)["policy"]


def test_against_an_older_revision(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = git(repo, "rev-parse", "HEAD").strip()
    edit_p2(repo)
    git(repo, "commit", "-qam", "P2 edited in place")
    assert main(["check", str(repo / "policies"), "--as-of", "2026-11-30"]) == 0
    capsys.readouterr()
    assert main(["check", str(repo / "policies"), "--as-of", "2026-11-30",
                 "--against", first]) == 1
    assert "E-HISTORY-EDIT" in capsys.readouterr().err


def test_a_folder_not_in_git_or_not_in_the_revision_is_a_note(
        tmp_path_factory: pytest.TempPathFactory, repo: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    loose = tmp_path_factory.mktemp("outside") / "loose"
    shutil.copytree(POLICY_DIR, loose)
    assert main(["check", str(loose), "--lang", "en"]) == 0
    assert f"note: {loose} is not in git" in capsys.readouterr().err
    assert main(["check", str(loose)]) == 0              # the policy's language: Chinese
    assert f"注意：{loose} 不在 git 仓库中：不检查对已生效取值的修改" in capsys.readouterr().err
    fresh = repo / "new-policies"                        # in the repository, never committed
    shutil.copytree(POLICY_DIR, fresh)
    assert main(["check", str(fresh), "--lang", "en"]) == 0
    assert "no committed policy to compare with" in capsys.readouterr().err
    assert main(["check", str(fresh), "--lang", "zh"]) == 0
    assert "HEAD 处没有可供比较的已提交策略" in capsys.readouterr().err


def test_an_unknown_revision_is_a_usage_error(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(repo / "policies"), "--against", "no-such-rev"]) == 2
    assert "no-such-rev" in capsys.readouterr().err


def test_as_of_takes_a_date_or_a_time(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit_p2(repo)
    assert main(["check", str(repo / "policies"), "--as-of", "2014-06-30T23:00+08:00"]) == 0
    assert main(["check", str(repo / "policies"), "--as-of", "2014-07-01T00:00+08:00"]) == 1
    assert main(["check", str(repo / "policies"), "--as-of", "July"]) == 2
    assert "--as-of 的值“July”不是日期" in capsys.readouterr().err


def test_a_revision_that_looks_like_a_git_option_is_refused(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    written = tmp_path / "written-by-git"
    code = main(["diff", "--facts", str(SAMPLE_FACTS), "--month", "2026-10",
                 "--old", f"git:--output={written}", "--new", "policies"])
    assert code == 2
    assert "不是 Git 版本" in capsys.readouterr().err
    assert not written.exists()


# -- in Chinese -----------------------------------------------------------------------------

ENGLISH_WORDS = re.compile(r"[A-Za-z]{2,} +[A-Za-z]{2,}")


def chinese_only(text: str) -> bool:
    """Chinese, with no English sentence (names such as paths, codes and options aside)."""
    return bool(re.search(r"[\u4e00-\u9fff]", text)) and ENGLISH_WORDS.search(text) is None


def test_the_refusal_is_said_in_chinese(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    penalties = edit_p2(repo)
    line = penalties.read_text(encoding="utf-8").splitlines().index(
        "        per_instance: 25") + 1
    code = main(["check", str(repo / "policies"), "--as-of", "2026-11-30", "--lang", "zh"])
    lines = capsys.readouterr().err.splitlines()
    assert code == 1
    assert lines == [
        f"错误：{penalties}:{line}:23: E-HISTORY-EDIT: penalties.P2.versions.0.per_instance "
        "原为 20，现在改成了 25：penalties.P2 中自 2014-07-01 起生效、在 2026-11-30 已经生效的"
        "版本被直接改动了，这会改写已经评估过的月份。请改回 20，另外新增一个带生效日期的版本"
        "（见下）",
        "加在 penalties.P2.versions 之下：",
        "  - {effective: 2026-12-01, per_instance: 25}",
        "1 处对已生效取值的修改（与 HEAD 比较）：已拒绝。请改为新增一个带生效日期的版本"
        "（见 docs/changing-values.md）；如果是更正错误，请加上 --allow-history-edit 重新运行"]
    for text in (lines[0], lines[1], lines[3]):
        assert chinese_only(text), text


def test_check_json_keeps_english_and_adds_chinese(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit_p2(repo)
    code = main(["check", str(repo / "policies"), "--as-of", "2026-11-30", "--format", "json",
                 "--lang", "zh"])
    [error] = json.loads(capsys.readouterr().out)["errors"]
    assert code == 1
    assert error["message"].startswith("penalties.P2.versions.0.per_instance was 20, now 25")
    assert error["message_zh"].startswith("penalties.P2.versions.0.per_instance 原为 20")
    assert error["suggestion"].startswith("under penalties.P2.versions:\n")
    assert error["suggestion_zh"] == ("加在 penalties.P2.versions 之下：\n"
                                      "  - {effective: 2026-12-01, per_instance: 25}\n")


def test_a_removed_or_backdated_version_and_an_allowed_edit_are_said_in_chinese(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    penalties = repo / "policies" / "penalties.yaml"
    text = penalties.read_text(encoding="utf-8")
    penalties.write_text(text.replace(OLD_P2, "      - effective: 2014-07-01\n"
                                              "        per_instance: 20\n"
                                              "      - effective: 2026-11-01\n"
                                              "        per_instance: 30\n  P3:"),
                         encoding="utf-8")
    code = main(["check", str(repo / "policies"), "--as-of", "2026-11-30", "--lang", "zh"])
    err = capsys.readouterr().err
    assert code == 1
    assert ("penalties.P2.versions.1：新增了一个 penalties.P2 的版本，生效日期为 2026-11-01，"
            "这在 2026-11-30 已是过去的日期") in err
    code = main(["check", str(repo / "policies"), "--as-of", "2026-11-30", "--lang", "zh",
                 "--allow-history-edit"])
    err = capsys.readouterr().err
    assert code == 0
    warning = next(line for line in err.splitlines() if "W-HISTORY-EDIT" in line)
    assert warning.startswith("警告：")
    assert "W-HISTORY-EDIT: 已用 --allow-history-edit 放行：" in warning
    assert chinese_only(warning)
    assert "1 处对已生效取值的修改（与 HEAD 比较），已用 --allow-history-edit 放行" in err
    penalties.write_text(text.replace(OLD_P2, "      - effective: 2015-07-01\n"
                                              "        per_instance: 20\n  P3:"),
                         encoding="utf-8")
    code = main(["check", str(repo / "policies"), "--as-of", "2026-11-30", "--lang", "zh"])
    err = capsys.readouterr().err
    assert code == 1
    removed = next(line for line in err.splitlines() if "2014-07-01 起生效" in line)
    assert "被删除了" in removed and chinese_only(removed)
