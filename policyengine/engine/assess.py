"""Penalties: which version of a rule was in force, what a violation costs, a person's month.

Per-instance and lateness rules charge each violation; monthly-count rules charge a
person's month by how many violations of that rule fell in it (counted per rule).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
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


@dataclass(frozen=True)
class _MonthKey:
    person: str | None
    rule: str
    month: str


def assess(violations: list[Violation], penalties: dict[str, Penalty]) -> tuple[
        list[Violation], list[PersonTotal]]:
    """Apply monthly counts to the violations, and total each person."""
    counts: dict[_MonthKey, list[Violation]] = defaultdict(list)
    for violation in violations:
        if violation.penalty.schedule == "monthly_count":
            counts[_MonthKey(violation.person, violation.penalty.rule, violation.month)].append(
                violation)
    month_charge: dict[_MonthKey, RuleLine] = {}
    for key, members in counts.items():
        month_charge[key] = _monthly_line(key, len(members), penalties[key.rule])
    updated = []
    for violation in violations:
        if violation.penalty.schedule == "monthly_count":
            line = month_charge[_MonthKey(violation.person, violation.penalty.rule,
                                          violation.month)]
            violation = replace(violation, penalty=replace(
                violation.penalty, forfeit=line.forfeit, count_in_month=line.count,
                month_amount=line.amount, detail=line.detail))
        updated.append(violation)
    return updated, _people(updated, month_charge)


def _monthly_line(key: _MonthKey, count: int, penalty: Penalty) -> RuleLine:
    year, month = (int(x) for x in key.month.split("-"))
    version = version_in_force(penalty, date(year, month, 1))
    if version is None or version.monthly_count is None:
        return RuleLine(key.rule, key.month, count, Decimal(0), False,
                        line("pen.month_none", rule=key.rule, month=key.month))
    for tier in version.monthly_count:
        if count >= tier.from_ and (tier.to is None or count <= tier.to):
            bounds = (line("bounds.count", low=tier.from_, high=tier.to) if tier.to is not None
                      else line("bounds.count_open", low=tier.from_))
            return RuleLine(key.rule, key.month, count, tier.amount or Decimal(0), tier.forfeit,
                            line("pen.month_tier", rule=key.rule,
                                 effective=version.effective.isoformat(), count=count,
                                 month=key.month, bounds=bounds,
                                 outcome=_outcome(tier.forfeit, tier.amount, "out.yuan_month")))
    return RuleLine(key.rule, key.month, count, Decimal(0), False,
                    line("pen.month_no_tier", rule=key.rule, count=count))


def _people(violations: list[Violation],
            monthly: dict[_MonthKey, RuleLine]) -> list[PersonTotal]:
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
    for key, month_line in monthly.items():
        lines[key.person].append(month_line)
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
