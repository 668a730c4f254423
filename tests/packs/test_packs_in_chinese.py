"""The other rule books' sample months as their Chinese readers see them (`evaluate`,
`explain`): what the policy names is said by its name (`name（id）` for fact types and roles,
as docs/decisions.md D18 has it), nothing is left as the machine wrote it; `--lang en` keeps
the ids and the English words."""

from __future__ import annotations

import contextlib
import io
import json
import re
from functools import cache

import pytest
from chinese_text import ATTRIBUTE_PAIR, ENGLISH_DURATION, bare_ids
from helpers import REPO

import policyengine as pe
from policyengine.cli.main import main
from policyengine.wording import Glossary

PACKS = ("contract-performance", "customer-grading", "order-flow")


def run(pack: str, *argv: str) -> str:
    """A command over the pack's sample month; its standard output."""
    facts = REPO / "samples" / pack / "facts-2026-10.jsonl"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([*argv, "--pack", pack, "--facts", str(facts), "--month", "2026-10"])
    assert code == 0, out.getvalue()
    return out.getvalue()


@cache
def glossary(pack: str) -> Glossary:
    return Glossary.of(pe.load_policy(REPO / "policies" / pack).model)


@cache
def notes(pack: str, lang: str) -> list[str]:
    """The evaluation's notes (说明 / NOTES), one a line (up to the next section)."""
    text = run(pack, "evaluate", "--lang", lang)
    section = text.split("\n说明\n" if lang == "zh" else "\nNOTES\n")[1]
    return section.split("\n\n")[0].splitlines()


@pytest.mark.parametrize("pack", PACKS)
def test_the_notes_name_fact_types_and_roles(pack: str) -> None:
    found = notes(pack, "zh")
    assert found and bare_ids("\n".join(found), glossary(pack)) == []


def test_the_notes_in_both_languages() -> None:
    assert ("  c-029：2026-10-23 10:00（周五） 的 批准合同变更（change.approved） 由 孙伟 做出，"
            "不计入 CH1：只有 公司领导（leader） 的成员 王总, 李总 可以"
            ) in notes("contract-performance", "zh")
    assert ("  c-029: change.approved at 2026-10-23 10:00 (Fri) by 孙伟 does not count for CH1: "
            "only the members of role leader (王总, 李总) may"
            ) in notes("contract-performance", "en")
    assert ("  g-030：2026-10-15 09:00（周四） 的 拒单审核确认（decline.confirmed） 由 高峰 做出，"
            "不计入 G4：只有 当时担任 销售部长（sales_director） 的 罗军或周总经理, 吴董事长 可以"
            ) in notes("customer-grading", "zh")


@cache
def case(pack: str, case_id: str, lang: str) -> str:
    """`explain --case`: the case's timeline and duties."""
    return run(pack, "explain", "--case", case_id, "--lang", lang)


def test_the_penalty_line_of_a_case() -> None:
    assert "\n      罚则：CPP5（2018-11-01 起生效）：每次 500 元\n" in case(
        "contract-performance", "HT260102", "zh")
    assert "\n      penalty: CPP5 as in force from 2018-11-01: 500 yuan each time\n" in case(
        "contract-performance", "HT260102", "en")


def cases(pack: str) -> list[str]:
    """Every case of the pack's sample month."""
    lines = (REPO / "samples" / pack / "facts-2026-10.jsonl").read_text(encoding="utf-8")
    return sorted({json.loads(t)["case"] for t in lines.splitlines() if '"case"' in t})


# What a Chinese reader may meet in ASCII: an id in brackets after its name (`（leader）`),
# a grade or a clause letter (`A`, `6.2.1 F`), and the word cron of a rule written as one.
_NAMED_ID = re.compile(r"（[a-z_]+(?:\.[a-z_]+)*）")
_WORD = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z_]+(?![\w-])")


def english_left(text: str) -> list[str]:
    return [w for w in _WORD.findall(_NAMED_ID.sub("", text)) if w != "cron"]


@pytest.mark.parametrize("pack", PACKS)
def test_each_case_explained_in_chinese(pack: str) -> None:
    names = glossary(pack)
    for case_id in cases(pack):
        text = case(pack, case_id, "zh")
        assert bare_ids(text, names) == [], case_id
        assert ATTRIBUTE_PAIR.findall(text) == [], case_id
        assert ENGLISH_DURATION.findall(text) == [], case_id
        assert english_left(text) == [], case_id


@pytest.mark.parametrize("pack", PACKS)
def test_evaluate_explain_in_chinese(pack: str) -> None:
    text = run(pack, "evaluate", "--explain", "--lang", "zh")
    body = text.split("\n\n", 1)[1]  # the title block names the policy file and the zone
    assert bare_ids(body, glossary(pack)) == []
    assert ATTRIBUTE_PAIR.findall(body) == [] and ENGLISH_DURATION.findall(body) == []
    assert english_left(body.replace("--quarter", "")) == []


def test_a_timeline_says_attributes_and_choices_by_their_names() -> None:
    contract = case("contract-performance", "HT260101", "zh")
    assert ("  2026-10-19 10:30 周一  向对方提出异议           周杰     到货批次号：HT260101-2；"
            "形式：书面  [c-021]") in contract
    assert "验收结果：不符合合同约定  [c-019]" in contract
    assert ("金额：240000.00；支付方式：转账；款项用途：第二批钢筋货款；"
            "付款凭证号：FK2610-02") in contract
    assert "凭据：收条  [c-036]" in contract
    assert "问题性质：重大（需公司领导定夺）  [c-027]" in case(
        "contract-performance", "HT260102", "zh")
    assert "变更涉及金额：300000；变更原因：增加地下室防水工程" in case(
        "contract-performance", "HT260103", "zh")
    order = case("order-flow", "DD261001", "zh")
    assert "技术评审：需要  [o-005]" in order and "处理意见：下达订单  [o-012]" in order
    assert "处理意见：退单  [o-021]" in case("order-flow", "DD261003", "zh")
    assert "联络方式：电话联络  [g-031]" in case("customer-grading", "KH0001", "zh")
    english = case("contract-performance", "HT260101", "en")
    assert "delivery_no=HT260101-2 form=written  [c-021]" in english
    assert "result=nonconforming  [c-019]" in english
    assert "decision=proceed  [o-012]" in case("order-flow", "DD261001", "en")


def test_conditions_anchors_and_keys_by_their_names() -> None:
    open_cp1 = case("contract-performance", "HT260104", "zh")
    assert ("仍无 验收记录（goods.inspected） / 向对方提出异议（objection.sent） (形式：书面)："
            "已迟 3天6小时，仍未完成") in open_cp1
    assert ("期限从 2026-10-21 10:00（周三） 的 银行到账确认（payment.cleared） c-025"
            "（付款凭证号：FK2610-02）起算，而不是从触发事实起算") in case(
        "contract-performance", "HT260101", "zh")
    assert ("没有 付款凭证号为 FK2610-03 的 银行到账确认（payment.cleared）："
            "期限从触发事实起算") in case("contract-performance", "HT260102", "zh")
    assert "(联络方式：走访)：已迟 2天14小时" in case("customer-grading", "KH0001", "zh")
    assert ("本应开启案例 HT260104（到货批次号 HT260104-1） 的 CP1"
            in notes("contract-performance", "zh")[-1])
    # English as it was: the ids, the keys and the values as the policy file writes them
    assert "no goods.inspected / objection.sent (form = written) by" in case(
        "contract-performance", "HT260104", "en")
    assert "payment.cleared c-025 at 2026-10-21 10:00 (Wed) (payment_no = FK2610-02)" in case(
        "contract-performance", "HT260101", "en")
    assert "no payment.cleared with payment_no = FK2610-03 was known" in case(
        "contract-performance", "HT260102", "en")
    assert "would open CP1 of case HT260104 (delivery_no HT260104-1), which is already open" in \
        notes("contract-performance", "en")[-1]


def test_a_decision_table_by_its_name_and_inputs() -> None:
    assert ("      案件取值 客户等级（grade） = A：由决策表 客户等级（grade） 的第 1 条规则（输入 "
            "年度销售额：6800000；销售价格：0.97；货款回收率：98）根据 2026-09-28 10:00（周一） 的 "
            "客户质量等级评估（customer.reviewed） g-022 得出"
            ) in case("customer-grading", "KH0001", "zh")
    assert ("      case value grade = A, set by rule 1 of decision grade (inputs "
            "annual_sales=6800000, price_ratio=0.97, payment_rate=98) from customer.reviewed g-022 "
            "at 2026-09-28 10:00 (Mon)") in case("customer-grading", "KH0001", "en")
