"""Checked policy model -> the form the evaluator runs: matchers and deadline rules by fact type."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from policyengine.calendar import WorkCalendar
from policyengine.engine.deadlines import (
    Anchors,
    DeadlineRule,
    Weekly,
    compile_anchors,
    compile_by,
    compile_duty_deadline,
)
from policyengine.engine.penalties.rules import CompiledPenalty, compile_penalty
from policyengine.engine.rewards import RewardRule, compile_reward
from policyengine.facts.schema import Fact, FactSchema
from policyengine.policy.loader import LoadedPolicy, PolicyIdentity
from policyengine.policy.model import Duty, FactMatch, Policy


@dataclass(frozen=True)
class Matcher:
    fact: str
    where: tuple[tuple[str, frozenset[str]], ...] = ()

    @classmethod
    def of(cls, spec: FactMatch) -> Matcher:
        return cls(spec.fact, tuple((k, frozenset(v)) for k, v in sorted(spec.where.items())))

    def matches(self, fact: Fact) -> bool:
        attrs = fact.attrs
        for key, values in self.where:  # noqa: SIM110 - a plain loop: hot path, no generator
            if attrs.get(key) not in values:
                return False
        return True

    def describe(self) -> str:
        conditions = ", ".join(f"{k} in {sorted(v)}" if len(v) > 1 else f"{k} = {next(iter(v))}"
                               for k, v in self.where)
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
        """A table when every condition tests the same single attribute, else None."""
        keys = {m.where[0][0] for _, m in duties if len(m.where) == 1}
        if len(keys) > 1 or any(len(m.where) > 1 for _, m in duties):
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


@dataclass(frozen=True)
class CompiledDuty:
    id: str
    spec: Duty
    fulfil: Matcher
    responsible: str
    penalty: str | None
    trigger: Matcher | None = None
    deadline: DeadlineRule | None = None
    recurring: Weekly | None = None
    extension: CompiledExtension | None = None
    anchors: Anchors | None = None  # the facts its deadline runs from, if not its trigger

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
    duties = {name: _duty(name, spec, calendar) for name, spec in policy.duties.items()}
    by_trigger: dict[str, list[CompiledDuty]] = defaultdict(list)
    by_fulfil: dict[str, list[CompiledDuty]] = defaultdict(list)
    by_extension: dict[str, list[CompiledDuty]] = defaultdict(list)
    for duty in duties.values():
        if duty.trigger is not None:
            by_trigger[duty.trigger.fact].append(duty)
        by_fulfil[duty.fulfil.fact].append(duty)
        if duty.extension is not None:
            by_extension[duty.extension.requested.fact].append(duty)
            if duty.extension.approved.fact != duty.extension.requested.fact:
                by_extension[duty.extension.approved.fact].append(duty)
    return CompiledPolicy(
        policy, calendar, FactSchema(policy), duties, identity,
        _frozen(by_trigger), _frozen(by_fulfil), _frozen(by_extension),
        _dispatch(by_trigger, lambda d: d.trigger), _dispatch(by_fulfil, lambda d: d.fulfil),
        {name: compile_penalty(name, spec) for name, spec in policy.penalties.items()},
        {name: compile_reward(name, spec) for name, spec in policy.rewards.items()},
    )


def _dispatch(table: dict[str, list[CompiledDuty]],
              matcher: Callable[[CompiledDuty], Matcher | None]) -> dict[str, Dispatch]:
    out = {}
    for fact_type, duties in table.items():
        pairs = [(d, m) for d in duties if (m := matcher(d)) is not None]
        dispatch = Dispatch.build(pairs)
        if dispatch is not None:
            out[fact_type] = dispatch
    return out


def _frozen(table: dict[str, list[Any]]) -> dict[str, tuple[Any, ...]]:
    return {key: tuple(value) for key, value in table.items()}


def _duty(name: str, spec: Duty, calendar: WorkCalendar) -> CompiledDuty:
    extension = None
    if spec.extension is not None:
        ext = spec.extension
        extension = CompiledExtension(Matcher.of(ext.requested_by), Matcher.of(ext.approved_by),
                                      ext.date_field, calendar.clock(ext.at))
    recurring = None
    if spec.recurring is not None:
        rule = compile_by(spec.recurring, calendar)
        assert isinstance(rule, Weekly)
        recurring = rule
    return CompiledDuty(
        id=name,
        spec=spec,
        fulfil=Matcher.of(spec.fulfilled_by),
        responsible=spec.responsible,
        penalty=None if spec.penalty == "none" else spec.penalty,
        trigger=Matcher.of(spec.trigger) if spec.trigger else None,
        deadline=compile_duty_deadline(spec, calendar),
        recurring=recurring,
        extension=extension,
        anchors=compile_anchors(spec),
    )
