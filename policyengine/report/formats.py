"""An evaluation result as the compliance report (table), JSON, or CSV."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from policyengine.engine.compiled import CompiledPolicy
from policyengine.kinds import ScheduleKind, Status
from policyengine.language import Lang
from policyengine.report.builders.common import named, policy_words
from policyengine.report.csvfile import csv_text
from policyengine.report.labels import coded, duration_text, label, late_text, when_text
from policyengine.report.names import person_sort_key
from policyengine.report.text import table
from policyengine.results import EvaluationResult, Violation, money_data, money_text
from policyengine.timeparse import format_duration
from policyengine.wording import Glossary, line, years_text

CSV_TABLES = ("violations", "people", "obligations", "rewards", "merits", "pending")


def to_json(result: EvaluationResult, names: Glossary | None = None) -> str:
    return json.dumps(result.to_dict(names), ensure_ascii=False, indent=2)


def role_names(policy: CompiledPolicy, lang: Lang) -> dict[str, str]:
    """Role codes in words for a Chinese CSV: the policy's own names (vocabulary `roles.*.name`).
    English keeps the codes, the keys integrators match on."""
    return dict(Glossary.of(policy.model).roles) if lang == "zh" else {}


def to_csv(result: EvaluationResult, which: str = "violations", *, lang: Lang = "en",
           roles: Mapping[str, str] | None = None) -> str:
    """One table of the result as CSV for a spreadsheet (BOM, formula escape: csvfile.py).

    English is the integrators' form and stays as it was: machine keys as headers, codes,
    `1d16h`, yes/no. Chinese is for a person opening it in Excel: headers, yes/no, durations,
    schedules and roles in words (`roles`: code -> name, see `role_names`); times stay ISO."""
    cells = _CsvWords(lang, roles or {})
    header, rows = _csv_table(result, which, cells)
    return csv_text([cells.head(h) for h in header], rows)


class _CsvWords:
    """The cells that differ between the English (machine) CSV and the Chinese (people) one."""

    def __init__(self, lang: Lang, roles: Mapping[str, str]) -> None:
        self.lang, self.roles = lang, roles

    def head(self, key: str) -> str:
        return label(f"csv.{key}", self.lang)

    def yes_no(self, value: bool) -> str:
        return label("word.yes" if value else "word.no", self.lang)

    def duration(self, delta: timedelta) -> str:
        return format_duration(delta) if self.lang == "en" else duration_text(delta, self.lang)

    def schedule(self, code: str) -> str:
        return code if self.lang == "en" else coded("schedule", code, self.lang)

    def rule(self, rule: str) -> str:
        return label("rule.none", self.lang) if rule == "none" and self.lang != "en" else rule

    def role(self, code: str) -> str:
        return self.roles.get(code, code)

    def status(self, status: Status) -> str:
        return status.value if self.lang == "en" else label(f"verdict.{status.value}", self.lang)


def _csv_table(result: EvaluationResult, which: str, w: _CsvWords
               ) -> tuple[list[str], list[list[object]]]:
    period = result.period or ""
    if which == "violations":
        return (["period", "month", "duty", "duty_name", "case", "person", "role", "due",
                 "fulfilled_at", "late_by", "penalty_rule", "schedule", "amount",
                 "count_in_month", "month_amount", "forfeit", "status"],
                [[period, v.month, v.duty, v.duty_name, v.case or "", v.person or "",
                  w.role(v.role), v.due.isoformat(),
                  v.fulfilled_at.isoformat() if v.fulfilled_at else "",
                  w.duration(v.late_by), w.rule(v.penalty.rule), w.schedule(v.penalty.schedule),
                  money_data(v.penalty.amount), v.penalty.count_in_month or "",
                  money_data(v.penalty.month_amount), w.yes_no(v.penalty.forfeit),
                  w.status(v.status)]
                 for v in result.violations])
    if which == "people":
        return (["period", "person", "violations", "amount", "forfeit", "forfeit_months"],
                [[period, p.person or "", p.violations, money_data(p.amount),
                  w.yes_no(p.forfeit), " ".join(p.forfeit_months)] for p in result.people])
    if which == "obligations":
        return (["duty", "duty_name", "case", "person", "role", "opened_at", "due", "overdue"],
                [[o.duty, o.duty_name, o.case or "", o.person or "", w.role(o.role),
                  o.opened_at.isoformat(), o.due.isoformat(), w.yes_no(o.overdue)]
                 for o in result.obligations])
    if which == "rewards":
        return (["period", "person", "reward", "reward_name", "min", "max", "reason"],
                [[period, r.person, r.reward, r.reward_name, money_data(r.min),
                  money_data(r.max), r.reason if w.lang == "en" else r.reason_in(w.lang)]
                 for r in result.rewards])
    if which == "merits":
        return (["person", "duty", "case", "due", "fulfilled_at", "working_days_early"],
                [[m.person or "", m.duty, m.case or "", m.due.isoformat(),
                  m.fulfilled_at.isoformat(), m.working_days_early] for m in result.merits])
    if which == "pending":
        header, *rows = _pending_table(result, w)
        return [str(h) for h in header], rows
    raise ValueError(f"unknown CSV table '{which}'; one of: {', '.join(CSV_TABLES)}")


class _Rows:
    """Collects rows like a csv writer, for csv_text to write safely."""

    def __init__(self) -> None:
        self.rows: list[list[object]] = []

    def writerow(self, row: list[object]) -> None:
        self.rows.append(row)


def _who(person: str | None, lang: Lang) -> str:
    return person or label("who.unresolved", lang)


def _case(case: str | None, lang: Lang) -> str:
    return case or label("case.none", lang)


def _title(result: EvaluationResult, lang: Lang) -> str:
    if not result.period:
        return label("eval.title", lang)
    kind = ("eval.title_quarterly" if "Q" in result.period
            else "eval.title_weekly" if "W" in result.period else "eval.title_monthly")
    return label(kind, lang, period=result.period)


def _policy_line(policy: dict[str, Any], lang: Lang) -> str:
    """Name, version, content hash and git revision, uncommitted edits said in words."""
    stamp = {**policy, "dirty": str(policy.get("git_revision") or "").endswith("+dirty")}
    words = policy_words(stamp, lang)
    text = words[0][1] + "".join(f"  {value}" for _, value in words[1:])
    return label("eval.policy", lang, policy=text)


def _header(result: EvaluationResult, lang: Lang, warnings: Sequence[str]) -> list[str]:
    tz = result.as_of.tzinfo
    stats = result.stats
    return [_title(result, lang), "=" * 60,
            label("eval.as_of", lang, as_of=f"{result.as_of:%Y-%m-%d %H:%M}", tz=tz),
            _policy_line(result.policy, lang),
            label("eval.facts", lang, facts=stats.get("facts", 0),
                  duplicates=stats.get("duplicates", 0), after=stats.get("facts_after_as_of", 0)),
            *(f"! {warning}" for warning in warnings),
            ""]


def _people(result: EvaluationResult, lang: Lang) -> list[str]:
    total = sum((p.amount for p in result.people), Decimal(0))
    out = [label("eval.summary", lang, violations=len(result.violations),
                 people=len(result.people), amount=money_text(total),
                 forfeits=sum(1 for p in result.people if p.forfeit)), ""]
    people = sorted(result.people, key=lambda p: person_sort_key(p.person, lang))
    rows = [[_who(p.person, lang), str(p.violations), money_text(p.amount),
             label("eval.forfeit_months", lang, months=" ".join(p.forfeit_months))
             if p.forfeit else "-"] for p in people]
    rows.append([label("eval.total", lang), str(len(result.violations)), money_text(total), ""])
    out += table([label("col.person", lang), label("col.violations", lang),
                  label("col.amount", lang), label("col.pay", lang)], rows, right=(1, 2))
    return out


def _cost(violation: Violation, lang: Lang) -> str:
    p = violation.penalty
    if p.forfeit and p.schedule != ScheduleKind.MONTHLY_COUNT:
        return label("cost.forfeit", lang)
    if p.schedule == ScheduleKind.MONTHLY_COUNT:
        return label("cost.count_short", lang)
    return money_text(p.amount)


def _charges(result: EvaluationResult, lang: Lang, explain: bool,
             names: Glossary | None) -> list[str]:
    by_person: dict[str | None, list[Violation]] = defaultdict(list)
    for violation in result.violations:
        by_person[violation.person].append(violation)
    out: list[str] = []
    for person in sorted(result.people, key=lambda p: person_sort_key(p.person, lang)):
        out += ["", label("eval.person_block", lang, person=_who(person.person, lang),
                          amount=money_text(person.amount))
                + (label("eval.person_forfeit", lang) if person.forfeit else "")]
        out += [f"    {line.detail.render(lang)}" for line in person.lines]
        rows = [[v.duty, _case(v.case, lang), when_text(v.due, lang),
                 when_text(v.fulfilled_at, lang), late_text(v, lang),
                 label("rule.none", lang) if v.penalty.rule == "none" else v.penalty.rule,
                 _cost(v, lang)] for v in by_person[person.person]]
        out += table([label(k, lang) for k in ("col.duty", "col.case_any", "col.due", "col.done",
                                               "col.late_by", "col.rule", "col.cost")],
                     rows, indent="    ")
        if explain:
            for v in by_person[person.person]:
                out.append(f"    · {v.duty} {v.case or ''}")
                out += [f"        {step.render(lang, names)}" for step in v.explanation]
                out.append(f"        {v.penalty.detail.render(lang, names)}")
    return out


def _open_obligations(result: EvaluationResult, lang: Lang) -> list[str]:
    out = ["", label("eval.open", lang, count=len(result.obligations),
                     overdue=sum(1 for o in result.obligations if o.overdue))]
    if result.obligations:
        rows = [[o.duty, _case(o.case, lang), _who(o.person, lang), when_text(o.due, lang),
                 label("eval.overdue", lang) if o.overdue else ""] for o in result.obligations]
        out += table([label("col.duty", lang), label("col.case_any", lang),
                      label("col.person", lang), label("col.due", lang),
                      label("col.overdue", lang)], rows)
    return out


def _rewards(result: EvaluationResult, lang: Lang) -> list[str]:
    if not result.rewards:
        if result.period and "Q" not in result.period:
            return ["", label("eval.rewards_quarterly", lang)]
        return []
    rows = [[r.person, f"{r.reward} {r.reward_name}", f"{money_text(r.min)}-{money_text(r.max)}",
             r.reason_in(lang)] for r in sorted(result.rewards,
                                       key=lambda r: (r.reward, person_sort_key(r.person, lang)))]
    return ["", label("eval.rewards", lang),
            *table([label("col.person", lang), label("col.reward", lang),
                    label("col.range_short", lang), label("col.why", lang)], rows)]


def _merits(result: EvaluationResult, lang: Lang) -> list[str]:
    if not result.merits:
        return []
    rows = [[_who(m.person, lang), m.duty, m.case or "", when_text(m.due, lang),
             when_text(m.fulfilled_at, lang), str(m.working_days_early)] for m in result.merits]
    return ["", label("eval.merits", lang),
            *table([label(k, lang) for k in ("col.person", "col.duty", "col.case_any", "col.due",
                                             "col.done", "col.days_early")], rows, right=(5,))]


def _notes(result: EvaluationResult, lang: Lang, names: Glossary | None) -> list[str]:
    if not result.notes:
        return []
    return ["", label("eval.notes", lang),
            *(f"  {note.render(lang, names)}" for note in result.notes)]


def _codes(result: EvaluationResult, lang: Lang, model: Any) -> list[str]:
    """Each duty and penalty code the tables above show, by its name, in the rule book's
    order: the printed report is read where the policy files are not (`R13`, `P5` alone
    told an office reader nothing)."""
    shown = ({v.duty for v in result.violations} | {o.duty for o in result.obligations}
             | {p.duty for p in result.pending} | {m.duty for m in result.merits}
             | {v.penalty.rule for v in result.violations})
    rows = [[code, named(spec, code, lang)]
            for section in (model.duties, model.prohibitions, model.penalties)
            for code, spec in section.items() if code in shown]
    if not rows:
        return []
    return ["", label("eval.codes", lang),
            *table([label("col.code", lang), label("col.name", lang)], rows)]


def to_table(result: EvaluationResult, *, explain: bool = False, lang: Lang = "zh",
             names: Glossary | None = None, warnings: Sequence[str] = (),
             model: Any = None) -> str:
    """The report a compliance officer reads: per person what was missed and what it costs.
    Sections in order; each is a function, so a new one is a line. `names`: the policy's
    glossary, for fact types and roles in Chinese explanations; `warnings` (in `lang`, e.g.
    the period has not ended) are shown under the title block; `model`: the policy's model,
    whose duties and penalties the codes' section names (none without it)."""
    out = _header(result, lang, warnings) + _people(result, lang)
    out += _charges(result, lang, explain, names)
    out += _open_obligations(result, lang) + pending_section(result, lang)
    out += _rewards(result, lang) + _merits(result, lang)
    out += _notes(result, lang, names)
    out += _codes(result, lang, model) if model is not None else []
    return "\n".join(out) + "\n"


# --- obligations pending calendar data (a year not yet published) ---------------------------


def _pending_table(result: EvaluationResult, w: _CsvWords) -> list[list[object]]:
    header: list[object] = ["duty", "duty_name", "case", "person", "role", "opened_at", "trigger",
                            "missing_year", "due_not_before", "status", "fulfilled_at",
                            "fulfilled_by"]
    rows = [header]
    for p in result.pending:
        rows.append([p.duty, p.duty_name, p.case or "", p.person or "", w.role(p.role),
                     p.opened_at.isoformat(), p.trigger_ref, str(p.missing_year),
                     p.due_not_before.isoformat(),
                     p.status.value if w.lang == "en" else p.status.words.render(w.lang),
                     p.fulfilled_at.isoformat() if p.fulfilled_at else "", p.fulfilled_by or ""])
    return rows


def pending_section(result: EvaluationResult, lang: Lang) -> list[str]:
    """The report's section on obligations pending calendar data (nothing when none)."""
    if not result.pending:
        return []
    years = years_text(result.pending_years)
    out = ["", line("pending.heading", count=len(result.pending), years=years).render(lang)]
    rows = [[p.duty, _case(p.case, lang), _who(p.person, lang), when_text(p.opened_at, lang),
             p.trigger_ref, str(p.missing_year), p.status.words.render(lang),
             when_text(p.fulfilled_at, lang)] for p in result.pending]
    return out + table([label(k, lang) for k in ("col.duty", "col.case_any", "col.person",
                                                 "col.opened", "col.trigger", "col.year",
                                                 "col.verdict", "col.done")], rows)
