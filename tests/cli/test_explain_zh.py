"""Chinese explanations name what the policy names: fact types and roles by the vocabulary's
Chinese names (the id kept in parentheses), durations in 天/小时/分, a case timeline's
attributes and coded values in words. The English explanation keeps the ids."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from chinese_text import ATTRIBUTE_PAIR, ENGLISH_DURATION, bare_ids
from helpers import POLICY_DIR, SAMPLE_FACTS

import policyengine as pe
from policyengine.cli.main import main
from policyengine.report.labels import duration_text as labels_duration_text
from policyengine.wording import Glossary, duration_text, line

SAMPLE = ["--facts", str(SAMPLE_FACTS), "--policy", str(POLICY_DIR), "--month", "2026-10"]


def glossary() -> Glossary:
    return Glossary.of(pe.load_policy(POLICY_DIR).model)


def out_of(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) in (0, 3)
    return capsys.readouterr().out


def test_the_check_itself_catches_raw_ids_and_english_durations() -> None:
    names = glossary()
    assert bare_ids("由 plan.delivered s-0100 触发；截止时担任 it_lead 的人", names) == [
        "plan.delivered", "it_lead"]
    assert bare_ids("产品经理（pm） pm", names) == ["pm"]
    assert bare_ids("由 交付可供开发的策划案（plan.delivered） 触发；IT部负责人（it_lead）",
                    names) == []
    assert ENGLISH_DURATION.findall("迟了 1d16h，超过 7d，宽限 30m；s-0100 2026-10-09 P6") == [
        "1d16h", "7d", "30m"]


def test_a_persons_explanation_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    names = glossary()
    for person in ("赵强", "陈立"):
        text = out_of(capsys, "explain", *SAMPLE, "--person", person, "--lang", "zh")
        assert bare_ids(text, names) == []
        assert ENGLISH_DURATION.findall(text) == []
    text = out_of(capsys, "explain", *SAMPLE, "--person", "赵强", "--lang", "zh")
    assert ("由 交付可供开发的策划案（plan.delivered） s-0100 于 2026-10-09 10:00（周五） "
            "触发") in text
    assert "完成：迟了 1天16小时" in text
    assert "责任人：赵强（截止时担任 IT部负责人（it_lead） 的人）" in text
    assert "仍无 交产品经理验收（build.handed_over）：已迟 15天6小时" in text
    assert "属于 超过 7天：当月无绩效" in text


def test_a_cases_explanation_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    names = glossary()
    for case in ("26091502", "26092801"):
        text = out_of(capsys, "explain", *SAMPLE, "--case", case, "--lang", "zh")
        assert bare_ids(text, names) == []
        assert ENGLISH_DURATION.findall(text) == []
        assert ATTRIBUTE_PAIR.findall(text) == []
    text = out_of(capsys, "explain", *SAMPLE, "--case", "26091502", "--lang", "zh")
    assert "需求人：刘老师（星辰教育）" in text and "决策：做；分级：B级" in text
    assert "事由：决策结果" in text and "日期：2026-09-30" in text
    transform = out_of(capsys, "explain", *SAMPLE, "--case", "26092801", "--lang", "zh")
    assert "决策：需求转换；分级：B级；备注：改为只显示本人成绩" in transform


def test_english_keeps_the_ids(capsys: pytest.CaptureFixture[str]) -> None:
    text = out_of(capsys, "explain", *SAMPLE, "--person", "赵强", "--lang", "en")
    assert "opened by plan.delivered s-0100 at 2026-10-09 10:00 (Fri) (陈立)" in text
    assert "fulfilled by acceptance.estimated s-0169 at 2026-10-14 10:00 (Wed): 1d16h late" in text
    assert "responsible: 赵强, holder of role it_lead at the deadline" in text
    case = out_of(capsys, "explain", *SAMPLE, "--case", "26092801", "--lang", "en")
    assert "decision=transform tier=B note=改为只显示本人成绩" in case


def test_json_names_in_chinese_only(capsys: pytest.CaptureFixture[str]) -> None:
    document = json.loads(out_of(capsys, "explain", *SAMPLE, "--person", "赵强",
                                 "--format", "json"))
    first = document["violations"][0]
    assert "opened by plan.delivered s-0100 at 2026-10-09 10:00 (Fri) (陈立)" in first[
        "explanation"]
    zh = "\n".join(first["explanation_zh"])
    assert bare_ids(zh, glossary()) == [] and ENGLISH_DURATION.findall(zh) == []
    assert first["late_by"] == "1d16h"  # a machine field keeps the policy's own form


def test_evaluate_explain_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    text = out_of(capsys, "evaluate", *SAMPLE, "--explain", "--lang", "zh")
    assert bare_ids(text, glossary()) == []
    assert ENGLISH_DURATION.findall(text) == []
    assert "截止时担任 测试（tester） 的人" in text


def test_one_duration_wording() -> None:
    assert labels_duration_text is duration_text
    assert duration_text(timedelta(days=1, hours=16), "zh") == "1天16小时"
    assert duration_text(timedelta(days=1, hours=16), "en") == "1d16h"
    assert duration_text(timedelta(0), "zh") == "0分"
    assert duration_text(-timedelta(minutes=90, seconds=5), "zh") == "-1小时30分5秒"
    assert line("bounds.over", over=timedelta(days=7)).render("zh") == "超过 7天"
    assert line("bounds.over", over=timedelta(days=7)).render("en") == "over 7d"


def test_a_glossary_names_only_what_the_policy_names() -> None:
    names = Glossary({"plan.delivered": "交付可供开发的策划案"}, {"pm": "产品经理"},
                     attribute_names={"plan.delivered": {"about": "事由"},
                                      "decision.made": {"decision": "决策"}},
                     value_names={"plan.delivered": {"about": {"decision": "决策结果"}},
                                  "decision.made": {"decision": {"reconsider": "再议"}}})
    opened = line("why.opened", type="plan.delivered", ref="s-1", at="t", by="")
    assert opened.render("zh", names) == "由 交付可供开发的策划案（plan.delivered） s-1 于 t 触发"
    assert opened.render("zh") == "由 plan.delivered s-1 于 t 触发"
    assert opened.render("en", names) == "opened by plan.delivered s-1 at t"
    unknown = line("how.holder", role="auditor")
    assert unknown.render("zh", names) == "截止时担任 auditor 的人"
    nested = line("why.responsible", person="陈立", how=line("how.holder", role="pm"))
    assert nested.render("zh", names) == "责任人：陈立（截止时担任 产品经理（pm） 的人）"
    fulfil = line("why.open", fulfil="plan.delivered (about = decision)", as_of="t",
                  late=timedelta(hours=2))
    assert fulfil.render("zh", names) == (
        "截至 t 仍无 交付可供开发的策划案（plan.delivered） (事由：决策结果)：已迟 2小时，仍未完成")
    assert names.attributes({"decision": "reconsider", "x": "y"}, "zh",
                            "decision.made") == "决策：再议；x：y"
    assert names.attributes({"decision": "reconsider"}, "en") == "decision=reconsider"
    # a fact type that names no attribute: as another fact type names it, else as written
    assert names.attributes({"decision": "dont", "about": "x"}, "zh", "meeting.ended") == \
        "决策：dont；事由：x"
    assert Glossary().attributes({"decision": "reconsider"}, "zh") == "decision：reconsider"
    # the case timeline's meeting id was the one attribute left in English (meeting：M…)
    assert glossary().attributes({"meeting": "M20261010"}, "zh") == "决策会议：M20261010"


def test_the_shipped_vocabulary_names_attributes_and_values() -> None:
    """The names the timeline, the conditions and the policy page use come from the policy's
    `name` and `value_names` (they were a table in wording.py, the shipped pack's only)."""
    names = glossary()
    assert names.attributes({"decision": "transform", "tier": "B", "note": "n"}, "zh",
                            "decision.made") == "决策：需求转换；分级：B级；备注：n"
    assert names.attributes({"about": "bugfix"}, "zh", "requester.informed") == "事由：Bug修复"
    assert names.attributes({"commitment": "acceptance", "new_due": "2026-10-30"}, "zh",
                            "delay.approved") == "承诺：交验收；新日期：2026-10-30"
    assert names.attributes({"role": "pm", "person": "陈立"}, "zh", "role.assigned") == \
        "角色：产品经理（pm）；人员：陈立"
