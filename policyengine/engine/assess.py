"""Penalties: which version of a rule was in force, what a violation costs, a person's month.

Per-instance and lateness rules charge each violation; monthly-count rules charge a
person's month by how many violations of that rule fell in it (counted per rule).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from policyengine.policy.model import Penalty, PenaltyVersion
from policyengine.results import PenaltyCharge, PersonTotal, RuleLine, Violation
from policyengine.timeparse import format_duration

NO_PENALTY = PenaltyCharge("none", "none", Decimal(0), detail="this duty carries no penalty")


def version_in_force(penalty: Penalty, day: date) -> PenaltyVersion | None:
    found = None
    for version in penalty.versions:
        if version.effective <= day:
            found = version
    return found


def charge(penalty_id: str | None, penalty: Penalty | None, due_day: date,
           late_by: timedelta) -> PenaltyCharge:
    """What one violation costs, before monthly counting."""
    if penalty_id is None or penalty is None:
        return NO_PENALTY
    version = version_in_force(penalty, due_day)
    if version is None:
        return PenaltyCharge(penalty_id, "none", Decimal(0),
                             detail=f"no version of {penalty_id} was in force on {due_day}")
    since = f"{penalty_id} as in force from {version.effective}"
    if version.per_instance is not None:
        return PenaltyCharge(penalty_id, "per_instance", version.per_instance, False,
                             version.effective, f"{since}: {version.per_instance} yuan each time")
    if version.lateness is not None:
        for tier in version.lateness:
            if late_by > tier.over and (tier.up_to is None or late_by <= tier.up_to):
                bounds = (f"over {format_duration(tier.over)}"
                          + (f" and up to {format_duration(tier.up_to)}" if tier.up_to else ""))
                outcome = ("the month's performance pay is forfeited" if tier.forfeit
                           else f"{tier.amount} yuan")
                return PenaltyCharge(penalty_id, "lateness", tier.amount or Decimal(0),
                                     tier.forfeit, version.effective,
                                     f"{since}: {format_duration(late_by)} late is {bounds}: "
                                     f"{outcome}")
        return PenaltyCharge(penalty_id, "lateness", Decimal(0), False, version.effective,
                             f"{since}: no lateness tier matches {format_duration(late_by)}")
    return PenaltyCharge(penalty_id, "monthly_count", None, False, version.effective,
                         f"{since}: charged per month by the count of {penalty_id} violations")


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
                        f"no monthly schedule of {key.rule} in force in {key.month}")
    for tier in version.monthly_count:
        if count >= tier.from_ and (tier.to is None or count <= tier.to):
            bounds = f"{tier.from_}-{tier.to}" if tier.to is not None else f"{tier.from_} or more"
            outcome = ("the month's performance pay is forfeited" if tier.forfeit
                       else f"{tier.amount} yuan for the month")
            return RuleLine(key.rule, key.month, count, tier.amount or Decimal(0), tier.forfeit,
                            f"{key.rule} as in force from {version.effective}: {count} in "
                            f"{key.month}, tier {bounds}: {outcome}")
    return RuleLine(key.rule, key.month, count, Decimal(0), False,
                    f"no tier of {key.rule} matches a count of {count}")


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
        detail = f"{rule} {month}: {len(members)} × {rule}: {amount} yuan" + (
            ", and the month's performance pay is forfeited" if forfeit else "")
        lines[person].append(RuleLine(rule, month, len(members), amount, forfeit, detail))
    for key, line in monthly.items():
        lines[key.person].append(line)
    people = []
    for person in sorted(counted, key=lambda p: (p is None, p or "")):
        own = sorted(lines.get(person, []), key=lambda line: (line.month, line.rule))
        people.append(PersonTotal(
            person=person,
            amount=sum((line.amount for line in own), Decimal(0)),
            forfeit=any(line.forfeit for line in own),
            violations=counted[person],
            lines=tuple(own),
            forfeit_months=tuple(sorted({line.month for line in own if line.forfeit})),
        ))
    return people
