"""A report as one CSV file a spreadsheet opens: UTF-8 with a BOM, no cell run as a formula.

Layout: the title and the title block (label, value) first, then each table after its title
row, tables separated by a blank line. Rows a table highlights (the weekly report's new
requirements) get a mark in an extra first column, since a CSV has no colour.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from policyengine.report.csvfile import csv_sections
from policyengine.report.document import Cell, ColumnKind, Document, Table
from policyengine.report.labels import label
from policyengine.report.render.display import title_pairs
from policyengine.results import money_data


def cell_text(value: Cell, kind: ColumnKind) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        if kind is ColumnKind.PERCENT:
            return f"{value * 100:.2f}%"
        return money_data(value)
    return value


def _rows(doc: Document, table: Table) -> tuple[list[object], list[list[object]]]:
    header: list[object] = [c.header for c in table.columns]
    rows = [[cell_text(v, c.kind) for v, c in zip(row, table.columns, strict=True)]
            for row in table.rows]
    if table.highlighted:
        mark = label("col.marked", doc.lang)
        header.insert(0, mark)
        for i, row in enumerate(rows):
            row.insert(0, label("word.yes", doc.lang) if i in table.highlighted else "")
    return header, rows


def render(doc: Document) -> bytes:
    title: list[list[object]] = [[doc.title]]
    title += [[name, value] for name, value in title_pairs(doc)]
    sections: list[list[list[object]]] = [title]
    for table in doc.tables:
        header, rows = _rows(doc, table)
        section: list[list[object]] = [[table.title], header, *rows]
        if table.note:
            section.append([table.note])
        sections.append(section)
    return csv_sections(sections).encode("utf-8")
