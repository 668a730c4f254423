"""Decision tables: a fact of the table's `on` type sets a value of its case (`case.grade`).

A table is DMN-like (docs/decisions.md D19): rules in order, each `when` -> `then`, and a
hit policy saying which matching rule gives the value: `first` (the first written),
`unique` (exactly one may match) or `priority` (the output listed highest in `outputs`).
The value holds from the fact's time until the case's next fact of that type, so a
condition reads the value in force when its own fact happened, never a later one.
A table that cannot give one value (no rule matches; two match under `unique`) leaves the
value as it was and says so in a note: never a crash, never a silent guess.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from policyengine.engine.conditions import Test, compile_comparison, members
from policyengine.facts.schema import Fact
from policyengine.kinds import HitPolicy
from policyengine.policy.model import Decision, Policy
from policyengine.wording import Attributes, Line, line


@dataclass(frozen=True)
class CompiledRule:
    number: int                                   # 1-based, as an author counts rules
    tests: tuple[tuple[str, Test], ...]
    then: str

    def matches(self, attrs: Mapping[str, Any]) -> bool:
        try:
            for key, test in self.tests:
                value = attrs.get(key)
                if value is None or not test(value):
                    return False
        except TypeError:  # a value of another type than declared (a hand-made fact)
            return False
        return True


@dataclass(frozen=True)
class Setting:
    """A case value set by one fact: which rule gave it, from which inputs."""

    decision: str
    value: str
    at: datetime
    rule: int
    fact: Fact
    inputs: tuple[tuple[str, Any], ...]

    def line(self) -> Line:
        """How an explanation names it."""
        return line("decision.used", decision=self.decision, value=self.value, rule=self.rule,
                    inputs=Attributes(self.fact.type, self.inputs), type=self.fact.type,
                    ref=self.fact.ref(), at=self.at)


@dataclass(frozen=True)
class CompiledDecision:
    name: str
    spec: Decision
    rules: tuple[CompiledRule, ...]
    rank: Mapping[str, int]                       # output -> place in `outputs` (priority)

    def decide(self, fact: Fact) -> Setting | Line:
        """The setting this fact makes, or the note saying why it makes none."""
        hits = [rule for rule in self.rules if rule.matches(fact.attrs)]
        inputs = tuple((k, fact.attrs[k]) for k in self.spec.inputs if k in fact.attrs)
        shown = Attributes(fact.type, inputs)
        if not hits:
            return line("decision.no_hit", where=fact.ref(), decision=self.name, at=fact.at,
                        case=fact.case, inputs=shown)
        policy = self.spec.hit_policy
        if policy is HitPolicy.UNIQUE and len(hits) > 1:
            return line("decision.not_unique", where=fact.ref(), decision=self.name,
                        at=fact.at, case=fact.case, inputs=shown,
                        rules=", ".join(str(r.number) for r in hits))
        chosen = hits[0]
        if policy is HitPolicy.PRIORITY:
            chosen = min(hits, key=lambda r: (self.rank.get(r.then, len(self.rank)), r.number))
        return Setting(self.name, chosen.then, fact.at, chosen.number, fact, inputs)


def compile_decisions(policy: Policy) -> dict[str, tuple[CompiledDecision, ...]]:
    """The decision tables, by the fact type that evaluates them."""
    out: dict[str, list[CompiledDecision]] = {}
    for name, spec in policy.decisions.items():
        attributes = policy.fact_types[spec.on].attributes
        rules = []
        for number, rule in enumerate(spec.rules, start=1):
            tests: list[tuple[str, Test]] = []
            for key, condition in sorted(rule.when.items()):
                kind = attributes[key].type if key in attributes else "text"
                tests.append((key, members(condition, kind).__contains__
                              if isinstance(condition, tuple)
                              else compile_comparison(condition, kind)))
            rules.append(CompiledRule(number, tuple(tests), rule.then))
        rank = {output: i for i, output in enumerate(spec.outputs)}
        out.setdefault(spec.on, []).append(CompiledDecision(name, spec, tuple(rules), rank))
    return {kind: tuple(tables) for kind, tables in out.items()}


@dataclass
class CaseValues:
    """The values decision tables set, per case, in time order (the replay's facts come in
    time order, so appending keeps each history sorted)."""

    now: dict[str, dict[str, str]] = field(default_factory=dict)      # case -> decision -> value
    settings: dict[tuple[str, str], list[Setting]] = field(default_factory=dict)

    def set(self, case: str, setting: Setting) -> None:
        self.now.setdefault(case, {})[setting.decision] = setting.value
        self.settings.setdefault((case, setting.decision), []).append(setting)

    def in_force(self, case: str, decision: str, moment: datetime) -> Setting | None:
        """The setting of `decision` for `case` in force at `moment` (the latest at or before)."""
        history = self.settings.get((case, decision))
        if not history:
            return None
        index = bisect.bisect_right([s.at for s in history], moment)
        return history[index - 1] if index else None
