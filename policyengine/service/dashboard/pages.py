"""What each page shows, as plain values for its template: pure functions of the policy,
the evaluation and the facts (the routes read those through the service's cached reads)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from policyengine.engine.casefile import CaseFile, DutyTrace
from policyengine.errors import PolicyEngineError
from policyengine.facts.schema import Fact
from policyengine.kinds import Status
from policyengine.language import Lang
from policyengine.periods import Period
from policyengine.policy.model import RECURRING_FORMS, Policy
from policyengine.report.builders.deductions import cost_of
from policyengine.report.names import person_sort_key
from policyengine.results import EvaluationResult, OpenObligation, PersonTotal, Violation
from policyengine.service.dashboard.catalogue import text
from policyengine.service.dashboard.chart import MonthPoint
from policyengine.service.reads import Results
from policyengine.wording import Glossary


def names_of(model: Policy) -> Glossary:
    """The words of a page's sentences: the policy's names of fact types and roles (Chinese)
    and of its rules, in both languages (a penalty's id in an explanation is named)."""
    return Glossary.of(model).with_rules(model)


def rule_title(names: Glossary, key: str, fallback: str, lang: Lang) -> str:
    """A duty's or prohibition's name in the reader's language (`name_en` in English when
    the policy gives one), else `fallback` (the name the result carries), else the id."""
    for section in ("duties", "prohibitions"):
        found = names.rule_name(section, key, lang)
        if found is not None:
            return found
    return fallback or key


def people_in_order(result: EvaluationResult, lang: Lang) -> list[PersonTotal]:
    return sorted(result.people, key=lambda p: person_sort_key(p.person, lang))


@dataclass(frozen=True)
class Totals:
    violations: int
    amount: Decimal
    forfeits: int
    open: int
    overdue: int


def totals(result: EvaluationResult) -> Totals:
    return Totals(len(result.violations), sum((p.amount for p in result.people), Decimal(0)),
                  sum(1 for p in result.people if p.forfeit), len(result.obligations),
                  sum(1 for o in result.obligations if o.overdue))


def month_before(period: Period, count: int = 1) -> Period:
    year, month = period.start.year, period.start.month - count
    while month < 1:
        year, month = year - 1, month + 12
    return Period.month(year, month)


def month_after(period: Period) -> Period:
    return Period.month(period.end.year, period.end.month)


def trend(results: Results, period: Period, current: EvaluationResult,
          tz: ZoneInfo) -> list[MonthPoint]:
    """Amounts and violation counts of the 12 months up to `period`, each month as known at
    the page's as-of: one evaluation of every period (through the service's result cache),
    cut by month, instead of twelve. Charges per month are the rule lines' (a monthly count
    is charged once per person and month); the chosen month's figures equal the page's. A
    month that has not begun at the as-of has no figures (not zeros): it is marked so."""
    months = [month_before(period, back) for back in range(11, -1, -1)]
    try:
        whole: EvaluationResult | None = results.get(None, current.as_of)
    except PolicyEngineError:  # e.g. a year without calendar data: gaps, not an error page
        whole = None
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    counts: Counter[str] = Counter()
    if whole is not None:
        for person in whole.people:
            for rule_line in person.lines:
                amounts[rule_line.month] += rule_line.amount
        counts.update(v.month for v in whole.violations)
    out = []
    for m in months:
        started = m.start_at(tz) <= current.as_of
        known = whole is not None and started
        out.append(MonthPoint(m.label, amounts[m.label] if known else None,
                              counts[m.label] if known else None,
                              current=m.label == period.label, started=started))
    return out


@dataclass(frozen=True)
class DueLine:
    obligation: OpenObligation
    left: timedelta            # negative: overdue by


def open_duties(result: EvaluationResult, person: str) -> list[DueLine]:
    return [DueLine(o, o.due - result.as_of) for o in result.obligations if o.person == person]


def violations_of(result: EvaluationResult, person: str) -> list[Violation]:
    return [v for v in result.violations if v.person == person]


def named_in(facts: Iterable[Fact], person: str) -> bool:
    """Whether any stored fact names `person`: as its actor or in a field (a role assigned,
    a case's collector). A name no fact holds is a slip of the address, not a clean month."""
    return any(f.actor == person or person in f.attrs.values() for f in facts)


def caseless_label(model: Policy, duty: str, lang: Lang) -> str:
    """What stands for the case of a row without one: a recurring duty's period (每周, 每月,
    每年, 定期 for cron), else 无编号 as the reports say it (a duty triggered by a case-less
    fact, a prohibition)."""
    spec = model.duties.get(duty)
    recurring = spec.recurring if spec is not None else None
    if recurring is not None:
        for form in RECURRING_FORMS:
            if getattr(recurring, form) is not None:
                return text(f"person.{form}", lang)
    return text("person.no_case", lang)


def charge_text(violation: Violation, lang: Lang) -> str:
    """What one violation costs on its own line, as the deductions report says it."""
    cost = cost_of(violation, lang)
    return text("sched.yuan", lang, amount=cost) if isinstance(cost, Decimal) else str(cost)


class EventKind:
    FACT = "fact"
    OPENED = "opened"
    FULFILLED = "fulfilled"
    VIOLATED = "violated"
    DUE = "due"


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str                   # an EventKind
    title: str
    who: str
    details: str
    state: str = ""             # the duty's status (met, late, missed, open) for duty events


def fact_title(model: Policy, fact: Fact, lang: Lang) -> str:
    spec = model.fact_types.get(fact.type)
    if spec is None:
        return fact.type
    return (spec.name_en if lang == "en" and spec.name_en else spec.name) or fact.type


def timeline(model: Policy, found: CaseFile, lang: Lang, names: Glossary) -> list[Event]:
    """The case's facts and its duties' openings, fulfilments and misses, in time order."""
    by_id = {f.id: f for f in found.facts if f.id}
    events = [Event(f.at, EventKind.FACT, fact_title(model, f, lang), f.actor or "",
                    names.attributes(f.attrs, lang, f.type)) for f in found.facts]
    for trace in found.duties:
        events += _duty_events(trace, by_id, found.as_of, lang, names)
    order = {EventKind.FACT: 0, EventKind.OPENED: 1, EventKind.FULFILLED: 2,
             EventKind.VIOLATED: 3, EventKind.DUE: 4}
    return sorted(events, key=lambda e: (e.at, order[e.kind]))


def _duty_events(trace: DutyTrace, by_id: dict[str, Fact], as_of: datetime,
                 lang: Lang, names: Glossary) -> list[Event]:
    who = trace.person or text("month.unresolved", lang)
    status, state = text(f"status.{trace.status}", lang), trace.status
    name = rule_title(names, trace.duty, trace.name, lang)
    out = []
    if trace.status == Status.PROHIBITED:  # one event: the forbidden fact, at its time
        return [Event(trace.due, EventKind.VIOLATED, text("case.prohibited", lang,
                                                          name=name), who,
                      trace.penalty.detail.render(lang, names) if trace.penalty else "", state)]
    opener = by_id.get(trace.key.split("|", 2)[-1])
    if opener is not None:
        out.append(Event(opener.at, EventKind.OPENED, text("case.opened", lang, name=name),
                         who, trace.steps[2].render(lang, names) if len(trace.steps) > 2 else "",
                         state))
    if trace.fulfilled_at is not None:
        out.append(Event(trace.fulfilled_at, EventKind.FULFILLED,
                         text("case.fulfilled", lang, name=name), who, status, state))
    if trace.status in (Status.LATE, Status.MISSED):
        out.append(Event(trace.due, EventKind.VIOLATED, text("case.violated", lang, name=name),
                         who, trace.penalty.detail.render(lang, names) if trace.penalty else "",
                         state))
    elif trace.status == Status.OPEN and trace.due > as_of:
        out.append(Event(trace.due, EventKind.DUE, text("case.due_open", lang, name=name),
                         who, "", state))
    return out
