"""Quarterly rewards (who qualifies, why, the range) and merits for early delivery.

The decision group fixes the amount within the range; the engine never picks a number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from policyengine.engine.compiled import CompiledPolicy
from policyengine.engine.deadlines import CommittedDate, Versioned
from policyengine.engine.replay import Replay
from policyengine.periods import Period
from policyengine.policy.model import Reward, RewardVersion, in_force
from policyengine.results import Merit, RewardResult, Violation
from policyengine.wording import Line, line

if TYPE_CHECKING:
    from policyengine.engine.evaluate import Outcome

Grant = Callable[[str, Line], None]  # (person, reason)


def rewards(policy: CompiledPolicy, run: Replay, outcomes: Sequence[Outcome],
            violations: Sequence[Violation], period: Period) -> list[RewardResult]:
    """Rewards are per quarter: a month's evaluation reports none."""
    if not period.is_quarter:
        return []
    tz = policy.calendar.tz
    last_day = period.end - timedelta(days=1)
    found: list[RewardResult] = []
    in_quarter = [o for o in outcomes if period.contains(o.obligation.due, tz)]
    for reward_id, reward in policy.model.rewards.items():
        version = in_force(reward.versions, last_day)
        if version is None or reward.kind == "early_merit":
            continue

        def grant(person: str, reason: Line, reward_id: str = reward_id,
                  reward: Reward = reward, version: RewardVersion = version) -> None:
            found.append(RewardResult(person, reward_id, reward.name or reward_id,
                                      version.min, version.max, reason.render("en"), reason))

        if reward.kind == "on_time":
            _on_time(reward, in_quarter, period, grant)
        elif reward.kind == "early_major":
            _early_major(policy, run, reward, outcomes, period, grant)
        elif reward.kind == "no_omission":
            _no_omission(run, reward, violations, period, tz, grant)
    found.sort(key=lambda r: (r.reward, r.person))
    return found


def _on_time(reward: Reward, outcomes: Sequence[Outcome], period: Period, grant: Grant) -> None:
    owed: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.obligation.duty.id in reward.duties and outcome.person:
            owed[outcome.person].append(outcome)
    for person, items in sorted(owed.items()):
        late = [o for o in items if o.violated]
        if late:
            continue
        kinds: dict[str, int] = defaultdict(int)
        for o in items:
            kinds[o.obligation.duty.id] += 1
        listing = ", ".join(f"{d} ×{n}" for d, n in sorted(kinds.items()))
        grant(person, line("reward.on_time", count=len(items), period=period.label,
                           listing=listing))


def _early_major(policy: CompiledPolicy, run: Replay, reward: Reward,
                 outcomes: Sequence[Outcome], period: Period, grant: Grant) -> None:
    cal = policy.calendar
    major = {t for t, spec in policy.model.urgency_tiers.items() if spec.major}
    fraction = reward.fraction
    assert fraction is not None  # the loader requires it for early_major
    for outcome in outcomes:
        obligation = outcome.obligation
        if (obligation.duty.id not in reward.duties or outcome.status != "met"
                or obligation.trigger is None or not outcome.person
                or run.case_tier.get(obligation.case or "") not in major):
            continue
        done = obligation.fulfilled_at
        assert done is not None
        if not period.contains(done, cal.tz):
            continue
        committed = obligation.duty.deadline
        if isinstance(committed, Versioned):
            committed = committed.pick(cal.local(obligation.trigger.at).date())[1]
        field = committed.field if isinstance(committed, CommittedDate) else None
        promised = obligation.trigger.attrs.get(field) if field else None
        if not isinstance(promised, date):
            continue
        start = cal.local(obligation.trigger.at).date()
        available = cal.working_days_between(start, promised)
        used = cal.working_days_between(start, cal.local(done).date())
        if available and used <= fraction * available:
            grant(outcome.person, line(
                "reward.early_major", case=obligation.case,
                tier=run.case_tier[obligation.case or ""], day=f"{cal.local(done):%Y-%m-%d}",
                used=used, available=available, start=start.isoformat(),
                promised=promised.isoformat(), fraction=f"{fraction:.0%}"))


def _no_omission(run: Replay, reward: Reward, violations: Sequence[Violation], period: Period,
                 tz: ZoneInfo, grant: Grant) -> None:
    assert reward.role is not None
    start, end = period.start_at(tz), period.end_at(tz)
    missed = {v.person for v in violations if v.penalty.rule in reward.rules}
    for person in run.roles.holders_between(reward.role, start, end):
        if person in missed:
            continue
        cases = {case for kind in reward.handled for at, case in run.handled.get(kind, [])
                 if start <= at < end and run.roles.holder(reward.role, at) == person}
        if not cases:
            continue
        grant(person, line("reward.no_omission", rules="/".join(reward.rules),
                           period=period.label, role=reward.role, count=len(cases)))


def merits(policy: CompiledPolicy, outcomes: Sequence[Outcome]) -> list[Merit]:
    """Each commitment met before its day: one merit with the working days early."""
    cal = policy.calendar
    duties = {d for r in policy.model.rewards.values() if r.kind == "early_merit" for d in r.duties}
    ids = {r for r, spec in policy.model.rewards.items() if spec.kind == "early_merit"}
    reward_id = min(ids) if ids else ""
    found = []
    for outcome in outcomes:
        obligation = outcome.obligation
        if outcome.status != "met" or obligation.duty.id not in duties:
            continue
        done = obligation.fulfilled_at
        assert done is not None
        early = cal.working_days_between(cal.local(done).date(), cal.local(obligation.due).date())
        if early > 0:
            found.append(Merit(outcome.person, reward_id, obligation.duty.id, obligation.case,
                               cal.local(obligation.due), cal.local(done), early))
    found.sort(key=lambda m: (m.due, m.duty, m.case or ""))
    return found

