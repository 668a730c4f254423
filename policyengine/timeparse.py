"""Small pure parsers for the time words of a policy file: durations and clock times.

>>> parse_span("1h")
Span(hours=datetime.timedelta(seconds=3600), working_days=0)
>>> parse_span("2 working_days")
Span(hours=datetime.timedelta(0), working_days=2)
>>> parse_span("6 months")
Span(hours=datetime.timedelta(0), working_days=0, months=6)
>>> parse_span("1 year").months
12
>>> add_months(datetime(2026, 8, 31, 10, 0), 6)
datetime.datetime(2027, 2, 28, 10, 0)
>>> try:
...     parse_span("2 days")
... except AmbiguousUnitError as exc:
...     print(exc)
'2 days' could be read two ways: write '2d' for 48 hours on the clock, or '2 working_days' \
for 18:00 of the 2nd working day
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from policyengine.policy.messages import PolicyValueError, Say

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_CLOCK_SPAN = re.compile(r"^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$")
_WORKING_DAYS = re.compile(r"^(\d+)\s*working[_ ]days?$")
_CALENDAR = re.compile(r"^(\d+)\s*(months?|years?)$")
_AMBIGUOUS = re.compile(
    r"^(\d+(?:\.\d+)?)\s*(days?|天|日|工作日|hours?|hrs?|小时|minutes?|mins?|分钟|weeks?|周)$"
)


# Longest durations a policy may write: ten years, on the clock or in working days. Beyond
# them a number is a typo (and `9999999999999999999d` overflows timedelta).
# See docs/decisions.md, D12.
MAX_DAYS = 3660
MAX_WORKING_DAYS = 2500
MAX_MONTHS = 120


class AmbiguousUnitError(PolicyValueError):
    """A unit such as `2 days` that a reader could take as clock or working days."""


@dataclass(frozen=True)
class Span:
    """A wall-clock duration, a count of working days or a count of calendar months (a year
    is 12): exactly one of them."""

    hours: timedelta = timedelta(0)
    working_days: int = 0
    months: int = 0

    def __str__(self) -> str:
        if self.working_days:
            return f"{self.working_days} working_days"
        if self.months:
            return month_text(self.months)
        return format_duration(self.hours)


def month_text(months: int) -> str:
    """`6 months`, `1 year`, `2 years`: how a policy writes a calendar span."""
    if months % 12 == 0:
        years = months // 12
        return f"{years} year" if years == 1 else f"{years} years"
    return f"{months} month" if months == 1 else f"{months} months"


def add_months(moment: datetime, months: int) -> datetime:
    """The same day of the month `months` later, clamped to the month's end (08-31 + 6 months
    is 02-28, or 02-29 in a leap year); the same clock time."""
    total = moment.month - 1 + months
    year, month = moment.year + total // 12, total % 12 + 1
    day = min(moment.day, monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def parse_duration(text: str) -> timedelta:
    """A wall-clock duration such as `30m`, `1h`, `1h30m`, `2d` (48 hours)."""
    span = parse_span(text, clock_only=True)
    if span.working_days or span.months:
        raise PolicyValueError(Say.NEEDS_CLOCK_DURATION(value=text))
    return span.hours


def parse_span(text: str, *, clock_only: bool = False) -> Span:
    """`clock_only`: where only a duration is read (a grace, a tier bound), `2天` has one
    reading, and the advice offers only it (working days would be refused there)."""
    raw = str(text).strip()
    match = _WORKING_DAYS.match(raw)
    if match:
        count = int(match.group(1)) if len(match.group(1)) <= 9 else MAX_WORKING_DAYS + 1
        if count < 1:
            raise PolicyValueError(Say.WORKING_DAYS_AT_LEAST_ONE(value=raw))
        if count > MAX_WORKING_DAYS:
            raise PolicyValueError(Say.WORKING_DAYS_TOO_MANY(value=raw, limit=MAX_WORKING_DAYS),
                                   "E-TOO-LARGE")
        return Span(working_days=count)
    match = _CALENDAR.match(raw)
    if match:
        count = int(match.group(1)) if len(match.group(1)) <= 9 else MAX_MONTHS + 1
        months = count * 12 if match.group(2).startswith("year") else count
        if months < 1:
            raise PolicyValueError(Say.CALENDAR_SPAN_ZERO(value=raw))
        if months > MAX_MONTHS:
            raise PolicyValueError(Say.CALENDAR_SPAN_TOO_LONG(value=raw, limit=MAX_MONTHS),
                                   "E-TOO-LARGE")
        return Span(months=months)
    match = _CLOCK_SPAN.match(raw)
    if raw and match and any(match.groups()):
        days, hours, minutes, seconds = (_bounded(g) for g in match.groups())
        total = days * 86400 + hours * 3600 + minutes * 60 + seconds
        if total > MAX_DAYS * 86400:
            raise PolicyValueError(Say.DURATION_TOO_LONG(value=raw, limit=MAX_DAYS), "E-TOO-LARGE")
        return Span(hours=timedelta(seconds=total))
    ambiguous = _AMBIGUOUS.match(raw)
    if ambiguous and len(ambiguous.group(1)) <= 12:
        number, unit = ambiguous.groups()
        span_minutes = float(number) * {"d": 1440, "天": 1440, "日": 1440, "工": 1440, "h": 60,
                                   "小": 60, "m": 1, "分": 1, "w": 10080, "周": 10080}[unit[0]]
        # Advice offers only a reading the policy takes: none when too long either way.
        if span_minutes > MAX_DAYS * 1440:
            raise PolicyValueError(Say.DURATION_TOO_LONG(value=raw, limit=MAX_DAYS), "E-TOO-LARGE")
        clock = format_duration(timedelta(minutes=span_minutes))
        if clock_only and unit.startswith("工作日"):
            raise PolicyValueError(Say.NEEDS_CLOCK_DURATION(value=raw))
        days = unit.startswith(("day", "天", "日", "工作日"))
        if days and not clock_only and span_minutes == 0:
            raise PolicyValueError(Say.ZERO_DEADLINE(value=raw))  # `0 working_days` neither
        if days and not clock_only and float(number) <= MAX_WORKING_DAYS:
            working = (Say.WORKING_DAYS_READING(count=number, plural="" if number == "1" else "s",
                                                ordinal=_ordinal(number))
                       if float(number).is_integer() else Say.WHOLE_WORKING_DAYS())
            raise AmbiguousUnitError(Say.AMBIGUOUS_DAYS(
                value=raw, clock=clock, hours=f"{span_minutes / 60:g}", working=working))
        raise PolicyValueError(Say.DURATION_UNIT(value=raw, clock=clock))
    raise PolicyValueError(Say.NOT_A_DURATION(value=raw))


def _bounded(digits: str | None) -> int:
    """A number of the duration text; absurdly long ones stay absurd without costing work."""
    if not digits:
        return 0
    return int(digits) if len(digits) <= 12 else 10 ** 12


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
        raise PolicyValueError(Say.NOT_A_CLOCK(value=text))
    return time(int(match.group(1)), int(match.group(2)))


def _ordinal(number: str) -> str:
    n = int(float(number))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
