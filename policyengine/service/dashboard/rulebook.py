"""The policy page's rules in words: each duty (what opens it, what fulfils it and by whom,
how obligations are counted), each prohibition and each decision table (inputs, its rules as
a table, hit policy, outputs).

Read from the checked model, so the page shows what the engine runs. In Chinese, fact types
and roles, attributes and their values are named by the policy's own names (the `Glossary`, as
explanations name them); English keeps the ids the policy file writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from policyengine.engine.compiled import CompiledPolicy
from policyengine.engine.conditions import decision_of
from policyengine.kinds import HitPolicy, Operator
from policyengine.language import Lang
from policyengine.policy.model import (
    Comparison,
    Deadline,
    Decision,
    FactMatch,
    PerAttribute,
    Policy,
    Who,
)
from policyengine.service.dashboard.catalogue import text
from policyengine.wording import Glossary

_SYMBOLS = {Operator.GT: ">", Operator.GE: "≥", Operator.LT: "<", Operator.LE: "≤",
            Operator.EQ: "=", Operator.NE: "≠"}


@dataclass(frozen=True)
class Namer:
    """Names of fact types, roles, attributes and decisions in the reader's language."""

    model: Policy
    lang: Lang
    glossary: Glossary

    @classmethod
    def of(cls, model: Policy, lang: Lang) -> Namer:
        return cls(model, lang, Glossary.of(model).with_rules(model))

    def penalty(self, penalty: str) -> str:
        """A duty's or prohibition's penalty by its name and id (`“…”（P1）`), or `none`."""
        if penalty == "none":
            return text("rule.no_penalty", self.lang)
        return self.glossary.named_rule("penalties", penalty, self.lang)

    def fact(self, fact_type: str) -> str:
        return self.glossary.fact_types_in(fact_type) if self.lang == "zh" else fact_type

    def role(self, role: str) -> str:
        return self.glossary.role(role) if self.lang == "zh" else role

    def attribute(self, fact_type: str, key: str) -> str:
        """`年度销售额（annual_sales）` by the attribute's `name` in Chinese, `case.grade` as the
        decision's name."""
        decision = decision_of(key)
        if decision is not None:
            found = self.model.decisions.get(decision)
            name = (found.name_en if self.lang == "en" else found.name) if found else None
            return text("rule.case_value", self.lang, name=name or decision)
        if self.lang != "zh":
            return key
        name = self.glossary.attribute(key, fact_type)
        return f"{name}（{key}）" if name != key else key

    def value(self, fact_type: str, key: str, value: Any) -> str:
        """A value of the attribute as the policy says it in Chinese (`cash` -> 现金)."""
        return self.glossary.value(key, value, fact_type) if self.lang == "zh" else str(value)


def _value(value: Any) -> str:
    return str(value)


def _listed(values: Any, lang: Lang) -> str:
    return ("、" if lang == "zh" else ", ").join(_value(v) for v in values)


def cell(condition: tuple[str, ...] | Comparison, names: Namer, fact_type: str = "",
         key: str = "") -> str:
    """A condition on one value without the value's name: `≥ 5000000`, `A、B 之一`; in
    Chinese a coded value by the policy's name for it (`about = decision` -> 决策结果)."""
    lang = names.lang
    if isinstance(condition, tuple):
        condition = tuple(names.value(fact_type, key, v) for v in condition)
        if len(condition) == 1:
            return f"= {condition[0]}"
        return text("cond.in", lang, values=_listed(condition, lang))
    parts = []
    for op, value in condition.tests:
        if op is Operator.BETWEEN:
            parts.append(text("cond.between", lang, low=value[0], high=value[1]))
        elif op is Operator.IN:
            parts.append(text("cond.in", lang, values=_listed(value, lang)))
        elif op is Operator.NOT_IN:
            parts.append(text("cond.not_in", lang, values=_listed(value, lang)))
        else:
            parts.append(f"{_SYMBOLS[op]} {_value(value)}")
    return text("cond.and", lang).join(parts)


def match_text(match: FactMatch, names: Namer) -> str:
    """A fact match in words: the fact type, its conditions, who may make it."""
    lang = names.lang
    said = names.fact(match.fact)
    if match.where:
        conditions = text("cond.and", lang).join(
            f"{names.attribute(match.fact, key)} {cell(condition, names, match.fact, key)}"
            for key, condition in match.where.items())
        said = text("match.where", lang, fact=said, conditions=conditions)
    if match.by is not None:
        said = text("match.by", lang, match=said, who=who_text(match.by, names))
    return said


def role_text(role: str, names: Namer) -> str:
    """A role by its name; a fixed group with its members (`leader: 王总、李总`)."""
    spec = names.model.roles.get(role)
    if spec is None or not spec.members:
        return names.role(role)
    members = _listed(spec.members, names.lang)
    if names.lang == "zh" and spec.name:
        return f"{spec.name}（{role}：{members}）"
    return text("role.members", names.lang, role=names.role(role), members=members)


def who_text(who: Who, names: Namer) -> str:
    parts = [role_text(who.role, names)] if who.role is not None else []
    parts += list(who.people)
    return text("who.or", names.lang).join(parts)


def anchor_text(deadline: Deadline | None, names: Namer) -> str | None:
    """What a deadline runs from when not from its trigger (`from:`), else None."""
    if deadline is None or deadline.from_ is None:
        return None
    anchor = deadline.from_
    return text("rule.from", names.lang, fact=names.fact(anchor.fact),
                join=names.attribute(anchor.fact, anchor.join))


@dataclass(frozen=True)
class DutyRow:
    rule: str
    name: str
    opened: str          # the trigger in words, or the recurring form
    fulfilled: str       # any of the matches
    per: str
    responsible: str
    penalty: str


def duty_rows(policy: CompiledPolicy, lang: Lang) -> list[DutyRow]:
    names = Namer.of(policy.model, lang)
    rows = []
    for key, duty in policy.duties.items():
        spec = duty.spec
        if duty.recurring is not None:
            opened = text("rule.recurring", lang, rule=duty.recurring.describe().render(lang))
        else:
            assert spec.trigger is not None  # a checked duty has one or the other
            opened = match_text(spec.trigger, names)
        fulfilled = text("rule.or", lang).join(match_text(m, names) for m in spec.fulfilled_by)
        if len(spec.fulfilled_by) > 1:
            fulfilled = text("rule.any_of", lang, matches=fulfilled)
        if duty.recurring is not None:
            per = text("per.period", lang)
        elif isinstance(spec.per, PerAttribute):
            per = text("per.attribute", lang,
                       attribute=names.attribute(spec.trigger.fact if spec.trigger else "",
                                                 spec.per.attribute))
        else:
            per = text(f"per.{spec.per}", lang)
        rows.append(DutyRow(key, _named(spec.name, spec.name_en, key, lang), opened, fulfilled,
                            per, role_text(spec.responsible, names),
                            names.penalty(spec.penalty)))
    return rows


def _named(name: str | None, name_en: str | None, key: str, lang: Lang) -> str:
    return (name_en if lang == "en" and name_en else name) or key


@dataclass(frozen=True)
class ProhibitionRow:
    rule: str
    name: str
    forbidden: str
    responsible: str
    penalty: str


def prohibition_rows(model: Policy, lang: Lang) -> list[ProhibitionRow]:
    names = Namer.of(model, lang)
    return [ProhibitionRow(key, _named(p.name, p.name_en, key, lang), match_text(p.fact, names),
                           text("rule.actor", lang) if p.responsible == "actor"
                           else role_text(p.responsible, names), names.penalty(p.penalty))
            for key, p in model.prohibitions.items()]


@dataclass(frozen=True)
class DecisionTable:
    key: str
    name: str
    on: str                          # the fact type whose facts it is evaluated on
    hit_policy: str                  # in words
    inputs: list[str]
    rules: list[tuple[list[str], str]]  # a cell per input ('any' where none), the result
    outputs: str


def decision_tables(model: Policy, lang: Lang) -> list[DecisionTable]:
    names = Namer.of(model, lang)
    return [_table(key, decision, names) for key, decision in model.decisions.items()]


def _table(key: str, decision: Decision, names: Namer) -> DecisionTable:
    lang = names.lang
    rules = [([cell(rule.when[i], names, decision.on, i) if i in rule.when
                else text("decision.any", lang)
               for i in decision.inputs], rule.then) for rule in decision.rules]
    outputs = _listed(decision.outputs, lang) if decision.outputs else text("decision.open",
                                                                            lang)
    return DecisionTable(key, _named(decision.name, decision.name_en, key, lang),
                         names.fact(decision.on), text(f"hit.{HitPolicy(decision.hit_policy)}",
                                                       lang),
                         [names.attribute(decision.on, i) for i in decision.inputs], rules,
                         outputs)
