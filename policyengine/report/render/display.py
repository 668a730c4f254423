"""What the renderers share: a cell, a time and the policy stamp as text, and text widths.

The spreadsheet stores typed values and only borrows the widths; the HTML page shows these
texts. Keeping them here means a money amount or a date reads the same in both files.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from policyengine.language import Lang
from policyengine.report.document import Cell, Column, ColumnKind, Document, Table
from policyengine.report.labels import label

# The words of the title block, (English, Chinese). Builders name their own headings.
_WORDS: dict[str, tuple[str, str]] = {
    "period": ("Period", "期间"),
    "as_of": ("As of", "截至"),
    "policy": ("Policy", "制度版本"),
    "hash": ("content", "内容哈希"),
    "git": ("git", "Git"),
    "no_rows": ("(no rows)", "（无数据）"),
    "page": ("Page &P of &N", "第 &P 页，共 &N 页"),
}

# Characters of a hash or git revision shown: enough to find the commit, short enough to read.
HASH_PREFIX = 12
# Up to this many characters of column widths, a table fits A4 portrait; wider is landscape.
PORTRAIT_WIDTH = 100
PORTRAIT_COLUMNS = 7


def word(key: str, lang: Lang) -> str:
    english, chinese = _WORDS[key]
    return chinese if lang == "zh" else english


def colon(lang: Lang) -> str:
    return "：" if lang == "zh" else ": "


def wall_time(moment: datetime) -> datetime:
    """The time as its own clock shows it, without the zone (spreadsheets have no zones)."""
    return moment.replace(tzinfo=None)


def moment_text(moment: datetime) -> str:
    """2026-10-31 18:00, with the UTC offset when the time carries a zone."""
    text = moment.strftime("%Y-%m-%d %H:%M")
    offset = moment.utcoffset()
    if offset is None:
        return text
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{text} UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def whole_yuan(table: Table, index: int) -> bool:
    """Whether every amount in a money column is whole yuan (then shown without cents)."""
    amounts = [row[index] for row in table.rows]
    return all(amount == amount.to_integral_value() for amount in amounts
               if isinstance(amount, Decimal))


def cell_text(value: Cell, kind: ColumnKind, *, cents: bool = True) -> str:
    """A cell as the reader sees it. The value's type decides, the column's kind formats it,
    so a text in a money column (当月无绩效) is shown as it is."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    if kind is ColumnKind.PERCENT:
        return f"{Decimal(value) * 100:.2f}%"
    if kind is ColumnKind.MONEY:
        return f"{Decimal(value):,.2f}" if cents else f"{Decimal(value):,.0f}"
    return str(value)


def is_number(value: Cell) -> bool:
    return isinstance(value, int | Decimal)


def display_width(text: str) -> int:
    """Width in character cells: a Chinese character takes two, as on screen and in Excel."""
    if text.isascii():
        return len(text)
    return len(text) + len(_wide_characters().findall(text))


@cache
def _wide_characters() -> re.Pattern[str]:
    """One character class of every wide character (East Asian Width W or F), made once:
    counting with it runs at C speed, so a 10k-row report measures its columns quickly."""
    ranges: list[list[int]] = []
    for code in range(0x1100, 0x40000):
        character = chr(code)
        if (unicodedata.east_asian_width(character) in ("W", "F")
                and unicodedata.category(character) != "Cn"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in ranges) + "]")


def column_widths(table: Table, *, minimum: int = 6, maximum: int = 50) -> list[int]:
    """Character widths fitting header and cells, capped; a column's own `width` wins."""
    widths = []
    for index, column in enumerate(table.columns):
        if column.width is not None:
            widths.append(column.width)
            continue
        cents = not whole_yuan(table, index)
        longest = max([display_width(column.header)]
                      + [display_width(cell_text(row[index], column.kind, cents=cents))
                         for row in table.rows], default=0)
        widths.append(max(minimum, min(maximum, longest + 2)))
    return widths


def is_wide(table: Table, widths: list[int] | None = None) -> bool:
    """Whether the table prints landscape: many columns, or more than a portrait page holds
    (`widths`: the table's column widths, when already measured)."""
    return (len(table.columns) > PORTRAIT_COLUMNS
            or sum(column_widths(table) if widths is None else widths) > PORTRAIT_WIDTH)


def right_aligned(column: Column) -> bool:
    return column.kind in (ColumnKind.MONEY, ColumnKind.INTEGER, ColumnKind.PERCENT)


def policy_identity(stamp: Mapping[str, Any], lang: Lang) -> tuple[str, str | None]:
    """The policy stamp as one line (id, version, hash prefix, git revision), and the warning
    when the revision has uncommitted edits (`+dirty`): such a report cannot be reproduced
    from the commit alone."""
    parts = [" ".join(str(stamp[key]) for key in ("id", "version") if stamp.get(key))]
    content_hash = stamp.get("content_hash")
    if content_hash:
        algorithm, _, digest = str(content_hash).rpartition(":")
        shown = f"{algorithm}:{digest[:HASH_PREFIX]}" if algorithm else digest[:HASH_PREFIX]
        parts.append(f"{word('hash', lang)} {shown}")
    revision = str(stamp.get("git_revision") or "")
    dirty = revision.endswith("+dirty")
    if revision:
        parts.append(f"{word('git', lang)} {revision.removesuffix('+dirty')[:HASH_PREFIX]}")
    text = " · ".join(part for part in parts if part)
    return text, label("head.dirty", lang) if dirty else None


def title_lines(doc: Document) -> list[tuple[str, str]]:
    """The title block under the title: period, as-of, then the builder's headings."""
    return [(word("period", doc.lang), doc.period),
            (word("as_of", doc.lang), moment_text(doc.as_of)),
            *doc.heading]


def policy_line(doc: Document) -> tuple[str, str, str | None]:
    """The title block's last line: label, identity, and the uncommitted-edits warning."""
    identity, warning = policy_identity(doc.policy, doc.lang)
    return word("policy", doc.lang), identity, warning


def with_warning(text: str, warning: str | None, lang: Lang) -> str:
    if warning is None:
        return text
    return f"{text}（{warning}）" if lang == "zh" else f"{text} ({warning})"


def title_pairs(doc: Document) -> list[tuple[str, str]]:
    """The whole title block as (label, value): period, as-of, headings, then the policy
    with its uncommitted-edits warning; for the formats without styles (text, CSV)."""
    label, identity, warning = policy_line(doc)
    return [*title_lines(doc), (label, with_warning(identity, warning, doc.lang))]


def title_block(doc: Document) -> list[str]:
    """The title block as lines of text: `期间：2026-10`."""
    return [f"{label}{colon(doc.lang)}{value}" for label, value in title_pairs(doc)]
