"""Expected table vs actual rows: compared on the columns written, order ignored.

A mismatch is shown as one table a reader can follow without knowing Python: every
expected row in its order (with its line in the .feature file), a row that is missing
marked `-`, the actual row that comes closest right under it marked `+` with `^` under the
cells that differ, the remaining extra rows at the end. Columns line up by display width,
so Chinese text (two columns a character) stays aligned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from policyengine.bdd.failures import ScenarioError, ScenarioFailure
from policyengine.bdd.lint import TableRow
from policyengine.bdd.normalize import cell_text, say
from policyengine.bdd.values import BadValue
from policyengine.report.text import pad, width
from policyengine.suggest import closest

T = TypeVar("T")


@dataclass(frozen=True)
class Context:
    lang: str
    tz: ZoneInfo


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column an expectation table may have."""

    key: str
    headers: tuple[str, ...]                          # accepted titles, Chinese and English
    show: Callable[[T, Context], str]                  # the actual value as text
    expect: Callable[[str, Context], Any]             # the expected text, read (may raise)
    matches: Callable[[Any, T, Context], bool]         # expected value vs actual row


def text_column(key: str, headers: tuple[str, ...],
                show: Callable[[T, Context], str]) -> Column[T]:
    """A column compared as text (spacing, width and case of letters ignored)."""
    return Column(key, headers, show, lambda text, ctx: cell_text(text),
                  lambda want, row, ctx: bool(cell_text(show(row, ctx)) == want))


def compare(table: Sequence[TableRow], actual: Sequence[T], columns: Sequence[Column[T]],
            ctx: Context, line: int, what_zh: str, what_en: str) -> None:
    """Raise ScenarioFailure (rows differ) or ScenarioError (table unreadable), else pass."""
    lang = ctx.lang
    if not table:
        raise ScenarioError(say(lang, f"第 {line} 行：这个步骤下面需要一个表格",
                                f"line {line}: this step needs a table under it"))
    header, *body = table
    chosen = _columns(header, columns, lang)
    expected: list[list[Any]] = []
    problems = []
    for row in body:
        values = []
        for column, cell in zip(chosen, row.cells, strict=False):
            try:
                values.append(column.expect(cell.strip(), ctx))
            except BadValue as exc:
                values.append(None)
                problems.append(say(lang, f"第 {row.line} 行「{column.headers[0]}」列：{exc.zh}",
                                    f"line {row.line}, column '{column.headers[-1]}': {exc.en}"))
        expected.append(values)
    if problems:
        raise ScenarioError("\n".join(problems))
    pairs = _match(expected, actual, chosen, ctx)
    if len(pairs) == len(expected) == len(actual):
        return
    raise ScenarioFailure(render(header, body, expected, actual, chosen, pairs, ctx, line,
                                 what_zh, what_en))


def _columns(header: TableRow, columns: Sequence[Column[T]], lang: str) -> list[Column[T]]:
    by_title = {cell_text(title): column for column in columns for title in column.headers}
    chosen = []
    for title in header.cells:
        column = by_title.get(cell_text(title))
        if column is None:
            names = [c.headers[0] if lang == "zh" else c.headers[-1] for c in columns]
            near = closest(title, [t for c in columns for t in c.headers])
            hint = (say(lang, f"（是不是「{near[0]}」？）", f" (did you mean '{near[0]}'?)")
                    if near else "")
            raise ScenarioError(say(
                lang, f"第 {header.line} 行：不认识表格列「{title}」{hint}。可以用的列："
                + "、".join(names),
                f"line {header.line}: unknown column '{title}'{hint}. Columns you can use: "
                + ", ".join(names)))
        chosen.append(column)
    return chosen


def _match(expected: list[list[Any]], actual: Sequence[T], columns: Sequence[Column[T]],
           ctx: Context) -> dict[int, int]:
    """A largest matching expected row -> actual row (augmenting paths; tables are small)."""
    fits = [[j for j, row in enumerate(actual)
             if all(c.matches(v, row, ctx) for c, v in zip(columns, values, strict=False))]
            for values in expected]
    owner: dict[int, int] = {}

    def place(i: int, seen: set[int]) -> bool:
        for j in fits[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or place(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(expected)):
        place(i, set())
    return {i: j for j, i in owner.items()}


def render(header: TableRow, body: Sequence[TableRow], expected: list[list[Any]],
           actual: Sequence[T], columns: Sequence[Column[T]], pairs: dict[int, int],
           ctx: Context, line: int, what_zh: str, what_en: str) -> str:
    lang = ctx.lang
    used = set(pairs.values())
    extra = [j for j in range(len(actual)) if j not in used]
    missing = [i for i in range(len(expected)) if i not in pairs]
    shown = [[c.show(row, ctx) for c in columns] for row in actual]
    # Pair each missing row with the extra row that agrees on most cells, to show them together.
    partner: dict[int, int] = {}
    free = list(extra)
    for i in missing:
        best, score = None, 0
        for j in free:
            agree = sum(c.matches(v, actual[j], ctx)
                        for c, v in zip(columns, expected[i], strict=False))
            if agree > score:
                best, score = j, agree
        if best is not None and score * 2 >= len(columns):
            partner[i] = best
            free.remove(best)
    line_title = say(lang, "行", "line")
    titles = [line_title, *header.cells]
    rows: list[tuple[str, list[str], list[bool]]] = []
    for i, row in enumerate(body):
        cells = [str(row.line), *[c.strip() for c in row.cells[:len(columns)]]]
        if i in pairs:
            rows.append((" ", cells, []))
        else:
            rows.append(("-", cells, []))
            if i in partner:
                j = partner[i]
                diff = [False] + [not c.matches(v, actual[j], ctx)
                                  for c, v in zip(columns, expected[i], strict=False)]
                rows.append(("+", ["", *shown[j]], diff))
    for j in free:
        rows.append(("+", ["", *shown[j]], []))
    sizes = [width(t) for t in titles]
    for _, cells, _ in rows:
        for k, cell in enumerate(cells):
            sizes[k] = max(sizes[k], width(cell))
    out = [say(lang, f"第 {line} 行：{what_zh}与预期不符。", f"line {line}: {what_en} differ "
               "from the expectation."), ""]
    out.append("  " + "  ".join(pad(t, sizes[k]) for k, t in enumerate(titles)).rstrip())
    out.append("  " + "  ".join("-" * s for s in sizes))
    for mark, cells, diff in rows:
        out.append(f"{mark} " + "  ".join(pad(c, sizes[k]) for k, c in enumerate(cells)).rstrip())
        if any(diff):
            out.append("  " + "  ".join(("^" * max(width(cells[k]), 1)).ljust(sizes[k])
                                         if d else " " * sizes[k]
                                         for k, d in enumerate(diff)).rstrip())
    out.append("")
    if missing:
        out.append(say(lang, f"缺少 {len(missing)} 行（标 -）：预期有，实际没有。",
                       f"missing {len(missing)} row(s) (marked -): expected, not found."))
    if extra:
        out.append(say(lang, f"多出 {len(extra)} 行（标 +）：实际有，预期没有。",
                       f"extra {len(extra)} row(s) (marked +): found, not expected."))
    if partner:
        out.append(say(lang, "^ 标出与上一行预期不同的格子。",
                       "^ marks the cells that differ from the expected row above."))
    if not body and not actual:
        out.append(say(lang, "（两边都是空的）", "(both are empty)"))
    return "\n".join(out)
