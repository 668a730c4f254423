"""The checked, immutable policy model: what a policy file may say, and nothing else.

Every model forbids unknown keys and is frozen. Field shapes are checked here; references
between sections (a duty naming a fact type, a penalty, a role) are checked in `checks.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)

from policyengine.kinds import RewardKind, ScheduleKind
from policyengine.policy.messages import PolicyValueError, Say
from policyengine.timeparse import Span, parse_clock, parse_duration, parse_span

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NAMED_TIMES = ("start_of_work", "end_of_work", "morning_end")


def _clock_ref(value: Any) -> str:
    text = str(value).strip()
    if text in NAMED_TIMES:
        return text
    try:
        parse_clock(text)
    except ValueError:
        raise PolicyValueError(Say.NOT_A_CLOCK_REF(value=text, names=", ".join(NAMED_TIMES))
                               ) from None
    return text


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise PolicyValueError(Say.BAD_REGEX(problem=exc, position=(exc.pos or 0) + 1)) from None
    except (OverflowError, RecursionError) as exc:  # `a{99999999999}`, thousands of '('
        raise PolicyValueError(Say.BAD_REGEX(problem=exc, position=1)) from None
    return value


def _as_fact_match(value: Any) -> Any:
    return {"fact": value} if isinstance(value, str) else value


def _as_named_by(value: Any) -> Any:
    return {"named": value} if isinstance(value, str) else value


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, (str, int)) else value


def _money(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    return value


_CLOCK_SPAN = r"\s*(\d+d)?\s*(\d+h)?\s*(\d+m)?\s*(\d+s)?\s*"
_DURATION_TEXT = f"^{_CLOCK_SPAN}$"
_SPAN_TEXT = f"^(?:{_CLOCK_SPAN}|\\s*\\d+\\s*working_days?\\s*)$"

ClockRef = Annotated[str, BeforeValidator(_clock_ref), WithJsonSchema({
    "type": "string", "examples": ["18:00", "end_of_work", "morning_end"],
    "pattern": r"^(([01]?\d|2[0-3]):[0-5]\d|start_of_work|end_of_work|morning_end)$"})]
Duration = Annotated[timedelta, BeforeValidator(lambda v: parse_duration(str(v))),
                     WithJsonSchema({"type": "string", "pattern": _DURATION_TEXT,
                                     "examples": ["30m", "1h", "2d"]})]
SpanText = Annotated[Span, BeforeValidator(lambda v: parse_span(str(v))),
                     WithJsonSchema({"type": "string", "pattern": _SPAN_TEXT,
                                     "examples": ["1h", "2 working_days"]})]
# An amount above a million yuan is a typo in a performance-pay rule book (and a 5000-digit
# one would print as such in every report): refused with its place. See docs/decisions.md.
MAX_AMOUNT = 1_000_000
Money = Annotated[Decimal, BeforeValidator(_money), Field(ge=0, le=MAX_AMOUNT, decimal_places=2),
                  WithJsonSchema({"type": "number", "minimum": 0, "maximum": MAX_AMOUNT})]
Regex = Annotated[str, AfterValidator(_regex)]
Values = Annotated[
    tuple[str, ...], BeforeValidator(_as_list, json_schema_input_type=str | list[str])
]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Named(Strict):
    """Fields every named policy element may carry."""

    name: str | None = None
    name_en: str | None = None
    clause: str | None = Field(None, description="Where the source policy says this")
    note: str | None = None


# --- policy identity and calendar -------------------------------------------------------


class PolicyInfo(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    name: str
    name_en: str | None = None
    version: str
    currency: Literal["CNY"] = "CNY"
    source: str | None = None
    language: Literal["zh", "en"] | None = Field(
        None, description="The language reports and messages use when --lang is not given")


class WorkingHours(Strict):
    start: ClockRef = "09:00"
    end: ClockRef = "18:00"
    morning_end: ClockRef = "12:00"


class CalendarYear(Strict):
    """Dated days for one year, on top of the official calendar (or instead of it)."""

    holidays: dict[date, str] = Field(default_factory=dict)
    working_days: dict[date, str] = Field(default_factory=dict)


class CalendarSpec(Strict):
    timezone: str = "Asia/Shanghai"
    working_hours: WorkingHours = WorkingHours()
    official: Literal["cn", "none"] = "cn"
    immediately_grace: Duration = timedelta(minutes=30)
    years: dict[int, CalendarYear] = Field(default_factory=dict)


# --- vocabulary ------------------------------------------------------------------------


class CaseKind(Named):
    pattern: Regex
    example: str | None = None


class RoleSpec(Named):
    actor_of: Values | None = Field(
        None, description="The role holder is the actor of the first such fact of the case"
    )
    assigned: bool = Field(False, description="Held by whoever a role.assigned fact names")
    default: str | None = Field(None, description="Holder until the first role.assigned fact")

    @model_validator(mode="after")
    def _one_source(self) -> RoleSpec:
        if bool(self.actor_of) == self.assigned:
            raise PolicyValueError(Say.ROLE_ONE_SOURCE())
        if self.default and not self.assigned:
            raise PolicyValueError(Say.ROLE_DEFAULT())
        return self


class UrgencyTier(Named):
    meaning: str
    meaning_en: str | None = None
    major: bool = False


class AttributeSpec(Strict):
    type: Literal["text", "date", "enum", "tier", "role", "person"] = "text"
    values: tuple[str, ...] | None = None
    required: bool = False
    required_when: dict[str, Values] | None = None
    description: str | None = None

    @model_validator(mode="after")
    def _enum_values(self) -> AttributeSpec:
        if (self.type == "enum") != bool(self.values):
            raise PolicyValueError(Say.ENUM_VALUES())
        return self


class FactTypeSpec(Named):
    description: str | None = None
    case: str = Field("any", description="a case kind, 'any' or 'none'")
    actor: Literal["required", "optional"] = "optional"
    attributes: dict[str, AttributeSpec] = Field(default_factory=dict)


# --- duties ----------------------------------------------------------------------------


class FactMatch(Strict):
    fact: str
    where: dict[str, Values] = Field(default_factory=dict)


TriggerMatch = Annotated[
    FactMatch, BeforeValidator(_as_fact_match, json_schema_input_type=str | FactMatch)
]


class ByTime(Strict):
    """A deadline fixed by the calendar rather than by a duration."""

    named: Literal["end_of_working_day"] | None = None
    weekly: Weekday | None = None
    at: ClockRef | None = None
    cutoff: ByTime | None = None
    date_field: str | None = None
    cron: str | None = None
    if_not_working_day: Literal["next_working_day", "keep"] = "next_working_day"

    @model_validator(mode="after")
    def _one_form(self) -> ByTime:
        forms = [f for f in ("named", "weekly", "date_field", "cron") if getattr(self, f)]
        if len(forms) != 1:
            raise PolicyValueError(Say.BY_ONE_FORM())
        if self.cutoff is not None and not self.weekly:
            raise PolicyValueError(Say.CUTOFF_WEEKLY())
        if (self.weekly or self.date_field) and self.at is None:
            raise PolicyValueError(Say.SAY_AT())
        return self


ByTimeOrName = Annotated[
    ByTime,
    BeforeValidator(_as_named_by, json_schema_input_type=Literal["end_of_working_day"] | ByTime),
]


class Immediately(Strict):
    grace: Duration | None = None


class Anchor(Strict):
    """What a deadline runs from when not from its trigger: the latest fact of type `fact`
    whose attribute `join` equals the trigger's attribute of that name (decision.made ->
    meeting.ended by `meeting`: 会后1小时)."""

    fact: str = Field(description="the fact type the deadline runs from")
    join: str = Field(description="the attribute the anchor and the trigger share")


class Deadline(Strict):
    within: SpanText | None = None
    by: ByTimeOrName | None = None
    immediately: Immediately | None = None
    from_: Anchor | None = Field(
        None, alias="from",
        description="run from another fact (the latest with the same join value) instead of "
                    "the trigger; without one, from the trigger")

    @model_validator(mode="after")
    def _one_form(self) -> Deadline:
        if sum(x is not None for x in (self.within, self.by, self.immediately)) != 1:
            raise PolicyValueError(Say.DEADLINE_ONE_FORM())
        return self


class DatedDeadline(Deadline):
    """A deadline rule that replaces the duty's `deadline` for triggers from `effective` on."""

    effective: date


class Extension(Strict):
    """A commitment's date moves when a delay requested before the deadline is approved."""

    requested_by: TriggerMatch
    approved_by: TriggerMatch
    date_field: str = "new_due"
    at: ClockRef = "end_of_work"


class Duty(Named):
    trigger: TriggerMatch | None = None
    recurring: ByTime | None = None
    fulfilled_by: TriggerMatch
    deadline: Deadline | None = None
    deadline_changes: tuple[DatedDeadline, ...] = Field(
        (), description="Later deadline rules, oldest first; each applies to triggers from its "
                        "effective date on")
    extension: Extension | None = None
    responsible: str
    penalty: str = Field(description="a penalty id, or 'none'")

    @model_validator(mode="after")
    def _shape(self) -> Duty:
        if (self.trigger is None) == (self.recurring is None):
            raise PolicyValueError(Say.DUTY_TRIGGER_OR_RECURRING())
        if self.trigger is not None and self.deadline is None:
            raise PolicyValueError(Say.DUTY_NEEDS_DEADLINE())
        if self.deadline_changes and self.deadline is None:
            raise PolicyValueError(Say.CHANGES_NEED_DEADLINE())
        if self.recurring is not None and self.deadline is not None:
            raise PolicyValueError(Say.RECURRING_NO_DEADLINE())
        if self.recurring is not None and not self.recurring.weekly:
            raise PolicyValueError(Say.RECURRING_WEEKLY())
        return self


# --- penalties and rewards -------------------------------------------------------------


class PenaltyVersionBase(Strict):
    """A dated version of a penalty rule: `effective` and exactly one schedule, a key named
    after its kind (`per_instance: 20`). The keys and their shapes come from the schedule
    kinds themselves (engine/penalties/, one module each): `PenaltyVersion`, built at the
    end of this module, is this class with one optional field per registered kind."""

    effective: date

    @property
    def schedule(self) -> tuple[ScheduleKind, Any]:
        """The kind given and its terms."""
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name != "effective" and value is not None:
                return ScheduleKind(name), value
        raise AssertionError("a checked version has a schedule")  # _one_schedule

    @model_validator(mode="after")
    def _one_schedule(self) -> PenaltyVersionBase:
        kinds = [name for name in type(self).model_fields if name != "effective"]
        if sum(getattr(self, name) is not None for name in kinds) != 1:
            raise PolicyValueError(Say.ONE_SCHEDULE(either=", ".join(kinds[:-1]), last=kinds[-1]))
        return self


if TYPE_CHECKING:
    PenaltyVersion = PenaltyVersionBase


class Penalty(Named):
    versions: tuple[PenaltyVersion, ...] = Field(min_length=1)


class RewardVersion(Strict):
    effective: date
    min: Money
    max: Money


class Reward(Named):
    kind: RewardKind
    duties: tuple[str, ...] = ()
    fraction: float | None = Field(None, gt=0, le=1)
    role: str | None = None
    rules: tuple[str, ...] = ()
    handled: tuple[str, ...] = ()
    versions: tuple[RewardVersion, ...] = ()


class Policy(Strict):
    policy: PolicyInfo
    calendar: CalendarSpec = CalendarSpec()
    cases: dict[str, CaseKind]
    roles: dict[str, RoleSpec]
    urgency_tiers: dict[str, UrgencyTier] = Field(default_factory=dict)
    fact_types: dict[str, FactTypeSpec]
    duties: dict[str, Duty]
    penalties: dict[str, Penalty] = Field(default_factory=dict)
    rewards: dict[str, Reward] = Field(default_factory=dict)


class _Dated(Protocol):
    @property
    def effective(self) -> date: ...


DatedT = TypeVar("DatedT", bound=_Dated)


def in_force(versions: Iterable[DatedT], day: date) -> DatedT | None:
    """The latest version whose effective date is on or before `day` (oldest-first input)."""
    found = None
    for version in versions:
        if version.effective <= day:
            found = version
    return found


if not TYPE_CHECKING:
    # A kind's YAML shape lives with its kind; they import the types above, so this comes last.
    from policyengine.engine.penalties import penalty_version_model

    PenaltyVersion = penalty_version_model(PenaltyVersionBase)
    Penalty.model_rebuild()
    Policy.model_rebuild()

SECTION_NAMES = tuple(Policy.model_fields)
