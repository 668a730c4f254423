"""The 12-month trend as inline SVG, drawn on the server: bars for the deductions, a line
for the violation count. No script, so it prints and works offline.

A phone gets another drawing of the same figures (`trend_rows_svg`, chosen by the
stylesheet): the wide chart scaled to a phone's width had 5-pixel labels. There each month
is a row — its label, a bar for its deductions with the amount written out, its count of
violations — drawn at the size it is shown, so nothing shrinks."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

from policyengine.results import money_text

WIDTH, HEIGHT = 760, 264
LEFT, RIGHT, TOP, BOTTOM = 56, 56, 28, 52


@dataclass(frozen=True)
class MonthPoint:
    label: str                   # YYYY-MM
    amount: Decimal | None       # None: the month could not be evaluated
    violations: int | None
    current: bool = False
    started: bool = True         # False: the month had not begun at the page's as-of


def _ceiling(value: float, *, whole: bool = False) -> float:
    """A round axis maximum at or above `value`: four grid steps of 1, 2, 2.5 or 5 × 10^n
    (`whole`: whole-number steps, for counts)."""
    wanted = max(value, 1.0) / 4
    scale = 1.0 if whole else 0.01
    while True:
        for factor in ((1, 2, 5) if whole else (1, 2, 2.5, 5)):
            if factor * scale >= wanted:
                return 4 * factor * scale
        scale *= 10


def trend_svg(points: list[MonthPoint], *, amount_label: str, count_label: str,
              gap_label: str, title: str, future_label: str = "") -> str:
    """An accessible SVG (role=img, a <title>) of up to 12 months. Months not begun (at the
    end) are one shaded band labelled `future_label`, not zeros."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top_amount = _ceiling(max((float(p.amount) for p in points if p.amount is not None),
                              default=0.0))
    top_count = _ceiling(max((p.violations for p in points if p.violations is not None),
                             default=0), whole=True)
    slot = plot_w / max(len(points), 1)
    base = TOP + plot_h
    out = [f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
           f'height="{HEIGHT}" role="img" aria-label="{escape(title)}">',
           f"<title>{escape(title)}</title>"]
    for i in range(5):  # grid lines and both axes' ticks
        y = base - plot_h * i / 4
        out.append(f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" '
                   f'y2="{y:.1f}"/>')
        out.append(f'<text class="axis amount" x="{LEFT - 6}" y="{y + 4:.1f}" '
                   f'text-anchor="end">{_number(top_amount * i / 4)}</text>')
        out.append(f'<text class="axis count" x="{WIDTH - RIGHT + 6}" y="{y + 4:.1f}">'
                   f'{_number(top_count * i / 4)}</text>')
    line: list[str] = []
    dots: list[str] = []
    for i, point in enumerate(points):
        x = LEFT + slot * i + slot / 2
        month = point.label[2:] if point.label.endswith("-01") or i == 0 else point.label[5:]
        css = "month current" if point.current else "month"
        out.append(f'<text class="{css}" x="{x:.1f}" y="{base + 18}" '
                   f'text-anchor="middle">{escape(month)}</text>')
        if not point.started:
            continue
        if point.amount is None or point.violations is None:
            out.append(f'<text class="gap" x="{x:.1f}" y="{base - 6}" '
                       f'text-anchor="middle">{escape(gap_label)}</text>')
            continue
        height = plot_h * float(point.amount) / top_amount
        bar = "bar current" if point.current else "bar"
        out.append(f'<rect class="{bar}" x="{x - slot * 0.3:.1f}" y="{base - height:.1f}" '
                   f'width="{slot * 0.6:.1f}" height="{height:.1f}">'
                   f"<title>{escape(point.label)}: {money_text(point.amount)}</title></rect>")
        if point.amount:  # inside a tall bar, so the count line's dot does not cover it
            inside = height > 20
            y_text = base - height + 14 if inside else base - height - 4
            out.append(f'<text class="value{" inside" if inside else ""}" x="{x:.1f}" '
                       f'y="{y_text:.1f}" text-anchor="middle">{money_text(point.amount)}'
                       "</text>")
        y = base - plot_h * point.violations / top_count
        line.append(f"{x:.1f},{y:.1f}")
        dots.append(f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="3.5">'
                   f"<title>{escape(point.label)}: {point.violations}</title></circle>")
    future = [i for i, point in enumerate(points) if not point.started]
    if future:  # one band over the months to come, behind nothing: they have no figures
        x0 = LEFT + slot * future[0]
        out.append(f'<rect class="future" x="{x0:.1f}" y="{TOP}" width="{slot * len(future):.1f}"'
                   f' height="{plot_h}"/>')
        out.append(f'<text class="future" x="{x0 + slot * len(future) / 2:.1f}" '
                   f'y="{TOP + plot_h / 2 + 4:.1f}" text-anchor="middle">'
                   f"{escape(future_label)}</text>")
    if len(line) > 1:
        out.append(f'<polyline class="line" points="{" ".join(line)}"/>')
    out += dots
    legend_y = HEIGHT - 8
    out += [f'<rect class="bar" x="{LEFT}" y="{legend_y - 9}" width="12" height="10"/>',
            f'<text class="legend" x="{LEFT + 16}" y="{legend_y}">{escape(amount_label)}</text>',
            f'<circle class="dot" cx="{LEFT + 186}" cy="{legend_y - 4}" r="4"/>',
            f'<text class="legend" x="{LEFT + 196}" y="{legend_y}">{escape(count_label)}</text>',
            "</svg>"]
    return "\n".join(out)


def _number(value: float) -> str:
    return f"{value:g}"


ROWS_WIDTH = 340                  # a phone's content width (390 less the page's margins)
ROW, ROWS_TOP = 26, 30            # a month's row; the column headings above the rows
BAR_LEFT, BAR_WIDTH = 64, 176     # the deductions' bars, after the month's label
COUNT_RIGHT = ROWS_WIDTH - 4      # the violations, right-aligned


def trend_rows_svg(points: list[MonthPoint], *, amount_label: str, count_label: str,
                   gap_label: str, title: str, future_label: str = "") -> str:
    """The trend as rows, one a month (for a phone): `2026-10 ▇▇▇▇ 870   45`. Labels are
    never rotated nor thinned: every month keeps its full label, every figure is written."""
    top = max((float(p.amount) for p in points if p.amount is not None), default=0.0) or 1.0
    height = ROWS_TOP + ROW * len(points) + 4
    out = [f'<svg class="trend-rows" viewBox="0 0 {ROWS_WIDTH} {height}" width="{ROWS_WIDTH}" '
           f'height="{height}" role="img" aria-label="{escape(title)}">',
           f"<title>{escape(title)}</title>",
           f'<text class="heading" x="{BAR_LEFT}" y="{ROWS_TOP - 10}">{escape(amount_label)}'
           "</text>",
           f'<text class="heading" x="{COUNT_RIGHT}" y="{ROWS_TOP - 10}" text-anchor="end">'
           f"{escape(count_label)}</text>"]
    for i, point in enumerate(points):
        y = ROWS_TOP + ROW * i
        middle = y + ROW / 2 + 5  # a 13px text's baseline, centred in the row
        if point.current:
            out.append(f'<rect class="row current" x="0" y="{y}" width="{ROWS_WIDTH}" '
                       f'height="{ROW}"/>')
        css = "month current" if point.current else "month"
        out.append(f'<text class="{css}" x="4" y="{middle:.1f}">{escape(point.label)}</text>')
        if not point.started or point.amount is None or point.violations is None:
            words = gap_label if point.started else future_label
            out.append(f'<text class="gap" x="{BAR_LEFT}" y="{middle:.1f}">{escape(words)}'
                       "</text>")
            continue
        width = BAR_WIDTH * float(point.amount) / top
        bar = "bar current" if point.current else "bar"
        out.append(f'<rect class="{bar}" x="{BAR_LEFT}" y="{y + 5}" width="{width:.1f}" '
                   f'height="{ROW - 10}"><title>{escape(point.label)}: '
                   f"{money_text(point.amount)}</title></rect>")
        out.append(f'<text class="value" x="{BAR_LEFT + width + 4:.1f}" y="{middle:.1f}">'
                   f"{money_text(point.amount)}</text>")
        out.append(f'<text class="count" x="{COUNT_RIGHT}" y="{middle:.1f}" '
                   f'text-anchor="end">{point.violations}</text>')
    out.append("</svg>")
    return "\n".join(out)
