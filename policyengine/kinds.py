"""The names of kinds and statuses, one home each: what a policy's `schedule` key or reward
`kind` may say, and what an obligation's status is at `as_of`.

They are `StrEnum`s: a member is its own value as text (`str(ScheduleKind.LATENESS)` and JSON
give "lateness"), so outputs read as before and comparisons with plain text still hold.
The behaviour of each kind lives in its own module (engine/penalties/, engine/rewards/);
a name here without a module, or a module without a name here, fails at import.
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
