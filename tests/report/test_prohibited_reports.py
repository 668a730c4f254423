"""A forbidden fact (status `prohibited`, docs/decisions.md D21) in every output: the text
table, CSV, JSON, the deductions report, a case's file and the dashboard's case timeline.
Policy: tests/engine/matching/policy.yaml (X1: a cash payment, P1 20 yuan each)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from helpers import at, fact

import policyengine as pe
from policyengine.engine.casefile import case_file
from policyengine.periods import Period
from policyengine.report.builders import deductions
from policyengine.report.formats import to_csv, to_table
from policyengine.service.dashboard.pages import EventKind, timeline
from policyengine.wording import Glossary

POLICY = pe.load_policy(Path(__file__).parents[1] / "engine" / "matching" / "policy.yaml")
FACTS = [fact("payment.made", "2026-10-05 09:00", case="C7", actor="张三", method="cash",
              id="pay-1", policy=POLICY),
         fact("invoice.issued", "2026-10-01 09:00", case="C7", actor="李四", id="inv-1",
              policy=POLICY)]


def result() -> pe.EvaluationResult:
    return pe.evaluate(POLICY, FACTS, period="2026-10")


def test_text_table_says_prohibited_in_place_of_late_by() -> None:
    text = to_table(result(), lang="zh")
    [row] = [r for r in text.splitlines() if r.strip().startswith("X1")]
    assert "禁止事项" in row and row.rstrip().endswith("20")
    [row_en] = [r for r in to_table(result(), lang="en").splitlines()
                if r.strip().startswith("X1")]
    assert "PROHIBITED" in row_en


def test_csv_and_json_carry_the_status() -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(result(), lang="en").lstrip("\ufeff"))))
    statuses = {r["duty"]: r["status"] for r in rows}
    # D2: invoice inv-1 due 10-02 09:00, never paid: missed.
    assert statuses == {"X1": "prohibited", "D2": "missed"}
    x1 = next(r for r in rows if r["duty"] == "X1")
    assert (x1["due"], x1["late_by"], x1["amount"], x1["role"]) == (
        "2026-10-05T09:00:00+08:00", "0m", "20", "actor")
    zh = to_csv(result(), lang="zh")
    assert "禁止事项" in zh and "状态" in zh.splitlines()[0]


def test_deductions_report_lists_it_with_its_clause() -> None:
    document = deductions.build(POLICY, FACTS, period=Period.parse("2026-10"), as_of=None,
                                lang="zh")
    items = next(t for t in document.tables if t.key == "violations")
    [row] = [r for r in items.rows if r[2] == "X1"]
    assert row[3] == "现金支付" and row[7] == "禁止事项"
    assert row[9] == "合同履约、变更管理制度 三(二)"
    assert row[5] == at("2026-10-05 09:00") and row[6] is None


def test_a_cases_file_and_timeline_show_the_forbidden_fact() -> None:
    found = case_file(POLICY, FACTS, "C7", at("2026-10-31 00:00"))
    [trace] = [t for t in found.duties if t.duty == "X1"]
    assert trace.status == "prohibited" and trace.person == "张三"
    assert trace.penalty is not None and trace.penalty.amount == 20
    events = timeline(POLICY.model, found, "zh", Glossary.of(POLICY.model))
    [event] = [e for e in events if e.kind is EventKind.VIOLATED and "现金支付" in e.title]
    assert event.at == at("2026-10-05 09:00") and event.title == "禁止事项：现金支付"
    assert not any(e.kind is EventKind.OPENED and "现金支付" in e.title for e in events)
