"""绩效扣款表: per person and month, each violation with its clause, and the month's amount or
当月无绩效 (forfeit) — the sheet HR pays deductions from. Pack-neutral: it reads only the
evaluation's violations and per-person totals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import policyengine as pe
from policyengine.engine.compiled import CompiledPolicy
from policyengine.facts.schema import Fact
from policyengine.kinds import ScheduleKind, Status
from policyengine.language import Lang
from policyengine.periods import Period
from policyengine.report.builders.common import as_of_for, named, stamp_of
from policyengine.report.builders.pending import pending_parts
from policyengine.report.document import Cell, Column, ColumnKind, Document, ReportKind, Table
from policyengine.report.labels import label, late_text
from policyengine.report.names import person_sort_key
from policyengine.results import EvaluationResult, Violation, money_number, money_text
from policyengine.timeparse import format_duration


def cost_of(violation: Violation, lang: Lang) -> Cell:
    """What one violation costs on its own line: yuan, forfeit, or counted in the month."""
    charge = violation.penalty
    if charge.schedule == ScheduleKind.MONTHLY_COUNT:
        return label("cost.count", lang)
    if charge.forfeit:
        return label("cost.forfeit", lang)
    if charge.rule == "none" or charge.amount is None:
        return label("cost.none", lang)
    return charge.amount


def clause_of(policy: CompiledPolicy, violation: Violation) -> str:
    penalty = policy.model.penalties.get(violation.penalty.rule)
    duty = _rule_of(policy, violation)
    parts = [p for p in ((penalty.clause if penalty else None), (duty.clause if duty else None))
             if p]
    return " / ".join(parts)


def _rule_of(policy: CompiledPolicy, violation: Violation) -> Any:
    """The duty a violation is of, or the prohibition it breaks (status `prohibited`)."""
    if violation.status is Status.PROHIBITED:
        return policy.model.prohibitions.get(violation.duty)
    return policy.model.duties.get(violation.duty)


def months_of(result: EvaluationResult) -> dict[tuple[str | None, str], tuple[Decimal, bool]]:
    """(person, month) -> (the month's amount, forfeit), from the engine's rule lines."""
    found: dict[tuple[str | None, str], tuple[Decimal, bool]] = {}
    for person in result.people:
        for line in person.lines:
            amount, forfeit = found.get((person.person, line.month), (Decimal(0), False))
            found[(person.person, line.month)] = (amount + line.amount, forfeit or line.forfeit)
    return found


def build(policy: CompiledPolicy, facts: Sequence[Fact], *, period: Period,
          as_of: datetime | None, lang: Lang) -> Document:
    when = as_of_for(policy, period, as_of)
    return of_result(policy, pe.evaluate(policy, facts, period=period, as_of=when),
                     period=period, as_of=when, lang=lang)


def of_result(policy: CompiledPolicy, result: EvaluationResult, *, period: Period,
              as_of: datetime, lang: Lang) -> Document:
    """The deductions table of `result` (the evaluation for `period` at `as_of`)."""
    when = as_of
    tz = policy.calendar.tz
    totals = months_of(result)
    by_month: dict[tuple[str | None, str], list[Violation]] = defaultdict(list)
    for violation in result.violations:
        by_month[(violation.person, violation.month)].append(violation)
    keys = sorted(set(by_month) | set(totals),
                  key=lambda k: (person_sort_key(k[0], lang), k[1]))
    unresolved = label("word.none", lang)
    month_rows: list[tuple[Cell, ...]] = []
    item_rows: list[tuple[Cell, ...]] = []
    people: dict[str | None, dict[str, Any]] = {}
    for person, month in keys:
        amount, forfeit = totals.get((person, month), (Decimal(0), False))
        items = by_month.get((person, month), [])
        pay = label("pay.forfeit" if forfeit else "pay.kept", lang)
        month_rows.append((person or unresolved, month, len(items), amount, pay))
        entry = people.setdefault(person, {"person": person, "months": []})
        entry["months"].append({
            "month": month, "amount": money_number(amount), "forfeit": forfeit,
            "violations": [{
                "duty": v.duty, "duty_name": v.duty_name, "case": v.case,
                "due": v.due.isoformat(),
                "fulfilled_at": v.fulfilled_at.isoformat() if v.fulfilled_at else None,
                "late_by": format_duration(v.late_by), "status": v.status.value,
                "rule": v.penalty.rule,
                "clause": clause_of(policy, v), "schedule": v.penalty.schedule,
                "amount": money_number(v.penalty.amount), "forfeit": v.penalty.forfeit}
                for v in items]})
        for v in items:
            duty = _rule_of(policy, v)
            item_rows.append((person or unresolved, month, v.duty, named(duty, v.duty, lang),
                              v.case or "", v.due.astimezone(tz),
                              v.fulfilled_at.astimezone(tz) if v.fulfilled_at else None,
                              late_text(v, lang),
                              label("rule.none", lang) if v.penalty.rule == "none"
                              else v.penalty.rule, clause_of(policy, v), cost_of(v, lang)))
    for entry in people.values():
        entry["amount"] = sum((m["amount"] or 0 for m in entry["months"]), 0)
        entry["forfeit_months"] = [m["month"] for m in entry["months"] if m["forfeit"]]
    month_table = Table(
        "months", label("table.deductions_month", lang),
        (Column("person", label("col.person", lang)), Column("month", label("col.month", lang)),
         Column("violations", label("col.violations", lang), ColumnKind.INTEGER),
         Column("amount", label("col.amount", lang), ColumnKind.MONEY),
         Column("pay", label("col.pay", lang))),
        tuple(month_rows))
    item_table = Table(
        "violations", label("table.deductions_items", lang),
        (Column("person", label("col.person", lang)), Column("month", label("col.month", lang)),
         Column("duty", label("col.duty", lang)),
         Column("duty_name", label("col.duty_name", lang), width=30),
         Column("case", label("col.case_any", lang)),
         Column("due", label("col.due", lang), ColumnKind.DATETIME),
         Column("done", label("col.done", lang), ColumnKind.DATETIME),
         Column("late_by", label("col.late_by", lang)), Column("rule", label("col.rule", lang)),
         Column("clause", label("col.clause", lang), width=30),
         Column("cost", label("col.cost", lang))),
        tuple(item_rows), note=label("note.deductions", lang))
    stamp = stamp_of(policy)
    total = sum((a for a, _ in totals.values()), Decimal(0))
    forfeits = sum(1 for _, f in totals.values() if f)
    pending = pending_parts(policy, result, lang)
    # The totals HR checks the rows against, in the title block of every printed form
    summed = label("head.deductions_total", lang, violations=len(result.violations),
                   amount=money_text(total), forfeits=forfeits)
    return Document(
        kind=ReportKind.DEDUCTIONS, lang=lang, title=label("doc.deductions", lang),
        period=period.label, as_of=when, policy=stamp,
        heading=((label("head.total", lang), summed),),
        tables=(month_table, item_table, *pending.tables),
        data=pending.data_of({"people": list(people.values()), "total": money_number(total),
                              "violations": len(result.violations),
                              "forfeits": forfeits}),
        warnings=pending.warnings)
