"""Steps that would pass whatever the result, refused at their line: facts given after the
evaluation, a verdict on a deadline that does not exist or falls outside the period
evaluated, a misspelt name, duty or reward, a reward of one person checked in a month.

Each scenario of tests/bdd/fixtures/vacuous_checks*.feature passed before; now each is an
error of the scenario's writing ("cannot be run as written"), not a pass.
"""

from __future__ import annotations

import pytest
from bdd_support import Run, make_project, run_pytest


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = make_project(tmp_path_factory.mktemp("vacuous"),
                        fixtures=("vacuous_checks.feature", "vacuous_checks_en.feature"))
    return run_pytest(root)


def test_no_scenario_passes(run: Run) -> None:
    assert run.code == 1, run.out
    assert "7 failed" in run.out, run.out


@pytest.mark.parametrize(("scenario", "said"), [
    ("Facts given after the evaluation",
     "line 13: this Given step comes after the evaluation on line 12"),
    ("A weekly deadline on a Saturday",
     "line 21: W1 due 2026-10-17 12:00: no W1 falls due at that time up to the evaluation"),
    ("A misspelt name pays nothing",
     "line 31: '李晓四' appears nowhere in this scenario's facts, roles or results (did you "
     "mean '李小四'?)"),
    ("A misspelt duty has no violation",
     "line 41: the policy has no duty 'BL' (did you mean 'B1'?)"),
    ("九月到期的职责按十月评估",
     "第 14 行：26092101 的 R1 的截止时间是 2026-09-24 18:00，不在评估的 2026-10 内"),
    ("只评估了九月就查季度奖励",
     "第 31 行：奖励按季度评定，而这个场景评估的是 2026-09"),
    ("奖励编号写错",
     "第 48 行：制度里没有编号为「AI」的奖励（是不是「A1」？）"),
])
def test_each_is_an_error_at_its_line(run: Run, scenario: str, said: str) -> None:
    text = run.section(scenario)
    assert said in text, text
    assert "cannot be run as written" in text or "场景写法有误" in text


def test_a_count_cell_takes_whole_numbers_only() -> None:
    from policyengine.bdd.values import BadValue, parse_count

    assert parse_count("3") == 3 and parse_count("3 次") == 3
    for wrong in ("一", "5.5", "-1", "3元"):
        with pytest.raises(BadValue) as caught:
            parse_count(wrong)  # 5.5 was read as 5
        assert f"「{wrong}」不是次数" in caught.value.text("zh")
