"""The command line over a folder of packs (D22): `packs` lists them, `check` checks each,
every command that takes a policy takes `--pack NAME`, and the history check of a pack
compares with a git revision from before the packs layout too."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import POLICY_DIR, POLICY_LIBRARY, SAMPLE_FACTS, pack_library

from policyengine.cli.main import main

# A loan of Monday 2026-10-12 10:00, due in 3 working days (Thursday 18:00), returned Friday
# 10:00: 16 hours late, one Q1 (50 yuan). The attributes device_no and condition exist only in
# the equipment-loan pack.
LOAN_FACTS = (
    '{"type": "device.borrowed", "at": "2026-10-12T10:00:00+08:00", "case": "L000001", '
    '"actor": "王五", "device_no": "NB-17"}\n'
    '{"type": "device.returned", "at": "2026-10-16T10:00:00+08:00", "case": "L000001", '
    '"condition": "good"}\n')


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return pack_library(tmp_path / "policies")


@pytest.fixture
def loans(tmp_path: Path) -> Path:
    path = tmp_path / "loans.jsonl"
    path.write_text(LOAN_FACTS, encoding="utf-8")
    return path


def test_packs_lists_each_pack_in_both_languages(
        library: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["packs", str(library)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == [
        "* customer-requirement  客户需求反馈及跟进制度  "
        "Customer requirement feedback and follow-up policy",
        "  equipment-loan        设备借用管理制度  Equipment loan policy"]
    assert main(["packs", str(library), "--lang", "en", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["default"] == "customer-requirement"
    assert [(p["name"], p["title_en"], p["default"]) for p in listed["packs"]] == [
        ("customer-requirement", "Customer requirement feedback and follow-up policy", True),
        ("equipment-loan", "Equipment loan policy", False)]
    assert main(["packs", str(POLICY_DIR)]) == 2   # one policy, not a folder of packs
    assert "不是制度包文件夹" in capsys.readouterr().err


def test_check_checks_every_pack_and_fails_if_one_does(
        library: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(library), "--lang", "en", "--as-of", "2026-10-01"]) == 0
    out = capsys.readouterr().out
    assert "pack customer-requirement:\nok: " in out
    assert "pack equipment-loan:\nok: " in out
    assert out.endswith("2 pack(s) checked, 0 with errors\n")
    duties = library / "equipment-loan" / "duties.yaml"
    duties.write_text(duties.read_text(encoding="utf-8").replace("penalty: Q1", "penalty: Q9"),
                      encoding="utf-8")
    assert main(["check", str(library), "--lang", "en", "--as-of", "2026-10-01"]) == 1
    captured = capsys.readouterr()
    assert "pack customer-requirement:\nok: " in captured.out   # still checked and said
    assert f"{duties}:" in captured.err and "E-UNKNOWN-PENALTY" in captured.err
    assert captured.out.endswith("2 pack(s) checked, 1 with errors\n")
    # --pack checks one; JSON gives one result per pack
    assert main(["check", str(library), "--pack", "customer-requirement",
                 "--as-of", "2026-10-01", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["identity"]["pack"] == "customer-requirement"
    assert main(["check", str(library), "--as-of", "2026-10-01", "--format", "json"]) == 1
    both = json.loads(capsys.readouterr().out)
    assert both["ok"] is False
    assert both["packs"]["customer-requirement"]["ok"] is True
    assert both["packs"]["equipment-loan"]["errors"][0]["code"] == "E-UNKNOWN-PENALTY"


def test_the_repository_check_says_the_pack(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(POLICY_LIBRARY), "--lang", "zh", "--as-of", "2026-10-01"]) == 0
    out = capsys.readouterr().out
    # every pack of the repository, in name order
    assert out.startswith("制度包 contract-performance：\n检查通过：")
    assert "\n制度包 customer-grading：\n检查通过：" in out
    assert "\n制度包 customer-requirement：\n检查通过：" in out
    assert "\n制度包 order-flow：\n检查通过：" in out
    assert out.endswith("共检查 4 个制度包，其中 0 个有错误\n")


def test_evaluate_runs_the_chosen_pack(library: Path, loans: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "--policy", str(library), "--pack", "equipment-loan",
                 "--facts", str(loans), "--month", "2026-10", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["policy"]["pack"] == "equipment-loan"
    assert [(v["duty"], v["person"], v["penalty"]["amount"]) for v in result["violations"]] == [
        ("L1", "王五", 50)]
    # the default pack does not know these facts
    assert main(["evaluate", "--policy", str(library), "--facts", str(loans),
                 "--month", "2026-10"]) == 1
    assert "device.borrowed" in capsys.readouterr().err


@pytest.mark.parametrize("command", [
    ["evaluate", "--facts", "F", "--month", "2026-10"],
    ["explain", "--facts", "F", "--month", "2026-10", "--case", "L000001"],
    ["report", "monthly", "--facts", "F", "--month", "2026-10"],
    ["diff", "--facts", "F", "--month", "2026-10", "--old", "P"],
    ["calendar", "show", "2026"],
    ["check"],
])
def test_every_policy_command_refuses_an_unknown_pack_listing_them(
        command: list[str], library: Path, loans: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    args = [str(loans) if a == "F" else str(library) if a == "P" else a for a in command]
    args += [str(library)] if command == ["check"] else ["--policy", str(library)] \
        if command[0] in ("evaluate", "explain", "report", "calendar") else \
        ["--new", str(library)]
    code = main([*args, "--pack", "equipment-lone", "--lang", "en"])
    assert code == (1 if command == ["check"] else 2)
    err = capsys.readouterr().err
    assert (f"{library / 'packs.yaml'}:2:1: E-PACK-UNKNOWN: line 2, column 1: there is no "
            f"pack 'equipment-lone' in {library}; did you mean 'equipment-loan'?; the packs: "
            "customer-requirement, equipment-loan") in err


@pytest.mark.parametrize("command", [
    ["explain", "--facts", "F", "--month", "2026-10", "--case", "L000001", "--policy", "P"],
    ["report", "deductions", "--facts", "F", "--month", "2026-10", "--policy", "P",
     "--format", "csv"],
    ["diff", "--facts", "F", "--month", "2026-10", "--old", "P", "--new", "P"],
    ["calendar", "show", "2026", "--policy", "P"],
])
def test_every_policy_command_runs_the_chosen_pack(
        command: list[str], library: Path, loans: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    args = [str(loans) if a == "F" else str(library) if a == "P" else a for a in command]
    assert main([*args, "--pack", "equipment-loan", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    if command[0] in ("explain", "report"):
        assert "L000001" in out and "王五" in out


def test_the_sample_month_through_the_folder_of_packs(capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    """`make report` reads policies/: the default pack, the sample's figures unchanged."""
    assert main(["evaluate", "--facts", str(SAMPLE_FACTS), "--month", "2026-10",
                 "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert len(result["violations"]) == 45  # samples/README.md
    assert sum(p["amount"] for p in result["people"]) == 870
    assert sum(len(p["forfeit_months"]) for p in result["people"]) == 1


# -- the history check of a pack, against revisions before and after the move --------------

OLD_P2 = "      - effective: 2014-07-01\n        per_instance: 20\n  P3:"
NEW_P2 = "      - effective: 2014-07-01\n        per_instance: 25\n  P3:"


def git(repo: Path, *words: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@example.com",
                           "-c", "user.name=t", *words], capture_output=True, text=True,
                          check=True)
    return done.stdout.strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_history_check_of_a_pack_reads_the_flat_layout_before_the_move(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(POLICY_DIR, repo / "policies")              # the layout before D22
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "flat")
    flat = git(repo, "rev-parse", "HEAD")
    (repo / "policies" / "customer-requirement").mkdir()
    for file in sorted((repo / "policies").glob("*.yaml")):
        git(repo, "mv", f"policies/{file.name}", f"policies/customer-requirement/{file.name}")
    (repo / "policies" / "packs.yaml").write_text("default: customer-requirement\n",
                                                  encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "packs")
    pack = repo / "policies" / "customer-requirement"

    for against in (flat, "HEAD"):      # unchanged: nothing to refuse, and a real comparison
        assert main(["check", str(repo / "policies"), "--against", against,
                     "--as-of", "2026-11-30", "--lang", "en"]) == 0
        assert "note:" not in capsys.readouterr().err
    penalties = pack / "penalties.yaml"
    penalties.write_text(penalties.read_text(encoding="utf-8").replace(OLD_P2, NEW_P2),
                         encoding="utf-8")
    for target in (repo / "policies", pack):
        for against in ([], ["--against", flat]):
            code = main(["check", str(target), *against, "--as-of", "2026-11-30",
                         "--lang", "en"])
            err = capsys.readouterr().err
            assert code == 1, err
            assert f"error: {penalties}:" in err and "E-HISTORY-EDIT" in err
            assert "penalties.P2.versions.0.per_instance was 20, now 25" in err
    # diff reads the old policy at the flat revision and the default pack now
    monkeypatch.chdir(repo)
    assert main(["diff", "--facts", str(SAMPLE_FACTS), "--month", "2026-10",
                 "--old", f"git:{flat}", "--new", "policies", "--format", "json"]) == 0
    changed = json.loads(capsys.readouterr().out)
    assert changed["old"] == f"git:{flat}" and changed["unchanged"] is False  # P2: 20 -> 25
    # a revision whose folder held another rule book is not compared with this one
    other = pack_library(tmp_path / "other")
    shutil.rmtree(repo / "policies")
    shutil.copytree(other / "equipment-loan", repo / "policies")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "another book, flat")
    shutil.rmtree(repo / "policies")
    shutil.copytree(other, repo / "policies")
    assert main(["check", str(repo / "policies" / "customer-requirement"), "--as-of",
                 "2026-11-30", "--lang", "en"]) == 0
    assert "held policy equipment-loan, not customer-requirement-feedback" in \
        capsys.readouterr().err
