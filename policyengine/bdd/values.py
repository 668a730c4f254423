"""Values as people write them in scenarios: times, dates, durations, periods, amounts, yes/no.

Every parser is pure and raises `BadValue` (a message in Chinese and in English) on text it
cannot read, saying what would be right.

>>> from zoneinfo import ZoneInfo
>>> tz = ZoneInfo("Asia/Shanghai")
>>> parse_moment("2026-10-09（周五）10:30", tz).isoformat()
'2026-10-09T10:30:00+08:00'
>>> parse_moment("10:45", tz, parse_moment("2026年10月9日 10:30", tz)).isoformat()
'2026-10-09T10:45:00+08:00'
>>> parse_duration("1天16小时"), parse_duration("15h30m"), parse_duration("30 min")
(datetime.timedelta(days=1, seconds=57600), datetime.timedelta(seconds=55800), \
datetime.timedelta(seconds=1800))
>>> parse_period("2026年第四季度").label, parse_period("October 2026").label
('2026-Q4', '2026-10')
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from policyengine.periods import Period


class BadValue(ValueError):
    """Text that is not the value wanted, with the message in both languages."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh = zh
        self.en = en

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


_WEEKDAY_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAY_EN = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_WEEKDAY = re.compile(
    r"\(?\s*(?:(?:周|星期|礼拜)(?P<zh>[一二三四五六日天])|"
    r"(?P<en>mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?)\s*\)?",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"(?:(?P<y>\d{4})\s*[-/年.]\s*)?(?P<m>\d{1,2})\s*[-/月.]\s*(?P<d>\d{1,2})\s*日?"
)
_CLOCK = re.compile(
    r"(?P<h>\d{1,2})\s*(?:[:点时]\s*(?P<mi>\d{1,2})?\s*分?\s*(?::\s*(?P<s>\d{1,2}))?)"
)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
NAMES_ZH = "一二三四五六日"


def weekday_zh(day: date) -> str:
    return "周" + NAMES_ZH[day.weekday()]


def format_moment(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return local.strftime("%Y-%m-%d %H:%M:%S" if local.second else "%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class Moment:
    at: datetime
    has_time: bool


def read_moment(text: str, tz: ZoneInfo, previous: datetime | None = None) -> Moment:
    """A time as people write it; a bare `10:45` takes the date of `previous`."""
    raw = _clean(text)
    if not raw:
        raise BadValue("时间是空的：请写成 2026-10-09 10:30",
                       "the time is empty: write it as 2026-10-09 10:30")
    if _ISO.match(raw):
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            pass
        else:
            return Moment(moment if moment.tzinfo else moment.replace(tzinfo=tz), True)
    weekday: int | None = None
    found = _WEEKDAY.search(raw)
    if found:
        weekday = (_WEEKDAY_ZH[found.group("zh")] if found.group("zh")
                   else _WEEKDAY_EN[found.group("en")[:3].lower()])
        raw = (raw[:found.start()] + " " + raw[found.end():]).strip()
    day: date | None = None
    rest = raw
    match = _DATE.match(raw)
    if match and (match.group("y") or "月" in match.group(0) or previous is not None):
        year = int(match.group("y")) if match.group("y") else (
            previous.astimezone(tz).year if previous else None)
        if year is None:
            raise _bad_time(text)
        try:
            day = date(year, int(match.group("m")), int(match.group("d")))
        except ValueError:
            raise BadValue(f"「{text}」不是一个存在的日期",
                           f"'{text}' is not a real date") from None
        rest = raw[match.end():].strip()
    clock: time | None = None
    if rest:
        rest = rest.lstrip("T").strip()
        matched = _CLOCK.fullmatch(rest)
        if matched is None:
            raise _bad_time(text)
        try:
            clock = time(int(matched.group("h")), int(matched.group("mi") or 0),
                         int(matched.group("s") or 0))
        except ValueError:
            raise BadValue(f"「{text}」里的时刻不存在",
                           f"'{text}' has no such time of day") from None
    if day is None:
        if clock is None or previous is None:
            raise _bad_time(text)
        day = previous.astimezone(tz).date()
    if weekday is not None and day.weekday() != weekday:
        raise BadValue(
            f"「{text}」：{day.isoformat()} 是{weekday_zh(day)}，不是{weekday_zh_name(weekday)}",
            f"'{text}': {day.isoformat()} is a {day:%A}, not a {_DAY_NAMES[weekday]}",
        )
    return Moment(datetime.combine(day, clock or time(0), tzinfo=tz), clock is not None)


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def weekday_zh_name(weekday: int) -> str:
    return "周" + NAMES_ZH[weekday]


def parse_moment(text: str, tz: ZoneInfo, previous: datetime | None = None) -> datetime:
    return read_moment(text, tz, previous).at


def _bad_time(text: str) -> BadValue:
    return BadValue(
        f"「{text}」不是时间：请写成 2026-10-09 10:30（北京时间），"
        "或只写 10:45 表示与上一行同一天",
        f"'{text}' is not a time: write it as 2026-10-09 10:30 (Asia/Shanghai), or just 10:45 "
        "for the same day as the row above",
    )


def parse_date(text: str, year: int | None = None) -> date:
    """`2026-10-16`, `2026/10/16`, `2026年10月16日`, or `10月16日` with a known year."""
    raw = _clean(text)
    match = _DATE.fullmatch(raw)
    if match and (match.group("y") or year is not None):
        try:
            return date(int(match.group("y") or year or 0), int(match.group("m")),
                        int(match.group("d")))
        except ValueError:
            pass
    raise BadValue(f"「{text}」不是日期：请写成 2026-10-16",
                   f"'{text}' is not a date: write it as 2026-10-16")


_UNITS = {
    "d": 86400, "day": 86400, "days": 86400, "天": 86400, "日": 86400,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600, "小时": 3600, "时": 3600,
    "个小时": 3600,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60, "分": 60, "分钟": 60,
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "秒": 1,
}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(" + "|".join(
    sorted(map(re.escape, _UNITS), key=len, reverse=True)) + r")", re.IGNORECASE)


def parse_duration(text: str) -> timedelta:
    """`15h30m`, `15 h 30 min`, `1天16小时`, `30分钟`, `0`: wall-clock time (a day is 24 h)."""
    raw = _clean(text).replace(",", " ").replace("又", "").replace("and", " ")
    if raw in ("0", "0m", "0分钟", "零"):
        return timedelta(0)
    total = 0.0
    position = 0
    compact = raw.replace(" ", "")
    for part in _PART.finditer(compact):
        if part.start() != position:
            break
        total += float(part.group(1)) * _UNITS[part.group(2).lower()]
        position = part.end()
    if position != len(compact) or not compact:
        raise BadValue(f"「{text}」不是时长：请写成 15h30m、1天16小时 或 30分钟",
                       f"'{text}' is not a duration: write it as 15h30m, 1d16h or 30 min")
    return timedelta(seconds=round(total))


_MONTHS_EN = ("january", "february", "march", "april", "may", "june", "july", "august",
              "september", "october", "november", "december")
_QUARTER_ZH = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def parse_period(text: str) -> Period:
    """A month or a quarter: `2026-10`, `2026年10月`, `October 2026`, `2026-Q4`, `2026年第四季度`.
    """
    raw = _clean(text).replace(" ", "")
    lowered = raw.lower().removeprefix("the").removeprefix("month").removeprefix("quarter")
    match = re.fullmatch(r"(\d{4})[-/年.]?(\d{1,2})月?份?", lowered)
    if match and 1 <= int(match.group(2)) <= 12:
        return Period.month(int(match.group(1)), int(match.group(2)))
    match = re.fullmatch(r"(\d{4})年?(?:第?([一二三四1-4])季度?|-?q([1-4]))", lowered)
    if match:
        return Period.quarter(int(match.group(1)), _QUARTER_ZH[match.group(2) or match.group(3)])
    match = re.fullmatch(r"q([1-4])(\d{4})", lowered)
    if match:
        return Period.quarter(int(match.group(2)), int(match.group(1)))
    for number, name in enumerate(_MONTHS_EN, start=1):
        match = re.fullmatch(rf"(?:{name}|{name[:3]})(\d{{4}})", lowered)
        if match:
            return Period.month(int(match.group(1)), number)
    raise BadValue(
        f"「{text}」不是月份或季度：请写成 2026年10月、2026-10 或 2026年第四季度",
        f"'{text}' is not a month or a quarter: write 2026-10, October 2026 or 2026-Q4",
    )


def parse_amount(text: str) -> Decimal:
    """`20`, `20 元`, `¥20`, `20.5 yuan`."""
    raw = _clean(text).replace(" ", "")
    raw = re.sub(r"(元|块|yuan|cny|rmb)$", "", raw, flags=re.IGNORECASE).lstrip("¥￥")
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise BadValue(f"「{text}」不是金额：请写一个数，例如 20",
                       f"'{text}' is not an amount: write a number, e.g. 20") from None


def parse_count(text: str) -> int:
    """`3`, `3 次`: a whole number of times (`5.5` is no count, not 5)."""
    raw = re.sub(r"(次|times?)$", "", _clean(text).replace(" ", ""), flags=re.IGNORECASE)
    if not raw.isascii() or not raw.isdigit():
        raise BadValue(f"「{text}」不是次数：请写一个整数，例如 3",
                       f"'{text}' is not a count: write a whole number, e.g. 3")
    return int(raw)


def parse_number(text: str) -> str:
    """A number cell as the fact reader reads numbers: `1200`, `1,200`, `¥1,200.50`,
    `1200 元`, `500万` (ten thousands) -> plain digits ("1200.50", "5000000")."""
    raw = _clean(text).replace(" ", "").replace(",", "").replace("，", "")
    raw = re.sub(r"(元|块|yuan|cny|rmb)$", "", raw, flags=re.IGNORECASE).lstrip("¥￥")
    scale = 1
    if raw.endswith("万"):
        raw, scale = raw[:-1], 10_000
    elif raw.endswith("亿"):
        raw, scale = raw[:-1], 100_000_000
    try:
        number = Decimal(raw) * scale
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise BadValue(f"「{text}」不是数字：请写一个数，例如 1200、1200.50 或 500万",
                       f"'{text}' is not a number: write e.g. 1200, 1200.50 or 500万")
    return format(number, "f")


_YES = {"是", "有", "对", "扣", "扣除", "yes", "y", "true", "x", "✓", "√"}
_NO = {"否", "无", "没有", "不", "不扣", "no", "n", "false", "-", ""}


def parse_yes_no(text: str) -> bool:
    raw = _clean(text).lower()
    if raw in _YES:
        return True
    if raw in _NO:
        return False
    raise BadValue(f"「{text}」请写「是」或「否」", f"'{text}': write yes or no")


def yes_no(value: bool, lang: str) -> str:
    if lang == "zh":
        return "是" if value else "否"
    return "yes" if value else "no"


def format_duration(delta: timedelta) -> str:
    """`1d16h`, `15h30m`, `0m` (the engine's form)."""
    from policyengine.timeparse import format_duration as engine_format

    return engine_format(delta)


def format_amount(value: Decimal | None) -> str:
    if value is None:
        return ""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")
