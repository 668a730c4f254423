"""Number and money attributes in facts: JSON numbers or numeric text in, exact Decimals out;
anything else refused with E-FACT-TYPE, worded in both languages like its siblings."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

import policyengine as pe
from policyengine.facts.reader import read_facts
from policyengine.facts.schema import TYPE_ERROR, Fact, Reason
from policyengine.service.ingest import content_key

GRADING = Path(__file__).parents[1] / "policy" / "good" / "grading"
POLICY = pe.load_policy(GRADING)


def build(**attrs: object) -> Fact | list[Reason]:
    raw = {"type": "customer.reviewed", "at": "2026-10-09T10:00:00+08:00", "case": "C001",
           "actor": "王经理", **attrs}
    return POLICY.schema.build(raw)


def fact(**attrs: object) -> Fact:
    built = build(**attrs)
    assert isinstance(built, Fact), built
    return built


def reasons(**attrs: object) -> list[Reason]:
    built = build(**attrs)
    assert isinstance(built, list), built
    return built


@pytest.mark.parametrize(("written", "read"), [
    (5000000, Decimal("5000000")),
    (1200.5, Decimal("1200.5")),
    ("1200.50", Decimal("1200.50")),
    ("-30", Decimal("-30")),
    ("0", Decimal("0")),
])
def test_money_reads_json_numbers_and_numeric_text_as_exact_decimals(
        written: object, read: Decimal) -> None:
    value = fact(annual_sales=written).attrs["annual_sales"]
    assert type(value) is Decimal and value == read


def test_number_takes_any_decimal_places() -> None:
    assert fact(annual_sales=1, score=87.125).attrs["score"] == Decimal("87.125")
    assert fact(annual_sales=1, score="0.0001").attrs["score"] == Decimal("0.0001")


@pytest.mark.parametrize("written", ["12.345", 0.001])
def test_money_with_more_than_two_decimal_places_is_refused(written: object) -> None:
    [reason] = reasons(annual_sales=written)
    assert reason.code == TYPE_ERROR
    assert "'annual_sales' must be an amount of money" in reason
    assert "at most 2 decimal places" in reason
    assert "“annual_sales”应是金额" in reason.zh and "最多两位小数" in reason.zh


@pytest.mark.parametrize(("written", "shown_en", "shown_zh"), [
    ("1,200", "not '1,200'", "而不是“1,200”"),
    ("abc", "not 'abc'", "而不是“abc”"),
    ("1e6", "not '1e6'", "而不是“1e6”"),
    (True, "not true (a JSON boolean)", "而不是true（JSON 布尔值）"),
    ([1], "not a list", "而不是列表"),
])
def test_other_values_are_refused_with_e_fact_type(written: object, shown_en: str,
                                                   shown_zh: str) -> None:
    [reason] = reasons(annual_sales=1, score=written)
    assert reason.code == TYPE_ERROR
    assert "'score' must be a number" in reason and shown_en in reason
    assert "“score”应是数字" in reason.zh and shown_zh in reason.zh


def test_not_a_number_is_refused() -> None:
    [reason] = reasons(annual_sales=float("nan"))
    assert reason.code == TYPE_ERROR and "amount of money" in reason


def test_a_required_money_attribute_is_required() -> None:
    [reason] = reasons(payment_record="good")
    assert reason.code == "E-FACT-MISSING" and "annual_sales" in reason


def test_csv_cells_are_numeric_text() -> None:
    text = ("type,at,case,actor,annual_sales,score\n"
            "customer.reviewed,2026-10-09 10:00,C001,王经理,6000000.00,91.5\n"
            "customer.reviewed,2026-10-10 10:00,C002,王经理,1.234,90\n")
    batch = read_facts(io.StringIO(text), POLICY.schema, name="r.csv", fmt="csv")
    [good] = batch.facts
    assert good.attrs["annual_sales"] == Decimal("6000000.00")
    assert good.attrs["score"] == Decimal("91.5")
    [bad] = batch.rejected
    assert bad.location.line == 3
    assert [r.code for r in bad.reasons] == [TYPE_ERROR]


def test_jsonl_lines_are_read_and_refused_with_their_line() -> None:
    text = ('{"type":"customer.reviewed","at":"2026-10-09T10:00:00+08:00","case":"C001",'
            '"actor":"王经理","annual_sales":6000000}\n'
            '{"type":"customer.reviewed","at":"2026-10-09T10:00:00+08:00","case":"C002",'
            '"actor":"王经理","annual_sales":"六百万"}\n')
    batch = read_facts(io.StringIO(text), POLICY.schema, name="r.jsonl")
    assert [f.attrs["annual_sales"] for f in batch.facts] == [Decimal(6000000)]
    [bad] = batch.rejected
    assert (bad.location.line, bad.reasons[0].code) == (2, TYPE_ERROR)
    assert "not '六百万'" in bad.reasons[0]


def test_a_fact_written_back_reads_as_the_same_fact() -> None:
    original = fact(annual_sales="1200.50", score=87.125, id="f1")
    written = original.to_dict()
    assert written["annual_sales"] == 1200.5 and written["score"] == 87.125
    again = POLICY.schema.build(written)
    assert isinstance(again, Fact) and again.content() == original.content()


def test_the_service_counts_5_and_5_00_as_the_same_amount() -> None:
    assert content_key(fact(annual_sales=5)) == content_key(fact(annual_sales="5.00"))
    assert content_key(fact(annual_sales=5)) != content_key(fact(annual_sales="5.01"))


def test_the_fast_and_the_slow_check_agree_on_valid_numbers() -> None:
    # A valid fact comes from the fast path; an invalid one only from the slow path, which
    # must accept what the fast path accepts: an unknown attribute beside a valid number
    # sends the fact to the slow path, which then names only the unknown attribute.
    [reason] = reasons(annual_sales="5000000.00", score=3, colour="red")
    assert reason.code == "E-FACT-VALUE" and "colour" in reason
