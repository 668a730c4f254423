"""A rule's id on a page is never alone: a penalty in an explanation or a duty's penalty
reads `“收集人未及时提交报告人提交的需求或bug”（P3）`, a duty's heading names it after its
id, in the page's language (the policy's `name_en` on an English page). Reports and the
command line keep their own wording: a glossary names rules only when asked to."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from service_support import (
    POLICY,
    signed_in_with_sample,
    visible_text,
)

import policyengine as pe
from policyengine.service.dashboard import rulebook
from policyengine.wording import Glossary, line

ZH = {"accept-language": "zh-CN,zh;q=0.9"}
EN = {"accept-language": "en-US,en;q=0.9"}
MODEL = pe.load_policy(POLICY).model


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with signed_in_with_sample(str(tmp_path / "facts.db")) as app_client:
        yield app_client


text_of = visible_text


def bare_penalties(text: str, lang: str) -> list[str]:
    """Penalty ids in `text` not written with their name: `“name”（P3）` / `"name" (P3)`."""
    found = []
    for key, spec in MODEL.penalties.items():
        name = spec.name if lang == "zh" else spec.name_en
        named = f"“{name}”（{key}）" if lang == "zh" else f'"{name}" ({key})'
        hits = len(re.findall(rf"(?<![\w.]){re.escape(key)}(?![\w.])", text))
        if hits != text.count(named):
            found.append(key)
    return found


@pytest.mark.parametrize(("lang", "headers"), [("zh", ZH), ("en", EN)])
def test_the_person_page_names_each_penalty(client: TestClient, lang: str,
                                            headers: dict[str, str]) -> None:
    text = text_of(client, f"/ui/person/杨宝珠?period=2026-10&lang={lang}", headers)
    assert bare_penalties(text, lang) == []
    if lang == "zh":
        assert "“收集人未及时提交报告人提交的需求或bug”（P3）（2014-07-01 起生效）：" in text
        assert "罚则：“收集人未及时通知报告人修改、完成、变更情况”（P4）" in text
    else:
        assert '"collector did not pass reports on in time" (P3) as in force from' in text
        assert 'Penalty: "collector did not notify the reporter in time" (P4)' in text


def test_an_english_page_names_duties_in_english(client: TestClient) -> None:
    response = client.get("/ui/person/杨宝珠?period=2026-10&lang=en", headers=EN)
    headings = [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", h))).strip()
                for h in re.findall(r"<h3>(.*?)</h3>", response.text, re.S)]
    assert "R2 register the requirement and put it in the weekly report — Case 26092801" in (
        headings)
    assert "W4 month-end summary of requirement collection — (monthly)" in headings
    text = html.unescape(re.sub(r"<[^>]+>", " ", response.text))
    assert "duty R2 register the requirement and put it in the weekly report" in text
    assert "需求归档" not in text  # R2's Chinese name: nowhere on the English page
    case = text_of(client, "/ui/case/26092801?period=2026-10&lang=en", EN)
    assert "duty opened: report the requirement" in case
    assert "deadline missed: register the requirement and put it in the weekly report" in case
    assert '"committed date missed" (P6) as in force from 2014-07-01' in case
    assert bare_penalties(case, "en") == []
    chinese = text_of(client, "/ui/case/26092801?period=2026-10&lang=zh", ZH)
    assert "职责开始：提需求" in chinese and bare_penalties(chinese, "zh") == []


def test_the_policy_page_names_each_duty_s_penalty() -> None:
    policy = pe.load_policy(POLICY)
    zh = {row.rule: row.penalty for row in rulebook.duty_rows(policy, "zh")}
    assert zh["R1"] == "“未及时提交用户反馈的需求或bug”（P1）"
    assert zh["R4"] == "无"
    en = {row.rule: row.penalty for row in rulebook.duty_rows(policy, "en")}
    assert en["R1"] == '"requirement or bug not submitted in time" (P1)'
    assert en["R4"] == "none"


def test_a_glossary_names_rules_only_when_asked() -> None:
    said = line("pen.per_instance", rule="P1", effective="2014-07-01", amount=20)
    plain = Glossary.of(MODEL)
    assert said.render("zh", plain) == "P1（2014-07-01 起生效）：每次 20 元"  # as reports say
    assert said.render("en", plain) == "P1 as in force from 2014-07-01: 20 yuan each time"
    named = plain.with_rules(MODEL)
    assert said.render("zh", named) == ("“未及时提交用户反馈的需求或bug”（P1）（2014-07-01 起生效）"
                                        "：每次 20 元")
    assert said.render("en", named) == ('"requirement or bug not submitted in time" (P1) as '
                                        "in force from 2014-07-01: 20 yuan each time")
    duty = line("why.duty", duty="R1", name="提需求", clause="")
    assert duty.render("en", named) == "duty R1 report the requirement"
    assert duty.render("en", plain) == "duty R1 提需求"
    nested = line("pen.month_tier", rule="P3", effective="2014-07-01", count=4, month="2026-10",
                  bounds=line("bounds.count", low=1, high=5),
                  outcome=line("out.yuan_month", amount=20))
    assert nested.render("en", named).startswith('"collector did not pass reports on in time"')
