"""The text forms both renderers share: cells, times, widths, the policy stamp."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from render_sample import AS_OF, REVISION, STAMP, sample_document

from policyengine.report.document import Column, ColumnKind, Table
from policyengine.report.render.display import (
    cell_text,
    column_widths,
    display_width,
    is_wide,
    moment_text,
    policy_identity,
    policy_line,
    title_lines,
    whole_yuan,
)


@pytest.mark.parametrize(("value", "kind", "cents", "text"), [
    (Decimal("1250.5"), ColumnKind.MONEY, True, "1,250.50"),
    (Decimal("1000"), ColumnKind.MONEY, False, "1,000"),
    (Decimal("0.125"), ColumnKind.PERCENT, True, "12.50%"),
    (Decimal("1"), ColumnKind.PERCENT, True, "100.00%"),
    (12, ColumnKind.INTEGER, True, "12"),
    (date(2026, 10, 20), ColumnKind.DATE, True, "2026-10-20"),
    (datetime(2026, 10, 12, 14, 5, tzinfo=AS_OF.tzinfo), ColumnKind.DATETIME, True,
     "2026-10-12 14:05"),
    ("当月无绩效", ColumnKind.MONEY, True, "当月无绩效"),
    (None, ColumnKind.MONEY, True, ""),
])
def test_cell_text(value: object, kind: ColumnKind, cents: bool, text: str) -> None:
    assert cell_text(value, kind, cents=cents) == text  # type: ignore[arg-type]


def test_moment_text_shows_the_offset_only_when_the_time_has_a_zone() -> None:
    assert moment_text(AS_OF) == "2026-10-31 18:00 UTC+08:00"
    assert moment_text(datetime(2026, 10, 31, 18, 0)) == "2026-10-31 18:00"


def test_chinese_characters_count_double() -> None:
    assert display_width("abc") == 3
    assert display_width("需求编号") == 8
    assert display_width("R-2026 张三") == 11


def test_column_widths_fit_content_within_bounds_and_the_hint_wins() -> None:
    table = Table(key="t", title="t", columns=(
        Column("a", "编号"), Column("b", "x"), Column("c", "长", width=33),
        Column("d", "梗概")),
        rows=(("中文中文中文中文中文", "ab", "whatever", "很" * 80),))
    assert column_widths(table) == [22, 6, 33, 50]


def test_whole_yuan_decides_whether_cents_are_shown() -> None:
    table = Table(key="t", title="t", columns=(Column("m", "金额", ColumnKind.MONEY),),
                  rows=((Decimal("50"),), ("当月无绩效",), (None,)))
    assert whole_yuan(table, 0)
    table = Table(key="t", title="t", columns=table.columns,
                  rows=((Decimal("50"),), (Decimal("0.5"),)))
    assert not whole_yuan(table, 0)


def test_policy_identity_with_and_without_uncommitted_edits() -> None:
    text, warning = policy_identity(STAMP, "zh")
    assert text == ("customer-requirements 2026.1 · 内容哈希 sha256:abababababab · "
                    "Git 0123456789ab")
    assert warning == "制度文件有未提交的修改"
    text, warning = policy_identity({**STAMP, "git_revision": REVISION}, "en")
    assert text.endswith("git 0123456789ab") and "dirty" not in text
    assert warning is None
    _, warning = policy_identity(STAMP, "en")
    assert warning == "the policy files have uncommitted edits"
    # a policy outside git, or a stamp with only id and version
    assert policy_identity({"id": "p", "version": "1", "git_revision": None}, "zh") == ("p 1", None)


def test_title_block_lines() -> None:
    doc = sample_document()
    assert title_lines(doc) == [("期间", "2026-W44"), ("截至", "2026-10-31 18:00 UTC+08:00"),
                                ("部门", "客户服务部 & 研发部"), ("截止时间", "2026-10-29 18:00")]
    assert policy_line(doc)[0] == "制度版本"


def test_many_columns_print_landscape() -> None:
    doc = sample_document()
    registry, ranking, empty = doc.tables
    assert is_wide(registry)        # eight columns
    assert not is_wide(ranking) and not is_wide(empty)


def test_printed_text_shows_amounts_as_the_page_does_and_the_csv_keeps_data() -> None:
    """A 1,000-yuan bonus read the same on paper, the page and the spreadsheet; the CSV, which
    other programs read, keeps plain numbers."""
    from dataclasses import replace

    from policyengine.report.render import render_document

    table = Table(key="t", title="奖励", columns=(Column("m", "金额", ColumnKind.MONEY),
                                                  Column("n", "扣款", ColumnKind.MONEY)),
                  rows=((Decimal("1000"), Decimal("20.1")), (Decimal("100"), Decimal("20"))))
    doc = replace(sample_document(), tables=(table,))
    text = render_document(doc, "text").decode("utf-8")
    html = render_document(doc, "html").decode("utf-8")
    csv = render_document(doc, "csv").decode("utf-8-sig")
    for shown in ("1,000", "20.10", "20.00"):
        assert shown in text and shown in html
    assert "1000,20.1\r\n100,20\r\n" in csv


def test_money_for_people_and_money_as_data() -> None:
    from policyengine.results import money_data, money_text

    assert [money_text(Decimal(v)) for v in ("1000", "12.5", "20", "1234567.891")] == [
        "1,000", "12.50", "20", "1,234,567.89"]
    assert money_text(Decimal("30"), signed=True) == "+30"
    assert money_text(Decimal("-1500"), signed=True) == "-1,500"
    assert money_text(None) == money_data(None) == ""
    assert [money_data(Decimal(v)) for v in ("1000", "12.5", "20")] == ["1000", "12.5", "20"]
