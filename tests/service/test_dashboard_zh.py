"""The dashboard's person and case pages in Chinese: fact types and roles by the policy's
names, durations in 天/小时/分, timeline attributes in words; the API's `explanation_zh` says
the same as the page, and English pages keep the ids."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from chinese_text import ATTRIBUTE_PAIR, ENGLISH_DURATION, bare_ids
from fastapi.testclient import TestClient
from service_support import (
    POLICY,
    auth,
    signed_in_with_sample,
    visible_text,
)

import policyengine as pe
from policyengine.wording import Glossary

ZH = {"accept-language": "zh-CN,zh;q=0.9"}
EN = {"accept-language": "en-US,en;q=0.9"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with signed_in_with_sample(str(tmp_path / "facts.db")) as app_client:
        yield app_client


page = visible_text


def test_the_person_page_in_chinese(client: TestClient) -> None:
    names = Glossary.of(pe.load_policy(POLICY).model)
    text = page(client, "/ui/person/陈立?period=2026-10", ZH)
    assert bare_ids(text, names) == [] and ENGLISH_DURATION.findall(text) == []
    assert "由 决策会议决策（decision.made） s-0119" in text and "迟了 15小时30分" in text
    api = client.get("/v1/people/陈立?period=2026-10", headers=auth("read")).json()
    steps = [step for v in api["violations"] for step in v["explanation_zh"]]
    assert steps and all(html.unescape(step) in text for step in steps)
    assert any("decision.made s-0119" in step for v in api["violations"]
               for step in v["explanation"])


def test_the_case_page_in_chinese(client: TestClient) -> None:
    names = Glossary.of(pe.load_policy(POLICY).model)
    text = page(client, "/ui/case/26092801?period=2026-10", ZH)
    assert bare_ids(text, names) == [] and ENGLISH_DURATION.findall(text) == []
    assert ATTRIBUTE_PAIR.findall(text) == []
    assert "决策：需求转换；分级：B级；备注：改为只显示本人成绩" in text
    assert "事由：决策结果" in text


def test_the_english_case_page_keeps_the_ids(client: TestClient) -> None:
    text = page(client, "/ui/case/26092801?period=2026-10&lang=en", EN)
    assert "decision=transform tier=B note=改为只显示本人成绩" in text
    assert "about=decision" in text


@pytest.mark.parametrize(("headers", "lang", "words"), [
    (ZH, "zh", {"W1": "（每周）", "W4": "（每月）", "R16": "（无编号）"}),
    (EN, "en", {"W1": "(weekly)", "W4": "(monthly)", "R16": "(no case)"})])
def test_a_caseless_row_names_the_duty_s_form(client: TestClient, headers: dict[str, str],
                                             lang: str, words: dict[str, str]) -> None:
    """杨宝珠's October: the weekly report W1, the monthly summary W4 and the meeting's mail
    R16 (triggered by a case-less fact) have no case; each row says which it is."""
    response = client.get(f"/ui/person/杨宝珠?period=2026-10&lang={lang}", headers=headers)
    assert response.status_code == 200, response.text
    headings = {re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", h))).strip()
                for h in re.findall(r"<h3>(.*?)</h3>", response.text, re.S)}
    for duty, word in words.items():
        found = [h for h in headings if h.startswith(f"{duty} ")]
        assert found and all(h.endswith(f"— {word}") for h in found), (duty, headings)
    assert not any(h.startswith("W4 ") and ("每周" in h or "weekly" in h) for h in headings)


def test_a_name_no_fact_holds_is_not_a_clean_month(client: TestClient) -> None:
    """A mistyped name (杨宝株 for 杨宝珠) showed 200 "2026-10 没有违规": as if the person had
    a clean month. It is a 404 page that says no fact names them and links the month's
    people; a real person without violations (王总, who decides) keeps the plain page."""
    response = client.get("/ui/person/杨宝株?period=2026-10", headers=ZH)
    assert response.status_code == 404
    text = html.unescape(re.sub(r"<[^>]+>", " ", response.text))
    assert "没有任何已存储的事实提到“杨宝株”，请核对姓名。2026-10 有违规的人员：" in text
    assert "没有违规" not in text and "未完成职责" not in text
    assert 'href="/ui/person/%E6%9D%A8%E5%AE%9D%E7%8F%A0?period=2026-10"' in response.text
    english = client.get("/ui/person/杨宝株?period=2026-10&lang=en", headers=EN)
    assert english.status_code == 404
    assert "No stored fact names 杨宝株: check the name." in html.unescape(english.text)
    boss = page(client, "/ui/person/王总?period=2026-10&lang=zh", ZH)
    assert "2026-10 没有违规。" in boss and "请核对姓名" not in boss
