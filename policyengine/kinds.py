"""The names of kinds and statuses, one home each: what a policy's `schedule` key or reward
`kind` may say, and what an obligation's status is at `as_of`.

They are `StrEnum`s: a member is its own value as text (`str(ScheduleKind.LATENESS)` and JSON
give "lateness"), so outputs read as before and comparisons with plain text still hold.
The behaviour of each kind lives in its own module (engine/penalties/, engine/rewards/).
A built-in schedule name here without a module fails at import. A schedule kind outside this
list is one file: a module with a `@schedule` class, registered under its own name (a plain
`str`) when it is imported (docs/decisions.md D22, docs/extending.md).
"""

from __future__ import annotations

from enum import StrEnum


class ScheduleKind(StrEnum):
    """How a penalty rule charges: the key of a version's schedule in the policy file."""

    PER_INSTANCE = "per_instance"
    MONTHLY_COUNT = "monthly_count"
    LATENESS = "lateness"
    CAPPED_PER_INSTANCE = "capped_per_instance"
    NONE = "none"  # no penalty: the duty has none, or no version was in force


class LatenessMeasure(StrEnum):
    """How a penalty rule reads its lateness tiers: the `measure` of a rule (D20)."""

    CALENDAR_TIME = "calendar_time"  # on the clock: 1d is 24 hours
    WORKING_TIME = "working_time"    # 1d: the deadline one working day on; 1h: a working hour


def schedule_kind(name: str) -> str:
    """A built-in schedule kind as its `ScheduleKind` member, any other (a registered
    plug-in kind) as its name: both are text, and compare equal to it."""
    try:
        return ScheduleKind(name)
    except ValueError:
        return name


class RewardKind(StrEnum):
    """What a reward counts: the `kind` of a reward in the policy file."""

    ON_TIME = "on_time"
    EARLY_MAJOR = "early_major"
    NO_OMISSION = "no_omission"
    EARLY_MERIT = "early_merit"


class Status(StrEnum):
    """An obligation at `as_of`."""

    MET = "met"
    LATE = "late"
    MISSED = "missed"
    OPEN = "open"
    PENDING = "pending"  # the deadline needs a calendar year not yet published
    PROHIBITED = "prohibited"  # a fact a prohibition forbids: a violation of its own


class HitPolicy(StrEnum):
    """How a decision table picks among matching rules (DMN's F, U and P)."""

    FIRST = "first"        # the first matching rule, in the order written
    UNIQUE = "unique"      # exactly one rule may match; two is a note, not a guess
    PRIORITY = "priority"  # the matching output listed highest in `outputs`


class Operator(StrEnum):
    """A comparison in a `where` condition: `{ge: 5}`. `in` is a Python word, so its model
    field is `in_` (the YAML key stays `in`)."""

    GT = "gt"
    GE = "ge"
    LT = "lt"
    LE = "le"
    EQ = "eq"
    NE = "ne"
    IN = "in"
    NOT_IN = "not_in"
    BETWEEN = "between"

    @property
    def field(self) -> str:
        return "in_" if self is Operator.IN else self.value

    @property
    def orders(self) -> bool:
        """Whether it compares by order (number, money and date attributes only)."""
        return self in (Operator.GT, Operator.GE, Operator.LT, Operator.LE, Operator.BETWEEN)
