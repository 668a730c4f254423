"""A fact as the engine sees it, and the policy-driven check that turns raw input into one.

`FactSchema.build(raw)` is pure: a dict in, a `Fact` or a list of reasons out. Reasons say
what is wrong and what would be right, and carry their stable code; the reader adds the file
and line. Types follow docs/fact-format.md strictly: every field and attribute is JSON text,
times and dates in the documented forms only (no number for a date, no `true` for a name).
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from mypy_extensions import mypyc_attr

from policyengine.facts.messages import FactSay, either, json_kind, shown
from policyengine.policy.messages import NOTHING, Words, hint
from policyengine.policy.model import AttributeSpec, FactTypeSpec, Policy

FIELDS = frozenset(("id", "type", "at", "case", "actor"))


class Fact(NamedTuple):
    """One thing that happened. Attributes hold the type's own fields (dates as `date`)."""

    type: str
    at: datetime
    case: str | None = None
    actor: str | None = None
    attrs: Mapping[str, Any] = MappingProxyType({})  # never mutated
    id: str | None = None
    line: int | None = None      # where it was read, for messages
    origin: str | None = None    # the file (one shared string per file)

    @property
    def source(self) -> str | None:
        """`file:line` where the fact was read, if it was read from a file."""
        if self.line is None:
            return self.origin
        return f"{self.origin or '<facts>'}:{self.line}"

    def ref(self) -> str:
        """How messages name this fact: its id, else where it was read, else type and time."""
        return self.id or self.source or f"{self.type}@{self.at.isoformat()}"

    def content(self) -> tuple[Any, ...]:
        """What two facts under the same id must share to be the same fact."""
        return (self.type, self.at, self.case, self.actor, sorted(self.attrs.items()))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": self.type, "at": self.at.isoformat()}
        if self.case is not None:
            out["case"] = self.case
        if self.actor is not None:
            out["actor"] = self.actor
        for key, value in self.attrs.items():
            out[key] = (value.isoformat() if isinstance(value, date)
                        else _json_number(value) if isinstance(value, Decimal) else value)
        return out


_NO_ATTRS: Mapping[str, Any] = MappingProxyType({})


def _json_number(value: Decimal) -> int | float | str:
    """A number attribute as JSON: an integer, else a float that reads back to the same
    Decimal, else (a long decimal) its text, which the reader also takes."""
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    return as_float if Decimal(repr(as_float)) == value else str(value)


@mypyc_attr(native_class=False)  # a str / list subclass stays a Python class
class Reason(str):
    """Why raw input is not a fact: the English text (stable, what machines and tests read),
    carrying its stable code and its Chinese form (facts/messages.py words both)."""

    code: str
    zh: str

    def __new__(cls, code: str, words: Words) -> Reason:
        reason = str.__new__(cls, words.en)  # mypyc: no super().__new__
        reason.code = code
        reason.zh = words.zh
        return reason

    @property
    def words(self) -> Words:
        return Words(str(self), self.zh)

    def get(self, lang: str) -> str:
        """The reason in `lang` (zh or en)."""
        return self.zh if lang == "zh" else str(self)


# Codes of rejected facts (docs/cli.md lists them with what each means).
JSON_ERROR = "E-FACT-JSON"        # not JSON at all, or not a JSON object
TYPE_ERROR = "E-FACT-TYPE"        # an unknown fact type, or a value of the wrong JSON type
TIME_ERROR = "E-FACT-TIME"        # 'at' is text but not a time in the documented form
CASE_ERROR = "E-FACT-CASE"        # a case id not of the form of its kind
MISSING = "E-FACT-MISSING"        # a required field or attribute is absent
VALUE_ERROR = "E-FACT-VALUE"      # any other bad value
DUPLICATE_ID = "E-FACT-DUPLICATE-ID"
ENCODING_ERROR = "E-FACT-ENCODING"  # a line holding bytes that are not UTF-8

TIME_EXAMPLE = "2026-10-09T10:30:00+08:00"
DATE_EXAMPLE = "2026-10-23"


def is_time_form(text: str) -> bool:
    """Whether `text` starts `YYYY-MM-DDTHH:MM` (or a space for the T).

    `datetime.fromisoformat` also takes forms the fact format does not document (a bare date,
    `20261009T1030`, week dates, any character for the T); this cheap shape test keeps them
    out while `fromisoformat` still checks the digits, the rest and the offset.
    """
    return (len(text) >= 16 and text[4] == "-" and text[7] == "-" and text[13] == ":"
            and text[10] in "T ")


def _date_hint(value: Any) -> str:
    """A written date for a value that looks like one (20261023 -> 2026-10-23)."""
    digits = str(value)
    if isinstance(value, int) and not isinstance(value, bool) and len(digits) == 8:
        try:
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:])).isoformat()
        except ValueError:
            pass
    return DATE_EXAMPLE


def parse_time(text: str, tz: ZoneInfo) -> datetime:
    """ISO 8601 (`2026-10-09T10:30:00+08:00`, `2026-10-09 10:30`); no offset = policy zone."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)


_BAD = object()  # a converter's "not valid": the slow path then says why


def _text(value: Any) -> Any:
    return sys.intern(value) if type(value) is str else _BAD


def _day(value: Any) -> Any:
    if type(value) is not str or len(value) != 10 or value[4] != "-" or value[7] != "-":
        return _BAD
    try:
        return date.fromisoformat(value)
    except ValueError:
        return _BAD


# A number written as text: digits, an optional sign and decimal part (no exponent, no
# thousands separator: "1,200" in a CSV cell is refused, not read as 1 or 1200 by guess).
_NUMBER_TEXT = re.compile(r"[+-]?\d{1,30}(?:\.\d{1,30})?")


def _number(value: Any) -> Any:
    """A number attribute: a JSON number or numeric text, read as an exact Decimal."""
    kind = type(value)
    if kind is int:
        return Decimal(value)
    if kind is float:
        return Decimal(repr(value)) if math.isfinite(value) else _BAD
    if kind is str and _NUMBER_TEXT.fullmatch(value):
        return Decimal(value)
    return _BAD


def _money(value: Any) -> Any:
    """A money attribute: a number with at most 2 decimal places (yuan and fen)."""
    number = _number(value)
    if number is _BAD or number.as_tuple().exponent < -2:
        return _BAD
    return number


def read_number(value: Any, money: bool = False) -> Decimal | None:
    """`value` as the reader reads a number (or money) attribute, None if it is not one.
    Policy conditions on such attributes read their operands with it (engine/conditions.py)."""
    number = (_money if money else _number)(value)
    return None if number is _BAD else number


def _choice(values: frozenset[str]) -> Any:
    canonical = {v: v for v in values}  # one shared string object per value
    return lambda value: canonical.get(value, _BAD) if type(value) is str else _BAD


@mypyc_attr(native_class=False)
class _TypeCheck:
    """The compiled check of one fact type: a fast path for valid facts, reasons otherwise."""

    def __init__(self, name: str, spec: FactTypeSpec, policy: Policy, patterns: dict[str, Any]):
        self.name = name
        self.spec = spec
        self.case_rule = spec.case
        self.case_patterns = (
            [] if spec.case == "none"
            else list(patterns.values()) if spec.case == "any"
            else [patterns[spec.case]]
        )
        self.actor_required = spec.actor == "required"
        self.attributes = spec.attributes
        self.allowed = set(FIELDS) | set(spec.attributes)
        self.required = [n for n, a in spec.attributes.items() if a.required]
        self.conditional = [(n, a.required_when) for n, a in spec.attributes.items()
                            if a.required_when]
        self.choices: dict[str, frozenset[str]] = {}
        for attr, aspec in spec.attributes.items():
            if aspec.type == "enum" and aspec.values:
                self.choices[attr] = frozenset(aspec.values)
            elif aspec.type == "tier":
                self.choices[attr] = frozenset(policy.urgency_tiers)
            elif aspec.type == "role":  # only roles held by assignment can be assigned
                self.choices[attr] = frozenset(n for n, r in policy.roles.items() if r.assigned)
        self.converters: dict[str, Any] = {
            attr: (_day if aspec.type == "date"
                   else _number if aspec.type == "number"
                   else _money if aspec.type == "money"
                   else _choice(self.choices[attr]) if attr in self.choices else _text)
            for attr, aspec in spec.attributes.items()
        }
        self.checks_case = bool(self.case_patterns)
        # Case ids already seen valid for this type (a case has many facts): no regex again.
        self.known_cases: dict[str, str] = {}

    def fast(self, raw: dict[str, Any], tz: ZoneInfo, line: int | None,
             origin: str | None) -> Fact | None:
        """The fact, if `raw` is valid; None sends it to the slow path for the reasons."""
        at = raw.get("at")
        # is_time_form(at), inlined: this runs once per fact
        if (type(at) is not str or len(at) < 16 or at[10] not in "T " or at[4] != "-"
                or at[7] != "-" or at[13] != ":"):
            return None
        try:
            moment = datetime.fromisoformat(at)
            # One zone object for every time: comparisons then skip offset look-ups.
            moment = (moment.replace(tzinfo=tz) if moment.tzinfo is None
                      else moment.astimezone(tz))
        except (ValueError, OverflowError):  # e.g. year 1 at +05:00 has no local time
            return None
        case = raw.get("case")
        if not self.checks_case:
            if case is not None and case != "":
                return None
        else:
            known = self.known_cases.get(case) if type(case) is str else None
            if known is None:
                if type(case) is not str or not any(
                        p.fullmatch(case) for p in self.case_patterns):
                    return None
                known = self.known_cases[case] = sys.intern(case)
            case = known
        actor = raw.get("actor")
        if actor == "":
            actor = None
        if actor is None:
            if self.actor_required:
                return None
        elif type(actor) is not str:
            return None
        else:
            actor = sys.intern(actor)
        fact_id = raw.get("id")
        if fact_id is not None and type(fact_id) is not str:
            return None
        attrs: dict[str, Any] = {}
        converters = self.converters
        if len(raw) > 2:
            for key, value in raw.items():
                if key in FIELDS:
                    continue
                convert = converters.get(key)
                if convert is None:
                    return None
                if value is None or value == "":
                    continue
                value = convert(value)
                if value is _BAD:
                    return None
                attrs[key] = value
        for key in self.required:
            if key not in attrs:
                return None
        for key, when in self.conditional:
            if key not in attrs and any(attrs.get(o) in v for o, v in when.items()):
                return None
        return Fact(self.name, moment, case, actor, attrs or _NO_ATTRS, fact_id, line, origin)


@mypyc_attr(native_class=False)
class FactSchema:
    """Checks raw facts against the fact types a policy declares."""

    def __init__(self, policy: Policy):
        self.tz = ZoneInfo(policy.calendar.timezone)
        self.patterns = {name: re.compile(kind.pattern) for name, kind in policy.cases.items()}
        self.examples = {name: kind.example for name, kind in policy.cases.items()}
        self.types = {name: _TypeCheck(name, spec, policy, self.patterns)
                      for name, spec in policy.fact_types.items()}

    def build(self, raw: Any, line: int | None = None,
              origin: str | None = None) -> Fact | list[Reason]:
        """A `Fact`, or the reasons `raw` is not one (each says what would be right)."""
        if type(raw) is dict:
            kind = raw.get("type")
            check = self.types.get(kind) if type(kind) is str else None
            if check is not None:
                fact = check.fast(raw, self.tz, line, origin)
                if fact is not None:
                    return fact
        return self._reasons(raw, line, origin)

    def _reasons(self, raw: Any, line: int | None, origin: str | None) -> Fact | list[Reason]:
        if not isinstance(raw, dict):
            return [Reason(JSON_ERROR, FactSay.NOT_AN_OBJECT(kind=json_kind(raw)))]
        errors: list[Reason] = []
        kind = raw.get("type")
        if kind is None or kind == "":
            return [Reason(MISSING, FactSay.MISSING_TYPE())]
        if not isinstance(kind, str):
            return [Reason(TYPE_ERROR, FactSay.TYPE_NOT_TEXT(kind=json_kind(kind)))]
        check = self.types.get(kind)
        if check is None:
            return [Reason(TYPE_ERROR, FactSay.UNKNOWN_TYPE(name=shown(kind),
                                                            hint=hint(kind, self.types)))]
        at = self._time(raw.get("at"), errors)
        case = self._case(raw.get("case"), check, errors)
        actor = raw.get("actor")
        if actor is not None and not isinstance(actor, str):
            errors.append(_not_text("actor", actor, Words("the person's name", "“张三”这样的人名")))
            actor = None
        elif actor is None or actor == "":
            actor = None
            if check.actor_required:
                errors.append(Reason(MISSING, FactSay.MISSING_ACTOR(type=kind)))
        fact_id = raw.get("id")
        if fact_id is not None and not isinstance(fact_id, str):
            written = str(fact_id) if type(fact_id) is int and len(str(fact_id)) <= 30 else "f-001"
            errors.append(_not_text("id", fact_id, Words(f'"{written}"', f'"{written}"')))
        attrs = self._attributes(raw, check, errors)
        if errors or at is None:
            return errors
        return Fact(kind, at, case, actor, attrs or _NO_ATTRS, fact_id, line, origin)

    def _time(self, text: Any, errors: list[Reason]) -> datetime | None:
        if text is None or text == "":
            errors.append(Reason(MISSING, FactSay.MISSING_AT(example=TIME_EXAMPLE)))
            return None
        if not isinstance(text, str):
            errors.append(Reason(TYPE_ERROR, FactSay.AT_NOT_TEXT(example=TIME_EXAMPLE,
                                                                 kind=json_kind(text))))
            return None
        try:
            if is_time_form(text):
                return parse_time(text, self.tz)
        except (ValueError, OverflowError):
            pass
        cut = text if len(text) <= 60 else text[:60] + "…"
        errors.append(Reason(TIME_ERROR, FactSay.AT_NOT_TIME(value=cut, example=TIME_EXAMPLE)))
        return None

    def _case(self, case: Any, check: _TypeCheck, errors: list[Reason]) -> str | None:
        if check.case_rule == "none":
            if case is not None and case != "":
                errors.append(Reason(VALUE_ERROR, FactSay.NO_CASE_HERE(type=check.name,
                                                                       value=shown(case))))
            return None
        if case is None or case == "":
            errors.append(Reason(MISSING, FactSay.MISSING_CASE(type=check.name)))
            return None
        if not isinstance(case, str):
            example = (str(case) if type(case) is int and len(str(case)) <= 30
                       else self.examples.get(check.case_rule) or next(
                           (e for e in self.examples.values() if e), "26100903"))
            errors.append(_not_text("case", case, Words(f'"{example}"', f'"{example}"')))
            return None
        if not any(p.fullmatch(case) for p in check.case_patterns):
            kinds = ([check.case_rule] if check.case_rule != "any" else list(self.patterns))
            examples = [f"'{self.examples[k]}'" for k in kinds if self.examples[k]]
            errors.append(Reason(CASE_ERROR, FactSay.CASE_FORM(
                value=shown(case), kinds=either(kinds),
                examples=FactSay.FOR_EXAMPLE(examples=either(examples)) if examples
                else NOTHING)))
        return case

    def _attributes(self, raw: dict[str, Any], check: _TypeCheck,
                    errors: list[Reason]) -> dict[str, Any]:
        attrs: dict[str, Any] = {}
        for key, value in raw.items():
            if key in FIELDS:
                continue
            if key not in check.attributes:
                errors.append(Reason(VALUE_ERROR, FactSay.UNKNOWN_ATTRIBUTE(
                    name=shown(key), type=check.name, hint=hint(key, check.allowed))))
                continue
            if value is None or value == "":
                continue
            converted = self._value(key, value, check.attributes[key], check, errors)
            if converted is not None:
                attrs[key] = converted
        for key in check.required:
            if key not in attrs and not any(e.startswith(f"'{key}'") for e in errors):
                errors.append(Reason(MISSING, FactSay.MISSING_ATTRIBUTE(name=key,
                                                                        type=check.name)))
        for key, when in check.conditional:
            if key in attrs or any(e.startswith(f"'{key}'") for e in errors):
                continue
            for other, values in when.items():
                if attrs.get(other) in values:
                    errors.append(Reason(MISSING, FactSay.MISSING_ATTRIBUTE_WHEN(
                        name=key, type=check.name, other=other, value=attrs[other])))
        return attrs

    def _value(self, key: str, value: Any, spec: AttributeSpec, check: _TypeCheck,
               errors: list[Reason]) -> Any:
        if spec.type == "date":
            if not isinstance(value, str):
                errors.append(Reason(TYPE_ERROR, FactSay.DATE_NOT_TEXT(
                    key=key, hint=_date_hint(value), kind=json_kind(value))))
                return None
            converted = _day(value)
            if converted is _BAD:
                errors.append(Reason(VALUE_ERROR, FactSay.NOT_A_DATE(
                    key=key, value=shown(value), example=DATE_EXAMPLE)))
                return None
            return converted
        if spec.type in ("number", "money"):
            converted = (_number if spec.type == "number" else _money)(value)
            if converted is _BAD:
                kind = (Words("'", "“") + shown(value) + Words("'", "”")
                        if isinstance(value, str) else json_kind(value))
                errors.append(Reason(TYPE_ERROR, (
                    FactSay.NOT_A_NUMBER if spec.type == "number" else FactSay.NOT_AN_AMOUNT)(
                        key=key, kind=kind)))
                return None
            return converted
        if not isinstance(value, str):
            errors.append(_not_text(key, value, None))
            return None
        choices = check.choices.get(key)
        if choices is not None and value not in choices:
            errors.append(Reason(VALUE_ERROR, FactSay.NOT_A_CHOICE(
                key=key, value=shown(value), hint=hint(value, choices))))
            return None
        return value


def _not_text(key: str, value: Any, example: Words | None) -> Reason:
    return Reason(TYPE_ERROR, FactSay.NOT_TEXT(
        key=key, example=FactSay.E_G(example=example) if example else NOTHING,
        kind=json_kind(value)))
