"""CSV for people: UTF-8 with a byte-order mark, and no cell a spreadsheet runs as a formula.

Excel opens a UTF-8 CSV without a BOM as the local code page, so Chinese turns to mojibake;
with the BOM a double-click shows it. A cell starting with = + - @ (or a tab or carriage
return, which some spreadsheets strip before looking) is a formula to Excel and LibreOffice:
such a cell is written with a leading apostrophe, the OWASP-recommended escape, so a name
like `=HYPERLINK(...)` is shown as text. Numbers are written as numbers and never escaped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A cell value that a spreadsheet shows as written (text starting a formula is escaped)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]], *,
             bom: bool = True) -> str:
    """A whole CSV document: header, rows, every text cell made safe; BOM first by default."""
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n" if bom else "\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def csv_sections(sections: Iterable[Sequence[Sequence[object]]], *, bom: bool = True) -> str:
    """Several blocks of rows in one CSV, a blank line between blocks, every cell made safe."""
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n" if bom else "\n")
    for number, rows in enumerate(sections):
        if number:
            writer.writerow([])
        for row in rows:
            writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()
