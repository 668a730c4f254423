"""A report `Document` as one printable HTML page: open it in a browser, print it on A4.

Self-contained: the style sheet is inline and nothing is fetched (no fonts, images, scripts
or links), so the page works offline and as an e-mail attachment. Printing: A4 with margins,
landscape when a table is wide, the header row repeated on every printed page (`thead`),
rows never split across pages, highlighted rows yellow on paper too (`print-color-adjust`).
Every text is HTML-escaped; numbers are right-aligned and formatted like the spreadsheet's.
"""

from __future__ import annotations

from html import escape

from policyengine.report.document import Cell, Column, ColumnKind, Document, Table
from policyengine.report.render.display import (
    cell_text,
    column_widths,
    is_number,
    is_wide,
    policy_line,
    right_aligned,
    title_lines,
    whole_yuan,
    word,
)

# Besides the style sheet, a few HTML attributes (border, bgcolor, align, col width) say the
# same: LibreOffice, Word and WPS open an .html with an engine that knows little CSS.
YELLOW = "#ffff00"
HEADER_FILL = "#d9d9d9"
FULL_WIDTH = 110         # characters of measured width that fill the page's width
CELL_PADDING = 2          # characters of padding and border per cell, for the column shares
SHORT_COLUMN = 18         # measured width of a column kept whole: a time (16) and its margin
FONT_STACK = ('"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", '
              '"WenQuanYi Micro Hei", sans-serif')

STYLE = """
@page { size: A4 ORIENTATION; margin: 14mm 12mm 16mm 12mm;
  @bottom-left { content: FOOTER; font-family: FONTS; font-size: 8pt; color: #595959; }
  @bottom-right { content: PAGE; font-family: FONTS; font-size: 8pt; color: #595959; } }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: FONTS; font-size: 10.5pt; color: #000; margin: 16px; }
header.title-block { margin-bottom: 10pt; }
h1 { font-size: 16pt; margin: 0 0 4pt 0; }
h2 { font-size: 12pt; margin: 0 0 4pt 0; break-after: avoid; page-break-after: avoid; }
h1, h2, th, td { font-family: FONTS; }
table.stamp { border-collapse: collapse; width: auto; }
table.stamp th { background: none; border: none; text-align: left; padding: 0 8pt 0 0;
                 white-space: nowrap; vertical-align: top; }
table.stamp td { border: none; padding: 0; }
.warning { color: #c00000; font-weight: bold; }
section.table { margin: 12pt 0 0 0; }
table.data { border-collapse: collapse; table-layout: fixed; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
table.data th, table.data td { border: 0.5pt solid #999; padding: 2pt 4pt;
  vertical-align: middle; text-align: left; overflow-wrap: anywhere; }
table.data th { background: HEADER_FILL; font-weight: bold; text-align: center; }
table.data td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.data td.date { white-space: nowrap; }
tr.highlighted td { background: YELLOW; }
tr.empty td { color: #595959; font-style: italic; text-align: center; }
p.note { color: #595959; font-style: italic; margin: 4pt 0 0 0; }
@media print {
  body { margin: 0; font-size: 9pt; }
  tr.highlighted td { background: YELLOW !important; }
}
""".replace("FONTS", FONT_STACK).replace("YELLOW", YELLOW).replace("HEADER_FILL", HEADER_FILL)


def _style(doc: Document) -> str:
    # One orientation for the whole page: a landscape page only for a wide table would leave
    # the title block alone on a page of its own.
    wide = any(is_wide(table) for table in doc.tables)
    # Each printed page's foot, as the workbook's: the report and period, the page number.
    page = ('"第 " counter(page) " 页，共 " counter(pages) " 页"' if doc.lang == "zh"
            else '"Page " counter(page) " of " counter(pages)')
    # The title last: a title holding a placeholder's name stays as it is.
    return (STYLE.replace("ORIENTATION", "landscape" if wide else "portrait")
            .replace("PAGE", page).replace("FOOTER", css_string(f"{doc.title} {doc.period}")))


def css_string(text: str) -> str:
    """A CSS string of `text`, safe inside <style>: quotes, backslashes, control characters
    and < > are escaped (a title cannot end the string or the style sheet)."""
    escaped = "".join(f"\\{ord(c):X} " if c in '"\\<>' or ord(c) < 32 else c for c in text)
    return f'"{escaped}"'


def render(doc: Document) -> bytes:
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_lang_tag(doc)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(doc.title)} {escape(doc.period)}</title>",
        f"<style>{_style(doc)}</style>",
        "</head>",
        "<body>",
        _title_block(doc),
        *(_table(doc, table) for table in doc.tables),
        "</body>",
        "</html>",
    ]
    return ("\n".join(parts) + "\n").encode("utf-8")


def _lang_tag(doc: Document) -> str:
    return "zh-CN" if doc.lang == "zh" else "en"


def _title_block(doc: Document) -> str:
    # A two-column table, not a grid: LibreOffice's HTML import knows no CSS grid.
    rows = [f'<tr><th scope="row">{escape(label)}</th><td>{escape(value)}</td></tr>'
            for label, value in title_lines(doc)]
    label, identity, warning = policy_line(doc)
    flag = f' <span class="warning">{escape(warning)}</span>' if warning else ""
    rows.append(f'<tr><th scope="row">{escape(label)}</th>'
                f'<td class="policy">{escape(identity)}{flag}</td></tr>')
    return ('<header class="title-block">\n'
            f"<h1>{escape(doc.title)}</h1>\n"
            '<table class="stamp">\n' + "\n".join(rows) + "\n</table>\n</header>")


def _cell_class(value: Cell, column: Column) -> str:
    """num (right-aligned), date (kept on one line) or text."""
    if is_number(value) or (value is None and right_aligned(column)):
        return "num"
    if column.kind in (ColumnKind.DATE, ColumnKind.DATETIME):
        return "date"
    return "text"


def fitted(widths: list[int]) -> list[float]:
    """Widths that fit the page: a table wider than the page gives up the width of its long
    text columns (they wrap), not of its short ones: a case number, a time or a name
    squeezed below its width would break inside, or spill into the next cell."""
    total = sum(widths) + CELL_PADDING * len(widths)
    give = [max(0, width - SHORT_COLUMN) for width in widths]
    if total <= FULL_WIDTH or not sum(give):
        return [float(width) for width in widths]
    share = min(1.0, (total - FULL_WIDTH) / sum(give))
    return [width - spare * share for width, spare in zip(widths, give, strict=True)]


def _table(doc: Document, table: Table) -> str:
    heading = (f"<h2>{escape(table.title)}</h2>\n"
               if table.title and table.title != doc.title else "")
    widths = fitted(column_widths(table))
    # Each column its share of the measured widths (a Chinese character counts two), so a
    # long summary cannot squeeze the case numbers; a narrow table is not stretched.
    total = sum(widths) + CELL_PADDING * len(widths)
    header = "".join(f'<th scope="col" width="{100 * (w + CELL_PADDING) / total:.0f}%" '
                     f'bgcolor="{HEADER_FILL}">{escape(column.header)}</th>'
                     for column, w in zip(table.columns, widths, strict=True))
    cents = [not whole_yuan(table, index) for index in range(len(table.columns))]
    body = []
    for offset, row in enumerate(table.rows):
        cells = []
        for index, (column, value) in enumerate(zip(table.columns, row, strict=True)):
            css = _cell_class(value, column)
            text = escape(cell_text(value, column.kind, cents=cents[index]))
            align = ' align="right"' if css == "num" else ""
            cells.append(f'<td class="{css}"{align}>{text}</td>')
        marker = (f' class="highlighted" bgcolor="{YELLOW}"' if offset in table.highlighted
                  else "")
        body.append(f"<tr{marker}>{''.join(cells)}</tr>")
    if not table.rows:
        body.append(f'<tr class="empty"><td colspan="{max(1, len(table.columns))}">'
                    f"{escape(word('no_rows', doc.lang))}</td></tr>")
    note = f'<p class="note">{escape(table.note)}</p>\n' if table.note else ""
    return (f'<section class="table" id="{escape(table.key)}">\n{heading}'
            f'<table class="data" border="1" cellspacing="0" cellpadding="3" '
            f'width="{min(100, round(100 * total / FULL_WIDTH))}%">\n'
            f"<thead><tr>{header}</tr></thead>\n<tbody>\n" + "\n".join(body)
            + f"\n</tbody>\n</table>\n{note}</section>")
