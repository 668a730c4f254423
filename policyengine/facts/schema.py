"""A fact as the engine sees it, and the policy-driven check that turns raw input into one.

`FactSchema.build(raw)` is pure: a dict in, a `Fact` or a list of reasons out. Reasons say
what is wrong and what would be right; the reader adds the file and line.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from policyengine.policy.model import AttributeSpec, FactTypeSpec, Policy
from policyengine.suggest import did_you_mean

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
            out[key] = value.isoformat() if isinstance(value, date) else value
        return out


_NO_ATTRS: Mapping[str, Any] = MappingProxyType({})


def parse_time(text: str, tz: ZoneInfo) -> datetime:
    """ISO 8601 (`2026-10-09T10:30:00+08:00`, `2026-10-09 10:30`); no offset = policy zone."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)


_BAD = object()  # a converter's "not valid": the slow path then says why


def _text(value: Any) -> Any:
    return sys.intern(value) if type(value) is str else _BAD


def _day(value: Any) -> Any:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return _BAD


def _choice(values: frozenset[str]) -> Any:
    canonical = {v: v for v in values}  # one shared string object per value
    return lambda value: canonical.get(value, _BAD) if type(value) is str else _BAD


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
        if type(at) is not str:
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


class FactSchema:
    """Checks raw facts against the fact types a policy declares."""

    def __init__(self, policy: Policy):
        self.tz = ZoneInfo(policy.calendar.timezone)
        self.patterns = {name: re.compile(kind.pattern) for name, kind in policy.cases.items()}
        self.examples = {name: kind.example for name, kind in policy.cases.items()}
        self.types = {name: _TypeCheck(name, spec, policy, self.patterns)
                      for name, spec in policy.fact_types.items()}

    def build(self, raw: Any, line: int | None = None,
              origin: str | None = None) -> Fact | list[str]:
        """A `Fact`, or the reasons `raw` is not one (each says what would be right)."""
        if type(raw) is dict:
            kind = raw.get("type")
            check = self.types.get(kind) if type(kind) is str else None
            if check is not None:
                fact = check.fast(raw, self.tz, line, origin)
                if fact is not None:
                    return fact
        return self._reasons(raw, line, origin)

    def _reasons(self, raw: Any, line: int | None, origin: str | None) -> Fact | list[str]:
        if not isinstance(raw, dict):
            return [f"a fact is a JSON object, not {type(raw).__name__}"]
        errors: list[str] = []
        kind = raw.get("type")
        if kind is None or kind == "":
            return ["missing field 'type'"]
        if not isinstance(kind, str):
            return [f"'type' must be a string naming a fact type, not {type(kind).__name__}"]
        check = self.types.get(kind)
        if check is None:
            return [f"unknown fact type '{kind}'" + did_you_mean(kind, self.types)]
        at_text = raw.get("at")
        at: datetime | None = None
        if not isinstance(at_text, str) or not at_text:
            errors.append("missing field 'at' (an ISO 8601 time, e.g. 2026-10-09T10:30:00+08:00)")
        else:
            try:
                at = parse_time(at_text, self.tz)
            except (ValueError, OverflowError):
                errors.append(f"'at' is not an ISO 8601 time: '{at_text}' "
                              "(write e.g. 2026-10-09T10:30:00+08:00)")
        case = self._case(raw.get("case"), check, errors)
        actor = raw.get("actor")
        if actor is not None and not isinstance(actor, str):
            errors.append("'actor' must be a string")
            actor = None
        if actor == "":
            actor = None
        if check.actor_required and actor is None:
            errors.append(f"missing field 'actor' (required for {kind})")
        fact_id = raw.get("id")
        if fact_id is not None and (isinstance(fact_id, bool)
                                    or not isinstance(fact_id, (str, int))):
            errors.append("'id' must be a string")
        attrs = self._attributes(raw, check, errors)
        if errors or at is None:
            return errors
        return Fact(kind, at, case, actor, attrs or _NO_ATTRS,
                    None if fact_id is None else str(fact_id), line, origin)

    def _case(self, case: Any, check: _TypeCheck, errors: list[str]) -> str | None:
        if check.case_rule == "none":
            if case not in (None, ""):
                errors.append(f"a {check.name} fact has no 'case' (got '{case}')")
            return None
        if case is None or case == "":
            errors.append(f"missing field 'case' (the requirement or bug id, for {check.name})")
            return None
        if isinstance(case, int):
            case = str(case)
        if not isinstance(case, str):
            errors.append("'case' must be a string")
            return None
        if not any(p.fullmatch(case) for p in check.case_patterns):
            kinds = ([check.case_rule] if check.case_rule != "any" else list(self.patterns))
            examples = " or ".join(f"'{self.examples[k]}'" for k in kinds if self.examples[k])
            errors.append(f"case id '{case}' is not of the form of a {' or '.join(kinds)} id"
                          + (f" (e.g. {examples})" if examples else ""))
        return case

    def _attributes(self, raw: dict[str, Any], check: _TypeCheck,
                    errors: list[str]) -> dict[str, Any]:
        attrs: dict[str, Any] = {}
        for key, value in raw.items():
            if key in FIELDS:
                continue
            if key not in check.attributes:
                errors.append(f"unknown attribute '{key}' for {check.name}"
                              + did_you_mean(key, check.allowed))
                continue
            if value is None or value == "":
                continue
            converted = self._value(key, value, check.attributes[key], check, errors)
            if converted is not None:
                attrs[key] = converted
        for key in check.required:
            if key not in attrs and not any(e.startswith(f"'{key}'") for e in errors):
                errors.append(f"missing attribute '{key}' (required for {check.name})")
        for key, when in check.conditional:
            if key in attrs:
                continue
            for other, values in when.items():
                if attrs.get(other) in values:
                    errors.append(f"missing attribute '{key}' (required for {check.name} when "
                                  f"{other} is {attrs[other]})")
        return attrs

    def _value(self, key: str, value: Any, spec: AttributeSpec, check: _TypeCheck,
               errors: list[str]) -> Any:
        if spec.type == "date":
            try:
                return date.fromisoformat(str(value))
            except ValueError:
                errors.append(f"'{key}' is not a date: '{value}' (write YYYY-MM-DD)")
                return None
        if not isinstance(value, str):
            errors.append(f"'{key}' must be a string, not {type(value).__name__}")
            return None
        choices = check.choices.get(key)
        if choices is not None and value not in choices:
            errors.append(f"'{key}' is '{value}'" + did_you_mean(value, choices))
            return None
        return value
