"""A fact as the engine sees it, and the policy-driven check that turns raw input into one.

`FactSchema.build(raw)` is pure: a dict in, a `Fact` or a list of reasons out. Reasons say
what is wrong and what would be right; the reader adds the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from policyengine.policy.model import AttributeSpec, FactTypeSpec, Policy
from policyengine.suggest import did_you_mean

FIELDS = ("id", "type", "at", "case", "actor")


class Fact(NamedTuple):
    """One thing that happened. Attributes hold the type's own fields (dates as `date`)."""

    type: str
    at: datetime
    case: str | None = None
    actor: str | None = None
    attrs: Mapping[str, Any] = MappingProxyType({})
    id: str | None = None
    source: str | None = None  # "file:line", for messages

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


def parse_time(text: str, tz: ZoneInfo) -> datetime:
    """ISO 8601 (`2026-10-09T10:30:00+08:00`, `2026-10-09 10:30`); no offset = policy zone."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment


class _TypeCheck:
    """The compiled check of one fact type."""

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
            elif aspec.type == "role":
                self.choices[attr] = frozenset(policy.roles)


class FactSchema:
    """Checks raw facts against the fact types a policy declares."""

    def __init__(self, policy: Policy):
        self.tz = ZoneInfo(policy.calendar.timezone)
        self.patterns = {name: re.compile(kind.pattern) for name, kind in policy.cases.items()}
        self.examples = {name: kind.example for name, kind in policy.cases.items()}
        self.types = {name: _TypeCheck(name, spec, policy, self.patterns)
                      for name, spec in policy.fact_types.items()}

    def build(self, raw: Any, source: str | None = None) -> Fact | list[str]:
        if not isinstance(raw, dict):
            return [f"a fact is a JSON object, not {type(raw).__name__}"]
        errors: list[str] = []
        kind = raw.get("type")
        if not isinstance(kind, str) or not kind:
            return ["missing field 'type'"]
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
            except ValueError:
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
        if fact_id is not None and not isinstance(fact_id, (str, int)):
            errors.append("'id' must be a string")
        attrs = self._attributes(raw, check, errors)
        if errors or at is None:
            return errors
        return Fact(kind, at, case, actor, attrs, None if fact_id is None else str(fact_id), source)

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
        if not any(p.match(case) for p in check.case_patterns):
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
