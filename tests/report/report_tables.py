"""A report workbook read back (openpyxl) and the same report's JSON, as comparable typed
rows: dates as dates, times as wall-clock datetimes, money and counts as Decimal, rates as
fractions, words as text. Importable as `report_tables` (pytest puts this folder on
sys.path); the dashboard tests use it too.

The JSON is the contract other systems read (codes: `do`, `completed`); the workbook is what
a person reads (words: 做, 完成), so codes are put into words with the report's own labels.
Columns the JSON does not carry (the weekly report's received time, a violation's lateness
in words, a line's cost in words) are left out of the comparison, by name.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import openpyxl

from policyengine.language import Lang
from policyengine.report.labels import label

Row = tuple[object, ...]


def workbook_tables(data: bytes) -> list[tuple[str, list[Row], set[int]]]:
    """Each sheet: its name, the table's rows under the frozen header row (up to the first
    empty row), and the indexes of the rows filled yellow."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    out = []
    for sheet in book.worksheets:
        first = sheet.freeze_panes
        assert first is not None, f"sheet {sheet.title}: no frozen header row"
        start = sheet[first].row
        width = sheet.max_column
        header = [cell.value for cell in sheet[start - 1]]
        rows: list[Row] = []
        yellow: set[int] = set()
        for number in range(start, sheet.max_row + 1):
            cells = [sheet.cell(number, column) for column in range(1, width + 1)]
            if all(cell.value in (None, "") for cell in cells):
                break
            rows.append(tuple(_plain(cell.value) for cell in cells))
            fill = cells[0].fill.fgColor.rgb if cells[0].fill is not None else None
            if isinstance(fill, str) and fill.upper().endswith("FFFF00"):
                yellow.add(len(rows) - 1)
        assert rows and rows[0] != tuple(header)
        out.append((sheet.title, rows, yellow))
    return out


def _plain(value: object) -> object:
    """A cell as compared: numbers as Decimal (a float read back exactly to 4 places)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(round(value, 6))).normalize()
    if value == "":
        return None
    return value


def _number(value: object) -> object:
    if value is None:
        return None
    return Decimal(str(value)).normalize() if not isinstance(value, bool) else value


def _day(text: str | None) -> datetime | None:
    if text is None:
        return None
    day = date.fromisoformat(text)
    return datetime(day.year, day.month, day.day)


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=None)


def _text(value: str | None) -> str | None:
    return value or None


def _word(prefix: str, code: str | None, lang: Lang) -> str | None:
    return None if code is None else label(f"{prefix}.{code}", lang)


def registry_row(row: dict[str, Any], lang: Lang) -> Row:
    return (row["case"], row["filed_by"], row["requester"],
            _word("decision", row["decision"], lang), _text(row["tier"]),
            _day(row["committed"]), _day(row["delivered"]), _word("status", row["status"], lang),
            _text(row["summary"]), _text(row["note"]))


def expected_tables(data: dict[str, Any]) -> list[tuple[list[Row], list[int] | None]]:
    """From a report's JSON: each table's rows as the workbook should hold them, and the
    columns compared (None: all); the table of obligations pending calendar data last."""
    tables = _kind_tables(data)
    if data.get("pending"):
        lang: Lang = data["lang"]
        rows = [(p["duty"], None, p["case"] or label("case.none", lang),
                 p["person"] or label("who.unresolved", lang),
                 (p["trigger"] or {}).get("id"), _number(p["missing_year"]),
                 _moment(p["due_not_before"]), None) for p in data["pending"]]
        # the duty's name and the status are words in the workbook
        tables.append((rows, [0, 2, 3, 4, 5, 6]))
    return tables


def _kind_tables(data: dict[str, Any]) -> list[tuple[list[Row], list[int] | None]]:
    lang: Lang = data["lang"]
    kind = data["kind"]
    if kind == "registry":
        return [([registry_row(r, lang) for r in data["rows"]], None)]
    if kind == "weekly":
        rows = [registry_row(r, lang) for r in data["rows"]]
        new = [(row[0], None, *row[1:]) for row in rows if row[0] in data["this_week"]]
        # the first table has the received time in its second column: not in the JSON
        return [(new, [0, *range(2, 11)]), (rows, None)]
    if kind == "monthly":
        counts = data["counts"]
        decided = counts["decided"]
        figures = [counts["submitted"], decided["do"], decided["dont"], decided["reconsider"],
                   decided["transform"], sum(decided.values()), counts["completed"],
                   counts["delayed"]]
        ranking = [(_number(r["rank"]), r["person"], _number(r["submitted"]),
                    _number(r["adopted"]), _number(r["pending"]), _number(r["rate"]))
                   for r in data["ranking"]]
        return [([(None, _number(n)) for n in figures], [1]), (ranking, None)]
    if kind == "deductions":
        months: list[Row] = []
        items: list[Row] = []
        for person in data["people"]:
            name = person["person"] or label("word.none", lang)
            for month in person["months"]:
                pay = label("pay.forfeit" if month["forfeit"] else "pay.kept", lang)
                months.append((name, month["month"], _number(len(month["violations"])),
                               _number(month["amount"]), _text(pay)))
                for v in month["violations"]:
                    rule = label("rule.none", lang) if v["rule"] == "none" else v["rule"]
                    items.append((name, month["month"], v["duty"], v["duty_name"],
                                  _text(v["case"]), _moment(v["due"]),
                                  _moment(v["fulfilled_at"]), None, rule, v["clause"], None))
        # lateness and a line's cost are words in the workbook (1天16小时, 当月无绩效)
        return [(months, None), (items, [0, 1, 2, 3, 4, 5, 6, 8, 9])]
    if kind == "rewards":
        return [([(r["reward"], r["reward_name"], r["person"], _number(r["min"]),
                   _number(r["max"]), r["reason"]) for r in data["rewards"]], None)]
    raise AssertionError(f"unknown report kind {kind}")


def assert_workbook_equals_json(workbook: bytes, data: dict[str, Any]) -> None:
    """Every table of the workbook holds, cell by typed cell, what the JSON says."""
    sheets = workbook_tables(workbook)
    expected = expected_tables(data)
    assert len(sheets) == len(expected), [name for name, _, _ in sheets]
    for (name, rows, _), (wanted, columns) in zip(sheets, expected, strict=True):
        assert len(rows) == len(wanted), (name, len(rows), len(wanted))
        for got, want in zip(rows, wanted, strict=True):
            chosen = columns if columns is not None else range(len(want))
            assert [got[i] for i in chosen] == [want[i] for i in chosen], name
    if data["kind"] == "weekly":  # this week's rows are the yellow ones
        _, registry, yellow = sheets[1]
        assert {registry[i][0] for i in yellow} == set(data["this_week"])
