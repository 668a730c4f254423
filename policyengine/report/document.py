"""A report document: what every report kind builds and every output format renders.

Builders (registry, weekly, monthly, deductions, rewards) turn facts and an evaluation into a
`Document` in one language; renderers (xlsx, html, csv) draw its tables, and `data` is the
JSON contract other systems read. Keeping the two apart means a new format never touches a
builder and a new report never touches a renderer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from policyengine.language import Lang

# A cell holds a typed value, so a spreadsheet gets real dates and numbers, not text.
Cell = str | int | Decimal | date | datetime | None


class ReportKind(StrEnum):
    REGISTRY = "registry"        # 需求登记反馈表
    WEEKLY = "weekly"            # 新增需求收集周报
    MONTHLY = "monthly"          # 需求收集处理月度总结
    DEDUCTIONS = "deductions"    # 绩效扣款表
    REWARDS = "rewards"          # 季度奖励建议


class ColumnKind(StrEnum):
    TEXT = "text"
    DATE = "date"
    DATETIME = "datetime"
    MONEY = "money"              # yuan, Decimal
    INTEGER = "integer"
    PERCENT = "percent"          # a Decimal fraction: 0.5 is 50%


@dataclass(frozen=True)
class Column:
    key: str                     # the JSON key of the same value
    header: str                  # in the document's language
    kind: ColumnKind = ColumnKind.TEXT
    width: int | None = None     # characters, a hint for spreadsheets; None: fit the content


@dataclass(frozen=True)
class Table:
    key: str                     # a stable name: sheet names and CSV file suffixes derive from it
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    highlighted: frozenset[int] = frozenset()  # row indexes to mark (the week's rows: yellow)
    note: str = ""               # a line under the table, e.g. how a rate is computed


@dataclass(frozen=True)
class Document:
    kind: ReportKind
    lang: Lang
    title: str                   # e.g. 需求收集处理月度总结
    period: str                  # e.g. 2026-10, 2026-W44, 2026-Q4
    as_of: datetime
    policy: dict[str, Any]       # the evaluation's policy stamp (id, version, hash, git, dirty)
    heading: tuple[tuple[str, str], ...]  # the title block: (label, value) pairs
    tables: tuple[Table, ...]
    data: dict[str, Any] = field(default_factory=dict)  # the JSON contract (`--format json`)
    # Things the reader should check (e.g. a summary over its length limit), in `lang`;
    # the command line prints them on standard error, the JSON carries them.
    warnings: tuple[str, ...] = ()
