"""`early_major` (奖励2): a major case's commitment met in at most `fraction` of the working
days from the estimate to the committed date (docs/decisions.md D5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from policyengine.engine.deadlines import CommittedDate, Versioned
from policyengine.engine.rewards.base import Grant, Quarter, RewardRule, reward_kind
from policyengine.errors import CalendarDataMissing
from policyengine.kinds import RewardKind, Status
from policyengine.wording import line


@reward_kind
@dataclass(frozen=True)
class EarlyMajor(RewardRule):
    kind = RewardKind.EARLY_MAJOR
    needs = ("duties", "fraction", "versions")

    def qualify(self, quarter: Quarter, grant: Grant) -> None:
        policy, run, period = quarter.policy, quarter.run, quarter.period
        cal = policy.calendar
        major = {t for t, spec in policy.model.urgency_tiers.items() if spec.major}
        fraction = self.spec.fraction
        assert fraction is not None  # the loader requires it (`needs`)
        for outcome in quarter.outcomes:
            obligation = outcome.obligation
            if (obligation.duty.id not in self.duties or outcome.status is not Status.MET
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
            try:
                available = cal.working_days_between(start, promised)
                used = cal.working_days_between(start, cal.local(done).date())
            except CalendarDataMissing as exc:
                if cal.is_before_data(exc.year):
                    raise
                quarter.notes.append(line("pending.reward", reward=self.spec.name or self.kind,
                                          case=obligation.case, year=exc.year))
                continue
            if available and used <= fraction * available:
                grant(outcome.person, line(
                    "reward.early_major", case=obligation.case,
                    tier=run.case_tier[obligation.case or ""], day=f"{cal.local(done):%Y-%m-%d}",
                    used=used, available=available, start=start.isoformat(),
                    promised=promised.isoformat(), fraction=f"{fraction:.0%}"))
