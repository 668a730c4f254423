"""A person's month: each rule's line (count, amount, forfeit) and the person's totals.

A kind charged per violation (say per_instance) sums its violations' amounts; a kind with
`per_month` (say monthly_count) is totalled by the version in force on the month's first
day (`Schedule.month_line`).

Compiled with mypyc (policyengine/native.py): `in_month` is asked once per violation of a
per-month kind and `group` once per charge (a large history has tens of thousands).
`Months` lives only within one evaluation (it is never pickled).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Final

from policyengine.engine.penalties.base import SCHEDULES
from policyengine.engine.penalties.rules import CompiledPenalty
from policyengine.kinds import ScheduleKind
from policyengine.results import PenaltyCharge, PersonTotal, RuleLine, Violation
from policyengine.wording import Line, line

# (person, penalty rule, month "YYYY-MM", the per-month kind totalling it, or None: summed)
MonthKey = tuple[str | None, str, str, str | None]


class Months:
    """Every person's month under every rule, from the charges of their violations."""

    def __init__(self, lines: dict[MonthKey, RuleLine]) -> None:
        self.lines: Final = lines
        # (month key, the charge's id) -> the charge in its month: the violations of one
        # person's month under one version share their charge (a schedule makes it once),
        # so they share this too. Ids are safe: `charged` keeps every charge alive meanwhile.
        self._filled: Final[dict[tuple[MonthKey, int], PenaltyCharge]] = {}

    def in_month(self, person: str | None, charge: PenaltyCharge, month: str) -> PenaltyCharge:
        """A violation's charge with its month filled in, for kinds charged per month."""
        key = _key(person, charge, month)
        if key is None or key[3] is None:
            return charge
        return self.filled(key, charge)

    def filled(self, key: MonthKey, charge: PenaltyCharge) -> PenaltyCharge:
        """`in_month` for a charge of a kind charged per month whose key `group` gave."""
        filled = self._filled.get((key, id(charge)))
        if filled is None:
            kind = key[3]
            assert kind is not None  # charged per month
            filled = self._filled[(key, id(charge))] = SCHEDULES[kind].in_month(
                charge, self.lines[key])
        return filled


_NONE: Final = ScheduleKind.NONE
_ZERO: Final = Decimal(0)
_NEW: Final = object.__new__
_NEW_LINE: Final[Callable[[type[Line], tuple[Any, ...]], Line]] = tuple.__new__
# (a `Line` is never changed once made: shared ones are safe)
_AND_FORFEIT: Final = line("out.and_forfeit")
_NOTHING: Final = line("empty")


def _key(person: str | None, charge: PenaltyCharge, month: str) -> MonthKey | None:
    kind = charge.schedule
    if kind == _NONE:
        return None
    return person, charge.rule, month, kind if SCHEDULES[kind].per_month else None


# The charges of each person's month under each rule (`MonthKey`), in the order given
Groups = dict[MonthKey, list[PenaltyCharge]]


def group(groups: Groups, person: str | None, charge: PenaltyCharge, month: str
          ) -> MonthKey | None:
    """A charge put with those of its person's month under its rule (none: left out), and
    that month's key (None: none; the key's kind None: summed, `Months.in_month` keeps the
    charge). The evaluator groups each charge as it makes it (engine/evaluate.py
    `evaluate_replay`, through `_Charger`) and fills those charged per month with the key
    (`Months.filled`)."""
    if charge.schedule == _NONE:  # `_key`'s first test, inlined: no penalty, no line
        return None
    key = _key(person, charge, month)
    if key is not None:
        found = groups.get(key)
        if found is None:
            groups[key] = [charge]
        else:
            found.append(charge)
    return key


def months_of(penalties: Mapping[str, CompiledPenalty], groups: Groups) -> Months:
    """One line per person, rule and month, from the grouped charges."""
    return Months({key: _line(key, charges, penalties[key[1]])
                   for key, charges in groups.items()})


def _line(key: MonthKey, charges: list[PenaltyCharge], penalty: CompiledPenalty) -> RuleLine:
    _, rule, month, kind = key
    if kind is None:  # summed: one line per person, rule and month of most kinds
        amount = _ZERO
        forfeit = False
        for charge in charges:  # added in order from 0, as `sum` does (the same exponent)
            amount = amount + (charge.amount or _ZERO)
            if charge.forfeit:  # `any`
                forfeit = True
        # made without the frozen `__init__` (results.py `made`, inlined), its words as
        # `line(...)` makes them: thousands of lines in a large history
        made: RuleLine = _NEW(RuleLine)
        fields = made.__dict__  # set one by one, in their order: no dict of keywords
        fields["rule"] = rule
        fields["month"] = month
        fields["count"] = len(charges)
        fields["amount"] = amount
        fields["forfeit"] = forfeit
        fields["detail"] = _NEW_LINE(Line, ("pen.instances", {
            "rule": rule, "month": month, "count": len(charges), "amount": amount,
            "forfeit": _AND_FORFEIT if forfeit else _NOTHING}))
        return made
    year, number = (int(x) for x in month.split("-"))
    version = penalty.in_force(date(year, number, 1))
    if version is None or version.kind != kind:
        return RuleLine(rule, month, len(charges), Decimal(0), False,
                        line("pen.month_none", rule=rule, month=month))
    return version.month_line(month, charges)


def count_people(violations: Iterable[Violation],
                 counted: dict[str | None, int] | None = None) -> dict[str | None, int]:
    """Each person's number of violations (added to `counted`, if given)."""
    counted = {} if counted is None else counted
    for violation in violations:
        person = violation.person
        counted[person] = counted.get(person, 0) + 1
    return counted


def people_totals(counted: Mapping[str | None, int], months: Months) -> list[PersonTotal]:
    """Per person with violations (`counted`: how many, see `count_people`): the amount,
    the forfeited months, and a line per rule and month."""
    lines: dict[str | None, list[RuleLine]] = {}
    for (person, _, _, _), month_line in months.lines.items():
        lines.setdefault(person, []).append(month_line)
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
