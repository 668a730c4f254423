"""What every reward kind is, and the one registry of them.

A reward kind is one module in this package: a frozen dataclass subclassing `RewardRule`,
decorated with `@reward_kind`, naming its `kind` (the policy file's `kind:`) and the keys it
needs (`needs`, checked when the policy is loaded). A quarterly kind grants rewards in
`qualify`; a kind that is not quarterly (early_merit) is counted per commitment instead.
"""

from __future__ import annotations

from abc import ABC
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar, TypeVar

from policyengine.kinds import RewardKind
from policyengine.periods import Period
from policyengine.policy.model import Reward
from policyengine.results import Violation
from policyengine.wording import Line

if TYPE_CHECKING:
    from policyengine.engine.compiled import CompiledPolicy
    from policyengine.engine.evaluate import Outcome
    from policyengine.engine.replay import Replay

Grant = Callable[[str, Line], None]  # (person, reason in words of both languages)


@dataclass(frozen=True)
class Quarter:
    """What a quarterly reward looks at: the replay, the obligations of reward duties, the
    quarter's violations."""

    policy: CompiledPolicy
    run: Replay
    outcomes: Sequence[Outcome]
    violations: Sequence[Violation]
    period: Period
    notes: list[Line]          # a case that cannot be assessed for want of a calendar year

    @cached_property
    def due_inside(self) -> list[Outcome]:
        """The outcomes whose deadline falls in the quarter."""
        tz = self.policy.calendar.tz
        return [o for o in self.outcomes if self.period.contains(o.obligation.due, tz)]


@dataclass(frozen=True)
class RewardRule(ABC):
    """One reward of the policy, compiled into its kind."""

    kind: ClassVar[RewardKind]
    needs: ClassVar[tuple[str, ...]]   # keys of the reward this kind cannot do without
    quarterly: ClassVar[bool] = True   # False: counted per commitment (merits)

    id: str
    spec: Reward

    @property
    def duties(self) -> tuple[str, ...]:
        return self.spec.duties

    def qualify(self, quarter: Quarter, grant: Grant) -> None:
        """Grant the reward to each person who qualifies in the quarter (quarterly kinds)."""
        raise NotImplementedError(f"{self.kind} is not a quarterly reward")


REWARDS: dict[RewardKind, type[RewardRule]] = {}

R = TypeVar("R", bound=type[RewardRule])


def reward_kind(cls: R) -> R:
    """Class decorator: register a reward kind under its `kind`."""
    if cls.kind in REWARDS:
        raise TypeError(f"reward kind '{cls.kind}' is registered twice: "
                        f"{REWARDS[cls.kind].__name__} and {cls.__name__}")
    REWARDS[cls.kind] = cls
    return cls
