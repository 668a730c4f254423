"""The xlsx renderer, read back with openpyxl: typed values, formats, fills, frozen header,
title block, print setup, formula-like text kept as text, same input -> same bytes."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.worksheet import Worksheet
from render_sample import (
    FORMULA_NAME,
    REGISTRY_ROWS,
    REVISION,
    SCRIPT_TEXT,
    sample_document,
    wide_document,
)

from policyengine.report.document import Column, ColumnKind, Document, ReportKind, Table
from policyengine.report.render.display import display_width, wall_time
from policyengine.report.render.xlsx import print_columns, render, sheet_names

YELLOW = "FFFFFF00"


def _workbook(doc: Document) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(render(doc)))


def _header_row(sheet: Worksheet, table: Table) -> int:
    headers = [column.header for column in table.columns]
    for row in sheet.iter_rows():
        if [cell.value for cell in row[:len(headers)]] == headers:
            return row[0].row
    raise AssertionError(f"no header row {headers} in sheet {sheet.title}")


def _typed(value: object, kind: ColumnKind) -> object:
    """What the Document's cell should read back as from the spreadsheet."""
    if isinstance(value, datetime):
        return wall_time(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return value


def _same(read: object, expected: object) -> bool:
    if isinstance(expected, Decimal) and isinstance(read, int | float):
        return Decimal(str(read)) == expected
    return type(read) is type(expected) and read == expected


def test_one_sheet_per_table_with_valid_unique_names() -> None:
    book = _workbook(sample_document())
    assert book.sheetnames == ["需求登记反馈表", "采纳率排名 ／ 第(1)季度： 员工＊", "延期记录"]


def test_values_read_back_typed_and_equal_to_the_document() -> None:
    doc = sample_document()
    book = _workbook(doc)
    for table, sheet in zip(doc.tables, book.worksheets, strict=True):
        first = _header_row(sheet, table) + 1
        for offset, row in enumerate(table.rows):
            cells = sheet[first + offset][:len(table.columns)]
            for column, value, cell in zip(table.columns, row, cells, strict=True):
                expected = _typed(value, column.kind)
                assert _same(cell.value, expected), (table.key, offset, column.key, cell.value)
    # and against the JSON contract's rows
    registry = book.worksheets[0]
    first = _header_row(registry, doc.tables[0]) + 1
    for offset, record in enumerate(doc.data["registry"]):
        assert registry.cell(first + offset, 1).value == record["case"]
        assert registry.cell(first + offset, 2).value == record["reporter"]


def test_dates_are_dates_and_numbers_are_numbers() -> None:
    sheet = _workbook(sample_document()).worksheets[0]
    first = _header_row(sheet, sample_document().tables[0]) + 1
    assert sheet.cell(first, 3).data_type == "d"
    assert sheet.cell(first, 3).value == datetime(2026, 10, 5, 9, 30)
    assert sheet.cell(first, 4).value == datetime(2026, 10, 20)
    assert sheet.cell(first + 1, 5).data_type == "n" and sheet.cell(first + 1, 5).value == 1250.5
    assert sheet.cell(first + 1, 6).value == 12
    assert sheet.cell(first + 1, 7).value == 0.125
    # a text in a money column stays text; an empty cell stays empty
    assert sheet.cell(first + 2, 5).value == "当月无绩效"
    assert sheet.cell(first + 2, 4).value is None


def test_number_formats_by_column_kind() -> None:
    doc = sample_document()
    book = _workbook(doc)
    registry = book.worksheets[0]
    first = _header_row(registry, doc.tables[0]) + 1
    formats = [registry.cell(first + 1, col).number_format for col in range(1, 9)]
    assert formats == ["@", "@", "yyyy-mm-dd hh:mm", "yyyy-mm-dd", "#,##0.00", "0", "0.00%",
                       "@"]
    ranking = book.worksheets[1]
    first = _header_row(ranking, doc.tables[1]) + 1
    # whole yuan: no cents
    assert ranking.cell(first, 5).number_format == "#,##0"
    assert ranking.cell(first, 4).number_format == "0.00%"


def test_header_row_is_frozen_filtered_and_repeated_on_printed_pages() -> None:
    doc = sample_document()
    book = _workbook(doc)
    for table, sheet in zip(doc.tables, book.worksheets, strict=True):
        header = _header_row(sheet, table)
        assert sheet.freeze_panes == f"A{header + 1}"
        assert sheet.print_title_rows == f"${header}:${header}"
        assert all(cell.font.b for cell in sheet[header][:len(table.columns)])
    registry = book.worksheets[0]
    header = _header_row(registry, doc.tables[0])
    assert registry.auto_filter.ref == f"A{header}:H{header + len(REGISTRY_ROWS)}"


def test_highlighted_rows_are_yellow_and_the_others_are_not() -> None:
    doc = sample_document()
    table = doc.tables[0]
    sheet = _workbook(doc).worksheets[0]
    first = _header_row(sheet, table) + 1
    for offset in range(len(table.rows)):
        cells = sheet[first + offset][:len(table.columns)]
        if offset in table.highlighted:
            assert all(c.fill.fill_type == "solid" and c.fill.fgColor.rgb == YELLOW
                       for c in cells), offset
        else:
            assert all(c.fill.fill_type is None for c in cells), offset


def test_formula_like_text_is_text() -> None:
    data = render(sample_document())
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    first = _header_row(sheet, sample_document().tables[0]) + 1
    name = sheet.cell(first + 1, 2)
    assert name.value == FORMULA_NAME
    assert name.data_type == "s"
    assert name.quotePrefix            # editing the cell in Excel keeps it text
    assert sheet.cell(first + 2, 2).value == "-李四" and sheet.cell(first + 2, 2).quotePrefix
    assert sheet.cell(first + 2, 8).quotePrefix  # "+86 ..."
    assert not sheet.cell(first, 2).quotePrefix
    # no cell of any sheet holds a formula
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name_in_zip in archive.namelist():
            if name_in_zip.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name_in_zip), name_in_zip
    # the markup-looking text is stored as written
    assert sheet.cell(first + 1, 8).value == SCRIPT_TEXT


def test_title_block_names_period_as_of_headings_and_the_policy() -> None:
    sheet = _workbook(sample_document()).worksheets[0]
    lines = [sheet.cell(row, 1).value for row in range(1, 9)]
    assert lines[0] == "新增需求收集周报"
    assert "期间：2026-W44" in lines
    assert "截至：2026-10-31 18:00 UTC+08:00" in lines
    assert "部门：客户服务部 & 研发部" in lines
    policy = next(line for line in lines if line and line.startswith("制度版本："))
    assert "customer-requirements 2026.1" in policy
    assert "sha256:abababababab" in policy
    assert REVISION[:12] in policy
    assert policy.endswith("（制度文件有未提交的修改）")
    # the table's own title above it
    assert "需求登记反馈表" in lines


def test_english_document_and_a_clean_revision() -> None:
    sheet = _workbook(wide_document(3)).worksheets[0]
    lines = [sheet.cell(row, 1).value for row in range(1, 6)]
    assert lines[0] == "Performance deductions"
    assert "Period: 2026-10" in lines
    policy = next(line for line in lines if line and line.startswith("Policy: "))
    assert "uncommitted" not in policy and REVISION[:12] in policy


def test_note_under_the_table_and_empty_tables_say_so() -> None:
    doc = sample_document()
    book = _workbook(doc)
    registry = book.worksheets[0]
    last = _header_row(registry, doc.tables[0]) + len(REGISTRY_ROWS)
    assert registry.cell(last + 2, 1).value == "黄色行为本周新增的需求。"
    empty = book.worksheets[2]
    header = _header_row(empty, doc.tables[2])
    assert empty.cell(header + 1, 1).value == "（无数据）"
    assert empty.auto_filter.ref is None


def test_column_widths_count_chinese_double_and_the_hint_wins() -> None:
    sheet = _workbook(sample_document()).worksheets[0]
    widths = {letter: dimension.width for letter, dimension in sheet.column_dimensions.items()}
    # XlsxWriter stores a width in characters plus a fraction for the cell's padding.
    assert widths["H"] == pytest.approx(40, abs=1)         # Column.width=40
    assert widths["B"] == pytest.approx(len(FORMULA_NAME) + 2, abs=1)
    assert widths["A"] == pytest.approx(len("R-2026-001") + 2, abs=1)
    assert widths["E"] == pytest.approx(len("扣款金额（元）") * 2 + 2, abs=1)


def test_long_text_rows_are_taller() -> None:
    doc = sample_document()
    sheet = _workbook(doc).worksheets[0]
    first = _header_row(sheet, doc.tables[0]) + 1
    long_row = first + 3                                 # "一段很长的说明" x 12
    assert sheet.row_dimensions[long_row].height >= 4 * 15
    assert sheet.row_dimensions[first].height is None    # one line: the default height


def test_print_setup_a4_fit_to_width_landscape_when_wide() -> None:
    book = _workbook(sample_document())
    registry, ranking, _ = book.worksheets
    for sheet in (registry, ranking):
        assert int(sheet.page_setup.paperSize) == 9   # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToWidth in (None, 1)    # 1 is the file format's default
        assert int(sheet.page_setup.fitToHeight) == 0      # as many pages tall as needed
        assert "第 &P 页，共 &N 页" in sheet.oddFooter.right.text
    assert registry.page_setup.orientation == "landscape"
    assert ranking.page_setup.orientation in (None, "portrait")
    assert "新增需求收集周报 2026-W44" in registry.oddFooter.left.text


def test_an_ampersand_in_the_title_is_not_a_footer_code() -> None:
    doc = sample_document()
    doc = Document(kind=doc.kind, lang=doc.lang, title="扣款 & 奖励", period="2026-10",
                   as_of=doc.as_of, policy=doc.policy, heading=(), tables=doc.tables[1:2])
    with zipfile.ZipFile(io.BytesIO(render(doc))) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "扣款 &amp;&amp; 奖励" in xml


def test_same_document_same_bytes() -> None:
    first, second = render(sample_document()), render(sample_document())
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    # the file's creation time is the as-of (18:00 at UTC+8), not the clock
    assert "2026-10-31T10:00:00Z" in core
    assert "Z</dcterms:modified>" in core


def test_a_document_without_tables_still_opens() -> None:
    doc = sample_document()
    doc = Document(kind=ReportKind.MONTHLY, lang="zh", title="需求收集处理月度总结",
                   period="2026-10", as_of=doc.as_of, policy=doc.policy, heading=(),
                   tables=())
    book = _workbook(doc)
    assert book.sheetnames == ["需求收集处理月度总结"]
    assert book.worksheets[0]["A1"].value == "需求收集处理月度总结"


def test_sheet_names_rules() -> None:
    names = sheet_names(["采纳率 / 第[1]季度: 员工*?", "a\\b", "History", "", "x" * 40,
                         "X" * 40, "'quoted'", "延期记录", "延期记录"])
    assert names == ["采纳率 ／ 第(1)季度： 员工＊？", "a＼b", "History_", "Sheet", "x" * 31,
                     "X" * 27 + " (2)", "quoted", "延期记录", "延期记录 (2)"]
    assert all(len(name) <= 31 for name in names)
    assert len({name.casefold() for name in names}) == len(names)


def test_ten_thousand_rows() -> None:
    """A year of a large registry: every row arrives, the yellow ones stay yellow."""
    doc = wide_document(10_000)
    book = openpyxl.load_workbook(io.BytesIO(render(doc)), read_only=True)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "Column 0")
    body = rows[header + 1:header + 1 + 10_000]
    assert len(body) == 10_000
    assert body[-1][0] == "r9999 c0 中文"
    assert body[-1][10] == pytest.approx(9999.25)


def test_the_print_area_holds_the_title_block() -> None:
    doc = sample_document()
    book = _workbook(doc)
    registry, _, empty = book.worksheets
    # the registry is wider than its title block: its eight columns, down to the note
    note = _header_row(registry, doc.tables[0]) + len(REGISTRY_ROWS) + 2
    assert registry.print_area == f"'需求登记反馈表'!$A$1:$H${note}"
    # two narrow columns, a long policy line: more columns are printed so the line is whole
    area = empty.print_area
    assert area.startswith("'延期记录'!$A$1:$")
    assert print_columns([12, 12], 90) == 2 + 8      # 24 + 8 x 8.43 >= 90
    assert print_columns([12, 12], 20) == 2
    assert print_columns([], 0) == 1
    last_column = column_index_from_string(area.split(":$")[1].split("$")[0])
    policy = next(c.value for c in empty["A"] if str(c.value).startswith("制度版本"))
    printed = 2 * 10 + (last_column - 2) * 8.43            # two columns of 10, then defaults
    assert printed >= display_width(policy) > printed - 8.43


def test_a_cut_sheet_name_ends_on_a_whole_word_never_on_an_apostrophe() -> None:
    # The English weekly report's title once cut to "New requirements for this week'",
    # which Excel (and XlsxWriter) refuse: the workbook was an internal error.
    names = sheet_names(["New requirements for this week's decision meeting",
                         "Submissions and adoption rate by person", "'" * 40])
    assert names[0] == "New requirements for this"  # "week's" would be cut mid-word
    assert names[1] == "Submissions and adoption rate"
    assert names[2] and not names[2].endswith("'")
    assert all(len(name) <= 31 and not name.endswith(("'", " ")) for name in names)


def test_an_empty_text_is_a_blank_cell_not_a_text_holding_nothing() -> None:
    # The registry's undecided case: decision, tier and note are "" in the Document, null in
    # the JSON; the spreadsheet leaves the cells empty (bordered, yellow when highlighted).
    table = Table(key="registry", title="需求登记反馈表", columns=(
        Column("case", "需求编号"), Column("decision", "决策结果"),
        Column("due", "预期交付日", ColumnKind.DATE), Column("note", "备注")),
        rows=(("26103001", "", None, ""), ("26103002", "做", date(2026, 11, 2), "")),
        highlighted=frozenset({0}))
    doc = replace(sample_document(), tables=(table,))
    sheet = _workbook(doc).worksheets[0]
    first = _header_row(sheet, table) + 1
    for column in (2, 4):
        cell = sheet.cell(first, column)
        assert cell.value is None and cell.data_type == "n", (column, cell.value)
        assert cell.fill.fgColor.rgb == YELLOW and cell.border.left.style == "thin"
    assert sheet.cell(first + 1, 4).value is None
    with zipfile.ZipFile(io.BytesIO(render(doc))) as book:
        assert b"<si><t></t></si>" not in book.read("xl/sharedStrings.xml")


def test_a_very_long_text_row_is_at_most_excels_tallest_row() -> None:
    # 1,040 Chinese characters in a 40-wide column: about 54 lines, 812 points unbounded;
    # Excel's rows stop at 409 points, and a taller one printed over the page's foot.
    doc = sample_document()
    registry = doc.tables[0]
    long_text = "客户希望在月报中增加按部门汇总的功能，并且可以导出。" * 40
    rows = ((*registry.rows[0][:-1], long_text), *registry.rows[1:])
    doc = replace(doc, tables=(replace(registry, rows=rows, note=long_text * 2),))
    sheet = _workbook(doc).worksheets[0]
    first = _header_row(sheet, registry) + 1
    assert sheet.cell(first, 8).value == long_text                 # the text is whole
    assert 400 <= sheet.row_dimensions[first].height <= 409
    # what does not fit is its end: the text is aligned to the top of the cell
    assert sheet.cell(first, 8).alignment.vertical == "top"
    assert sheet.cell(first + 1, 8).alignment.vertical == "center"
    note_row = first + len(rows) + 1
    assert sheet.cell(note_row, 1).value == long_text * 2
    assert 400 <= sheet.row_dimensions[note_row].height <= 409
