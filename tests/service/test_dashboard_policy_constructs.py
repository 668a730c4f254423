"""The dashboard's policy page over the packs that use the newer constructs: duties (per,
by, any-of fulfilment, recurring forms), deadline anchors (`from:`), penalty `measure`,
prohibitions and decision tables, in Chinese by default and in English when asked; and the
case-less label of a monthly, yearly or cron duty."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from service_support import ROOT, SECRETS, TOKENS

import policyengine as pe
from policyengine.service.app import create_app
from policyengine.service.dashboard import pages, policyview, rulebook
from policyengine.service.state import ServiceConfig

LIBRARY = ROOT / "policies"
ZH = {"accept-language": "zh-CN,zh;q=0.9"}
EN = {"accept-language": "en-US,en;q=0.9"}


def _client(pack: str, tmp_path: Path) -> Iterator[TestClient]:
    config = ServiceConfig(policy_path=LIBRARY, pack=pack, database=str(tmp_path / "f.db"),
                           tokens=TOKENS)
    with TestClient(create_app(config)) as client:
        signed = client.post("/ui/signin", data={"token": SECRETS["read"]},
                             follow_redirects=False)
        assert signed.status_code == 303, signed.text
        yield client


def _text(client: TestClient, headers: dict[str, str], query: str = "") -> str:
    response = client.get(f"/ui/policy?period=2026-10{query}", headers=headers)
    assert response.status_code == 200, response.text
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.text)))


def _rows(page_html: str, table_class: str) -> list[list[str]]:
    """The body rows of the tables of that class, each a list of cell texts."""
    tables = re.findall(rf'<table class="{table_class}">(.*?)</table>', page_html, re.S)
    assert tables, table_class
    body = "".join(table.split("<tbody>")[1] for table in tables)
    return [[re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", c))).strip()
             for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


@pytest.fixture
def grading(tmp_path: Path) -> Iterator[TestClient]:
    yield from _client("customer-grading", tmp_path)


@pytest.fixture
def contract(tmp_path: Path) -> Iterator[TestClient]:
    yield from _client("contract-performance", tmp_path)


def test_the_grading_pack_s_decision_table_in_chinese(grading: TestClient) -> None:
    response = grading.get("/ui/policy?period=2026-10", headers=ZH)
    assert response.status_code == 200
    rules = _rows(response.text, "decision-rules")
    # one row per rule: number, a cell per input (任意 where the rule says nothing), result
    assert rules == [
        ["1", "≥ 5000000", "≥ 0.95", "≥ 95", "A"],
        ["2", "≥ 1000000", "任意", "≥ 80", "B"],
        ["3", "介于 500000 与 999999.99 之间（含）", "任意", "≥ 98", "B"],
        ["4", "任意", "任意", "任意", "C"]]
    text = _text(grading, ZH)
    assert "决策表" in text and "grade 客户等级" in text
    assert "输入 年度销售额（annual_sales）、销售价格（price_ratio）、货款回收率（payment_rate）" \
        in text
    assert "设定 案例的“客户等级”（条件中写作 case.grade）" in text
    assert "first（首条命中）：按书写顺序，第一条符合的规则给出结果" in text
    assert "可能结果 A、B、C" in text and "每次 客户质量等级评估（customer.reviewed）" in text


def test_the_grading_pack_s_duties_in_chinese(grading: TestClient) -> None:
    response = grading.get("/ui/policy?period=2026-10", headers=ZH)
    duties = {row[0]: row for row in _rows(response.text, "duties")}
    # G2: per trigger, a case value from the decision table in the trigger
    # an attribute and its value by the vocabulary's `name` and `value_names`
    assert duties["G2"][2] == ("联络、走访客户（customer.visited），且 案例的客户等级 = A，"
                               "且 联络方式（kind） = 走访")
    assert duties["G2"][4] == "每次触发各一项"
    # G4: who may confirm (`by:` a role or named people)
    assert duties["G4"][3] == ("拒单审核确认（decline.confirmed），须由 销售部长（sales_director）"
                               " 或 周总经理 或 吴董事长 作出")
    # the recurring forms in words, each one period at a time
    assert duties["G1"][2].startswith("定期：每年 03-25 至 03-30，03-30 18:00 截止")
    assert duties["G6"][2].startswith("定期：每个符合 cron '0 18 20 1,4,7,10 *' 的时间")
    assert duties["G7"][2].startswith("定期：每月 5 日 18:00")
    assert {duties[k][4] for k in ("G1", "G6", "G7")} == {"每期一项"}
    # penalty measure, in words, before the lateness tiers
    penalties = {row[0]: row for row in _rows(response.text, "versions")}
    assert penalties["GP1"][3].startswith("迟交时长按日历时间计（1 天 = 24 小时）：迟交超过")


def test_the_grading_pack_in_english(grading: TestClient) -> None:
    response = grading.get("/ui/policy?period=2026-10&lang=en", headers=EN)
    assert response.status_code == 200
    assert _rows(response.text, "decision-rules")[2] == [
        "3", "from 500000 to 999999.99", "any", "≥ 98", "B"]
    duties = {row[0]: row for row in _rows(response.text, "duties")}
    assert duties["G2"][2] == "customer.visited where the case's customer grade = A and " \
        "kind = visit"
    assert duties["G4"][3] == ("decline.confirmed, only if made by sales_director or 周总经理 "
                               "or 吴董事长")
    text = _text(grading, EN, "&lang=en")
    assert "Decision tables" in text and "first: the first rule that matches" in text
    assert "lateness in calendar time (1 d = 24 hours): late over" in text


def test_the_contract_pack_s_prohibition_anchor_any_of_and_measure(
        contract: TestClient) -> None:
    response = contract.get("/ui/policy?period=2026-10", headers=ZH)
    assert response.status_code == 200
    [cash] = _rows(response.text, "prohibitions")
    assert cash == ["X1", "现金支付", "支付款项（payment.made），且 支付方式（method） = 现金",
                    "作出该事实的人", "“现金支付”（CPP5）"]  # the penalty by its name
    duties = {row[0]: row for row in _rows(response.text, "duties")}
    assert duties["CP1"][3] == ("以下任一：验收记录（goods.inspected）；或 向对方提出异议"
                                "（objection.sent），且 形式（form） = 书面")
    assert duties["CP1"][4] == "每个案例按 到货批次号（delivery_no） 各一项"
    assert duties["CH1"][2] == ("提出合同变更（change.requested），且 变更涉及金额（amount）"
                                " ≥ 100000")
    assert duties["CH1"][3].endswith("须由 公司领导（leader：王总、李总） 作出")
    versions = _rows(response.text, "versions")
    cp3 = next(row for row in versions if row[0] == "CP3")
    assert cp3[3].endswith("自同一 付款凭证号（payment_no） 最近一次 银行到账确认"
                           "（payment.cleared） 起算（没有则自触发起算）")
    cpp1 = next(row for row in versions if row[0] == "CPP1")
    assert cpp1[3].startswith("迟交时长按工作时间计（1 天 = 1 个工作日，1 小时 = 1 个工作小时）：")
    english = contract.get("/ui/policy?period=2026-10&lang=en", headers=EN).text
    [cash_en] = _rows(english, "prohibitions")
    assert cash_en[2:] == ["payment.made where method = cash", "whoever made the fact",
                           '"payment in cash" (CPP5)']
    assert "counted from the latest payment.cleared with the same payment_no" in english


def test_the_first_pack_s_page_shows_no_empty_sections() -> None:
    model = pe.load_policy(LIBRARY).model
    assert rulebook.prohibition_rows(model, "zh") == []
    assert rulebook.decision_tables(model, "zh") == []
    rows = {r.rule: r for r in policyview.penalty_rows(model, date(2026, 10, 1), "zh")}
    assert rows["P1"].value == "每次 20 元"  # a per-instance schedule reads no lateness
    assert rows["P6"].value.startswith("迟交时长按日历时间计")


@pytest.mark.parametrize(("duty", "zh", "en"), [
    ("G1", "（每年）", "(yearly)"), ("G6", "（定期）", "(periodic)"),
    ("G7", "（每月）", "(monthly)"),
    ("G2", "（无编号）", "(no case)"), ("NOT-A-DUTY", "（无编号）", "(no case)")])
def test_a_caseless_label_names_the_duty_s_form(duty: str, zh: str, en: str) -> None:
    model = pe.load_policy(LIBRARY, "customer-grading").model
    assert pages.caseless_label(model, duty, "zh") == zh
    assert pages.caseless_label(model, duty, "en") == en
