"""A fact's time in the policy's zone (`_moment`), and the common forms of it read from
their digits (`Moments`: D48), for the fast path (fastpath.py).

Not msgspec's own datetime: the slow path's reading decides what is a time (see `_moment`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from mypy_extensions import i64


def _moment(at: str, tz: ZoneInfo) -> datetime | None:
    """`at` in the policy's zone, read as `_TypeCheck.fast` reads it; None if it is not a time.

    Not msgspec's own datetime: it also takes a lower-case `t` or `z`, which the slow path
    refuses, and rounds a seventh digit of a second where `fromisoformat` cuts it.
    """
    # is_time_form(at), inlined: this runs once per fact
    if (len(at) < 16 or at[10] not in "T " or at[4] != "-" or at[7] != "-"
            or at[13] != ":"):
        return None
    try:
        moment = datetime.fromisoformat(at)
        # One zone object for every time: comparisons then skip offset look-ups.
        return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)
    except (ValueError, OverflowError):  # e.g. year 1 at +05:00 has no local time
        return None


# `Moments.read`'s marks: the form of a time it reads itself
_ZONED: Final = 25     # YYYY-MM-DDTHH:MM:SS+HH:MM (or -HH:MM; a space for the T)
_SECONDS: Final = 19   # YYYY-MM-DDTHH:MM:SS, in the policy's zone
_MINUTES: Final = 16   # YYYY-MM-DDTHH:MM
_LOCAL: Final = 1 << 12  # the offset field of the hour's key for a time without offset


def _two(at: str, place: i64) -> i64:
    """The two-digit number at `place` of `at`, -1 unless both are ASCII digits."""
    high: i64 = ord(at[place]) - 48
    low: i64 = ord(at[place + 1]) - 48
    if 0 <= high <= 9 and 0 <= low <= 9:
        return high * 10 + low
    return -1


class Moments:
    """`_moment` for one zone, with the common forms of a time read here from their digits.

    `fromisoformat` + `astimezone` cost 9 % of reading and evaluating a million facts.
    The forms files are written in (`2026-10-09T10:30:00+08:00`, `2026-10-09 10:30`) are
    read digit by digit (machine integers: i64); the start of the time's hour in UTC (or,
    without offset, in the zone) is kept for the facts of that hour, and `ZoneInfo.fromutc`
    turns the instant into the zone's time, as `astimezone` does: the same datetime, fold
    included. Any other form, a number out of range (a 60th second, hour 24, a 13th month),
    a date that is none (02-30) or an error goes to `_moment` itself, which decides
    (tests/facts/test_fastpath.py compares both, in zones that change their offset).
    """

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self.fromutc: Callable[[datetime], datetime] = tz.fromutc
        # (the key of an hour, its start): one tuple, replaced whole, so that a thread
        # reading it never pairs one hour's key with another's start
        self.kept: tuple[int, datetime] = (-1, datetime(2000, 1, 1, tzinfo=tz))
        self.offsets: dict[int, timedelta] = {}
        self.within: list[timedelta | None] = [None] * 3600  # by second of the hour

    def read(self, at: str) -> datetime | None:
        """`_moment(at, zone)`."""
        size: i64 = len(at)
        if ((size != _ZONED and size != _SECONDS and size != _MINUTES)
                or ord(at[4]) != 45 or ord(at[7]) != 45 or ord(at[13]) != 58  # - - :
                or (ord(at[10]) != 84 and ord(at[10]) != 32)):  # T or a space
            return _moment(at, self.tz)
        century, years, month = _two(at, 0), _two(at, 2), _two(at, 5)
        day, hour, minute = _two(at, 8), _two(at, 11), _two(at, 14)
        second: i64 = 0
        offset: i64 = _LOCAL
        if size != _MINUTES:
            second = _two(at, 17) if ord(at[16]) == 58 else -1
            if size == _ZONED:
                sign = ord(at[19])
                hours, minutes = _two(at, 20), _two(at, 23)
                if ((sign != 43 and sign != 45) or ord(at[22]) != 58  # + or -, :
                        or not 0 <= hours <= 23 or not 0 <= minutes <= 59):
                    return _moment(at, self.tz)
                offset = hours * 60 + minutes if sign == 43 else -(hours * 60 + minutes)
        if (century < 0 or years < 0 or century + years == 0 or not 1 <= month <= 12
                or day < 1 or not 0 <= hour <= 23 or not 0 <= minute <= 59
                or not 0 <= second <= 59):
            return _moment(at, self.tz)  # a character not a digit, a number out of range
        key = ((((century * 100 + years) * 100 + month) * 100 + day) * 100 + hour) * 10_000 \
            + offset + 5000
        kept_key, start = self.kept
        if key != kept_key:
            try:
                start = datetime(century * 100 + years, month, day, hour,
                                 tzinfo=self.tz)  # raises for 02-30 too
                if offset != _LOCAL:
                    shift = self.offsets.get(offset)
                    if shift is None:
                        shift = self.offsets[offset] = timedelta(minutes=int(offset))
                    start -= shift  # the hour's start in UTC
            except (ValueError, OverflowError):
                return _moment(at, self.tz)
            self.kept = (key, start)
        seconds = minute * 60 + second
        within = self.within[seconds]
        if within is None:
            within = self.within[seconds] = timedelta(seconds=int(seconds))
        try:
            moment = start + within
            return moment if offset == _LOCAL else self.fromutc(moment)
        except (ValueError, OverflowError):
            return _moment(at, self.tz)
