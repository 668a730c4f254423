"""Checked policy model -> the form the evaluator runs: matchers and deadline rules by fact type."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import time
from enum import Enum
from functools import cached_property
from typing import Any, NamedTuple

from policyengine.calendar import WorkCalendar
from policyengine.engine.conditions import (
    TEXT_TYPE,
    Test,
    compile_comparison,
    decision_of,
    describe,
    members,
)
from policyengine.engine.deadlines import (
    Anchors,
    DeadlineRule,
    DueOf,
    compile_anchors,
    compile_duty_deadline,
)
from policyengine.engine.decisions import CompiledDecision, compile_decisions
from policyengine.engine.penalties.rules import CompiledPenalty, compile_penalty
from policyengine.engine.recurring import Recurrence, compile_recurring
from policyengine.engine.rewards import RewardRule, compile_reward
from policyengine.facts.schema import Fact, FactSchema
from policyengine.policy.loader import LoadedPolicy, PolicyIdentity
from policyengine.policy.model import Duty, FactMatch, Policy, Prohibition, Who


@dataclass(frozen=True)
class Matcher:
    fact: str
    where: tuple[tuple[str, frozenset[Any]], ...] = ()   # plain membership: the common case
    tests: tuple[tuple[str, Test], ...] = ()              # operators on attributes
    case_tests: tuple[tuple[str, Test], ...] = ()         # on case values (`case.grade`)
    written: tuple[str, ...] = ()                         # the conditions, for `describe`
    by: Who | None = None  # who may make a fact that counts (engine/replay.py `_State.allowed`)

    @classmethod
    def of(cls, spec: FactMatch, policy: Policy | None = None) -> Matcher:
        fact_type = policy.fact_types.get(spec.fact) if policy is not None else None
        where: list[tuple[str, frozenset[Any]]] = []
        tests: list[tuple[str, Test]] = []
        case_tests: list[tuple[str, Test]] = []
        for key, condition in sorted(spec.where.items()):
            decision = decision_of(key)
            attr = fact_type.attributes.get(key) if fact_type is not None else None
            kind = TEXT_TYPE if decision is not None or attr is None else attr.type
            test: Test = (members(condition, kind).__contains__
                          if isinstance(condition, tuple) else compile_comparison(condition, kind))
            if decision is not None:
                case_tests.append((decision, test))
            elif isinstance(condition, tuple):
                where.append((key, members(condition, kind)))
            else:
                tests.append((key, test))
        return cls(spec.fact, tuple(where), tuple(tests), tuple(case_tests),
                   tuple(describe(k, c) for k, c in sorted(spec.where.items())))

    @property
    def plain(self) -> bool:
        """Only membership conditions on attributes: a Dispatch table can stand for it."""
        return not self.tests and not self.case_tests

    def matches(self, fact: Fact, case_values: Mapping[str, str] | None = None) -> bool:
        """Whether `fact` meets every condition; `case_values` are its case's values in force
        at its time (the replay's), needed only by `case.<decision>` conditions."""
        attrs = fact.attrs
        for key, values in self.where:  # a plain loop: hot path, no generator
            if attrs.get(key) not in values:
                return False
        if self.tests or self.case_tests:
            return self._tests(attrs, case_values)
        return True

    def matches_attributes(self, fact: Fact) -> bool:
        """Whether `fact`'s own attributes meet the conditions (case values not read): what
        can be told of a fact without replaying its case."""
        return Matcher(self.fact, self.where, self.tests).matches(fact)

    def _tests(self, attrs: Mapping[str, Any], case_values: Mapping[str, str] | None) -> bool:
        # A missing value fails every test (`ne` and `not_in` too): unknown is not "other".
        try:
            for key, test in self.tests:
                value = attrs.get(key)
                if value is None or not test(value):
                    return False
            for decision, test in self.case_tests:
                value = case_values.get(decision) if case_values is not None else None
                if value is None or not test(value):
                    return False
        except TypeError:  # a value of another type than declared (a hand-made fact)
            return False
        return True

    def describe(self) -> str:
        conditions = ", ".join(self.written)
        return f"{self.fact} ({conditions})" if conditions else self.fact


@dataclass(frozen=True)
class Dispatch:
    """The duties a fact of one type may open or close, chosen by one attribute when possible.

    Most conditions test one attribute (`about: decision`), so a table from its value to the
    duties replaces testing every condition of every duty for every fact.
    """

    key: str | None
    table: dict[str, tuple[CompiledDuty, ...]]
    default: tuple[CompiledDuty, ...]   # the duties that match whatever the key's value

    def select(self, fact: Fact) -> tuple[CompiledDuty, ...]:
        if self.key is None:
            return self.default
        return self.table.get(fact.attrs.get(self.key), self.default)  # type: ignore[arg-type]

    @classmethod
    def build(cls, duties: list[tuple[CompiledDuty, Matcher]]) -> Dispatch | None:
        """A table when every condition tests the same single attribute, else None (also
        when a duty has two matches for the type: which one matched is then asked)."""
        if len({id(d) for d, _ in duties}) != len(duties):
            return None
        keys = {m.where[0][0] for _, m in duties if len(m.where) == 1}
        if len(keys) > 1 or any(len(m.where) > 1 or not m.plain for _, m in duties):
            return None
        key = next(iter(keys), None)
        default = tuple(d for d, m in duties if not m.where)
        table: dict[str, list[CompiledDuty]] = {}
        for duty, matcher in duties:
            for _, values in matcher.where:
                for value in values:
                    table.setdefault(value, list(default)).append(duty)
        return cls(key, {v: tuple(ds) for v, ds in table.items()}, default)


@dataclass(frozen=True)
class CompiledExtension:
    requested: Matcher
    approved: Matcher
    date_field: str
    clock: time


class Per(Enum):
    """How the obligations of a duty are keyed (the duty's `per`)."""

    CASE = "case"            # one open at a time per case: the hot path
    TRIGGER = "trigger"      # one per trigger fact; a fulfilment closes the oldest open
    ATTRIBUTE = "attribute"  # one per (case, an attribute of the trigger)


@dataclass(frozen=True)
class CompiledDuty:
    id: str
    spec: Duty
    fulfil: Matcher    # the first of `fulfils` (the only one, mostly)
    responsible: str
    penalty: str | None
    trigger: Matcher | None = None
    deadline: DeadlineRule | None = None
    recurring: Recurrence | None = None
    extension: CompiledExtension | None = None
    anchors: Anchors | None = None  # the facts its deadline runs from, if not its trigger
    fulfils: tuple[Matcher, ...] = ()  # any of them fulfils
    per: Per = Per.CASE
    per_attribute: str | None = None
    # The hot path asks nothing more: one open per case and anyone may open it (plain_open);
    # one match, anyone may make it, one open per case (plain_fulfil).
    plain_open: bool = True
    plain_fulfil: bool = True

    def fulfilling(self, fact: Fact, case_values: Mapping[str, str] | None = None
                   ) -> Matcher | None:
        """The match of `fulfilled_by` this fact meets (its `where`; `by` is asked apart)."""
        for matcher in self.fulfils:
            if matcher.fact == fact.type and matcher.matches(fact, case_values):
                return matcher
        return None

    @property
    def title(self) -> str:
        return self.spec.name or self.id


class Step(NamedTuple):
    """A duty as the replay's hot path takes it (engine/replay.py `_State.open`, `fulfil`):
    `inline` says the duty has the common shape the hot path handles itself; any other goes
    the general way (`open_one`, `fulfil_one`)."""

    duty: CompiledDuty
    id: str
    due: DueOf | None  # opening: the deadline's `fast_due`
    inline: bool
    delayable: bool    # an extension can move it: the latest of each case is kept

    @classmethod
    def opening(cls, duty: CompiledDuty) -> Step:
        """Inline: anyone may open it, one open per case, timed from the trigger itself, no
        case value read."""
        inline = (duty.plain_open and duty.anchors is None and duty.deadline is not None
                  and not (duty.trigger is not None and duty.trigger.case_tests))
        return cls(duty, duty.id, duty.deadline.fast_due if inline else None,  # type: ignore[union-attr]
                   inline, duty.extension is not None)

    @classmethod
    def closing(cls, duty: CompiledDuty) -> Step:
        """Inline: one match, anyone may make it, one open per case, not recurring."""
        return cls(duty, duty.id, None, duty.plain_fulfil and duty.recurring is None,
                   duty.extension is not None)


@dataclass(frozen=True)
class Steps:
    """A `Dispatch` of `Step`s: the duties a fact of one type may open (or fulfil), by the
    value of one attribute (`key`), or all of `default` (no key)."""

    key: str | None
    table: dict[Any, tuple[Step, ...]]
    default: tuple[Step, ...]

    @classmethod
    def of(cls, dispatch: Dispatch, step: Callable[[CompiledDuty], Step]) -> Steps:
        made = {id(d): step(d) for ds in (dispatch.default, *dispatch.table.values())
                for d in ds}
        return cls(dispatch.key,
                   {v: tuple(made[id(d)] for d in ds) for v, ds in dispatch.table.items()},
                   tuple(made[id(d)] for d in dispatch.default))


@dataclass(frozen=True)
class CompiledProhibition:
    id: str
    spec: Prohibition
    fact: Matcher
    responsible: str   # `actor` or a role
    penalty: str | None

    @property
    def title(self) -> str:
        return self.spec.name or self.id


@dataclass(frozen=True)
class CompiledPolicy:
    model: Policy
    calendar: WorkCalendar
    schema: FactSchema
    duties: dict[str, CompiledDuty]
    identity: PolicyIdentity | None = None
    # Duties by the fact type that opens / fulfils / extends them (evaluator look-ups).
    by_trigger: dict[str, tuple[CompiledDuty, ...]] = field(default_factory=dict)
    by_fulfil: dict[str, tuple[CompiledDuty, ...]] = field(default_factory=dict)
    by_extension: dict[str, tuple[CompiledDuty, ...]] = field(default_factory=dict)
    # The same, as tables on one attribute where the conditions allow (see Dispatch).
    trigger_dispatch: dict[str, Dispatch] = field(default_factory=dict)
    fulfil_dispatch: dict[str, Dispatch] = field(default_factory=dict)
    # Penalty rules and rewards, each compiled into its kind's class (engine/penalties,
    # engine/rewards): the evaluator never compares a kind's name.
    penalties: dict[str, CompiledPenalty] = field(default_factory=dict)
    rewards: dict[str, RewardRule] = field(default_factory=dict)
    # Decision tables by the fact type that evaluates them (engine/decisions.py).
    decisions: dict[str, tuple[CompiledDecision, ...]] = field(default_factory=dict)
    prohibitions: dict[str, CompiledProhibition] = field(default_factory=dict)
    by_prohibited: dict[str, tuple[CompiledProhibition, ...]] = field(default_factory=dict)
    # Duty id -> (the duty, how who answers for its obligations is found): made once, by
    # engine/evaluate.py `responsible` (the roles' kinds are the policy's).
    answerers: dict[str, tuple[CompiledDuty, Any]] = field(
        default_factory=dict, init=False, compare=False, repr=False)

    # The replay's hot path: the dispatch tables with each duty as a `Step` (made once).
    @cached_property
    def opening(self) -> dict[str, Steps]:
        return {kind: Steps.of(d, Step.opening) for kind, d in self.trigger_dispatch.items()}

    @cached_property
    def closing(self) -> dict[str, Steps]:
        return {kind: Steps.of(d, Step.closing) for kind, d in self.fulfil_dispatch.items()}

    @cached_property
    def steps(self) -> dict[str, tuple[Step, Step]]:
        """Each duty's opening and closing `Step`, for the types without a table."""
        return {d.id: (Step.opening(d), Step.closing(d)) for d in self.duties.values()}

    @property
    def recurring(self) -> tuple[CompiledDuty, ...]:
        return tuple(d for d in self.duties.values() if d.recurring is not None)

    @property
    def anchor_types(self) -> frozenset[str]:
        """The fact types some deadline runs from (`deadline: {from: ...}`)."""
        return frozenset(a.fact for d in self.duties.values() if d.anchors is not None
                         for a in d.anchors.all)


def compile_policy(policy: Policy | LoadedPolicy) -> CompiledPolicy:
    identity = None
    if isinstance(policy, LoadedPolicy):
        identity, policy = policy.identity, policy.model
    calendar = WorkCalendar(policy.calendar)
    duties = {name: _duty(name, spec, calendar, policy)
              for name, spec in policy.duties.items()}
    prohibitions = {name: CompiledProhibition(
        name, spec, matcher(spec.fact, policy), spec.responsible,
        None if spec.penalty == "none" else spec.penalty)
        for name, spec in policy.prohibitions.items()}
    by_prohibited: dict[str, list[CompiledProhibition]] = defaultdict(list)
    for prohibition in prohibitions.values():
        by_prohibited[prohibition.fact.fact].append(prohibition)
    by_trigger: dict[str, list[CompiledDuty]] = defaultdict(list)
    by_fulfil: dict[str, list[CompiledDuty]] = defaultdict(list)
    by_extension: dict[str, list[CompiledDuty]] = defaultdict(list)
    for duty in duties.values():
        if duty.trigger is not None:
            by_trigger[duty.trigger.fact].append(duty)
        for fact_type in dict.fromkeys(m.fact for m in duty.fulfils):
            by_fulfil[fact_type].append(duty)
        if duty.extension is not None:
            by_extension[duty.extension.requested.fact].append(duty)
            if duty.extension.approved.fact != duty.extension.requested.fact:
                by_extension[duty.extension.approved.fact].append(duty)
    return CompiledPolicy(
        policy, calendar, FactSchema(policy), duties, identity,
        _frozen(by_trigger), _frozen(by_fulfil), _frozen(by_extension),
        _dispatch(by_trigger, lambda d: (d.trigger,)), _dispatch(by_fulfil, lambda d: d.fulfils),
        {name: compile_penalty(name, spec, calendar) for name, spec in policy.penalties.items()},
        {name: compile_reward(name, spec) for name, spec in policy.rewards.items()},
        compile_decisions(policy),
        prohibitions, _frozen(by_prohibited),
    )


def _dispatch(table: dict[str, list[CompiledDuty]],
              matchers: Callable[[CompiledDuty], tuple[Matcher | None, ...]]
              ) -> dict[str, Dispatch]:
    out = {}
    for fact_type, duties in table.items():
        pairs = [(d, m) for d in duties for m in matchers(d)
                 if m is not None and m.fact == fact_type]
        dispatch = Dispatch.build(pairs)
        if dispatch is not None:
            out[fact_type] = dispatch
    return out


def matcher(spec: FactMatch, policy: Policy | None = None) -> Matcher:
    """`Matcher.of` with the match's `by` (who may make a fact that counts)."""
    found = Matcher.of(spec, policy)
    return found if spec.by is None else replace(found, by=spec.by)


def _frozen(table: dict[str, list[Any]]) -> dict[str, tuple[Any, ...]]:
    return {key: tuple(value) for key, value in table.items()}


def _duty(name: str, spec: Duty, calendar: WorkCalendar, policy: Policy) -> CompiledDuty:
    extension = None
    if spec.extension is not None:
        ext = spec.extension
        extension = CompiledExtension(matcher(ext.requested_by, policy),
                                      matcher(ext.approved_by, policy),
                                      ext.date_field, calendar.clock(ext.at))
    recurring = (compile_recurring(spec.recurring, calendar) if spec.recurring is not None
                 else None)
    fulfils = tuple(matcher(m, policy) for m in spec.fulfilled_by)
    per, per_attribute = ((Per(spec.per), None) if isinstance(spec.per, str)
                          else (Per.ATTRIBUTE, spec.per.attribute))
    return CompiledDuty(
        id=name,
        spec=spec,
        fulfil=fulfils[0],
        fulfils=fulfils,
        per=per,
        per_attribute=per_attribute,
        plain_open=per is Per.CASE and (spec.trigger is None or spec.trigger.by is None),
        plain_fulfil=per is Per.CASE and len(fulfils) == 1 and fulfils[0].by is None,
        responsible=spec.responsible,
        penalty=None if spec.penalty == "none" else spec.penalty,
        trigger=matcher(spec.trigger, policy) if spec.trigger else None,
        deadline=compile_duty_deadline(spec, calendar),
        recurring=recurring,
        extension=extension,
        anchors=compile_anchors(spec),
    )
