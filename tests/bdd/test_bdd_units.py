"""The parts of the scenario library, one by one: normalising, values, matching, tables, files."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from policyengine.bdd.compare import Context, compare, text_column
from policyengine.bdd.failures import ScenarioError, ScenarioFailure
from policyengine.bdd.lint import StepCall, TableRow, parse_feature
from policyengine.bdd.normalize import feature_text, guess_language, step_text
from policyengine.bdd.policies import deep_merge
from policyengine.bdd.runner import plan
from policyengine.bdd.steps import STEPS
from policyengine.bdd.values import (
    BadValue,
    parse_amount,
    parse_date,
    parse_duration,
    parse_moment,
    parse_number,
    parse_period,
    parse_yes_no,
)
from policyengine.report.text import width

TZ = ZoneInfo("Asia/Shanghai")

# --- normalising ---------------------------------------------------------------------------


@pytest.mark.parametrize("typed", [
    "张三 应缴纳 50 元", "张三应缴纳50元", "张三  应缴纳50 元。", "张三 应缴纳 ５０ 元",
    "张三应缴纳50元：",
])
def test_spacing_and_full_width_forms_match_the_same(typed: str) -> None:
    assert step_text(typed) == "张三应缴纳50元"


def test_feature_text_fixes_structure_and_keeps_every_line() -> None:
    raw = "功能：甲\n  场景 ：乙\n    假如 以下事实：\n      ｜ a ｜ b ｜\n  例子： \n"
    fixed = feature_text(raw)
    assert fixed.splitlines()[:4] == ["功能:甲", "  场景:乙", "    假如 以下事实：",
                                      "      | a | b |"]
    assert fixed.count("\n") == raw.count("\n")


def test_a_file_without_a_language_line_opening_in_chinese_is_chinese() -> None:
    assert guess_language("功能：甲\n") == "zh-CN"
    assert guess_language("# 注释\nFeature: x\n") == "en"
    assert guess_language("#language：zh_cn\nFeature: x\n") == "zh-CN"


def test_the_language_is_that_of_the_keywords_not_of_the_title() -> None:
    # an English file whose title is Chinese was read as Chinese: none of its lines parsed
    assert guess_language("Feature: 李小四的 Bug 审计\n  Scenario: x\n") == "en"
    assert guess_language("@审计\nfeature：李小四\n") == "en"
    assert guess_language("Feature 李小四\n") == "en"
    assert guess_language("\n# 说明\n功能: Bug audit\n") == "zh-CN"
    assert guess_language("场景: 甲\n") == "zh-CN"
    assert guess_language("李小四\n") == "zh-CN"


# --- values as people write them -----------------------------------------------------------


@pytest.mark.parametrize("text", [
    "2026-10-09 10:30", "2026-10-09T10:30", "2026-10-09T10:30:00+08:00", "2026/10/09 10:30",
    "2026年10月9日 10:30", "2026年10月9日10点30分", "2026-10-09（周五）10:30",
    "2026-10-09 (Fri) 10:30",
])
def test_times_as_people_write_them(text: str) -> None:
    assert parse_moment(text, TZ) == datetime(2026, 10, 9, 10, 30, tzinfo=TZ)


def test_a_bare_clock_time_is_the_day_of_the_row_above() -> None:
    before = datetime(2026, 10, 9, 10, 30, tzinfo=TZ)
    assert parse_moment("17:05", TZ, before) == datetime(2026, 10, 9, 17, 5, tzinfo=TZ)


def test_a_wrong_weekday_is_reported() -> None:
    with pytest.raises(BadValue) as caught:
        parse_moment("2026-10-09（周六）10:30", TZ)
    assert "2026-10-09 是周五，不是周六" in caught.value.zh
    assert "is a Friday, not a Saturday" in caught.value.en


@pytest.mark.parametrize(("text", "expected"), [
    ("15h30m", timedelta(hours=15, minutes=30)), ("15 h 30 min", timedelta(hours=15, minutes=30)),
    ("1天16小时", timedelta(days=1, hours=16)), ("1d16h", timedelta(days=1, hours=16)),
    ("30分钟", timedelta(minutes=30)), ("3小时30分", timedelta(hours=3, minutes=30)),
    ("7d1m", timedelta(days=7, minutes=1)), ("0", timedelta(0)),
])
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(("text", "label"), [
    ("2026-10", "2026-10"), ("2026年10月", "2026-10"), ("October 2026", "2026-10"),
    ("2026-Q4", "2026-Q4"), ("2026年第四季度", "2026-Q4"), ("2026年第3季度", "2026-Q3"),
    ("the quarter 2026-Q3", "2026-Q3"), ("Q2 2026", "2026-Q2"),
])
def test_periods(text: str, label: str) -> None:
    assert parse_period(text).label == label


def test_other_values() -> None:
    assert parse_amount("20 元") == parse_amount("¥20") == Decimal(20)
    assert parse_date("2026年10月16日") == date(2026, 10, 16)
    assert parse_date("10月16日", 2026) == date(2026, 10, 16)
    assert parse_yes_no("是") and not parse_yes_no("否") and parse_yes_no("yes")
    with pytest.raises(BadValue):
        parse_duration("soon")
    with pytest.raises(BadValue):
        parse_period("十月")


# --- the vocabulary ------------------------------------------------------------------------


def test_every_step_exists_in_chinese_and_in_english() -> None:
    for step in STEPS.steps:
        assert {t.lang for t in step.templates} == {"zh", "en"}, step.name
        assert step.doc.get("zh") and step.doc.get("en"), step.name


def test_every_example_matches_its_own_step_and_no_other() -> None:
    for step in STEPS.steps:
        for template in step.templates:
            found = [s.name for s, _ in STEPS.match(template.example)]
            assert found[0] == step.name, (template.example, found)
            if step.name != "policy-change":  # "the policy {path}" also reads it; order decides
                assert found == [step.name], (template.example, found)


@pytest.mark.parametrize(("text", "name", "args"), [
    ("杨宝珠 是 collector", "role", {"person": "杨宝珠", "role": "collector"}),
    ("从 2026-10-19 09:00 起，周敏 是 pm", "role", {"person": "周敏", "at": "2026-10-19 09:00"}),
    ("周敏 holds the role pm from 2026-10-19 09:00", "role", {"at": "2026-10-19 09:00"}),
    ("评估 2026年10月，截至 2026-10-20 12:00", "evaluate",
     {"period": "2026年10月", "as_of": "2026-10-20 12:00"}),
    ("evaluating 2026-10 as of 2026-10-20 12:00", "evaluate", {"period": "2026-10"}),
    ("赵强应缴纳120元，并扣除当月绩效", "amount", {"person": "赵强", "amount": "120"}),
    ("26100901 的 R1 未完成，迟了 3d6h", "verdict", {"selector": "26100901", "duty": "R1"}),
    ("W1 due 2026-10-16 12:00 is late by 3h30m", "verdict", {"duty": "W1"}),
    ("R1、R2 的违规如下：", "violations", {"duties": "R1、R2"}),
    ("C3 的未完成职责如下：", "open-duties", {"duties": "C3"}),
])
def test_steps_read_their_values(text: str, name: str, args: dict[str, str]) -> None:
    step, values = STEPS.match(text)[0]
    assert step.name == name
    for key, value in args.items():
        assert values[key] == value


def _case(*steps: tuple[str, str], lang: str = "zh") -> list[StepCall]:
    kinds = {"假如": "given", "当": "when", "那么": "then", "Given": "given", "When": "when",
             "Then": "then"}
    return [StepCall(keyword, kinds[keyword], text, line)  # type: ignore[arg-type]
            for line, (keyword, text) in enumerate(steps, start=3)]


def test_an_unknown_step_lists_the_nearest_known_ones() -> None:
    from policyengine.bdd.lint import ScenarioCase

    case = ScenarioCase("x", "x", 2, 2, tuple(_case(("假如", "杨宝珠当上了收集人"),
                                                     ("那么", "张三的罚款是 50 元"))))
    with pytest.raises(ScenarioError) as caught:
        plan(case, "zh")
    message = caught.value.message
    assert "第 3 行的步骤无法识别" in message and "第 4 行的步骤无法识别" in message
    after = message[message.index("第 4 行"):]
    assert "元[，并扣除当月绩效]" in after.splitlines()[3]  # the amount step comes first


def test_a_step_with_a_table_it_does_not_read_is_an_error() -> None:
    from policyengine.bdd.lint import ScenarioCase

    call = StepCall("那么", "then", "没有违规", 5, (TableRow(6, ("a",)),))
    with pytest.raises(ScenarioError, match="表格用不上"):
        plan(ScenarioCase("x", "x", 2, 2, (call,)), "zh")


# --- comparing tables ------------------------------------------------------------------------


def _columns() -> list:  # type: ignore[type-arg]
    return [text_column("name", ("姓名", "name"), lambda row, ctx: row[0]),
            text_column("duty", ("职责", "duty"), lambda row, ctx: row[1])]


def test_rows_compare_in_any_order_on_the_columns_written() -> None:
    table = [TableRow(10, ("职责", "姓名")), TableRow(11, ("R2", "李小四")),
             TableRow(12, ("R1", "杨宝珠"))]
    compare(table, [("杨宝珠", "R1"), ("李小四", "R2")], _columns(), Context("zh", TZ), 9,
            "记录", "rows")


def test_a_mismatch_pairs_the_nearest_rows_and_aligns_chinese() -> None:
    table = [TableRow(10, ("姓名", "职责")), TableRow(11, ("李小四", "R2")),
             TableRow(12, ("杨宝珠", "R1"))]
    with pytest.raises(ScenarioFailure) as caught:
        compare(table, [("杨宝珠", "R1"), ("李小四", "R3"), ("Zhang", "B1")], _columns(),
                Context("zh", TZ), 9, "记录", "rows")
    lines = caught.value.message.splitlines()
    header = next(line for line in lines if line.startswith("  行"))
    missing = next(line for line in lines if line.startswith("- 11"))
    paired = lines[lines.index(missing) + 1]
    assert paired.startswith("+ ") and "李小四" in paired and "R3" in paired
    assert width(paired[:paired.index("R3")]) == width(header[:header.index("职责")])
    assert lines[lines.index(paired) + 1].strip() == "^^"
    table_rows = [line for line in lines if line[:2] in ("  ", "- ", "+ ") and line.strip()]
    assert table_rows[-1].startswith("+ ") and "Zhang" in table_rows[-1]  # unpaired: last
    assert "缺少 1 行" in caught.value.message and "多出 2 行" in caught.value.message


def test_an_unknown_column_is_named_with_a_suggestion() -> None:
    table = [TableRow(10, ("姓命",)), TableRow(11, ("李小四",))]
    with pytest.raises(ScenarioError, match="不认识表格列「姓命」"):
        compare(table, [("李小四", "R2")], _columns(), Context("zh", TZ), 9, "记录", "rows")


# --- reading files -----------------------------------------------------------------------------


def test_a_parse_error_is_located_and_explained() -> None:
    doc = parse_feature("# language: zh-CN\n  假如 乙\n功能: 甲\n", Path("x.feature"))
    assert not doc.parsed and not doc.cases
    assert doc.problems[0].line == 2
    assert "文件要以「功能: 名称」开头" in doc.problems[0].zh
    doc = parse_feature("# language: zh-CN\n功能: 甲\n  场景: 乙\n    假如 x\n  场景 丙\n",
                        Path("x.feature"))
    assert doc.problems[0].line == 5
    assert "「场景」后面要有冒号" in doc.problems[0].zh


def test_outline_placeholders_need_an_example_column() -> None:
    text = ("# language: zh-CN\n功能: 甲\n  场景大纲: 乙\n    那么 <结论>\n    例子:\n"
            "      | 结果 |\n      | 按时 |\n")
    doc = parse_feature(text, Path("x.feature"))
    assert any("<结论>" in p.zh for p in doc.problems)


def test_outline_rows_become_scenarios_named_by_their_line() -> None:
    text = ("# language: zh-CN\n功能: 甲\n  场景大纲: 乙\n    那么 <x>\n    例子:\n"
            "      | x |\n      | 没有违规 |\n      | 没有加分 |\n")
    doc = parse_feature(text, Path("x.feature"))
    assert [c.item_name for c in doc.cases] == ["乙[第7行]", "乙[第8行]"]
    assert [c.steps[0].text for c in doc.cases] == ["没有违规", "没有加分"]


def test_deep_merge_replaces_lists_and_removes_with_null() -> None:
    base = {"penalties": {"P1": {"name": "x", "versions": [{"per_instance": 20}]}},
            "duties": {"W1": {}, "R1": {}}}
    merged = deep_merge(base, {"penalties": {"P1": {"versions": [{"per_instance": 50}]}},
                               "duties": {"W1": None}})
    assert merged == {"penalties": {"P1": {"name": "x", "versions": [{"per_instance": 50}]}},
                      "duties": {"R1": {}}}
    assert base["duties"] == {"W1": {}, "R1": {}}  # the input is not changed


# -- number and money cells (attributes of type number / money) ---------------------------

@pytest.mark.parametrize(("cell", "read"), [
    ("1200", "1200"), ("1,200.50", "1200.50"), ("¥1200", "1200"), ("1200 元", "1200"),
    ("500万", "5000000"), ("１２００", "1200"), ("-30", "-30"),
])
def test_number_cells_as_people_write_them(cell: str, read: str) -> None:
    assert parse_number(cell) == read


def test_a_cell_that_is_not_a_number_says_so_in_both_languages() -> None:
    with pytest.raises(BadValue) as caught:
        parse_number("很多")
    assert "「很多」不是数字" in caught.value.zh and "'很多' is not a number" in caught.value.en


def test_a_facts_table_states_number_and_money_attributes() -> None:
    import policyengine as pe
    from policyengine.bdd.facttable import TableProblem, build_facts, read_rows

    policy = pe.load_policy(Path(__file__).parents[1] / "policy" / "good" / "grading")
    table = [TableRow(1, ("时间", "类型", "编号", "执行人", "annual_sales", "score")),
             TableRow(2, ("2026-10-09 10:00", "customer.reviewed", "C001", "王经理",
                          "500万", "87.5")),
             TableRow(3, ("10:30", "customer.reviewed", "C002", "王经理", "1,200.50", ""))]
    facts = build_facts(read_rows(table, policy, "zh"), policy, "t.feature", "zh")
    assert [f.attrs.get("annual_sales") for f in facts] == [Decimal(5000000),
                                                            Decimal("1200.50")]
    assert facts[0].attrs["score"] == Decimal("87.5") and "score" not in facts[1].attrs
    bad = [table[0], TableRow(2, ("2026-10-09 10:00", "customer.reviewed", "C001", "王经理",
                                  "12.345", ""))]
    with pytest.raises(TableProblem) as caught:
        build_facts(read_rows(bad, policy, "zh"), policy, "t.feature", "zh")
    [(line, zh, en)] = caught.value.problems
    assert line == 2 and "annual_sales" in en and "最多两位小数" in zh
