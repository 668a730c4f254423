"""The report builders against small hand-built fact sets; every expected value is worked out
by hand in the comments (the facts are few enough to read)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from helpers import REPO, at, fact, october_base, shipped

import policyengine as pe
from policyengine.facts.schema import Fact
from policyengine.language import Lang
from policyengine.periods import Period
from policyengine.report.builders import ReportVocabularyError, build_document
from policyengine.report.document import Document, ReportKind

LONG = ("门诊 挂号 缴费 取药 检查 报告 随访 复诊 提醒 评价 投诉 建议 积分 商城 优惠 活动 "
        "会员 等级 充值")


def requirement(case: str, reporter: str, reported: str, *decisions: tuple[str, str, str | None],
                summary: str | None = None, note: str | None = None) -> list[Fact]:
    """raised an hour before the report, the report, then (time, decision, tier) decisions."""
    raised_at = at(reported).replace(hour=at(reported).hour - 1)
    facts = [fact("requirement.raised", raised_at.isoformat(), case=case, actor=reporter,
                  requester=f"{case}的客户"),
             fact("requirement.reported", reported, case=case, actor=reporter,
                  **({"summary": summary} if summary else {}))]
    for when, decision, tier in decisions:
        attrs = {"decision": decision, **({"tier": tier} if tier else {}),
                 **({"note": note} if note and decision == "transform" else {})}
        facts.append(fact("decision.made", when, case=case, actor="王总", **attrs))
    return facts


def sample_set() -> list[Fact]:
    """Four reporters in October 2026 (plus one September report), see each test."""
    return [
        *requirement("26093001", "王五", "2026-09-30 10:00", ("2026-10-10 10:00", "do", "B")),
        fact("requirement.accepted", "2026-10-20 10:00", case="26093001"),
        *requirement("26100501", "王五", "2026-10-05 10:00", ("2026-10-10 10:10", "do", "A")),
        fact("completion.estimated", "2026-10-12 10:00", case="26100501", due="2026-10-20"),
        fact("delay.requested", "2026-10-15 10:00", case="26100501", commitment="completion",
             new_due="2026-10-28", reason="接口文档未到"),
        fact("delay.approved", "2026-10-16 10:00", case="26100501", commitment="completion",
             actor="王总"),
        *requirement("26100502", "王五", "2026-10-05 11:00", ("2026-10-10 10:20", "transform", "B"),
                     note="改为标准模板"),
        *requirement("26100601", "李四", "2026-10-06 10:00", ("2026-10-10 10:30", "do", "C"),
                     summary=LONG),
        *requirement("26100602", "李四", "2026-10-06 11:00", ("2026-10-10 10:40", "dont", None)),
        *requirement("26100701", "陈七", "2026-10-07 10:00", ("2026-10-10 10:50", "do", "D")),
        *requirement("26100702", "陈七", "2026-10-07 11:00",
                     ("2026-10-10 11:00", "reconsider", None)),
        *requirement("26100801", "赵六", "2026-10-08 18:30"),
    ]


def doc(kind: ReportKind, period: str, *, facts: list[Fact] | None = None, as_of: str | None = None,
        lang: Lang = "zh") -> Document:
    return build_document(kind, shipped(), sample_set() if facts is None else facts,
                          period=Period.parse(period), as_of=at(as_of) if as_of else None,
                          lang=lang)


def test_monthly_counts_by_hand() -> None:
    # submitted in October: 26100501 26100502 26100601 26100602 26100701 26100702 26100801 = 7
    # (26093001 was reported in September). Latest decision in October per requirement:
    # do 26093001 26100501 26100601 26100701 = 4; transform 26100502; dont 26100602;
    # reconsider 26100702. Accepted in October: 26093001. Delay approved 10-16: 26100501.
    data = doc(ReportKind.MONTHLY, "2026-10").data
    assert data["counts"] == {"submitted": 7,
                              "decided": {"do": 4, "dont": 1, "reconsider": 1, "transform": 1},
                              "completed": 1, "delayed": 1}


def test_monthly_ranking_shares_a_full_tie_and_orders_names_by_pinyin() -> None:
    # 王五 2/2 = 100%; 陈七 1/2 (26100702 reconsider: pending) and 李四 1/2 (26100602 dont):
    # 50% with 2 each, a full tie: both rank 2, 陈 (chen) before 李 (li) although 李 < 陈 by
    # code point; 赵六 0/1 (undecided: pending) is 4th, not 3rd.
    ranking = doc(ReportKind.MONTHLY, "2026-10").data["ranking"]
    assert ranking == [
        {"person": "王五", "submitted": 2, "adopted": 2, "pending": 0, "rate": 1.0, "rank": 1},
        {"person": "陈七", "submitted": 2, "adopted": 1, "pending": 1, "rate": 0.5, "rank": 2},
        {"person": "李四", "submitted": 2, "adopted": 1, "pending": 0, "rate": 0.5, "rank": 2},
        {"person": "赵六", "submitted": 1, "adopted": 0, "pending": 1, "rate": 0.0, "rank": 4},
    ]


def test_monthly_more_submissions_rank_first_at_the_same_rate() -> None:
    facts = [*requirement("26100501", "甲", "2026-10-05 10:00", ("2026-10-10 10:00", "do", "A")),
             *requirement("26100601", "乙", "2026-10-06 10:00", ("2026-10-10 10:10", "do", "A")),
             *requirement("26100602", "乙", "2026-10-06 11:00", ("2026-10-10 10:20", "do", "A"))]
    ranking = doc(ReportKind.MONTHLY, "2026-10", facts=facts).data["ranking"]
    assert [(r["person"], r["rank"]) for r in ranking] == [("乙", 1), ("甲", 2)]


def test_registry_rows() -> None:
    # As of the end of October: 26100501's completion date 10-20 moved to 10-28 by the delay
    # asked 10-15 (before 10-20 18:00) and approved 10-16, not accepted: 延期.
    document = doc(ReportKind.REGISTRY, "2026-10")
    rows = {r["case"]: r for r in document.data["rows"]}
    assert list(rows) == sorted(rows)
    assert rows["26100501"] == {
        "case": "26100501", "filed_by": "王五", "requester": "26100501的客户", "decision": "do",
        "tier": "A", "committed": "2026-10-28", "delivered": None, "status": "delayed",
        "summary": "", "note": "2026-10-16 批准延期（交付）：新日期 2026-10-28；原因：接口文档未到"}
    assert rows["26093001"]["status"] == "completed"
    assert rows["26093001"]["delivered"] == "2026-10-20"
    assert rows["26100502"]["decision"] == "transform"
    assert rows["26100502"]["note"] == "需求转换为：改为标准模板"
    assert rows["26100702"]["decision"] == "reconsider" and rows["26100702"]["status"] is None
    assert rows["26100801"]["decision"] is None


def test_a_long_summary_is_kept_whole_and_flagged() -> None:
    assert len(LONG) > 50
    document = doc(ReportKind.REGISTRY, "2026-10")
    row = next(r for r in document.data["rows"] if r["case"] == "26100601")
    assert row["summary"] == LONG
    assert f"需求梗概 {len(LONG)} 字，超过 50 字上限" in row["note"]
    assert any("26100601" in w for w in document.warnings)
    table = document.tables[0]
    assert LONG in next(r for r in table.rows if r[0] == "26100601")


def test_registry_table_speaks_the_document_language() -> None:
    zh = doc(ReportKind.REGISTRY, "2026-10")
    en = doc(ReportKind.REGISTRY, "2026-10", lang="en")
    assert [c.header for c in zh.tables[0].columns] == [
        "需求编号", "填表人", "需求人", "决策结果", "需求分级", "预期交付日", "实际交付日",
        "需求状态", "需求梗概", "备注"]
    assert zh.tables[0].rows[1][3] == "做" and en.tables[0].rows[1][3] == "do"
    assert zh.data["rows"][1]["decision"] == en.data["rows"][1]["decision"] == "do"


def test_weekly_rows_since_the_last_cut_off() -> None:
    # Week 2026-W41 (Mon 10-05 .. Sun 10-11): cut-off Thu 10-08 18:00, the previous one Thu
    # 10-01 18:00; the report is due Fri 10-09 12:00 (a working day) and stands there. Reports
    # in the window: 26100501 .. 26100702 (six); 26100801 came at 18:30, after the cut-off,
    # and 26093001 on 09-30, before the previous one. Nothing is decided yet at Fri 12:00.
    document = doc(ReportKind.WEEKLY, "2026-W41")
    assert document.as_of == at("2026-10-09 12:00")
    assert document.data["window"] == {"after": "2026-10-01T18:00:00+08:00",
                                       "up_to": "2026-10-08T18:00:00+08:00",
                                       "report_due": "2026-10-09T12:00:00+08:00"}
    new = ["26100501", "26100502", "26100601", "26100602", "26100701", "26100702"]
    assert document.data["this_week"] == new
    assert [r[0] for r in document.tables[0].rows] == new
    registry = document.tables[1]
    assert [r[0] for r in registry.rows] == ["26093001", *new, "26100801"]
    assert registry.highlighted == frozenset(range(1, 7))
    assert all(r["decision"] is None for r in document.data["rows"] if r["case"] in new)
    # The next week takes 26100801.
    assert doc(ReportKind.WEEKLY, "2026-W42").data["this_week"] == ["26100801"]


def test_a_week_with_nothing_new_says_nothing_is_marked() -> None:
    # An empty week's registry said "本周新增 0 条，已标出（表格中为黄色）": nothing was.
    quiet = doc(ReportKind.WEEKLY, "2026-W03")
    assert quiet.data["this_week"] == [] and not quiet.tables[1].highlighted
    assert quiet.tables[1].note == ""
    busy = doc(ReportKind.WEEKLY, "2026-W41")
    assert busy.tables[1].note == "本周新增 6 条，已标出（表格中为黄色）"
    # and the printed text says the empty table is empty, as the page and the workbook do
    from policyengine.report.render import render_document

    text = render_document(quiet, "text").decode("utf-8")
    assert "■ 本周决策会议待讨论的新需求" in text and "（无数据）" in text
    assert "已标出" not in text


def test_weekly_needs_a_week() -> None:
    with pytest.raises(pe.UsageError, match="ISO week"):
        doc(ReportKind.WEEKLY, "2026-10")


def deduction_facts() -> list[Fact]:
    # october_base: roles from 10-01 (陈立 PM, 杨宝珠 collector), every weekly report on time.
    # 26101201 raised Mon 10-12 09:30 by 李小四 and never reported: R1 due Thu 10-15 18:00,
    # P1 20 yuan. 26100901: completion estimated Fri 10-09 10:00 for 10-12, never accepted:
    # C3 missed, 19 d 6 h late at 11-01 00:00, over 7 days: P6 forfeit for 陈立; and the
    # collector never tells the reporter of the estimate: R9 due 10-09 11:00, P4, 1st of the
    # month: 20 yuan for 杨宝珠.
    return [*october_base(),
            fact("requirement.raised", "2026-10-12 09:30", case="26101201", actor="李小四",
                 requester="王医生"),
            fact("completion.estimated", "2026-10-09 10:00", case="26100901", due="2026-10-12")]


def test_deductions_per_person_and_month() -> None:
    document = doc(ReportKind.DEDUCTIONS, "2026-10", facts=deduction_facts())
    people = document.data["people"]
    assert [p["person"] for p in people] == ["陈立", "李小四", "杨宝珠"]  # pinyin order
    chen, li, yang = people
    assert chen["months"][0]["forfeit"] is True and chen["forfeit_months"] == ["2026-10"]
    assert [v["duty"] for v in chen["months"][0]["violations"]] == ["C3"]
    assert chen["months"][0]["violations"][0]["clause"].startswith("惩罚6")
    assert li["months"][0]["amount"] == 20 and li["months"][0]["violations"][0]["rule"] == "P1"
    assert yang["months"][0]["amount"] == 20
    assert yang["months"][0]["violations"][0]["schedule"] == "monthly_count"
    assert document.data["total"] == 40 and document.data["forfeits"] == 1
    months = document.tables[0]
    assert [(r[0], r[3], r[4]) for r in months.rows] == [("陈立", Decimal(0), "当月无绩效"),
                                                         ("李小四", Decimal(20), ""),
                                                         ("杨宝珠", Decimal(20), "")]
    costs = {row[2]: row[-1] for row in document.tables[1].rows}
    assert costs == {"C3": "当月无绩效", "R1": Decimal(20), "R9": "计入当月档位"}


def test_rewards_per_quarter() -> None:
    # 陈立 commits the plan of 26100901 on Mon 10-12 for Fri 10-16 and delivers Thu 10-15: C1
    # met, his only commitment due in Q4, so A1 (100-1000). No tier A acceptance: no A2. The
    # collector handled no report: no A3.
    facts = [*october_base(),
             fact("plan.estimated", "2026-10-12 10:00", case="26100901", due="2026-10-16"),
             fact("plan.delivered", "2026-10-15 10:00", case="26100901")]
    document = doc(ReportKind.REWARDS, "2026-Q4", facts=facts, as_of="2026-10-31 23:00")
    assert [(r["reward"], r["person"], r["min"], r["max"]) for r in document.data["rewards"]] \
        == [("A1", "陈立", 100, 1000)]
    assert document.data["nobody"] == ["A2", "A3"]
    assert document.tables[0].rows[0][1] == "准时奖"
    assert document.tables[0].rows[0][5] == "2026-Q4 到期的承诺 1 项（C1 ×1），无一延误"
    with pytest.raises(pe.UsageError, match="per quarter"):
        doc(ReportKind.REWARDS, "2026-10", facts=facts)


def test_a_policy_without_the_registry_vocabulary_is_a_clear_error() -> None:
    tiny = pe.load_policy(REPO / "tests" / "policy" / "good" / "tiny.yaml")
    with pytest.raises(ReportVocabularyError, match=r"E-REPORT-VOCABULARY.*decision\.made"):
        build_document(ReportKind.REGISTRY, tiny, [], period=Period.parse("2026-10"),
                       as_of=None, lang="zh")
