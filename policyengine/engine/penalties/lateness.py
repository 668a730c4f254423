"""`lateness: [tiers]`: the amount depends on how late (惩罚6: 1天以内20元, 7天以内100元,
7天以上当月无绩效). Lateness is wall-clock time past the deadline (docs/decisions.md D5),
unless the rule says `measure: working_time`: then a bound `Nd` is the deadline moved by N
working days and `Nh` by N working hours (D20), and a tier holds when the late instant is
after its `over` and no later than its `up_to`, so moved."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from policyengine.engine.penalties.base import (
    Late,
    Problem,
    Schedule,
    outcome,
    outcome_problems,
    schedule,
)
from policyengine.engine.penalties.tiers import TierCharges, tier_charge
from policyengine.kinds import ScheduleKind
from policyengine.policy.messages import Say
from policyengine.policy.model import Duration, Flag, Money, Strict
from policyengine.results import PenaltyCharge
from policyengine.timeparse import format_duration
from policyengine.wording import Line, line


class LatenessTier(Strict):
    over: Duration
    up_to: Duration | None = None
    amount: Money | None = None
    forfeit: Flag = False


@schedule
@dataclass(frozen=True)
class Lateness(Schedule):
    kind = ScheduleKind.LATENESS
    Terms = tuple[LatenessTier, ...]
    description = "tiers by how late: over / up_to, each an amount or forfeit"
    reads_lateness = True

    tiers: tuple[LatenessTier, ...]

    @classmethod
    def compile(cls, rule: str, effective: date, terms: Any) -> Lateness:
        return cls(rule, effective, tuple(terms))

    @classmethod
    def check(cls, terms: Any, effective: date) -> list[Problem]:
        return tiers_problems(terms)

    def charge(self, late_by: timedelta) -> PenaltyCharge:
        # Each violation's charge says its own lateness (a large history has tens of
        # thousands): compiled (penalties/tiers.py), each tier's words made once.
        return self._tiers(late_by)

    @property
    def charging(self) -> Callable[[timedelta], PenaltyCharge]:
        # compiled, unless a kind made from this one charges otherwise
        return self._tiers if type(self).charge is Lateness.charge else self.charge

    @cached_property
    def _tiers(self) -> TierCharges:
        """`charge`, compiled: the tiers with their bounds and outcome in words (a `Line` is
        never changed once made: shared ones are safe). Pickled with the policy."""
        return TierCharges(self.rule, self.kind, self.effective, self.since, tuple(
            (tier.over, tier.up_to, tier.amount or Decimal(0), tier.forfeit, _bounds(tier),
             outcome(tier.forfeit, tier.amount)) for tier in self.tiers))

    def charge_late(self, late: Late) -> PenaltyCharge:
        """Tiers read in working time: the bounds move the deadline on the calendar's
        working days and hours (may raise CalendarDataMissing)."""
        cal, end = late.calendar, late.end
        for tier in self.tiers:
            low = cal.add_working_time(late.due, tier.over)
            if end <= low:
                continue
            high = cal.add_working_time(late.due, tier.up_to) if tier.up_to is not None else None
            if high is not None and end > high:
                continue
            words = line(
                "pen.lateness_working", rule=self.rule, effective=self.since, late=late.by,
                bounds=_bounds(tier), low=cal.local(low),
                high=line("bounds.to", at=cal.local(high)) if high is not None else line("empty"),
                outcome=outcome(tier.forfeit, tier.amount))
            return tier_charge(self.rule, self.kind, tier.amount or Decimal(0), tier.forfeit,
                               self.effective, words)
        return PenaltyCharge(self.rule, self.kind, Decimal(0), False, self.effective,
                             line("pen.lateness_working_none", rule=self.rule,
                                  effective=self.since, late=late.by))


def _bounds(tier: LatenessTier) -> Line:
    return (line("bounds.over_up_to", over=tier.over, up_to=tier.up_to)
            if tier.up_to is not None else line("bounds.over", over=tier.over))

def tiers_problems(tiers: tuple[LatenessTier, ...]) -> list[Problem]:
    """Tiers from 0 on, each starting where the previous ends, the last one open."""
    key = ScheduleKind.LATENESS.value
    found: list[Problem] = []
    expected = timedelta(0)
    for i, tier in enumerate(tiers):
        here = (key, i)
        found += outcome_problems(tier, here)
        if tier.over != expected:
            code = "E-TIER-GAP" if tier.over > expected else "E-TIER-OVERLAP"
            found.append(Problem((*here, "over"), code, Say.LATENESS_TIER_START(
                start=_span(tier.over), end=_span(expected))))
        if tier.up_to is None:
            if i != len(tiers) - 1:
                found.append(Problem((*here, "up_to"), "E-TIER-OVERLAP",
                                     Say.OPEN_TIER_LAST(key="up_to")))
            return found
        if tier.up_to <= tier.over:
            found.append(Problem((*here, "up_to"), "E-TIER-ORDER", Say.UP_TO_NOT_LONGER()))
        expected = tier.up_to
    found.append(Problem((key,), "E-TIER-GAP", Say.LATENESS_TIERS_END(end=_span(expected))))
    return found


def _span(delta: timedelta) -> str:
    return format_duration(delta)
