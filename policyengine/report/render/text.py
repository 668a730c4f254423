"""A report as plain text for a terminal: the title block, then each table lined up (Chinese
characters count two columns), highlighted rows marked with ▶."""

from __future__ import annotations

from policyengine.report.document import Document
from policyengine.report.render.csv import cell_text
from policyengine.report.text import table as text_table
from policyengine.report.document import ColumnKind


def render(doc: Document) -> bytes:
    out = [doc.title, "=" * 60]
    out += [f"{name}: {value}" for name, value in doc.heading]
    for table in doc.tables:
        out += ["", f"■ {table.title}"]
        right = tuple(i for i, c in enumerate(table.columns)
                      if c.kind in (ColumnKind.INTEGER, ColumnKind.MONEY, ColumnKind.PERCENT))
        rows = [[("▶ " if n in table.highlighted else "  ") + str(cell_text(row[0], table.columns[0].kind)),
                 *(str(cell_text(v, c.kind)) for v, c in zip(row[1:], table.columns[1:], strict=True))]
                for n, row in enumerate(table.rows)]
        header = ["  " + table.columns[0].header, *(c.header for c in table.columns[1:])]
        out += text_table(header, rows, right=right)
        if table.note:
            out.append(f"  {table.note}")
    out += [f"! {warning}" for warning in doc.warnings]
    return ("\n".join(out) + "\n").encode("utf-8")
