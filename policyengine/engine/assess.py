"""Penalties: which version of a rule was in force, what a violation costs, a person's month.

Per-instance and lateness rules charge each violation; monthly-count rules charge a
person's month by how many violations of that rule fell in it (counted per rule).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from policyengine.policy.model import Penalty, PenaltyVersion, in_force
from policyengine.results import PenaltyCharge, PersonTotal, RuleLine, Violation
from policyengine.wording import Line, line

NO_PENALTY = PenaltyCharge("none", "none", Decimal(0), detail=line("pen.none"))


def version_in_force(penalty: Penalty, day: date) -> PenaltyVersion | None:
    return in_force(penalty.versions, day)


def _outcome(forfeit: bool, amount: Decimal | None, key: str = "out.yuan") -> Line:
    return line("out.forfeit") if forfeit else line(key, amount=amount or Decimal(0))


def charge(penalty_id: str | None, penalty: Penalty | None, due_day: date,
           late_by: timedelta) -> PenaltyCharge:
    """What one violation costs, before monthly counting."""
    if penalty_id is None or penalty is None:
        return NO_PENALTY
    version = version_in_force(penalty, due_day)
    if version is None:
        return PenaltyCharge(penalty_id, "none", Decimal(0),
                             detail=line("pen.not_in_force", rule=penalty_id, day=due_day))
    effective = version.effective
    since = effective.isoformat()
    if version.per_instance is not None:
        return PenaltyCharge(penalty_id, "per_instance", version.per_instance, False, effective,
                             line("pen.per_instance", rule=penalty_id, effective=since,
                                  amount=version.per_instance))
    if version.lateness is not None:
        for tier in version.lateness:
            if late_by > tier.over and (tier.up_to is None or late_by <= tier.up_to):
                bounds = (line("bounds.over_up_to", over=tier.over, up_to=tier.up_to)
                          if tier.up_to is not None else line("bounds.over", over=tier.over))
                return PenaltyCharge(penalty_id, "lateness", tier.amount or Decimal(0),
                                     tier.forfeit, effective,
                                     line("pen.lateness", rule=penalty_id, effective=since,
                                          late=late_by, bounds=bounds,
                                          outcome=_outcome(tier.forfeit, tier.amount)))
        return PenaltyCharge(penalty_id, "lateness", Decimal(0), False, effective,
                             line("pen.lateness_none", rule=penalty_id, effective=since,
                                  late=late_by))
    return PenaltyCharge(penalty_id, "monthly_count", None, False, effective,
                         line("pen.monthly", rule=penalty_id, effective=since))


MonthKey = tuple[str | None, str, str]  # (person, penalty rule, month)


def monthly_lines(charged: Iterable[tuple[str | None, PenaltyCharge, str]],
                  penalties: dict[str, Penalty]) -> dict[MonthKey, RuleLine]:
    """Each person's month under each monthly-count rule: the count and the tier it reaches."""
    counts: dict[MonthKey, int] = defaultdict(int)
    for person, charge_, month in charged:
        if charge_.schedule == "monthly_count":
            counts[(person, charge_.rule, month)] += 1
    return {key: _monthly_line(key, count, penalties[key[1]]) for key, count in counts.items()}


def in_month(charge_: PenaltyCharge, line: RuleLine) -> PenaltyCharge:
    """A monthly-count charge with its month's count, tier and outcome filled in."""
    return PenaltyCharge(charge_.rule, charge_.schedule, None, line.forfeit, charge_.effective,
                         line.detail, line.count, line.amount)


def _monthly_line(key: MonthKey, count: int, penalty: Penalty) -> RuleLine:
    _, rule, month_text = key
    year, month = (int(x) for x in month_text.split("-"))
    version = version_in_force(penalty, date(year, month, 1))
    if version is None or version.monthly_count is None:
        return RuleLine(rule, month_text, count, Decimal(0), False,
                        line("pen.month_none", rule=rule, month=month_text))
    for tier in version.monthly_count:
        if count >= tier.from_ and (tier.to is None or count <= tier.to):
            bounds = (line("bounds.count", low=tier.from_, high=tier.to) if tier.to is not None
                      else line("bounds.count_open", low=tier.from_))
            return RuleLine(rule, month_text, count, tier.amount or Decimal(0), tier.forfeit,
                            line("pen.month_tier", rule=rule,
                                 effective=version.effective.isoformat(), count=count,
                                 month=month_text, bounds=bounds,
                                 outcome=_outcome(tier.forfeit, tier.amount, "out.yuan_month")))
    return RuleLine(rule, month_text, count, Decimal(0), False,
                    line("pen.month_no_tier", rule=rule, count=count))


def people_totals(violations: list[Violation],
                  monthly: dict[MonthKey, RuleLine]) -> list[PersonTotal]:
    """Per person: the amount, the forfeited months, and a line per rule and month."""
    lines: dict[str | None, list[RuleLine]] = defaultdict(list)
    counted: dict[str | None, int] = defaultdict(int)
    instance: dict[tuple[str | None, str, str], list[Violation]] = defaultdict(list)
    for violation in violations:
        counted[violation.person] += 1
        if violation.penalty.schedule in ("per_instance", "lateness"):
            instance[(violation.person, violation.penalty.rule, violation.month)].append(violation)
    for (person, rule, month), members in instance.items():
        amount = sum((v.penalty.amount or Decimal(0) for v in members), Decimal(0))
        forfeit = any(v.penalty.forfeit for v in members)
        detail = line("pen.instances", rule=rule, month=month, count=len(members), amount=amount,
                      forfeit=line("out.and_forfeit") if forfeit else line("empty"))
        lines[person].append(RuleLine(rule, month, len(members), amount, forfeit, detail))
    for (person, _, _), month_line in monthly.items():
        lines[person].append(month_line)
    people = []
    for person in sorted(counted, key=lambda p: (p is None, p or "")):
        own = sorted(lines.get(person, []), key=lambda rule_line: (rule_line.month, rule_line.rule))
        people.append(PersonTotal(
            person=person,
            amount=sum((rule_line.amount for rule_line in own), Decimal(0)),
            forfeit=any(rule_line.forfeit for rule_line in own),
            violations=counted[person],
            lines=tuple(own),
            forfeit_months=tuple(sorted({r.month for r in own if r.forfeit})),
        ))
    return people
