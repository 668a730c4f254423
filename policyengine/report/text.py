"""Plain-text tables that line up with Chinese text (full-width characters take two columns)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def pad(text: str, size: int, align: str = "<") -> str:
    gap = max(size - width(text), 0)
    return " " * gap + text if align == ">" else text + " " * gap


def table(header: Sequence[str], rows: Sequence[Sequence[str]], *, indent: str = "  ",
          right: Sequence[int] = ()) -> list[str]:
    """Rows under a header, columns padded to the widest cell by display width."""
    sizes = [width(h) for h in header]
    for row in rows:
        for i, cell in enumerate(row):
            sizes[i] = max(sizes[i], width(cell))

    def line(cells: Sequence[str]) -> str:
        parts = [pad(c, sizes[i], ">" if i in right else "<") for i, c in enumerate(cells)]
        return (indent + "  ".join(parts)).rstrip()

    out = [line(header), indent + "  ".join("-" * s for s in sizes)]
    out += [line(row) for row in rows]
    return out
