"""A report `Document` as an Excel workbook: one sheet per table, ready to print on A4.

Each sheet: a title block (title, period, as-of, the builder's headings, the policy stamp),
the table with a frozen header row and a filter, typed cells (real dates and numbers with
formats, not text), the highlighted rows filled yellow, the table's note under it. Printing:
A4, fit to the page width, landscape for wide tables, the header row repeated on every page,
page numbers in the footer.

Written with XlsxWriter (docs/decisions.md D10): the same Document gives the same bytes
(fixed zip times, creation time = the as-of), and a text cell is always written as text, so a
name like `=HYPERLINK(...)` is never a formula; it also carries Excel's quote prefix, so
editing the cell keeps it text.
"""

from __future__ import annotations

import io
import math
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from policyengine.report.csvfile import safe_cell
from policyengine.report.document import Cell, Column, ColumnKind, Document, Table
from policyengine.report.render.display import (
    colon,
    column_widths,
    display_width,
    is_wide,
    policy_line,
    title_lines,
    wall_time,
    whole_yuan,
    with_warning,
    word,
)

YELLOW = "#FFFF00"
HEADER_FILL = "#D9D9D9"
BORDER_COLOR = "#A6A6A6"
A4 = 9                              # XlsxWriter's paper code for A4
SHEET_NAME_MAX = 31
LINE_HEIGHT = 15                    # points: one line of the default 11-point font
ROW_HEIGHT_MAX = 409                # points: Excel's tallest row (about 27 lines)
DEFAULT_COLUMN_WIDTH = 8.43         # characters: Excel's width of a column nobody sized
TITLE_SCALE = 1.3                   # the 14-point title is this much wider than body text
# Characters Excel forbids in a sheet name, each replaced by a look-alike it allows.
_SHEET_NAME_SAFE = str.maketrans({"[": "(", "]": ")", ":": "：", "*": "＊", "?": "？",
                                  "/": "／", "\\": "＼"})

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MONEY_FORMAT = "#,##0.00"
WHOLE_YUAN_FORMAT = "#,##0"
INTEGER_FORMAT = "0"
PERCENT_FORMAT = "0.00%"  # as the text, CSV and HTML write it (33.33%)
TEXT_FORMAT = "@"


def render(doc: Document) -> bytes:
    buffer = io.BytesIO()
    # Typed writes only (write_string, write_number ...); the options guard any plain write.
    workbook = xlsxwriter.Workbook(buffer, {
        "in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
        "strings_to_urls": False})
    label, identity, warning = policy_line(doc)
    workbook.set_properties({
        "title": doc.title, "subject": doc.period,
        "comments": f"{label}{colon(doc.lang)}{with_warning(identity, warning, doc.lang)}",
        # The file's creation time is the report's as-of, not the clock: same input, same bytes.
        "created": _utc(doc.as_of)})
    styles = _Styles(workbook)
    tables = doc.tables or (Table(key="report", title=doc.title, columns=(), rows=()),)
    for table, name in zip(tables, sheet_names([t.title or t.key for t in tables]), strict=True):
        _write_sheet(workbook.add_worksheet(name), doc, table, styles)
    workbook.close()
    return buffer.getvalue()


def sheet_names(titles: list[str]) -> list[str]:
    """Valid, distinct sheet names: [ ] : * ? / \\ replaced by full-width look-alikes, at
    most 31 characters, no two equal ignoring case (Excel's rule), 'History' avoided (Excel
    reserves it)."""
    names: list[str] = []
    taken: set[str] = set()
    for title in titles:
        base = title.translate(_SHEET_NAME_SAFE).strip().strip("'") or "Sheet"
        if base.casefold() == "history":
            base += "_"
        name, number = _cut(base, SHEET_NAME_MAX), 1
        while name.casefold() in taken:
            number += 1
            suffix = f" ({number})"
            name = _cut(base, SHEET_NAME_MAX - len(suffix)) + suffix
        taken.add(name.casefold())
        names.append(name)
    return names


def _cut(title: str, limit: int) -> str:
    """At most `limit` characters, cut after a whole word where the title has spaces, never
    ending in a space or an apostrophe (Excel refuses a sheet name that ends in one)."""
    if len(title) <= limit:
        return title
    cut = title[:limit]
    if title[limit] != " " and " " in cut[limit // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" '") or title[:limit].replace("'", "")


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


class _Styles:
    """Cell formats, made once per combination (a workbook holds at most 64k of them)."""

    def __init__(self, workbook: Workbook) -> None:
        self._workbook = workbook
        self._made: dict[tuple[tuple[str, Any], ...], Format] = {}
        self._cells: dict[tuple[str, bool, bool, bool, bool], Format] = {}
        self.title = self.get(bold=True, font_size=14)
        self.subtitle = self.get(bold=True, font_size=12)
        self.plain = self.get()
        self.warning = self.get(bold=True, font_color="#C00000")
        self.note = self.get(italic=True, font_color="#595959")
        self.header = self.get(bold=True, bg_color=HEADER_FILL, text_wrap=True, align="center",
                               valign="vcenter", border=1, border_color=BORDER_COLOR)

    def get(self, **properties: Any) -> Format:
        key = tuple(sorted(properties.items()))
        if key not in self._made:
            self._made[key] = self._workbook.add_format(properties)
        return self._made[key]

    def cell(self, num_format: str, *, highlighted: bool, quote: bool = False,
             wrap: bool = False, top: bool = False) -> Format:
        key = (num_format, highlighted, quote, wrap, top)
        if key not in self._cells:
            self._cells[key] = self._cell(*key)
        return self._cells[key]

    def _cell(self, num_format: str, highlighted: bool, quote: bool, wrap: bool,
              top: bool) -> Format:
        properties: dict[str, Any] = {"num_format": num_format, "border": 1,
                                      "border_color": BORDER_COLOR,
                                      "valign": "top" if top else "vcenter"}
        if highlighted:
            properties["bg_color"] = YELLOW
        if quote:
            properties["quote_prefix"] = True
        if wrap:
            properties["text_wrap"] = True
        return self.get(**properties)


def _write_sheet(sheet: Worksheet, doc: Document, table: Table, styles: _Styles) -> None:
    header_row, title_width = _write_title_block(sheet, doc, table, styles)
    widths = column_widths(table)
    for index, (column, width) in enumerate(zip(table.columns, widths, strict=True)):
        sheet.set_column(index, index, width)
        sheet.write_string(header_row, index, column.header, styles.header)
    cents = [not whole_yuan(table, index) for index in range(len(table.columns))]
    for offset, values in enumerate(table.rows):
        highlighted = offset in table.highlighted
        lines = max([text_lines(value, width)
                     for value, width in zip(values, widths, strict=True)], default=1)
        if lines > 1:
            # Neither Excel nor LibreOffice grows a row for wrapped text on opening a file.
            sheet.set_row(header_row + 1 + offset, row_height(lines))
        # A text taller than the tallest row shows its beginning, not a middle part.
        top = row_height(lines) < LINE_HEIGHT * lines + 2
        for index, (column, value) in enumerate(zip(table.columns, values, strict=True)):
            _write_cell(sheet, header_row + 1 + offset, index, value, column, styles,
                        highlighted=highlighted, cents=cents[index], top=top)
    last_row = header_row + len(table.rows)
    if table.columns:
        sheet.freeze_panes(header_row + 1, 0)
        if table.rows:
            sheet.autofilter(header_row, 0, last_row, len(table.columns) - 1)
    if not table.rows and table.columns:
        last_row += 1
        sheet.write_string(last_row, 0, word("no_rows", doc.lang), styles.note)
    if table.note:
        last_row += 2
        _write_note(sheet, last_row, table.note, widths, styles)
    sheet.print_area(0, 0, last_row, print_columns(widths, title_width) - 1)
    _print_setup(sheet, doc, is_wide(table, widths), header_row)


def _write_note(sheet: Worksheet, row: int, note: str, widths: list[int],
                styles: _Styles) -> None:
    """The note under a table, wrapped within the table's width: left to run over the empty
    cells to its right, a long note would be cut at the printed page's edge."""
    span = sum(widths)
    if not widths or display_width(note) <= span:
        sheet.write_string(row, 0, note, styles.note)
        return
    wrapped = styles.get(italic=True, font_color="#595959", text_wrap=True, valign="top")
    if len(widths) == 1:
        sheet.write_string(row, 0, note, wrapped)
    else:
        sheet.merge_range(row, 0, row, len(widths) - 1, note, wrapped)
    sheet.set_row(row, row_height(text_lines(note, span)))


def _write_title_block(sheet: Worksheet, doc: Document, table: Table,
                       styles: _Styles) -> tuple[int, int]:
    """Title, period, as-of, headings, policy; the table's own title when it differs.
    Each line sits in column A and runs over the empty cells to its right. Returns the
    header row and the width of the longest line."""
    sheet.write_string(0, 0, doc.title, styles.title)
    longest = round(display_width(doc.title) * TITLE_SCALE)
    row = 1
    for label, value in title_lines(doc):
        text = f"{label}{colon(doc.lang)}{value}"
        sheet.write_string(row, 0, text, styles.plain)
        longest = max(longest, display_width(text))
        row += 1
    label, identity, warning = policy_line(doc)
    text = f"{label}{colon(doc.lang)}{identity}"
    if warning is None:
        sheet.write_string(row, 0, text, styles.plain)
    else:
        flag = with_warning("", warning, doc.lang)
        sheet.write_rich_string(row, 0, text, styles.warning, flag, styles.plain)
        text += flag
    longest = max(longest, display_width(text))
    row += 2
    if table.title and table.title != doc.title:
        sheet.write_string(row, 0, table.title, styles.subtitle)
        row += 1
    return row, longest


def print_columns(widths: list[int], text_width: int) -> int:
    """How many columns the printed page spans: the table's, and as many more default-width
    columns as the title block's longest line runs over (Excel prints no overflowing text
    beyond the last column it prints)."""
    count, covered = len(widths), float(sum(widths))
    while covered < text_width:
        count += 1
        covered += widths[count - 1] if count <= len(widths) else DEFAULT_COLUMN_WIDTH
    return max(count, 1)


def text_lines(value: Cell, width: int) -> int:
    """How many lines a text cell wraps to in a column `width` characters wide."""
    if not isinstance(value, str):
        return 1
    room = max(1, width - 1)
    if 2 * len(value) <= room and "\n" not in value:
        return 1                     # fits even if every character is a wide one
    return sum(max(1, math.ceil(display_width(line) / room)) for line in value.split("\n"))


def row_height(lines: int) -> int:
    """The height in points of a row of `lines` wrapped lines, at most Excel's limit (Excel
    makes no taller row; LibreOffice prints a taller one over the page's foot and cuts it)."""
    return min(ROW_HEIGHT_MAX, LINE_HEIGHT * lines + 2)


def number_format(value: Cell, column: Column, *, cents: bool = True) -> str:
    """The display format of a typed cell: the value's type first, then the column's kind."""
    if isinstance(value, datetime):
        return DATE_FORMAT if column.kind is ColumnKind.DATE else DATETIME_FORMAT
    if isinstance(value, date):
        return DATE_FORMAT
    if isinstance(value, str):
        return TEXT_FORMAT
    if value is None:
        return _KIND_FORMATS.get(column.kind, TEXT_FORMAT)
    if column.kind is ColumnKind.MONEY:
        return MONEY_FORMAT if cents else WHOLE_YUAN_FORMAT
    return _KIND_FORMATS.get(column.kind, INTEGER_FORMAT if isinstance(value, int) else "General")


_KIND_FORMATS = {ColumnKind.DATE: DATE_FORMAT, ColumnKind.DATETIME: DATETIME_FORMAT,
                 ColumnKind.MONEY: MONEY_FORMAT, ColumnKind.INTEGER: INTEGER_FORMAT,
                 ColumnKind.PERCENT: PERCENT_FORMAT}


def _write_cell(sheet: Worksheet, row: int, col: int, value: Cell, column: Column,
                styles: _Styles, *, highlighted: bool, cents: bool, top: bool) -> None:
    if value == "":
        # An empty text is an empty cell, as the JSON's null: a text cell holding "" shows
        # nothing, yet it is a stored value, not a blank, to whatever reads the file.
        value = None
    num_format = number_format(value, column, cents=cents)
    if value is None:
        sheet.write_blank(row, col, None, styles.cell(num_format, highlighted=highlighted))
    elif isinstance(value, str):
        # A string cell is text whatever it starts with; the quote prefix keeps it text
        # when someone edits it (Excel's equivalent of the CSV's leading apostrophe).
        style = styles.cell(num_format, highlighted=highlighted,
                            quote=safe_cell(value) != value, wrap=True, top=top)
        sheet.write_string(row, col, value, style)
    elif isinstance(value, datetime | date):
        moment = (wall_time(value) if isinstance(value, datetime)
                  else datetime(value.year, value.month, value.day))
        sheet.write_datetime(row, col, moment, styles.cell(num_format, highlighted=highlighted))
    elif isinstance(value, Decimal):
        # Amounts are whole yuan or cents and rates have a few digits: a double holds them.
        sheet.write_number(row, col, float(value), styles.cell(num_format,
                                                               highlighted=highlighted))
    else:
        sheet.write_number(row, col, value, styles.cell(num_format, highlighted=highlighted))


def _print_setup(sheet: Worksheet, doc: Document, wide: bool, header_row: int) -> None:
    sheet.set_paper(A4)
    if wide:
        sheet.set_landscape()
    sheet.fit_to_pages(1, 0)                 # one page wide, as many pages tall as needed
    sheet.repeat_rows(header_row)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    # '&' starts a code in Excel's header/footer language: a literal one is doubled.
    title = doc.title.replace("&", "&&")[:100]
    sheet.set_footer(f"&L{title} {doc.period.replace('&', '&&')[:40]}"
                     f"&R{word('page', doc.lang)}")
