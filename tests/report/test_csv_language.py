"""The evaluation and comparison CSVs follow the reader's language: Chinese headers and words
for a person opening the file in Excel, the English machine keys unchanged for integrators."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from helpers import POLICY_DIR, SAMPLE_FACTS

import policyengine as pe
from policyengine.compare import Comparison, PersonChange
from policyengine.report.comparison import comparison_csv
from policyengine.report.formats import CSV_TABLES, role_names, to_csv

ASCII_WORD = re.compile(r"[A-Za-z]{2,}")
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
ENGLISH_HEADERS = {
    "violations": "period,month,duty,duty_name,case,person,role,due,fulfilled_at,late_by,"
                  "penalty_rule,schedule,amount,count_in_month,month_amount,forfeit,status",
    "people": "period,person,violations,amount,forfeit,forfeit_months",
    "obligations": "duty,duty_name,case,person,role,opened_at,due,overdue",
    "rewards": "period,person,reward,reward_name,min,max,reason",
    "merits": "person,duty,case,due,fulfilled_at,working_days_early",
    "pending": "duty,duty_name,case,person,role,opened_at,trigger,missing_year,due_not_before,"
               "status,fulfilled_at,fulfilled_by",
}


@pytest.fixture(scope="module")
def quarter() -> tuple[pe.CompiledPolicy, pe.EvaluationResult]:
    policy = pe.load_policy(POLICY_DIR)
    facts = pe.read_facts(str(SAMPLE_FACTS), policy).facts
    return policy, pe.evaluate(policy, facts, period=pe.Period.parse("2026-Q4"))


def parsed(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")  # Excel reads UTF-8 only with the byte-order mark
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def header_of(text: str) -> list[str]:
    return next(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.mark.parametrize("which", CSV_TABLES)
def test_chinese_headers_have_no_english_words(
        quarter: tuple[pe.CompiledPolicy, pe.EvaluationResult], which: str) -> None:
    policy, result = quarter
    text = to_csv(result, which, lang="zh", roles=role_names(policy, "zh"))
    header = header_of(text)
    assert len(header) == len(ENGLISH_HEADERS[which].split(","))
    assert not [h for h in header if ASCII_WORD.search(h)], header


@pytest.mark.parametrize("which", CSV_TABLES)
def test_english_keeps_the_machine_keys(
        quarter: tuple[pe.CompiledPolicy, pe.EvaluationResult], which: str) -> None:
    _, result = quarter
    text = to_csv(result, which)  # English is the default of the function: integrators' form
    assert text == to_csv(result, which, lang="en")
    assert text.removeprefix("\ufeff").split("\r\n")[0] == ENGLISH_HEADERS[which]


def test_chinese_violations_speak_in_words(
        quarter: tuple[pe.CompiledPolicy, pe.EvaluationResult]) -> None:
    policy, result = quarter
    rows = parsed(to_csv(result, "violations", lang="zh", roles=role_names(policy, "zh")))
    english = parsed(to_csv(result, "violations", lang="en"))
    assert len(rows) == len(english) == len(result.violations) > 0
    assert {r["当月无绩效"] for r in rows} == {"是", "否"}
    assert {r["forfeit"] for r in english} == {"yes", "no"}
    roles = {r["角色"] for r in rows}
    assert "需求/Bug报告人" in roles and "reporter" not in roles
    assert roles <= set(role_names(policy, "zh").values())  # 需求/Bug报告人: the policy's name
    assert not [r for r in rows if ASCII_WORD.search(r["计罚方式"] + r["迟了"])]
    assert {r["计罚方式"] for r in rows} >= {"按次", "按当月次数分档"}
    # durations in words, the same length of time as the English 1d16h form
    pairs = {(e["late_by"], z["迟了"]) for e, z in zip(english, rows, strict=True)}
    assert ("2h", "2小时") in pairs and ("15m", "15分") in pairs
    # times stay ISO, so a spreadsheet or a script reads them as they are
    assert all(ISO_TIME.match(r["截止时间"]) for r in rows)
    assert [r["截止时间"] for r in rows] == [e["due"] for e in english]


def test_chinese_people_and_obligations_say_yes_and_no_in_chinese(
        quarter: tuple[pe.CompiledPolicy, pe.EvaluationResult]) -> None:
    policy, result = quarter
    people = parsed(to_csv(result, "people", lang="zh"))
    assert {p["当月无绩效"] for p in people} == {"是", "否"}
    obligations = parsed(to_csv(result, "obligations", lang="zh",
                                roles=role_names(policy, "zh")))
    assert {o["已逾期"] for o in obligations} <= {"是", "否"}
    assert {o["角色"] for o in obligations} <= set(role_names(policy, "zh").values())
    pending = parsed(to_csv(result, "pending", lang="zh", roles=role_names(policy, "zh")))
    assert pending and not [p for p in pending if ASCII_WORD.search(p["状态"])]


def test_role_names_are_the_policy_vocabulary() -> None:
    policy = pe.load_policy(POLICY_DIR)
    assert role_names(policy, "zh")["collector"] == "需求收集人"
    assert role_names(policy, "en") == {}  # English keeps the codes


def _comparison() -> Comparison:
    def person(name: str | None, old: int, new: int, forfeit: bool) -> PersonChange:
        return PersonChange(name, Decimal(old), Decimal(new), False, forfeit)
    # code-point order puts 杨 (U+6768) before 陈 (U+9648); pinyin order puts 陈 first
    return Comparison("old", "new", (person("张三", 80, 110, False), person("杨宝珠", 20, 40, True),
                                     person("陈立", 0, 20, False), person("李小四", 10, 10, False)),
                      ())


def test_diff_csv_in_chinese() -> None:
    text = comparison_csv(_comparison(), "zh")
    header = header_of(text)
    assert not [h for h in header if ASCII_WORD.search(h)], header
    rows = parsed(text)
    assert [r["姓名"] for r in rows] == ["陈立", "杨宝珠", "张三"]  # pinyin; unchanged left out
    assert [(r["原当月无绩效"], r["新当月无绩效"]) for r in rows] == [
        ("否", "否"), ("否", "是"), ("否", "否")]
    assert rows[2]["变化（元）"] == "30"


def test_diff_csv_in_english_is_unchanged() -> None:
    lines = comparison_csv(_comparison()).split("\r\n")
    assert lines[0] == "\ufeffperson,old_amount,new_amount,change,old_forfeit,new_forfeit"
    assert lines[1:4] == ["张三,80,110,30,False,False", "杨宝珠,20,40,20,False,True",
                          "陈立,0,20,20,False,False"]
