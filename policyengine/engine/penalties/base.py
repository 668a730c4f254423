"""What every penalty schedule is, and the one registry of them.

A schedule kind is one module: a frozen dataclass subclassing `Schedule`, decorated with
`@schedule` (in this package, found by import; or anywhere else, registered when imported or
named by the `policyengine.schedules` entry point). It declares
- `kind`: its name, the key of a rule version in the policy file (`per_instance: 20`): a
  `ScheduleKind` member for the built-in kinds, a plain lower-case name for any other;
- `Terms`: the shape of the value under that key, a pydantic type; the policy model builds a
  version's keys from the registry, so the YAML shape, the JSON Schema and the "did you mean"
  of a misspelt key all come from here;
- `check()`: the checks a shape cannot express (tiers without gaps, a whole-month date);
- `compile()`, `charge()`: what one violation costs under one dated version;
- `per_month` and `month_line()`: for kinds that charge a person's month as a whole (count
  tiers, a monthly cap) rather than the sum of its violations.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, TypeVar

from policyengine.kinds import schedule_kind
from policyengine.policy.messages import Say, Words
from policyengine.results import PenaltyCharge, RuleLine
from policyengine.wording import Line, line

if TYPE_CHECKING:
    from policyengine.calendar import WorkCalendar


class Late(NamedTuple):
    """A violation's lateness with what working time needs: the deadline and the calendar.
    The late instant is `due + by` (the fulfilment, or as-of for a missed duty)."""

    due: datetime
    by: timedelta                 # on the clock
    calendar: WorkCalendar

    @property
    def end(self) -> datetime:
        return self.due + self.by


class Problem(NamedTuple):
    """A problem in a version's terms: where (below the version), a stable code, the words."""

    path: tuple[str | int, ...]
    code: str
    message: Words             # English and Chinese (policy/messages.py)


@dataclass(frozen=True)
class Schedule(ABC):
    """One dated version of a penalty rule, compiled."""

    kind: ClassVar[str]           # a ScheduleKind member, or a plug-in kind's own name
    Terms: ClassVar[Any]          # the pydantic type of the value under the `kind` key
    description: ClassVar[str]    # one line for the JSON Schema (editors show it)
    per_month: ClassVar[bool] = False  # True: the month is charged by `month_line`
    # True: the charge reads the lateness, so the rule's `measure` matters (else a `measure`
    # written on a rule without such a version is refused: it would be ignored)
    reads_lateness: ClassVar[bool] = False

    rule: str        # the penalty id
    effective: date  # the version's effective date

    @classmethod
    @abstractmethod
    def compile(cls, rule: str, effective: date, terms: Any) -> Schedule:
        """The schedule for one version, from its checked terms."""

    @classmethod
    def check(cls, terms: Any, effective: date) -> list[Problem]:
        """Problems the terms' shape cannot express; none by default."""
        return []

    @abstractmethod
    def charge(self, late_by: timedelta) -> PenaltyCharge:
        """What one violation costs under this version, before its month is totalled."""

    @property
    def charging(self) -> Callable[[timedelta], PenaltyCharge]:
        """`charge` as one callable: the evaluator finds it once per rule and day of
        deadline and calls it per violation. A kind may give a compiled one (lateness)."""
        return self.charge

    def same_charge(self) -> PenaltyCharge | None:
        """The charge of every violation under this version when it never reads the
        lateness (on the clock or in working time), else None (`charge` is then asked for
        each one). A kind that overrides `charge` to read the lateness must not return one."""
        return None

    def charge_late(self, late: Late) -> PenaltyCharge:
        """What one violation costs under a rule measuring lateness in working time; kinds
        that do not read lateness charge as always."""
        return self.charge(late.by)

    def month_line(self, month: str, charges: Sequence[PenaltyCharge]) -> RuleLine:
        """A per-month kind: one person's month under this version (the version in force on
        the month's first day), from that month's charges of this rule."""
        raise NotImplementedError(f"{self.kind} is charged per violation, not per month")

    @classmethod
    def in_month(cls, charge: PenaltyCharge, month: RuleLine) -> PenaltyCharge:
        """A violation's charge once its month is known; unchanged by default."""
        return charge

    @property
    def since(self) -> str:
        return self.effective.isoformat()


def outcome(forfeit: bool, amount: Decimal | None, key: str = "out.yuan") -> Line:
    """A tier's outcome in words: an amount, or the month forfeited."""
    return line("out.forfeit") if forfeit else line(key, amount=amount or Decimal(0))


def outcome_problems(tier: Any, here: tuple[str | int, ...]) -> list[Problem]:
    """A tier (of any tiered kind) gives exactly one of an `amount` and `forfeit: true`."""
    if (tier.amount is None) == (not tier.forfeit):
        return [Problem(here, "E-VALUE", Say.TIER_OUTCOME())]
    return []


def whole_months(kind: str, effective: date) -> list[Problem]:
    """A kind that charges whole months starts on a month's first day (one month, one
    version: docs/decisions.md D5)."""
    if effective.day == 1:
        return []
    return [Problem(("effective",), "E-VALUE", Say.MONTHLY_FROM_FIRST(kind=kind, day=effective))]


# --- the registry ------------------------------------------------------------------------

# Kind name -> its class. Keys are text: a ScheduleKind member hashes and compares as its value.
SCHEDULES: dict[str, type[Schedule]] = {}
# Called after a kind registers once the policy model exists (it rebuilds its version keys).
ON_NEW_KIND: list[Callable[[], None]] = []

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_TAKEN = ("none", "effective")  # "no penalty", and the version's date key

S = TypeVar("S", bound=type[Schedule])


def schedule(cls: S) -> S:
    """Class decorator: register a schedule kind under its `kind` (a lower-case name)."""
    kind = cls.kind
    if not isinstance(kind, str) or not _NAME.fullmatch(kind) or kind in _TAKEN:
        raise TypeError(f"{cls.__name__}.kind must be a lower-case name such as "
                        f"'weekly_cap' (letters, digits, _), other than {' and '.join(_TAKEN)}; "
                        f"got {kind!r}")
    if kind in SCHEDULES:
        raise TypeError(f"schedule kind '{kind}' is registered twice: "
                        f"{SCHEDULES[kind].__name__} and {cls.__name__}")
    cls.kind = schedule_kind(kind)
    SCHEDULES[cls.kind] = cls
    for rebuild in ON_NEW_KIND:
        rebuild()
    return cls

