"""季度奖励建议: per quarter, who qualifies for each reward, why, and the range; the decision
group fixes the amount. Pack-neutral: it reads the evaluation's reward results."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import policyengine as pe
from policyengine.engine.compiled import CompiledPolicy
from policyengine.errors import UsageError
from policyengine.facts.schema import Fact
from policyengine.kinds import RewardKind
from policyengine.language import Lang
from policyengine.periods import Period
from policyengine.report.builders.common import as_of_for, named, stamp_of
from policyengine.report.builders.pending import pending_parts
from policyengine.report.document import Column, ColumnKind, Document, ReportKind, Table
from policyengine.report.labels import label
from policyengine.report.names import person_sort_key
from policyengine.results import EvaluationResult, money_number
from policyengine.wording import line


def build(policy: CompiledPolicy, facts: Sequence[Fact], *, period: Period,
          as_of: datetime | None, lang: Lang) -> Document:
    if not period.is_quarter:
        raise UsageError(line("usage.rewards_period", period=period.label))
    when = as_of_for(policy, period, as_of)
    return of_result(policy, pe.evaluate(policy, facts, period=period, as_of=when),
                     period=period, as_of=when, lang=lang)


def of_result(policy: CompiledPolicy, result: EvaluationResult, *, period: Period,
              as_of: datetime, lang: Lang) -> Document:
    """The rewards table of `result` (the evaluation for the quarter `period` at `as_of`)."""
    when = as_of
    found = sorted(result.rewards, key=lambda r: (r.reward, person_sort_key(r.person, lang)))
    rewards = policy.model.rewards
    rows = tuple((r.reward, named(rewards.get(r.reward), r.reward_name, lang), r.person,
                  r.min, r.max, r.reason_in(lang)) for r in found)
    assessed = [rid for rid, spec in rewards.items() if spec.kind != RewardKind.EARLY_MERIT]
    granted = {r.reward for r in found}
    nobody = [label("note.nobody", lang, reward=f"{rid} {named(rewards[rid], rid, lang)}",
                    period=period.label) for rid in assessed if rid not in granted]
    notes = [label("note.rewards", lang), *nobody]
    table = Table(
        "rewards", label("table.rewards", lang),
        (Column("reward", label("col.reward_id", lang)),
         Column("reward_name", label("col.reward", lang)),
         Column("person", label("col.person", lang)),
         Column("min", label("col.min", lang), ColumnKind.MONEY),
         Column("max", label("col.max", lang), ColumnKind.MONEY),
         Column("reason", label("col.why", lang), width=60)),
        rows, note=("" if lang == "zh" else " ").join(notes))
    stamp = stamp_of(policy)
    pending = pending_parts(policy, result, lang)
    return Document(
        kind=ReportKind.REWARDS, lang=lang, title=label("doc.rewards", lang),
        period=period.label, as_of=when, policy=stamp, heading=(),
        tables=(table, *pending.tables), warnings=pending.warnings,
        data=pending.data_of({
            "rewards": [{"reward": r.reward, "reward_name": r.reward_name, "person": r.person,
                         "min": money_number(r.min), "max": money_number(r.max),
                         "reason": r.reason_in(lang)} for r in found],
            "nobody": [rid for rid in assessed if rid not in granted]}))
