"""What an evaluation produces: plain immutable values, with their JSON form.

Amounts are `Decimal` yuan; JSON writes them as numbers. Times are ISO 8601 with offset.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from policyengine.facts.schema import Fact
from policyengine.kinds import ScheduleKind, Status
from policyengine.timeparse import format_duration
from policyengine.wording import Glossary, Line, line

EMPTY = line("empty")


def money_number(value: Decimal | None) -> int | float | None:
    """An amount for JSON: 20, not 20.00 or "20"; None stays None."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def money_data(value: Decimal | None) -> str:
    """An amount for a CSV cell, which is data: `1000`, `12.5`; '' for None."""
    number = money_number(value)
    return "" if number is None else str(number)


def money_text(value: Decimal | None, *, signed: bool = False) -> str:
    """An amount for people, as the pages and spreadsheets show it: `1,000`, `12.50` (cents
    only when there are any), `+30` when signed; '' for None."""
    if value is None:
        return ""
    whole = value == value.to_integral_value()
    text = f"{value:,.0f}" if whole else f"{value:,.2f}"
    return f"+{text}" if signed and value > 0 else text


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


@dataclass(frozen=True)
class PenaltyCharge:
    """The penalty rule applied to one violation and the value in force."""

    rule: str                  # penalty id, or "none"
    schedule: str              # a ScheduleKind member (per_instance ... none) or a plug-in kind
    amount: Decimal | None     # per violation; None for monthly_count (charged per month)
    forfeit: bool = False
    effective: date | None = None   # the version in force
    detail: Line = EMPTY
    count_in_month: int | None = None
    month_amount: Decimal | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule, "schedule": self.schedule, "amount": money_number(self.amount),
            "forfeit": self.forfeit,
            "effective": self.effective.isoformat() if self.effective else None,
            "detail": self.detail.render("en"),
            "detail_zh": self.detail.render("zh"),
        }
        if self.schedule is ScheduleKind.MONTHLY_COUNT:
            out["count_in_month"] = self.count_in_month
            out["month_amount"] = money_number(self.month_amount)
        return out


@dataclass(frozen=True)
class Violation:
    duty: str
    duty_name: str
    case: str | None
    person: str | None
    role: str
    due: datetime
    fulfilled_at: datetime | None
    fulfilled_by: str | None       # id (or source) of the fulfilling fact
    late_by: timedelta
    month: str
    trigger_fact: Fact | None       # the fact that opened the duty (None: a weekly duty)
    penalty: PenaltyCharge
    # The explanation is computed when first read: most violations are totalled, not read.
    explain: Callable[[], tuple[Line, ...]] = field(default=tuple, compare=False, repr=False)
    key: str = ""  # the obligation's identity, stable across policies: duty|case|trigger
    # late | missed, or prohibited: `duty` is then a prohibition, `trigger_fact` the fact it
    # forbids, and `due` that fact's time
    status: Status = Status.LATE

    @property
    def trigger(self) -> dict[str, Any] | None:
        """The fact that opened the duty, as JSON (with where it was read)."""
        fact = self.trigger_fact
        if fact is None:
            return None
        out = fact.to_dict()
        if fact.source:
            out["source"] = fact.source
        return out

    @property
    def explanation(self) -> tuple[Line, ...]:
        cached: tuple[Line, ...] | None = self.__dict__.get("_explanation")
        if cached is None:
            cached = self.explain()
            object.__setattr__(self, "_explanation", cached)
        return cached

    def to_dict(self, names: Glossary | None = None, *,
                rendered: tuple[Any, Any, dict[str, Any]] | None = None
                ) -> dict[str, Any]:
        """As JSON; `names` (the policy's glossary) names fact types and roles in
        `explanation_zh` (the English `explanation` keeps the ids). `rendered`: the
        explanation in English and Chinese (each its list of steps, or that list written as
        JSON already) and the penalty, rendered before (a reader keeping them,
        service/rows.py)."""
        if rendered is None:
            rendered = ([step.render("en") for step in self.explanation],
                        [step.render("zh", names) for step in self.explanation],
                        self.penalty.to_dict())
        return {
            "key": self.key, "status": self.status.value,
            "duty": self.duty, "duty_name": self.duty_name, "case": self.case,
            "person": self.person, "role": self.role, "due": _iso(self.due),
            "fulfilled_at": _iso(self.fulfilled_at), "fulfilled_by": self.fulfilled_by,
            "late_by": format_duration(self.late_by),
            "late_seconds": int(self.late_by.total_seconds()), "month": self.month,
            "trigger": self.trigger, "penalty": rendered[2],
            "explanation": rendered[0], "explanation_zh": rendered[1],
        }


@dataclass(frozen=True)
class RuleLine:
    """One penalty rule's charge for one person and month."""

    rule: str
    month: str
    count: int
    amount: Decimal
    forfeit: bool
    detail: Line

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "month": self.month, "count": self.count,
                "amount": money_number(self.amount), "forfeit": self.forfeit,
                "detail": self.detail.render("en"), "detail_zh": self.detail.render("zh")}


@dataclass(frozen=True)
class PersonTotal:
    person: str | None
    amount: Decimal
    forfeit: bool
    violations: int
    lines: tuple[RuleLine, ...]
    forfeit_months: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"person": self.person, "amount": money_number(self.amount), "forfeit": self.forfeit,
                "forfeit_months": list(self.forfeit_months), "violations": self.violations,
                "lines": [line.to_dict() for line in self.lines]}


@dataclass(frozen=True)
class OpenObligation:
    duty: str
    duty_name: str
    case: str | None
    person: str | None
    role: str
    due: datetime
    overdue: bool
    opened_at: datetime
    # Not in the JSON (kept byte for byte): the identity and opener a calendar feed shows.
    key: str = field(default="", compare=False)
    trigger_fact: Fact | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"duty": self.duty, "duty_name": self.duty_name, "case": self.case,
                "person": self.person, "role": self.role, "due": _iso(self.due),
                "overdue": self.overdue, "opened_at": _iso(self.opened_at)}


class PendingStatus(StrEnum):
    """Where an obligation pending calendar data stands at as-of."""

    WAITING = "waiting"        # not fulfilled yet
    FULFILLED = "fulfilled"    # fulfilled; on time or late is known once the year is

    @property
    def words(self) -> Line:
        return line(f"pending.{self.value}_status")


@dataclass(frozen=True)
class PendingObligation:
    """A duty owed whose deadline needs working days of a year the calendar lacks (one not
    yet published): neither a violation nor met until the year is added to the policy."""

    key: str
    duty: str
    duty_name: str
    case: str | None
    person: str | None         # None when the holder at the (unknown) deadline is not certain
    role: str
    opened_at: datetime
    trigger_fact: Fact | None  # None: a weekly duty's week
    missing_year: int
    due_not_before: datetime   # the earliest the deadline can be
    fulfilled_at: datetime | None
    fulfilled_by: str | None

    @property
    def status(self) -> PendingStatus:
        return PendingStatus.WAITING if self.fulfilled_at is None else PendingStatus.FULFILLED

    @property
    def trigger_ref(self) -> str:
        """The trigger fact's id (or where it was read), or '' for a weekly duty's week."""
        fact = self.trigger_fact
        return "" if fact is None else (fact.id or fact.ref())

    def to_dict(self) -> dict[str, Any]:
        trigger = None
        if self.trigger_fact is not None:
            trigger = self.trigger_fact.to_dict()
            if self.trigger_fact.source:
                trigger["source"] = self.trigger_fact.source
        return {"key": self.key, "duty": self.duty, "duty_name": self.duty_name,
                "case": self.case, "person": self.person, "role": self.role,
                "opened_at": _iso(self.opened_at), "trigger": trigger,
                "missing_year": self.missing_year, "due_not_before": _iso(self.due_not_before),
                "status": self.status.value, "fulfilled_at": _iso(self.fulfilled_at),
                "fulfilled_by": self.fulfilled_by}


@dataclass(frozen=True)
class RewardResult:
    person: str
    reward: str
    reward_name: str
    min: Decimal
    max: Decimal
    reason: str
    # The reason as a Line, so a Chinese report says it in Chinese (`reason` is its English).
    detail: Line | None = field(default=None, compare=False)

    def reason_in(self, lang: str) -> str:
        return self.detail.render(lang) if self.detail is not None else self.reason

    def to_dict(self) -> dict[str, Any]:
        return {"person": self.person, "reward": self.reward, "reward_name": self.reward_name,
                "min": money_number(self.min), "max": money_number(self.max), "reason": self.reason}


@dataclass(frozen=True)
class Merit:
    person: str | None
    reward: str
    duty: str
    case: str | None
    due: datetime
    fulfilled_at: datetime
    working_days_early: int

    def to_dict(self) -> dict[str, Any]:
        return {"person": self.person, "reward": self.reward, "duty": self.duty,
                "case": self.case, "due": _iso(self.due), "fulfilled_at": _iso(self.fulfilled_at),
                "working_days_early": self.working_days_early}


@dataclass(frozen=True)
class EvaluationResult:
    period: str | None
    period_start: date | None
    period_end: date | None
    as_of: datetime
    policy: dict[str, Any]
    violations: tuple[Violation, ...]
    people: tuple[PersonTotal, ...]
    obligations: tuple[OpenObligation, ...]
    rewards: tuple[RewardResult, ...]
    merits: tuple[Merit, ...]
    stats: dict[str, int] = field(default_factory=dict)
    notes: tuple[Line, ...] = ()
    # Obligations whose deadline waits for a calendar year not yet published (every one up
    # to as-of, like `obligations`: its deadline, hence its period, is not known).
    pending: tuple[PendingObligation, ...] = ()

    @property
    def pending_years(self) -> tuple[int, ...]:
        return tuple(sorted({p.missing_year for p in self.pending}))

    def person(self, name: str) -> PersonTotal | None:
        return next((p for p in self.people if p.person == name), None)

    def to_dict(self, names: Glossary | None = None) -> dict[str, Any]:
        return {
            "period": self.period,
            "period_start": self.period_start.isoformat() if self.period_start else None,
            "period_end": self.period_end.isoformat() if self.period_end else None,
            "as_of": _iso(self.as_of),
            "policy": self.policy,
            "violations": [v.to_dict(names) for v in self.violations],
            "people": [p.to_dict() for p in self.people],
            "obligations": [o.to_dict() for o in self.obligations],
            "rewards": [r.to_dict() for r in self.rewards],
            "merits": [m.to_dict() for m in self.merits],
            "pending": [p.to_dict() for p in self.pending],
            "stats": dict(self.stats),
            "notes": [note.render("en") for note in self.notes],
        }


_Frozen = TypeVar("_Frozen")


def made(cls: type[_Frozen], **fields: Any) -> _Frozen:
    """A frozen dataclass (no `__post_init__`, no slots) with every field given, made
    without its `__init__`: that sets each field through `object.__setattr__`, 2.5 µs for a
    `Violation` against 0.6 µs here, and a large month has tens of thousands of them. The
    object is the one `cls(**fields)` makes (tests/engine/test_speed_memos.py checks it).
    Used by engine/evaluate.py (inlined where it runs most) and engine/rewards."""
    made_: _Frozen = object.__new__(cls)
    made_.__dict__.update(fields)
    return made_
