"""Small pure parsers for the time words of a policy file: durations and clock times.

>>> parse_span("1h")
Span(hours=datetime.timedelta(seconds=3600), working_days=0)
>>> parse_span("2 working_days")
Span(hours=datetime.timedelta(0), working_days=2)
>>> try:
...     parse_span("2 days")
... except AmbiguousUnitError as exc:
...     print(exc)
'2 days' could be read two ways: write '2d' for 48 hours on the clock, or '2 working_days' \
for 18:00 of the 2nd working day
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_CLOCK_SPAN = re.compile(r"^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$")
_WORKING_DAYS = re.compile(r"^(\d+)\s*working[_ ]days?$")
_AMBIGUOUS = re.compile(
    r"^(\d+(?:\.\d+)?)\s*(days?|天|日|工作日|hours?|hrs?|小时|minutes?|mins?|分钟|weeks?|周)$"
)


class AmbiguousUnitError(ValueError):
    """A unit such as `2 days` that a reader could take as clock or working days."""


@dataclass(frozen=True)
class Span:
    """A wall-clock duration, or a count of working days (never both)."""

    hours: timedelta = timedelta(0)
    working_days: int = 0

    def __str__(self) -> str:
        if self.working_days:
            return f"{self.working_days} working_days"
        return format_duration(self.hours)


def parse_duration(text: str) -> timedelta:
    """A wall-clock duration such as `30m`, `1h`, `1h30m`, `2d` (48 hours)."""
    span = parse_span(text)
    if span.working_days:
        raise ValueError(f"'{text}' is a number of working days; a wall-clock duration is wanted "
                         "here, such as '30m', '1h' or '2d'")
    return span.hours


def parse_span(text: str) -> Span:
    raw = str(text).strip()
    match = _WORKING_DAYS.match(raw)
    if match:
        count = int(match.group(1))
        if count < 1:
            raise ValueError(f"'{raw}': the number of working days must be at least 1")
        return Span(working_days=count)
    match = _CLOCK_SPAN.match(raw)
    if raw and match and any(match.groups()):
        days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
        return Span(hours=timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds))
    ambiguous = _AMBIGUOUS.match(raw)
    if ambiguous:
        number, unit = ambiguous.groups()
        span_minutes = float(number) * {"d": 1440, "天": 1440, "日": 1440, "工": 1440, "h": 60,
                                   "小": 60, "m": 1, "分": 1, "w": 10080, "周": 10080}[unit[0]]
        clock = format_duration(timedelta(minutes=span_minutes))
        if unit.startswith(("day", "天", "日", "工作日")):
            plural = "" if number == "1" else "s"
            working = (f"'{number} working_day{plural}' for 18:00 of the {_ordinal(number)} "
                       "working day" if float(number).is_integer()
                       else "a whole number of working days ('2 working_days')")
            raise AmbiguousUnitError(
                f"'{raw}' could be read two ways: write '{clock}' for {span_minutes / 60:g} hours "
                f"on the clock, or {working}")
        raise ValueError(f"'{raw}' is not a duration this format reads; write '{clock}'")
    raise ValueError(
        f"'{raw}' is not a duration; write e.g. '30m', '1h', '2d' (48 hours) or '2 working_days'"
    )


def format_duration(delta: timedelta) -> str:
    """`timedelta(hours=25, minutes=5)` -> `1d1h5m`; zero -> `0m`."""
    total = int(delta.total_seconds())
    sign = "-" if total < 0 else ""
    total = abs(total)
    parts = []
    for unit in ("d", "h", "m", "s"):
        size = _UNIT_SECONDS[unit]
        amount, total = divmod(total, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return sign + ("".join(parts) or "0m")


def parse_clock(text: str) -> time:
    """`HH:MM` -> time."""
    match = re.match(r"^([01]?\d|2[0-3]):([0-5]\d)$", str(text).strip())
    if not match:
        raise ValueError(f"'{text}' is not a time of day; write it as HH:MM, e.g. '18:00'")
    return time(int(match.group(1)), int(match.group(2)))


def _ordinal(number: str) -> str:
    n = int(float(number))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
