"""The policyengine steps inside a pytest-bdd suite (policyengine.bdd.pytest_bdd): a project
that runs pytest-bdd itself (`scenarios(...)` in its own test module) uses the same steps, in
Chinese and English, under any pack, and a wrong expectation fails with the same words."""

from __future__ import annotations

import pytest
from bdd_support import FIXTURES, Run, run_pytest
from helpers import pack_library

LOAN = """\
# language: zh-CN
功能: 设备借用，在 pytest-bdd 里运行

  场景: 逾期归还扣 50 元
    假如 以下事实：
      | 时间             | 类型            | 编号    | 人员 | device_no | condition |
      | 2026-10-12 10:00 | device.borrowed | L000001 | 王五 | NB-17     |           |
      | 2026-10-16 10:00 | 归还设备        | L000001 |      |           | good      |
    当 评估 2026年10月
    那么 王五 应缴纳 50 元

  场景: 写错的金额
    假如 以下事实：
      | 时间             | 类型            | 编号    | 人员 | device_no | condition |
      | 2026-10-12 10:00 | device.borrowed | L000001 | 王五 | NB-17     |           |
      | 2026-10-16 10:00 | device.returned | L000001 |      |           | good      |
    当 评估 2026年10月
    那么 王五 应缴纳 60 元
"""

CHANGED_EN = """\
# language: en
Feature: a policy change and the Background step naming the pack

  Background:
    Given the rule book equipment-loan

  Scenario: the penalty is changed by a doc string
    Given the policy is changed as follows:
      \"\"\"
      penalties:
        Q1:
          versions:
            - {effective: 2020-01-01, per_instance: 80}
      \"\"\"
    And these facts:
      | time             | type            | case    | actor | device_no | condition |
      | 2026-10-12 10:00 | device.borrowed | L000001 | 王五  | NB-17     |           |
      | 2026-10-19 10:00 | device.returned | L000001 |       |           | damaged   |
    When evaluating 2026-10
    Then 王五 pays 80 yuan
"""

TESTS = """\
from pytest_bdd import scenarios

scenarios("features")
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("pytest_bdd")
    pack_library(root / "policies")
    features = root / "features"
    (features / "equipment-loan").mkdir(parents=True)
    (features / "equipment-loan" / "loans.feature").write_text(LOAN, encoding="utf-8")
    (features / "changed.feature").write_text(CHANGED_EN, encoding="utf-8")
    (features / "still_runs.feature").write_text(
        (FIXTURES / "still_runs.feature").read_text(encoding="utf-8"), encoding="utf-8")
    (root / "conftest.py").write_text('pytest_plugins = ["policyengine.bdd.pytest_bdd"]\n',
                                      encoding="utf-8")
    (root / "test_rules.py").write_text(TESTS, encoding="utf-8")
    (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    # every installed plugin loads, as for a user: pytest-bdd's own, and policyengine's
    # (which collects no .feature file here: policyengine_features is not set)
    return run_pytest(root, "-rA", autoload=True)


def test_pytest_bdd_collects_and_runs_the_scenarios(run: Run) -> None:
    assert "1 failed, 3 passed" in run.out, run.out
    for name in ("test_逾期归还扣_50_元", "test_the_penalty_is_changed_by_a_doc_string",
                 "test_按时报_bug"):
        assert f"PASSED test_rules.py::{name}" in run.out, run.out


def test_a_wrong_expectation_fails_in_the_policyengine_words(run: Run) -> None:
    assert "FAILED test_rules.py::test_写错的金额" in run.out
    assert "第 18 行：王五 预期应缴纳 60 元，不扣绩效；实际是 50 元，不扣绩效。" in run.out
