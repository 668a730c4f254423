"""Scenarios of any pack (D22): a feature under features/<pack>/ runs under that pack, the
step 假如 使用制度包 NAME / Given the rule book NAME picks one, and a facts table takes the
columns of that pack's own fact types (device_no, condition exist only in equipment-loan)."""

from __future__ import annotations

import pytest
from bdd_support import Run, run_pytest
from helpers import pack_library

# Monday 10-12 10:00 borrowed, due in 3 working days (Thursday 10-15 18:00); back Friday 10:00:
# 16 hours late, Q1 (50 yuan). L000002 back Wednesday: on time.
LOAN_ZH = """\
# language: zh-CN
功能: 设备借用（文件夹 features/equipment-loan/ 决定制度包）

  场景: 逾期归还扣 50 元
    假如 以下事实：
      | 时间             | 类型            | 编号    | 人员 | device_no | condition |
      | 2026-10-12 10:00 | device.borrowed | L000001 | 王五 | NB-17     |           |
      | 2026-10-16 10:00 | 归还设备        | L000001 |      |           | good      |
      | 2026-10-12 11:00 | 借出设备        | L000002 | 赵六 | NB-18     |           |
      | 2026-10-14 09:00 | device.returned | L000002 |      |           | damaged   |
    当 评估 2026年10月
    那么 违规如下：
      | 职责 | 编号    | 人员 | 截止             | 完成             | 迟了 | 金额 |
      | L1   | L000001 | 王五 | 2026-10-15 18:00 | 2026-10-16 10:00 | 16小时 | 50 |
    并且 王五 应缴纳 50 元
"""

LOAN_EN = """\
# language: en
Feature: equipment loans, the pack named by the Background step

  Background:
    Given the rule book equipment-loan

  Scenario: a loan returned on time
    Given these facts:
      | time             | type            | case    | actor | device_no | condition |
      | 2026-10-12 10:00 | device.borrowed | L000001 | 王五  | NB-17     |           |
      | 2026-10-15 17:00 | device.returned | L000001 |       |           | good      |
    When evaluating 2026-10
    Then there are no violations
"""

DEFAULT_ZH = """\
# language: zh-CN
功能: 不在制度包文件夹里、也不写制度包：默认包 customer-requirement

  场景: 默认包的列
    假如 杨宝珠 是 collector
    并且 每周的周报都按时提交
    并且 以下事实：
      | 时间             | 类型         | 编号      | 人员 | 需求方 |
      | 2026-10-13 10:00 | bug.found    | B26101301 | 张三 | 许总   |
      | 10:30            | bug.reported | B26101301 | 张三 |        |
    当 评估 2026年10月
    那么 没有违规
"""

WRONG = """\
# language: zh-CN
功能: 写错了的制度包和别的包的列

  场景: 不存在的制度包
    假如 使用制度包 equipment-lone
    当 评估 2026年10月
    那么 没有违规

  场景: 默认包没有 device_no 这一列
    假如 以下事实：
      | 时间             | 类型            | 编号    | 人员 | device_no |
      | 2026-10-12 10:00 | device.borrowed | L000001 | 王五 | NB-17     |
    当 评估 2026年10月
    那么 没有违规
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("packs")
    pack_library(root / "policies")
    features = root / "features"
    (features / "equipment-loan").mkdir(parents=True)
    (features / "equipment-loan" / "loans.feature").write_text(LOAN_ZH, encoding="utf-8")
    (features / "loans_en.feature").write_text(LOAN_EN, encoding="utf-8")
    (features / "default.feature").write_text(DEFAULT_ZH, encoding="utf-8")
    (features / "wrong.feature").write_text(WRONG, encoding="utf-8")
    (root / "pytest.ini").write_text("[pytest]\npolicyengine_features = features\n"
                                     "policyengine_policy = policies\n", encoding="utf-8")
    return run_pytest(root, "-rA")


def test_a_feature_in_a_pack_folder_runs_under_that_pack(run: Run) -> None:
    assert "PASSED features/equipment-loan/loans.feature::逾期归还扣 50 元" in run.out, run.out


def test_the_background_step_names_the_pack(run: Run) -> None:
    assert "PASSED features/loans_en.feature::a loan returned on time" in run.out, run.out


def test_other_features_run_under_the_default_pack(run: Run) -> None:
    assert "PASSED features/default.feature::默认包的列" in run.out, run.out


def test_an_unknown_pack_lists_the_packs(run: Run) -> None:
    failure = run.section("不存在的制度包")
    assert "第 5 行：没有名为「equipment-lone」的制度包；现有的制度包：customer-requirement、" \
           "equipment-loan" in failure


def test_another_packs_column_is_unknown_in_the_default_pack(run: Run) -> None:
    failure = run.section("默认包没有 device_no 这一列")
    assert "事实表格的列「device_no」不认识" in failure
    assert run.code == 1
