"""Checks across sections: references that must exist, schedules that must fit together.

Runs on a shape-valid `Policy`; returns every problem found (empty list = valid).
"""

from __future__ import annotations

import itertools
import re
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from croniter import CroniterError, croniter

from policyengine.engine.conditions import (
    CASE_PREFIX,
    ORDERED_TYPES,
    TEXT_TYPE,
    decision_of,
    operand,
)
from policyengine.engine.penalties import SCHEDULES
from policyengine.engine.rewards import REWARDS
from policyengine.errors import Diagnostic, Location
from policyengine.kinds import HitPolicy, Operator, ScheduleKind
from policyengine.policy.messages import Say, Words, diagnostic, hint, thing
from policyengine.policy.model import (
    NAMED_TIMES,
    ByTime,
    Comparison,
    Deadline,
    Duty,
    FactMatch,
    Named,
    Policy,
    Recurring,
    Reward,
)
from policyengine.timeparse import parse_clock

Locate = Callable[..., Location]

ROLE_FACT = "role.assigned"
WHOLE = "*"  # in `broken`: the whole section could not be read
_SECTION_OF = {"E-UNKNOWN-CASE-KIND": "cases", "E-UNKNOWN-FACT-TYPE": "fact_types",
               "E-UNKNOWN-ROLE": "roles", "E-UNKNOWN-PENALTY": "penalties",
               "E-UNKNOWN-DUTY": "duties", "E-UNKNOWN-DECISION": "decisions"}
ACTOR = "actor"  # a prohibition's `responsible`: whoever made the forbidden fact
# A reward's terms: the keys some kind reads (each kind reads its `needs`).
_REWARD_TERMS = frozenset(Reward.model_fields) - frozenset(Named.model_fields) - {"kind"}
SPECIAL_CASES = ("any", "none")
# What a condition's operand must be, by the attribute's type (else E-WHERE-TYPE).
_KIND_WORDS = {"number": Say.KIND_A_NUMBER, "money": Say.KIND_AN_AMOUNT, "date": Say.KIND_A_DATE}


class _Checker:
    def __init__(self, policy: Policy, locate: Locate, broken: dict[str, set[str]],
                 parts: Mapping[str, Mapping[str, Mapping[str, Any]]]):
        self.policy = policy
        self.locate = locate
        self.parts = parts  # section -> broken entry -> its fields valid on their own
        self.broken = {name for names in broken.values() for name in names}
        # Sections not read at all (misspelt, or not a mapping): any name may be in them.
        self.unreadable = {section for section, names in broken.items() if WHOLE in names}
        self.out: list[Diagnostic] = []

    def error(self, path: Sequence[str | int], code: str, words: Words, *,
              key: bool = False) -> None:
        self.out.append(diagnostic(self.locate(tuple(path), key=key), code, words))

    def known(self, path: Sequence[str | int], code: str, what: str, name: str,
              pool: Iterable[str], *, key: bool = False) -> bool:
        """`key`: `name` is a key of a mapping (located there, not at its value)."""
        pool = list(pool)
        if name in pool:
            return True
        if name in self.broken or _SECTION_OF.get(code) in self.unreadable:
            return False  # exists, or may: its own errors were reported already
        self.error(path, code, Say.UNKNOWN_NAME(what=thing(what), name=name,
                                                hint=hint(name, pool)), key=key)
        return False

    # -- sections ------------------------------------------------------------------

    def run(self) -> list[Diagnostic]:
        self.calendar()
        self.cases()
        self.fact_types()
        self.roles()
        for duty_id in self.policy.duties:
            self.duty(duty_id)
        for duty_id, fields in self.parts.get("duties", {}).items():
            self.broken_duty(duty_id, fields)
        for penalty_id in self.policy.penalties:
            self.penalty(penalty_id)
        for reward_id in self.policy.rewards:
            self.reward(reward_id)
        for decision_id in self.policy.decisions:
            self.decision(decision_id)
        for prohibition_id in self.policy.prohibitions:
            self.prohibition(prohibition_id)
        return self.out

    def cases(self) -> None:
        """A case kind's `example` fits its `pattern`: messages offer it as the id to follow."""
        for name, kind in self.policy.cases.items():
            if kind.example is not None and not re.fullmatch(kind.pattern, kind.example):
                self.error(("cases", name, "example"), "E-VALUE", Say.EXAMPLE_NOT_PATTERN(
                    example=kind.example, pattern=kind.pattern))

    def calendar(self) -> None:
        cal = self.policy.calendar
        self.working_hours()
        try:
            zoneinfo.ZoneInfo(cal.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: 'Asia' is a folder
            self.error(("calendar", "timezone"), "E-VALUE",
                       Say.UNKNOWN_TIMEZONE(value=cal.timezone))
        for year, days in cal.years.items():
            for kind in ("holidays", "working_days"):
                for day in getattr(days, kind):
                    if day.year != year:
                        self.error(("calendar", "years", year, kind), "E-VALUE",
                                   Say.WRONG_YEAR(day=day, year=year))
            both = set(days.holidays) & set(days.working_days)
            for day in sorted(both):
                self.error(("calendar", "years", year), "E-VALUE",
                           Say.HOLIDAY_AND_WORKING(day=day))

    def working_hours(self) -> None:
        """The working day runs forwards and the morning ends inside it; else every deadline
        at end_of_work or morning_end moves silently (an 08:00 end turned 40 violations
        of the sample month into 73)."""
        hours = self.policy.calendar.working_hours
        clocks = {}
        for name in ("start", "end", "morning_end"):
            value = getattr(hours, name)
            if value in NAMED_TIMES:
                self.error(("calendar", "working_hours", name), "E-VALUE",
                           Say.WORKING_HOURS_NAMED(field=name, value=value))
                return
            clocks[name] = parse_clock(value)
        path = ("calendar", "working_hours")
        if clocks["end"] <= clocks["start"]:
            self.error((*path, "end"), "E-WORKING-HOURS",
                       Say.WORKDAY_ORDER(start=hours.start, end=hours.end))
        elif not clocks["start"] < clocks["morning_end"] < clocks["end"]:
            self.error((*path, "morning_end"), "E-WORKING-HOURS", Say.MORNING_END_OUTSIDE(
                morning=hours.morning_end, start=hours.start, end=hours.end))

    def deadline_length(self, path: tuple[str | int, ...], deadline: Deadline) -> None:
        """`within: 0m` would make every fulfilment late, silently. (A count of working days or
        of months has no hours and is never zero: the parser refuses `0 months`.)"""
        within = deadline.within
        if (within is not None and not within.working_days and not within.months
                and within.hours <= timedelta(0)):
            self.error((*path, "within"), "E-VALUE", Say.ZERO_DEADLINE(value=str(within)))

    def fact_types(self) -> None:
        kinds = [*self.policy.cases, *SPECIAL_CASES]
        tiers = list(self.policy.urgency_tiers)
        for name, spec in self.policy.fact_types.items():
            base = ("fact_types", name)
            self.known((*base, "case"), "E-UNKNOWN-CASE-KIND", "case kind", spec.case, kinds)
            for attr, aspec in spec.attributes.items():
                if attr in ("id", "type", "at", "case", "actor"):
                    self.error((*base, "attributes", attr), "E-VALUE",
                               Say.FACT_FIELD_NOT_ATTRIBUTE(name=attr), key=True)
                if aspec.type == "tier" and not tiers:
                    self.error((*base, "attributes", attr), "E-VALUE", Say.TIER_NEEDS_TIERS())
                self.value_names((*base, "attributes", attr), name, attr)
                for other, values in (aspec.required_when or {}).items():
                    where = (*base, "attributes", attr, "required_when", other)
                    if self.known(where, "E-UNKNOWN-ATTRIBUTE", f"attribute of {name}", other,
                                  spec.attributes):
                        self.values_ok(where, name, other, values)
        if any(r.assigned for r in self.policy.roles.values()):
            role_fact = self.policy.fact_types.get(ROLE_FACT)
            if role_fact is None or not {"role", "person"} <= set(role_fact.attributes):
                self.error(("fact_types",), "E-MISSING-KEY", Say.ROLE_FACT_NEEDED(fact=ROLE_FACT))

    def value_names(self, path: tuple[str | int, ...], fact: str, attr: str) -> None:
        """`value_names` names an enum's own values: on another type it would be ignored."""
        spec = self.policy.fact_types[fact].attributes[attr]
        if spec.value_names is None:
            return
        if spec.values is None:
            self.error((*path, "value_names"), "E-UNUSED-KEY", Say.VALUE_NAMES_NOT_READ(
                type=spec.type), key=True)
            return
        for value in spec.value_names:
            self.known((*path, "value_names", value), "E-UNKNOWN-VALUE",
                       f"value of {fact}.{attr}", value, spec.values, key=True)

    def roles(self) -> None:
        for name, role in self.policy.roles.items():
            for i, fact in enumerate(role.actor_of or ()):
                self.fact_type(("roles", name, "actor_of", i), fact)

    def fact_type(self, path: Sequence[str | int], name: str) -> bool:
        return self.known(path, "E-UNKNOWN-FACT-TYPE", "fact type", name,
                          self.policy.fact_types)

    def match(self, path: tuple[str | int, ...], match: FactMatch) -> bool:
        if not self.fact_type((*path, "fact"), match.fact):
            return False
        spec = self.policy.fact_types[match.fact]
        for key, condition in match.where.items():
            where = (*path, "where", key)
            decision = decision_of(key)
            if decision is not None:
                self.case_condition(where, match.fact, key, decision, condition)
            elif self.known(where, "E-UNKNOWN-ATTRIBUTE", f"attribute of {match.fact}", key,
                            spec.attributes):
                self.condition(where, match.fact, key, condition)
        if match.by is not None:
            self.who((*path, "by"), match.by.role)
        return True

    def allowed_values(self, fact: str, attr: str) -> Iterable[str] | None:
        spec = self.policy.fact_types[fact].attributes[attr]
        return self.policy.urgency_tiers if spec.type == "tier" else spec.values

    def case_condition(self, where: tuple[str | int, ...], fact: str, key: str, decision: str,
                       condition: tuple[str, ...] | Comparison) -> None:
        """`case.<decision>`: a decision that exists, on a fact that has a case."""
        if not self.known(where, "E-UNKNOWN-DECISION", "decision", decision,
                          self.policy.decisions):
            return
        if self.policy.fact_types[fact].case == "none":
            self.error(where, "E-VALUE", Say.CASE_VALUE_NEEDS_CASE(fact=fact, key=key), key=True)
        table = self.policy.decisions[decision]
        outputs = table.outputs or tuple(dict.fromkeys(r.then for r in table.rules))
        self.condition(where, f"{CASE_PREFIX}{decision}", "", condition, TEXT_TYPE, outputs)

    def condition(self, where: tuple[str | int, ...], fact: str, attr: str,
                  condition: tuple[str, ...] | Comparison, kind: str | None = None,
                  allowed: Iterable[str] | None = None) -> None:
        """Values, or operators, a fact of that attribute type can be compared with."""
        if kind is None:
            kind = self.policy.fact_types[fact].attributes[attr].type
            allowed = self.allowed_values(fact, attr)
        name = f"{fact}.{attr}" if attr else fact
        owner, _, short = name.rpartition(".")
        if isinstance(condition, tuple):
            for value in condition:
                self.operand(where, owner, short, kind, value, allowed)
            return
        for op, value in condition.tests:
            at = (*where, op.value)
            if op.orders and kind not in ORDERED_TYPES:
                self.error(at, "E-WHERE-TYPE", Say.ORDER_NOT_ALLOWED(
                    op=op.value, fact=owner, attr=short, type=kind), key=True)
                continue
            many = op in (Operator.IN, Operator.NOT_IN, Operator.BETWEEN)
            fine = all([self.operand(at, owner, short, kind, v, allowed)
                        for v in (value if many else (value,))])
            if op is Operator.BETWEEN and fine and \
                    operand(value[0], kind) > operand(value[1], kind):
                self.error(at, "E-VALUE", Say.BETWEEN_ORDER(low=value[0], high=value[1]))

    def operand(self, at: tuple[str | int, ...], fact: str, attr: str, kind: str, value: Any,
                allowed: Iterable[str] | None) -> bool:
        if operand(value, kind) is None:
            words = _KIND_WORDS.get(kind, Say.KIND_TEXT)()
            self.error(at, "E-WHERE-TYPE", Say.OPERAND_TYPE(
                value=value, kind=words, fact=fact, attr=attr, type=kind))
            return False
        if allowed is not None:
            return self.known(at, "E-UNKNOWN-VALUE", f"value of {fact}.{attr}", value, allowed)
        return True

    def decision(self, name: str) -> None:
        spec = self.policy.decisions[name]
        base: tuple[str | int, ...] = ("decisions", name)
        if not self.fact_type((*base, "on"), spec.on):
            return
        fact = self.policy.fact_types[spec.on]
        if fact.case == "none":
            self.error((*base, "on"), "E-DECISION-ON", Say.DECISION_ON_NO_CASE(fact=spec.on))
        inputs = [attr for i, attr in enumerate(spec.inputs)
                  if self.known((*base, "inputs", i), "E-UNKNOWN-ATTRIBUTE",
                                f"attribute of {spec.on}", attr, fact.attributes)]
        seen: set[str] = set()
        for i, output in enumerate(spec.outputs):
            if output in seen:
                self.error((*base, "outputs", i), "E-VALUE",
                           Say.DECISION_OUTPUT_TWICE(value=output))
            seen.add(output)
        if spec.hit_policy is HitPolicy.PRIORITY and not spec.outputs:
            self.error((*base, "hit_policy"), "E-DECISION-OUTPUTS",
                       Say.DECISION_PRIORITY_OUTPUTS())
        for r, rule in enumerate(spec.rules):
            if spec.hit_policy is HitPolicy.UNIQUE and not rule.when and len(spec.rules) > 1:
                # A certain overlap, refused here rather than on the first fact it meets.
                self.error((*base, "rules", r), "E-DECISION-UNIQUE",
                           Say.DECISION_UNIQUE_ALWAYS())
            for key, condition in rule.when.items():
                where = (*base, "rules", r, "when", key)
                if key not in spec.inputs:
                    self.error(where, "E-DECISION-INPUT", Say.DECISION_NOT_INPUT(
                        name=key, inputs=", ".join(spec.inputs)), key=True)
                elif key in inputs:
                    self.condition(where, spec.on, key, condition)
            if spec.outputs and rule.then not in spec.outputs:
                self.error((*base, "rules", r, "then"), "E-UNKNOWN-VALUE",
                           Say.DECISION_THEN_NOT_OUTPUT(value=rule.then,
                                                        outputs=", ".join(spec.outputs)))

    def who(self, path: tuple[str | int, ...], role: str | None) -> None:
        """`by: {role: R}`: R must say who holds it apart from the facts it would judge."""
        if role is None or not self.known((*path, "role"), "E-UNKNOWN-ROLE", "role", role,
                                          self.policy.roles):
            return
        if self.policy.roles[role].actor_of:
            self.error((*path, "role"), "E-BY-ROLE", Say.BY_ROLE_ACTOR_OF(role=role))

    def values_ok(self, path: Sequence[str | int], fact: str, attr: str,
                  values: Iterable[str]) -> None:
        spec = self.policy.fact_types[fact].attributes[attr]
        allowed: Iterable[str] | None = spec.values
        if spec.type == "tier":
            allowed = self.policy.urgency_tiers
        if allowed is None:
            return
        for value in values:
            self.known(path, "E-UNKNOWN-VALUE", f"value of {fact}.{attr}", value, allowed)

    def date_field(self, path: Sequence[str | int], fact: str, field: str) -> None:
        spec = self.policy.fact_types.get(fact)
        if spec is None:
            return
        dates = [n for n, a in spec.attributes.items() if a.type == "date"]
        if field not in dates:
            self.error(path, "E-UNKNOWN-ATTRIBUTE", Say.NOT_A_DATE_ATTRIBUTE(
                name=field, fact=fact, hint=hint(field, dates)))
        elif not spec.attributes[field].required:
            self.error(path, "E-VALUE", Say.DATE_ATTRIBUTE_REQUIRED(fact=fact, name=field))

    def duty_names(self, base: tuple[str | int, ...], trigger: FactMatch | None,
                   fulfilled_by: Sequence[FactMatch], responsible: str | None,
                   penalty: str | None) -> bool:
        """The names a duty refers to (fact types, its role, its penalty); whether its
        trigger is known. Also for a duty whose shape is invalid, with the fields that are
        valid on their own (`broken_duty`)."""
        trigger_ok = trigger is not None and self.match((*base, "trigger"), trigger)
        single = len(fulfilled_by) == 1  # written as one match: located without an index
        for i, fulfil in enumerate(fulfilled_by):
            path = (*base, "fulfilled_by") if single else (*base, "fulfilled_by", i)
            self.match(path, fulfil)
            if trigger is not None and trigger == fulfil:
                self.error(path, "E-VALUE", Say.SELF_FULFILLED())
        if responsible is not None:
            self.known((*base, "responsible"), "E-UNKNOWN-ROLE", "role", responsible,
                       self.policy.roles)
        if penalty is not None and penalty != "none":
            self.known((*base, "penalty"), "E-UNKNOWN-PENALTY", "penalty", penalty,
                       [*self.policy.penalties, "none"])
        return trigger_ok

    def broken_duty(self, duty_id: str, fields: Mapping[str, Any]) -> None:
        """A duty whose shape is invalid (said already): the names in its fields that are
        valid on their own are checked all the same, so that one mistake in a duty does not
        hide the others (a misspelt weekday and a misspelt role are told in one run)."""
        self.duty_names(("duties", duty_id), fields.get("trigger"),
                        fields.get("fulfilled_by", ()), fields.get("responsible"),
                        fields.get("penalty"))

    def duty(self, duty_id: str) -> None:
        duty = self.policy.duties[duty_id]
        base: tuple[str | int, ...] = ("duties", duty_id)
        trigger_ok = self.duty_names(base, duty.trigger, duty.fulfilled_by, duty.responsible,
                                     duty.penalty)
        self.per(base, duty)
        self.effective_order(base, [c.effective for c in duty.deadline_changes],
                             "deadline_changes", "change")
        if duty.deadline is not None:
            self.deadline_length((*base, "deadline"), duty.deadline)
            self.anchor((*base, "deadline"), duty.deadline, duty.trigger if trigger_ok else None)
        for i, change in enumerate(duty.deadline_changes):
            self.deadline_length((*base, "deadline_changes", i), change)
            self.anchor((*base, "deadline_changes", i), change,
                        duty.trigger if trigger_ok else None)
        if duty.recurring is not None:
            self.form_shape((*base, "recurring"), duty.recurring)
            if duty.recurring.cron:
                self.cron((*base, "recurring", "cron"), duty.recurring.cron, recurring=True)
        rules: list[tuple[tuple[str | int, ...], ByTime | None]] = []
        if duty.deadline is not None:
            rules.append(((*base, "deadline", "by"), duty.deadline.by))
        rules += [((*base, "deadline_changes", i, "by"), c.by)
                  for i, c in enumerate(duty.deadline_changes)]
        for path, by in rules:
            if by is None:
                continue
            self.by_shape(path, by)
            if by.cron:
                self.cron((*path, "cron"), by.cron)
            if by.date_field and trigger_ok:
                assert duty.trigger is not None
                self.date_field((*path, "date_field"), duty.trigger.fact, by.date_field)
        if duty.extension is not None and duty.recurring is not None:
            self.error((*base, "extension"), "E-UNUSED-KEY", Say.RECURRING_NO_EXTENSION(),
                       key=True)
        elif duty.extension is not None:
            ext = duty.extension
            if self.match((*base, "extension", "requested_by"), ext.requested_by):
                self.date_field((*base, "extension", "date_field"), ext.requested_by.fact,
                                ext.date_field)
            if self.match((*base, "extension", "approved_by"), ext.approved_by):
                approval = self.policy.fact_types[ext.approved_by.fact].attributes
                if ext.date_field in approval and approval[ext.date_field].type != "date":
                    self.error((*base, "extension", "approved_by"), "E-VALUE",
                               Say.APPROVAL_DATE_TYPE(fact=ext.approved_by.fact,
                                                      name=ext.date_field))

    def anchor(self, path: tuple[str | int, ...], deadline: Deadline,
               trigger: FactMatch | None) -> None:
        """`from: {fact, join}`: the anchor type exists and has the join attribute, and so
        does the trigger (else no trigger could ever find its anchor, silently)."""
        anchor = deadline.from_
        if anchor is None:
            return
        where = (*path, "from")
        if deadline.by is not None and deadline.by.date_field:
            self.error(where, "E-VALUE", Say.FROM_DATE_FIELD())
        if not self.fact_type((*where, "fact"), anchor.fact):
            return
        attributes = self.policy.fact_types[anchor.fact].attributes
        if anchor.join not in attributes:
            self.error((*where, "join"), "E-UNKNOWN-ATTRIBUTE", Say.FROM_JOIN_ANCHOR(
                join=anchor.join, fact=anchor.fact, hint=hint(anchor.join, attributes)))
            return
        trigger_attributes = self.policy.fact_types[trigger.fact].attributes if trigger else {}
        if trigger is not None and anchor.join not in trigger_attributes:
            self.error((*where, "join"), "E-FROM-JOIN", Say.FROM_JOIN_TRIGGER(
                anchor=anchor.fact, join=anchor.join, trigger=trigger.fact))

    def per(self, base: tuple[str | int, ...], duty: Duty) -> None:
        """`per: {attribute: X}`: X is a required attribute of the trigger and of every
        fulfilling fact type, or some fact could not name the obligation it opens or closes."""
        if isinstance(duty.per, str):
            return
        name = duty.per.attribute
        types = [m.fact for m in duty.fulfilled_by]
        if duty.trigger is not None:
            types.insert(0, duty.trigger.fact)
        for fact in dict.fromkeys(types):
            spec = self.policy.fact_types.get(fact)
            if spec is not None and name not in spec.attributes:
                self.error((*base, "per", "attribute"), "E-PER-ATTRIBUTE", Say.PER_ATTRIBUTE(
                    name=name, fact=fact, hint=hint(name, spec.attributes)))
            elif spec is not None and not spec.attributes[name].required:
                # A fact without the value has no obligation key to open or close.
                self.error((*base, "per", "attribute"), "E-PER-ATTRIBUTE",
                           Say.PER_NOT_REQUIRED(name=name, fact=fact))

    def prohibition(self, prohibition_id: str) -> None:
        spec = self.policy.prohibitions[prohibition_id]
        base: tuple[str | int, ...] = ("prohibitions", prohibition_id)
        if prohibition_id in self.policy.duties:
            self.error(base, "E-VALUE", Say.PROHIBITION_IS_DUTY(name=prohibition_id), key=True)
        self.match((*base, "fact"), spec.fact)
        if spec.responsible != ACTOR:
            self.known((*base, "responsible"), "E-UNKNOWN-ROLE", "role", spec.responsible,
                       [*self.policy.roles, ACTOR])
        if spec.penalty == "none":
            return
        if self.known((*base, "penalty"), "E-UNKNOWN-PENALTY", "penalty", spec.penalty,
                      [*self.policy.penalties, "none"]):
            penalty = self.policy.penalties[spec.penalty]
            if any(v.schedule[0] is ScheduleKind.LATENESS for v in penalty.versions):
                self.error((*base, "penalty"), "E-PROHIBITION-LATENESS",
                           Say.PROHIBITION_LATENESS(penalty=spec.penalty))

    def by_shape(self, path: tuple[str | int, ...], by: ByTime) -> None:
        """Parts of a `by` rule the engine would ignore, silently changing the deadline."""
        self.form_shape(path, by, dated=by.date_field is not None)
        if by.cutoff is not None:
            if not by.cutoff.weekly:
                self.error((*path, "cutoff"), "E-VALUE", Say.CUTOFF_NOT_WEEKLY())
            elif by.cutoff.cutoff is not None:
                self.error((*path, "cutoff", "cutoff"), "E-VALUE", Say.CUTOFF_OF_CUTOFF())

    def form_shape(self, path: tuple[str | int, ...], form: Recurring | ByTime,
                   dated: bool = False) -> None:
        """`at` or `if_not_working_day` where the form would ignore them."""
        if form.at is not None and not (form.weekly or form.monthly or form.yearly or dated):
            self.error((*path, "at"), "E-VALUE", Say.AT_IGNORED())
        if "if_not_working_day" in form.model_fields_set and form.if_not_working_day != "keep":
            why = (Say.CRON_NOT_MOVED() if form.cron
                   else Say.LAST_WORKING_DAY_NOT_MOVED() if form.monthly == "last_working_day"
                   else None)
            if why is not None:
                self.error((*path, "if_not_working_day"), "E-VALUE",
                           Say.IF_NOT_WORKING_DAY_IGNORED(why=why))

    def cron(self, path: tuple[str | int, ...], expression: str, recurring: bool = False) -> None:
        try:
            valid = croniter.is_valid(expression)
        except (ValueError, TypeError, OverflowError, RecursionError):
            valid = False
        if not valid:
            self.error(path, "E-VALUE", Say.NOT_CRON(value=expression))
            return
        try:
            times = croniter(expression, datetime(2026, 1, 1))
            found = [times.get_next(datetime) for _ in range(24 if recurring else 1)]
        except (CroniterError, ValueError, OverflowError):
            self.error(path, "E-VALUE", Say.CRON_NEVER(value=expression))
            return
        # A recurring duty owes one obligation per cron time: more than one an hour is a
        # typo (`* 18 * * 5`) that would owe thousands.
        gaps = [b - a for a, b in itertools.pairwise(found)]
        if recurring and min(gaps) < timedelta(hours=1):
            self.error(path, "E-TOO-LARGE", Say.CRON_TOO_OFTEN(value=expression))

    def effective_order(self, base: tuple[str | int, ...], dates: list[date],
                        key: str = "versions", word: str = "version") -> None:
        for i in range(1, len(dates)):
            if dates[i] <= dates[i - 1]:
                self.error((*base, key, i, "effective"), "E-EFFECTIVE-ORDER",
                           Say.EFFECTIVE_ORDER(day=dates[i], before=dates[i - 1],
                                               word=thing(word)))

    def penalty(self, penalty_id: str) -> None:
        penalty = self.policy.penalties[penalty_id]
        base: tuple[str | int, ...] = ("penalties", penalty_id)
        self.effective_order(base, [v.effective for v in penalty.versions])
        for i, version in enumerate(penalty.versions):
            kind, terms = version.schedule
            for path, code, message in SCHEDULES[kind].check(terms, version.effective):
                self.error((*base, "versions", i, *path), code, message)
        if "measure" in penalty.model_fields_set and not any(
                SCHEDULES[v.schedule[0]].reads_lateness for v in penalty.versions):
            self.error((*base, "measure"), "E-UNUSED-KEY", Say.MEASURE_NOT_READ(), key=True)

    def reward(self, reward_id: str) -> None:
        reward = self.policy.rewards[reward_id]
        base: tuple[str | int, ...] = ("rewards", reward_id)
        for i, duty in enumerate(reward.duties):
            self.known((*base, "duties", i), "E-UNKNOWN-DUTY", "duty", duty, self.policy.duties)
        for i, rule in enumerate(reward.rules):
            self.known((*base, "rules", i), "E-UNKNOWN-PENALTY", "penalty", rule,
                       self.policy.penalties)
        for i, fact in enumerate(reward.handled):
            self.fact_type((*base, "handled", i), fact)
        if reward.role is not None:
            self.known((*base, "role"), "E-UNKNOWN-ROLE", "role", reward.role, self.policy.roles)
        self.effective_order(base, [v.effective for v in reward.versions])
        for i, version in enumerate(reward.versions):
            if version.min > version.max:
                self.error((*base, "versions", i, "min"), "E-VALUE",
                           Say.MIN_ABOVE_MAX(min=version.min, max=version.max))
        needs = REWARDS[reward.kind].needs
        for name in needs:
            if not getattr(reward, name):
                self.error(base, "E-MISSING-KEY", Say.REWARD_NEEDS(kind=reward.kind, name=name))
        # A key written that the kind never reads would be ignored without a word.
        for name in sorted(reward.model_fields_set & _REWARD_TERMS - set(needs)):
            self.error((*base, name), "E-UNUSED-KEY", Say.REWARD_NOT_READ(
                kind=reward.kind, name=name, reads=", ".join(needs)), key=True)


def check_policy(
    policy: Policy, locate: Locate, broken: dict[str, set[str]] | None = None,
    parts: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None
) -> list[Diagnostic]:
    """Every cross-section problem. `broken` names entries whose shape was invalid;
    `parts` holds, of each, the fields valid on their own (their names are checked too)."""
    return _Checker(policy, locate, broken or {}, parts or {}).run()
