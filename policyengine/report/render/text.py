"""A report as plain text for a terminal: the title block, then each table lined up (Chinese
characters count two columns), highlighted rows marked with ▶ in a first column. Cells read
as on the page and in the spreadsheet (`1,000`, `20.10`): the text is printed for people; the
CSV, which is data, writes `1000` and `20.1`."""

from __future__ import annotations

from policyengine.report.document import ColumnKind, Document, Table
from policyengine.report.render.display import cell_text, title_block, whole_yuan, word
from policyengine.report.text import table as text_table

_RIGHT = (ColumnKind.INTEGER, ColumnKind.MONEY, ColumnKind.PERCENT)


def _lines(table: Table) -> list[str]:
    marked = bool(table.highlighted)
    header = [c.header for c in table.columns]
    cents = [not whole_yuan(table, index) for index in range(len(table.columns))]
    rows = [[cell_text(v, c.kind, cents=cents[i])
             for i, (v, c) in enumerate(zip(row, table.columns, strict=True))]
            for row in table.rows]
    right = [i for i, c in enumerate(table.columns) if c.kind in _RIGHT]
    if marked:
        header.insert(0, "")
        for n, row in enumerate(rows):
            row.insert(0, "▶" if n in table.highlighted else "")
        right = [i + 1 for i in right]
    return text_table(header, rows, right=right)


def render(doc: Document) -> bytes:
    out = [doc.title, "=" * 60, *title_block(doc)]
    for table in doc.tables:
        out += ["", f"■ {table.title}", *_lines(table)]
        if not table.rows:  # as the page and the workbook say it
            out.append(f"  {word('no_rows', doc.lang)}")
        if table.note:
            out.append(f"  {table.note}")
    out += [f"! {warning}" for warning in doc.warnings]
    return ("\n".join(out) + "\n").encode("utf-8")
