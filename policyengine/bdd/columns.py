"""The columns an expectation table may have, per result kind (violations, penalties,
rewards, merits, open duties): their titles in Chinese and English, how the actual value is
shown, how the expected text is read and compared."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from policyengine.bdd.compare import Column, Context, text_column
from policyengine.bdd.normalize import cell_text
from policyengine.bdd.values import (
    BadValue,
    Moment,
    format_amount,
    format_duration,
    format_moment,
    parse_amount,
    parse_count,
    parse_duration,
    parse_period,
    parse_yes_no,
    read_moment,
    yes_no,
)
from policyengine.kinds import ScheduleKind
from policyengine.results import Merit, OpenObligation, RewardResult, RuleLine, Violation


def _moment_column(key: str, headers: tuple[str, ...],
                   get: Any, none_words: tuple[str, ...] = ()) -> Column[Any]:
    def show(row: Any, ctx: Context) -> str:
        value = get(row)
        if value is None:
            return "未完成" if ctx.lang == "zh" else "open"
        return format_moment(value, ctx.tz)

    def expect(text: str, ctx: Context) -> Moment | None:
        if cell_text(text) in none_words:
            return None
        return read_moment(text, ctx.tz)

    def matches(want: Moment | None, row: Any, ctx: Context) -> bool:
        value = get(row)
        if want is None or value is None:
            return want is None and value is None
        if want.has_time:
            return bool(value == want.at)
        return bool(value.astimezone(ctx.tz).date() == want.at.date())

    return Column(key, headers, show, expect, matches)


_OPEN_WORDS = tuple(cell_text(w) for w in ("", "-", "未完成", "无", "open", "none", "not done"))


def _penalty_show(rule: str, ctx: Context) -> str:
    return ("无" if ctx.lang == "zh" else "none") if rule == "none" else rule


def _penalty_column(get: Any) -> Column[Any]:
    def expect(text: str, ctx: Context) -> str:
        key = cell_text(text)
        return "none" if key in ("无", "none", "-", "", "不罚", "0") else key

    return Column("penalty", ("处罚", "罚则", "penalty", "rule"),
                  lambda row, ctx: _penalty_show(get(row), ctx), expect,
                  lambda want, row, ctx: bool(want == cell_text(get(row))))


def _amount_column(get: Any) -> Column[Any]:
    monthly = ("按月", "按月计", "每月", "monthly", "per month")

    def show(row: Any, ctx: Context) -> str:
        value = get(row)
        if value is None:
            return "按月" if ctx.lang == "zh" else "monthly"
        return format_amount(value)

    def expect(text: str, ctx: Context) -> Decimal | None:
        if cell_text(text) in monthly:
            return None
        return parse_amount(text)

    return Column("amount", ("金额", "罚款", "amount"), show, expect,
                  lambda want, row, ctx: bool(want == get(row)))


def _yes_no_column(key: str, headers: tuple[str, ...], get: Any) -> Column[Any]:
    return Column(key, headers, lambda row, ctx: yes_no(bool(get(row)), ctx.lang),
                  lambda text, ctx: parse_yes_no(text),
                  lambda want, row, ctx: bool(want == bool(get(row))))


def _duty_column(get: Any, name: Any) -> Column[Any]:
    return Column("duty", ("职责", "时间节点", "duty"), lambda row, ctx: get(row),
                  lambda text, ctx: cell_text(text),
                  lambda want, row, ctx: want in (cell_text(get(row)), cell_text(name(row) or "")))


def _case_column(get: Any) -> Column[Any]:
    return Column("case", ("编号", "需求编号", "case"), lambda row, ctx: get(row) or "-",
                  lambda text, ctx: "" if cell_text(text) in ("", "-", "无", "none") else
                  cell_text(text),
                  lambda want, row, ctx: bool(want == cell_text(get(row) or "")))


def _person_column(get: Any) -> Column[Any]:
    return text_column("person", ("人员", "责任人", "person", "who"),
                       lambda row, ctx: get(row) or "?")


def _duration_column(key: str, headers: tuple[str, ...], get: Any) -> Column[Any]:
    return Column(key, headers, lambda row, ctx: format_duration(get(row)),
                  lambda text, ctx: parse_duration(text),
                  lambda want, row, ctx: bool(want == get(row)))


def _month_column(get: Any) -> Column[Any]:
    def expect(text: str, ctx: Context) -> str:
        return parse_period(text).label

    return Column("month", ("月份", "month"), lambda row, ctx: get(row), expect,
                  lambda want, row, ctx: bool(want == get(row)))


VIOLATION_COLUMNS: list[Column[Violation]] = [
    _duty_column(lambda v: v.duty, lambda v: v.duty_name),
    _case_column(lambda v: v.case),
    _person_column(lambda v: v.person),
    _moment_column("due", ("截止", "截止时间", "期限", "due", "deadline"), lambda v: v.due),
    _moment_column("fulfilled", ("完成", "完成时间", "实际完成", "done", "fulfilled",
                                 "fulfilled at"), lambda v: v.fulfilled_at, _OPEN_WORDS),
    _duration_column("late", ("迟了", "迟到", "超时", "延迟", "late", "late by"),
                     lambda v: v.late_by),
    _penalty_column(lambda v: v.penalty.rule),
    _amount_column(lambda v: None if v.penalty.schedule == ScheduleKind.MONTHLY_COUNT else
                   (v.penalty.amount or Decimal(0))),
    _month_column(lambda v: v.month),
    _yes_no_column("forfeit", ("扣绩效", "扣除绩效", "取消绩效", "forfeit", "forfeits"),
                   lambda v: v.penalty.forfeit),
]


PENALTY_LINE_COLUMNS: list[Column[tuple[str, RuleLine]]] = [
    _person_column(lambda row: row[0]),
    _penalty_column(lambda row: row[1].rule),
    _month_column(lambda row: row[1].month),
    Column("count", ("次数", "count"), lambda row, ctx: str(row[1].count),
           lambda text, ctx: parse_count(text),
           lambda want, row, ctx: bool(want == row[1].count)),
    _amount_column(lambda row: row[1].amount),
    _yes_no_column("forfeit", ("扣绩效", "扣除绩效", "取消绩效", "forfeit", "forfeits"),
                   lambda row: row[1].forfeit),
]


def _range_column() -> Column[RewardResult]:
    def expect(text: str, ctx: Context) -> tuple[Decimal, Decimal]:
        parts = [p for p in re.split(r"\s*(?:-|–|~|～|至|到|to)\s*", text.strip()) if p]
        if len(parts) != 2:
            raise BadValue(f"「{text}」请写成 100-1000", f"'{text}': write it as 100-1000")
        return parse_amount(parts[0]), parse_amount(parts[1])

    return Column("range", ("范围", "range"),
                  lambda r, ctx: f"{format_amount(r.min)}-{format_amount(r.max)}", expect,
                  lambda want, r, ctx: bool(want == (r.min, r.max)))


REWARD_COLUMNS: list[Column[RewardResult]] = [
    _person_column(lambda r: r.person),
    Column("reward", ("奖励", "reward"), lambda r, ctx: r.reward,
           lambda text, ctx: cell_text(text),
           lambda want, r, ctx: want in (cell_text(r.reward), cell_text(r.reward_name))),
    Column("min", ("最低", "最少", "min"), lambda r, ctx: format_amount(r.min),
           lambda text, ctx: parse_amount(text), lambda want, r, ctx: bool(want == r.min)),
    Column("max", ("最高", "最多", "max"), lambda r, ctx: format_amount(r.max),
           lambda text, ctx: parse_amount(text), lambda want, r, ctx: bool(want == r.max)),
    _range_column(),
    # in the scenario's language, as a report says it (the other language's words match too)
    Column("reason", ("原因", "理由", "reason"), lambda r, ctx: r.reason_in(ctx.lang),
           lambda text, ctx: cell_text(text).replace(" ", ""),
           lambda want, r, ctx: any(want in cell_text(r.reason_in(lang)).replace(" ", "")
                                    for lang in (ctx.lang, "en", "zh"))),
]


MERIT_COLUMNS: list[Column[Merit]] = [
    _person_column(lambda m: m.person),
    _duty_column(lambda m: m.duty, lambda m: None),
    _case_column(lambda m: m.case),
    Column("days", ("提前工作日", "提前", "提前天数", "days early", "working days early"),
           lambda m, ctx: str(m.working_days_early), lambda text, ctx: int(parse_amount(
               re.sub(r"(个)?(工作日|天)$", "", text.strip()))),
           lambda want, m, ctx: bool(want == m.working_days_early)),
    _moment_column("due", ("截止", "截止时间", "due", "deadline"), lambda m: m.due),
    _moment_column("fulfilled", ("完成", "完成时间", "done", "fulfilled"),
                   lambda m: m.fulfilled_at),
]


OPEN_COLUMNS: list[Column[OpenObligation]] = [
    _duty_column(lambda o: o.duty, lambda o: o.duty_name),
    _case_column(lambda o: o.case),
    _person_column(lambda o: o.person),
    _moment_column("due", ("截止", "截止时间", "期限", "due", "deadline"), lambda o: o.due),
    _yes_no_column("overdue", ("逾期", "已逾期", "overdue"), lambda o: o.overdue),
]
