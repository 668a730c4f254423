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
    Discriminator,
    Field,
    PlainValidator,
    Tag,
    WithJsonSchema,
    model_validator,
)
from pydantic import (
    Strict as StrictValue,
)

from policyengine.kinds import HitPolicy, LatenessMeasure, Operator, RewardKind, schedule_kind
from policyengine.policy.messages import PolicyValueError, Say, given_words
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


def _as_texts(value: Any) -> Any:
    """Membership values as text: `amount: 5` on a number attribute is compared as a number
    once compiled (engine/compiled.py reads the text back by the attribute's type)."""
    value = _as_list(value)
    if isinstance(value, (list, tuple)):
        return [str(v) if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)
                else v for v in value]
    return value


def _money(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    return value


_CLOCK_SPAN = r"\s*(\d+d)?\s*(\d+h)?\s*(\d+m)?\s*(\d+s)?\s*"
_DURATION_TEXT = f"^{_CLOCK_SPAN}$"
_SPAN_TEXT = (f"^(?:{_CLOCK_SPAN}|\\s*\\d+\\s*working_days?\\s*"
              f"|\\s*\\d+\\s*(?:months?|years?)\\s*)$")

ClockRef = Annotated[str, BeforeValidator(_clock_ref), WithJsonSchema({
    "type": "string", "examples": ["18:00", "end_of_work", "morning_end"],
    "pattern": r"^(([01]?\d|2[0-3]):[0-5]\d|start_of_work|end_of_work|morning_end)$"})]
Duration = Annotated[timedelta, BeforeValidator(lambda v: parse_duration(str(v))),
                     WithJsonSchema({"type": "string", "pattern": _DURATION_TEXT,
                                     "examples": ["30m", "1h", "2d"]})]
SpanText = Annotated[Span, BeforeValidator(lambda v: parse_span(str(v))),
                     WithJsonSchema({"type": "string", "pattern": _SPAN_TEXT,
                                     "examples": ["1h", "2 working_days", "6 months"]})]
# An amount above a million yuan is a typo in a performance-pay rule book (and a 5000-digit
# one would print as such in every report): refused with its place. See docs/decisions.md.
MAX_AMOUNT = 1_000_000
# `true` or `false` only: the YAML reader keeps `yes`, `on`, `1` as written (docs/policy-format.md),
# and pydantic would otherwise read them, and "true" in quotes, as booleans.
Flag = Annotated[bool, StrictValue()]
Money = Annotated[Decimal, BeforeValidator(_money), Field(ge=0, le=MAX_AMOUNT, decimal_places=2),
                  WithJsonSchema({"type": "number", "minimum": 0, "maximum": MAX_AMOUNT})]
Regex = Annotated[str, AfterValidator(_regex)]
Values = Annotated[
    tuple[str, ...], BeforeValidator(_as_list, json_schema_input_type=str | list[str])
]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# What a `where` condition compares with: text, a number or a date (checked against the
# attribute's type in checks.py, E-WHERE-TYPE, and converted by engine/compiled.py).
_OPERAND_TYPES = (str, int, float, date)


def _operand(value: Any) -> Any:
    """One scalar, kept as written. A boolean is kept too (not read as 1 by a union of
    number types) so checks.py refuses it with the attribute's type; a list, a mapping or
    nothing is refused here in one sentence rather than once per member of the union."""
    if isinstance(value, _OPERAND_TYPES):
        return value
    raise PolicyValueError(Say.NOT_OPERAND(given=given_words(value)), "E-WHERE-TYPE")


def _between(value: Any) -> Any:
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return value
    raise PolicyValueError(Say.BETWEEN_TWO())


Operand = Annotated[str | int | float | date, PlainValidator(
    _operand, json_schema_input_type=str | int | float | date)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Named(Strict):
    """Fields every named policy element may carry."""

    name: str | None = None
    name_en: str | None = None
    clause: str | None = Field(None, description="Where the source policy says this")
    note: str | None = None


# --- policy identity and calendar -------------------------------------------------------


# Codes an author may write for a language, and the one meant: difflib would offer 'en' for
# 'cn' (one letter apart).
_LANGUAGE_CODES = {"cn": "zh", "chn": "zh", "chinese": "zh", "zh-cn": "zh", "zh_cn": "zh",
                   "zh-hans": "zh", "中文": "zh", "汉语": "zh", "english": "en", "en-us": "en",
                   "en_us": "en", "en-gb": "en", "英文": "en", "英语": "en"}


def _language_code(value: Any) -> Any:
    meant = _LANGUAGE_CODES.get(value.strip().lower()) if isinstance(value, str) else None
    if meant is not None:
        raise PolicyValueError(Say.LANGUAGE_CODE(value=value, meant=meant))
    return value


class PolicyInfo(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    name: str
    name_en: str | None = None
    version: str
    currency: Literal["CNY"] = "CNY"
    source: str | None = None
    language: Annotated[Literal["zh", "en"] | None, BeforeValidator(_language_code)] = Field(
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
    assigned: Flag = Field(False, description="Held by whoever a role.assigned fact names")
    default: str | None = Field(None, description="Holder until the first role.assigned fact")
    members: Values | None = Field(None, description="A fixed group: any of these people")

    @model_validator(mode="after")
    def _one_source(self) -> RoleSpec:
        if [bool(self.actor_of), self.assigned, bool(self.members)].count(True) != 1:
            raise PolicyValueError(Say.ROLE_ONE_SOURCE())
        if self.default and not self.assigned:
            raise PolicyValueError(Say.ROLE_DEFAULT(), key="default")
        return self


class UrgencyTier(Named):
    meaning: str
    meaning_en: str | None = None
    major: Flag = False


class AttributeSpec(Strict):
    type: Literal["text", "date", "enum", "tier", "role", "person", "number", "money"] = "text"
    values: tuple[str, ...] | None = None
    required: Flag = False
    required_when: dict[str, Values] | None = None
    name: str | None = Field(None, description="the attribute's name in the source rule book, "
                             "e.g. 到货批次号: how Chinese explanations call it")
    value_names: dict[str, str] | None = Field(
        None, description="an enum's values by their names in the source rule book, e.g. "
        "{written: 书面, oral: 口头}: how Chinese explanations say them")
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


class Comparison(Strict):
    """Operators on one attribute, all of which must hold: `{ge: 5, lt: 10}`."""

    gt: Operand | None = None
    ge: Operand | None = None
    lt: Operand | None = None
    le: Operand | None = None
    eq: Operand | None = None
    ne: Operand | None = None
    in_: tuple[Operand, ...] | None = Field(None, alias="in")
    not_in: tuple[Operand, ...] | None = None
    between: Annotated[tuple[Operand, Operand], BeforeValidator(_between)] | None = Field(
        None, description="inclusive: [low, high]")

    @property
    def tests(self) -> tuple[tuple[Operator, Any], ...]:
        """(operator, operand) for each operator written, in the order of `Operator`."""
        return tuple((op, getattr(self, op.field)) for op in Operator
                     if getattr(self, op.field) is not None)

    @model_validator(mode="after")
    def _some(self) -> Comparison:
        if not self.tests:
            raise PolicyValueError(Say.NO_OPERATOR(names=", ".join(Operator)),
                                   "E-WHERE-OPERATOR")
        return self


MembershipValues = Annotated[
    tuple[str, ...], BeforeValidator(_as_texts, json_schema_input_type=str | list[str])
]
# A condition is either values (membership, as always) or a mapping of operators. The tags'
# names hold '[' so error locations skip them, as they skip pydantic's other wrappers.
Condition = Annotated[
    Annotated[MembershipValues, Tag("where[values]")] | Annotated[Comparison,
                                                                  Tag("where[operators]")],
    Discriminator(lambda v: "where[operators]" if isinstance(v, (dict, Comparison))
                  else "where[values]"),
]
Where = dict[str, Condition]


class Who(Strict):
    """Who may make a fact that counts: a role's members or holder, and/or named people
    (either satisfies)."""

    role: str | None = None
    people: Values = ()

    @model_validator(mode="after")
    def _someone(self) -> Who:
        if self.role is None and not self.people:
            raise PolicyValueError(Say.BY_SOMEONE())
        return self


class FactMatch(Strict):
    fact: str
    where: Where = Field(
        default_factory=dict,
        description="attribute (or case.<decision>) -> value, [values] or {operator: operand}")
    by: Who | None = Field(None, description="Only facts by these people count")


TriggerMatch = Annotated[
    FactMatch, BeforeValidator(_as_fact_match, json_schema_input_type=str | FactMatch)
]


def _as_matches(value: Any) -> Any:
    return [value] if isinstance(value, (str, dict)) else value


FactMatches = Annotated[
    tuple[TriggerMatch, ...],
    Field(min_length=1),
    BeforeValidator(_as_matches, json_schema_input_type=str | FactMatch | list[str | FactMatch]),
]


class PerAttribute(Strict):
    """Obligations keyed by (case, this attribute of the trigger)."""

    attribute: str


def _per_word(value: Any) -> Any:
    if isinstance(value, str) and value in ("case", "trigger"):
        return value
    raise PolicyValueError(Say.PER_FORM(value=value))


# `per` is a word or `{attribute: X}`: the shape picks the one read, so a mistake is told once
# (the tags' names hold '[' so error locations skip them).
Per = Annotated[
    Annotated[Literal["case", "trigger"], BeforeValidator(_per_word), Tag("per[word]")]
    | Annotated[PerAttribute, Tag("per[attribute]")],
    Discriminator(lambda v: "per[attribute]" if isinstance(v, (dict, PerAttribute))
                  else "per[word]"),
]


def _monthly(value: Any) -> int | str:
    """A day of the month (1-31) or `last_working_day`."""
    if value == "last_working_day":
        return "last_working_day"
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 31:
        return value
    if isinstance(value, str) and value.strip().isdigit() and 1 <= int(value) <= 31:
        return int(value)
    raise PolicyValueError(Say.NOT_MONTHLY(value=value))


MonthlyDay = Annotated[int | str, BeforeValidator(_monthly), WithJsonSchema({
    "anyOf": [{"type": "integer", "minimum": 1, "maximum": 31},
              {"const": "last_working_day"}],
    "description": "a day of the month (1-31; a short month uses its last day) or "
                   "last_working_day"})]
_MONTH_DAY_TEXT = r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"


def _month_day(value: Any) -> str:
    """`MM-DD` of a yearly window; 02-29 is allowed (a common year uses 02-28)."""
    text = str(value).strip()
    match = re.fullmatch(_MONTH_DAY_TEXT, text)
    if match is None or int(match.group(2)) > _DAYS_IN_MONTH[int(match.group(1)) - 1]:
        raise PolicyValueError(Say.NOT_MONTH_DAY(value=text))
    return text


_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
MonthDayText = Annotated[str, BeforeValidator(_month_day), WithJsonSchema({
    "type": "string", "pattern": _MONTH_DAY_TEXT, "examples": ["03-25", "12-31"]})]


class YearWindow(Strict):
    """A yearly window: the duty opens at the start of `from` and is due at `at` on `to`
    (a `to` before `from` falls in the next year)."""

    from_: MonthDayText = Field(alias="from")
    to: MonthDayText


# The calendar forms a recurring duty may use, and `by:` deadlines too (docs: D20).
RECURRING_FORMS = ("weekly", "monthly", "yearly", "cron")


class _TimeForm(Strict):
    """The calendar forms shared by `by:` deadlines and `recurring:` duties."""

    weekly: Weekday | None = None
    monthly: MonthlyDay | None = None
    yearly: YearWindow | None = None
    cron: str | None = Field(None, description="a cron expression in the policy's time zone; "
                                               "its times are never moved")
    at: ClockRef | None = None
    if_not_working_day: Literal["next_working_day", "keep"] = "next_working_day"

    def _forms(self, names: tuple[str, ...]) -> list[str]:
        return [f for f in names if getattr(self, f) is not None]

    def _needs_at(self) -> bool:
        return bool(self.weekly or self.monthly or self.yearly)


class ByTime(_TimeForm):
    """A deadline fixed by the calendar rather than by a duration."""

    named: Literal["end_of_working_day"] | None = None
    cutoff: ByTime | None = None
    date_field: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> ByTime:
        if len(self._forms(("named", *RECURRING_FORMS, "date_field"))) != 1:
            raise PolicyValueError(Say.BY_ONE_FORM())
        if self.cutoff is not None and not self.weekly:
            raise PolicyValueError(Say.CUTOFF_WEEKLY(), key="cutoff")
        if (self._needs_at() or self.date_field) and self.at is None:
            raise PolicyValueError(Say.SAY_AT())
        return self


class Recurring(_TimeForm):
    """When a recurring duty falls due: one obligation per period (week, month, year, or
    the time between two cron times)."""

    @model_validator(mode="after")
    def _one_form(self) -> Recurring:
        if len(self._forms(RECURRING_FORMS)) != 1:
            raise PolicyValueError(Say.RECURRING_FORMS())
        if self._needs_at() and self.at is None:
            raise PolicyValueError(Say.SAY_AT())
        return self


def _recurring_mapping(value: Any) -> Any:
    """`recurring: fri`, `recurring: end_of_working_day`, `recurring: {date_field: x}`: none
    is a recurring form, so say which forms an author may write."""
    if not isinstance(value, dict) or not any(k in value for k in RECURRING_FORMS):
        raise PolicyValueError(Say.RECURRING_FORMS())
    return value


RecurringTime = Annotated[Recurring, BeforeValidator(_recurring_mapping,
                                                     json_schema_input_type=Recurring)]


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
    recurring: RecurringTime | None = None
    fulfilled_by: FactMatches = Field(description="One fact match, or a list: any of them fulfils")
    per: Per = Field(
        "case", description="case: one open obligation per case; trigger: one per trigger fact; "
                            "{attribute: X}: one per case and value of the trigger's X")
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
            raise PolicyValueError(Say.CHANGES_NEED_DEADLINE(), key="deadline_changes")
        if self.recurring is not None and self.deadline is not None:
            raise PolicyValueError(Say.RECURRING_NO_DEADLINE(), key="deadline")
        if self.recurring is not None and self.per != "case":
            raise PolicyValueError(Say.RECURRING_PER(), key="per")
        return self


# --- penalties and rewards -------------------------------------------------------------


class PenaltyVersionBase(Strict):
    """A dated version of a penalty rule: `effective` and exactly one schedule, a key named
    after its kind (`per_instance: 20`). The keys and their shapes come from the schedule
    kinds themselves (engine/penalties/, one module each): `PenaltyVersion`, built at the
    end of this module, is this class with one optional field per registered kind."""

    effective: date

    @property
    def schedule(self) -> tuple[str, Any]:
        """The kind given (a `ScheduleKind` member when built in) and its terms."""
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name != "effective" and value is not None:
                return schedule_kind(name), value
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
    measure: LatenessMeasure = Field(
        LatenessMeasure.CALENDAR_TIME,
        description="how lateness tiers are read: calendar_time (1d = 24 hours) or "
                    "working_time (1d = one working day later, 1h = one working hour)")
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


# --- decision tables -------------------------------------------------------------------


class DecisionRule(Strict):
    when: Where = Field(default_factory=dict,
                        description="conditions on the inputs, in `where` syntax; none = always")
    then: str

    @model_validator(mode="before")
    @classmethod
    def _then_text(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("then"), (int, float, Decimal)) \
                and not isinstance(data.get("then"), bool):
            return {**data, "then": str(data["then"])}
        return data


class Decision(Named):
    """A DMN-like decision table: a fact of type `on` sets the case value named by the key."""

    on: str = Field(description="the fact type (with a case) whose facts are evaluated")
    hit_policy: HitPolicy = HitPolicy.FIRST
    inputs: tuple[str, ...] = Field(min_length=1)
    rules: tuple[DecisionRule, ...] = Field(min_length=1)
    outputs: tuple[str, ...] = Field(
        (), description="the values it may give; with `priority`, highest first")


class Prohibition(Named):
    """A fact that must not happen: each matching fact is a violation of its own."""

    fact: TriggerMatch
    responsible: str = Field(description="'actor' (the fact's actor) or a role name")
    penalty: str = Field(description="a penalty id, or 'none'")


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
    decisions: dict[str, Decision] = Field(default_factory=dict)
    prohibitions: dict[str, Prohibition] = Field(default_factory=dict)


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
    from policyengine.engine.penalties import ON_NEW_KIND, penalty_version_model

    def _build_versions() -> None:
        """(Re)build a version's keys from the registered kinds; a kind registered later
        (a plug-in module imported after this one) calls it again."""
        global PenaltyVersion
        PenaltyVersion = penalty_version_model(PenaltyVersionBase)
        Penalty.model_fields["versions"].annotation = tuple[PenaltyVersion, ...]
        Penalty.model_rebuild(force=True)
        Policy.model_rebuild(force=True)

    _build_versions()
    ON_NEW_KIND.append(_build_versions)

SECTION_NAMES = tuple(Policy.model_fields)
