"""An evaluation result as the compliance report (table), JSON, or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from policyengine.report.text import table
from policyengine.results import EvaluationResult, Violation, money_text
from policyengine.timeparse import format_duration
from policyengine.wording import line

CSV_TABLES = ("violations", "people", "obligations", "rewards", "merits", "pending")


def to_json(result: EvaluationResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2)


def to_csv(result: EvaluationResult, which: str = "violations") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if which == "violations":
        writer.writerow(["period", "month", "duty", "duty_name", "case", "person", "role", "due",
                         "fulfilled_at", "late_by", "penalty_rule", "schedule", "amount",
                         "count_in_month", "month_amount", "forfeit"])
        for v in result.violations:
            p = v.penalty
            writer.writerow([result.period or "", v.month, v.duty, v.duty_name, v.case or "",
                             v.person or "", v.role, v.due.isoformat(),
                             v.fulfilled_at.isoformat() if v.fulfilled_at else "",
                             format_duration(v.late_by), p.rule, p.schedule,
                             money_text(p.amount), p.count_in_month or "",
                             money_text(p.month_amount),
                             "yes" if p.forfeit else "no"])
    elif which == "people":
        writer.writerow(["period", "person", "violations", "amount", "forfeit", "forfeit_months"])
        for person in result.people:
            writer.writerow([result.period or "", person.person or "", person.violations,
                             money_text(person.amount), "yes" if person.forfeit else "no",
                             " ".join(person.forfeit_months)])
    elif which == "obligations":
        writer.writerow(["duty", "duty_name", "case", "person", "role", "opened_at", "due",
                         "overdue"])
        for o in result.obligations:
            writer.writerow([o.duty, o.duty_name, o.case or "", o.person or "", o.role,
                             o.opened_at.isoformat(), o.due.isoformat(),
                             "yes" if o.overdue else "no"])
    elif which == "rewards":
        writer.writerow(["period", "person", "reward", "reward_name", "min", "max", "reason"])
        for r in result.rewards:
            writer.writerow([result.period or "", r.person, r.reward, r.reward_name,
                             money_text(r.min), money_text(r.max), r.reason])
    elif which == "merits":
        writer.writerow(["person", "duty", "case", "due", "fulfilled_at", "working_days_early"])
        for m in result.merits:
            writer.writerow([m.person or "", m.duty, m.case or "", m.due.isoformat(),
                             m.fulfilled_at.isoformat(), m.working_days_early])
    elif which == "pending":
        writer.writerows(pending_rows(result))
    else:
        raise ValueError(f"unknown CSV table '{which}'; one of: {', '.join(CSV_TABLES)}")
    return buffer.getvalue()


def _when(moment: datetime | None) -> str:
    return moment.strftime("%m-%d %H:%M %a") if moment else "—"


def _who(person: str | None) -> str:
    return person or "(unresolved)"


def to_table(result: EvaluationResult, *, explain: bool = False, lang: str = "en") -> str:
    """The report a compliance officer reads: per person what was missed and what it costs."""
    tz = result.as_of.tzinfo
    kind = "quarterly" if result.period and "Q" in result.period else "monthly"
    title = (f"policyengine — {kind} evaluation {result.period}" if result.period
             else "policyengine — evaluation")
    policy = result.policy
    out = [title, "=" * 60,
           f"as of      {result.as_of:%Y-%m-%d %H:%M} ({tz})",
           f"policy     {policy.get('id')} v{policy.get('version')}"
           + (f"  {str(policy['content_hash'])[:19]}…" if policy.get("content_hash") else "")
           + (f"  git {str(policy['git_revision'])[:12]}" if policy.get("git_revision") else ""),
           f"facts      {result.stats.get('facts', 0)} evaluated, "
           f"{result.stats.get('duplicates', 0)} re-sent duplicates counted once, "
           f"{result.stats.get('facts_after_as_of', 0)} after as-of not seen",
           ""]
    total = sum((p.amount for p in result.people), Decimal(0))
    out.append(f"SUMMARY: {len(result.violations)} violations, {len(result.people)} people, "
               f"{money_text(total)} yuan in deductions, "
               f"{sum(1 for p in result.people if p.forfeit)} forfeiture(s)")
    out.append("")
    rows = [[_who(p.person), str(p.violations), money_text(p.amount),
             ("FORFEIT " + " ".join(p.forfeit_months)) if p.forfeit else "-"]
            for p in result.people]
    rows.append(["TOTAL", str(len(result.violations)), money_text(total), ""])
    out += table(["person", "violations", "amount (CNY)", "performance pay"], rows,
                 right=(1, 2))
    by_person: dict[str | None, list[Violation]] = defaultdict(list)
    for violation in result.violations:
        by_person[violation.person].append(violation)
    for person in result.people:
        out += ["", f"■ {_who(person.person)} — {money_text(person.amount)} yuan"
                + (", the month's performance pay is FORFEITED" if person.forfeit else "")]
        out += [f"    {line.detail.render(lang)}" for line in person.lines]
        rows = []
        for v in by_person[person.person]:
            p = v.penalty
            cost = ("forfeit" if p.forfeit and p.schedule != "monthly_count"
                    else "count" if p.schedule == "monthly_count"
                    else money_text(p.amount))
            rows.append([v.duty, v.case or "(weekly)", _when(v.due), _when(v.fulfilled_at),
                         format_duration(v.late_by), p.rule, cost])
        out += table(["duty", "case", "due", "done", "late by", "rule", "cost"], rows,
                     indent="    ")
        if explain:
            for v in by_person[person.person]:
                out.append(f"    · {v.duty} {v.case or ''}")
                out += [f"        {step.render(lang)}" for step in v.explanation]
                out.append(f"        {v.penalty.detail.render(lang)}")
    out += ["", f"OPEN OBLIGATIONS at as-of: {len(result.obligations)} "
            f"({sum(1 for o in result.obligations if o.overdue)} overdue)"]
    if result.obligations:
        rows = [[o.duty, o.case or "(weekly)", _who(o.person), _when(o.due),
                 "OVERDUE" if o.overdue else ""] for o in result.obligations]
        out += table(["duty", "case", "person", "due", ""], rows)
    out += pending_section(result, lang)
    if result.rewards:
        out += ["", "REWARDS (the decision group fixes the amount within the range)"]
        rows = [[r.person, f"{r.reward} {r.reward_name}",
                 f"{money_text(r.min)}-{money_text(r.max)}", r.reason] for r in result.rewards]
        out += table(["person", "reward", "range", "why"], rows)
    elif result.period and "Q" not in result.period:
        out += ["", "REWARDS are assessed per quarter: run with --quarter."]
    if result.merits:
        out += ["", "MERITS (commitments met early, in working days)"]
        rows = [[_who(m.person), m.duty, m.case or "", _when(m.due), _when(m.fulfilled_at),
                 str(m.working_days_early)] for m in result.merits]
        out += table(["person", "duty", "case", "due", "done", "days early"], rows, right=(5,))
    if result.notes:
        out += ["", "NOTES"]
        out += [f"  {note.render(lang)}" for note in result.notes]
    return "\n".join(out) + "\n"


# --- obligations pending calendar data (a year not yet published) ---------------------------


def pending_rows(result: EvaluationResult) -> list[list[str]]:
    """The `pending` CSV table: a header, then one row per obligation pending calendar data."""
    rows = [["duty", "duty_name", "case", "person", "role", "opened_at", "trigger",
             "missing_year", "due_not_before", "status", "fulfilled_at", "fulfilled_by"]]
    for p in result.pending:
        rows.append([p.duty, p.duty_name, p.case or "", p.person or "", p.role,
                     p.opened_at.isoformat(), p.trigger_ref, str(p.missing_year),
                     p.due_not_before.isoformat(), p.status.value,
                     p.fulfilled_at.isoformat() if p.fulfilled_at else "", p.fulfilled_by or ""])
    return rows


def pending_section(result: EvaluationResult, lang: str) -> list[str]:
    """The report's section on obligations pending calendar data (nothing when none)."""
    if not result.pending:
        return []
    years = ", ".join(str(y) for y in result.pending_years)
    out = ["", line("pending.heading", count=len(result.pending), years=years).render(lang)]
    rows = [[p.duty, p.case or "(weekly)", _who(p.person), _when(p.opened_at),
             p.trigger_ref, str(p.missing_year), p.status.words.render(lang),
             _when(p.fulfilled_at)] for p in result.pending]
    return out + table(["duty", "case", "person", "opened", "trigger", "year", "status",
                        "done"], rows)
