"""`policyengine check` over the shipped packs: the ok line counts decision tables and
prohibitions when a pack has them (and reads as before when it has none); `--pack` with the
start of a pack's name suggests that pack."""

from __future__ import annotations

import re

import pytest
from helpers import POLICY_LIBRARY

from policyengine.cli.main import main
from policyengine.policy.packs import library_at
from policyengine.suggest import completion


def _ok_line(pack: str, lang: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["check", str(POLICY_LIBRARY), "--pack", pack, "--lang", lang]) == 0
    return capsys.readouterr().out.strip()


@pytest.mark.parametrize(("pack", "english", "chinese"), [
    ("customer-grading", "0 rewards, 1 decision table(s); sha256:",
     "0 项奖励，1 张决策表；sha256:"),
    ("contract-performance", "0 rewards, 1 prohibition(s); sha256:",
     "0 项奖励，1 项禁止事项；sha256:"),
    ("customer-requirement", "4 rewards; sha256:", "4 项奖励；sha256:"),
    ("order-flow", "0 rewards; sha256:", "0 项奖励；sha256:"),
])
def test_the_ok_line_counts_decision_tables_and_prohibitions(
        pack: str, english: str, chinese: str, capsys: pytest.CaptureFixture[str]) -> None:
    en = _ok_line(pack, "en", capsys)
    zh = _ok_line(pack, "zh", capsys)
    assert en.startswith(f"ok: {POLICY_LIBRARY / pack} — policy ") and english in en
    assert zh.startswith("检查通过：") and chinese in zh
    assert ("decision" in en) == (pack == "customer-grading")
    assert ("prohibition" in en) == (pack == "contract-performance")
    counts = zh.split(" 版：", 1)[1].split("sha256:")[0]
    assert not re.search(r"[A-Za-z]", counts)  # the counts in Chinese words only


def test_the_start_of_a_pack_name_suggests_the_pack(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(POLICY_LIBRARY), "--pack", "contract", "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert "E-PACK-UNKNOWN" in err and "did you mean 'contract-performance'?" in err
    assert main(["check", str(POLICY_LIBRARY), "--pack", "contract", "--lang", "zh"]) == 1
    assert "是不是想写“contract-performance”？" in capsys.readouterr().err
    # a misspelling still gets its nearest name; a word of one pack's name that one pack
    library = library_at(POLICY_LIBRARY)
    assert library is not None
    names = library.names()
    assert completion("contract", names) == "contract-performance"
    assert completion("GRADING", names) == "customer-grading"
    assert completion("customer", names) is None  # two packs begin with it: no guess
    assert completion("", names) is None and completion("loan", names) is None
