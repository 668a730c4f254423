"""What the replay's hot path asks of the policy, made once per replay (D46): each fact
type's `FactPlan` (its phases, the duties it may open or fulfil, the delays it may ask or
approve, what `noticed` does with it) and each duty's `Slot` (its tables and deadline).

Looked up once per fact (engine/replay.py `_State.kinds`) instead of by duty id and type
set per fact; compiled with mypyc, so their attributes are native fields.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any, Final

from policyengine.engine.compiled import CompiledDuty, Matcher, Per, Step, Steps
from policyengine.engine.dueof import Due, as_due
from policyengine.engine.obligation import Obligation
from policyengine.facts.schema import Fact

# What a fact of a type may do, phase by phase (`FactPlan.todo`): bits of one number.
DECIDE: Final = 1
OPEN: Final = 2
EXTEND: Final = 4
FULFIL: Final = 8


def _value(attrs: Mapping[str, Any], name: str) -> Any:
    """`attrs.get(name)`: a dict's own look-up when it is one (compiled: no method found
    by name each time), else the mapping's (the shared empty one)."""
    if isinstance(attrs, dict):
        return attrs.get(name)
    return attrs.get(name)


class Slot:
    """One duty as the replay's hot path takes it (`_State.open_as`, `fulfil_as`), made per
    replay from its opening and closing `Step` (compiled.py): the tables it keeps its
    obligations in are held here, not looked up by the duty's id per fact, and the deadline
    is a `Due` (engine/dueof.py), called natively. `due` is None unless the duty opens
    inline (the common shape the hot path handles itself); `closes_inline` likewise for
    fulfilments. Anything else goes the general way (`open_one`, `fulfil_one`)."""

    def __init__(self, opening: Step, closing: Step, waiting: MutableMapping[Any, Obligation],
                 latest: MutableMapping[Any, Obligation], drop: bool, inline: bool) -> None:
        duty = opening.duty
        self.duty: CompiledDuty = duty
        # `inline`: `opening.inline`, or a duty timed from an anchor when none can come
        # (engine/replay.py `_State.inline`): its deadline then runs from the trigger.
        due = opening.due if opening.due is not None or duty.deadline is None else (
            duty.deadline.fast_due)
        self.due: Due | None = as_due(due) if inline and due is not None else None
        self.closes_inline: bool = closing.inline
        # Whether a fact of the type that opens the duty may also fulfil it: else no fact
        # that fulfils it is the trigger of an open one, and `fulfil_as` need not ask (that
        # would read the trigger, a fact read long before: a miss in the cache, each).
        trigger = duty.trigger
        self.closes_own: bool = trigger is not None and any(
            m.fact == trigger.fact for m in duty.fulfils)
        self.delayable: bool = opening.delayable
        self.waiting = waiting  # `_State.open_for[id]`
        self.latest = latest    # `_State.latest[id]`
        self.drop = drop        # met in time, it leaves the list (`_State.met`)
        # Its `per` (`_State._target`, once per delay asked or approved)
        self.by_attribute: bool = duty.per is Per.ATTRIBUTE
        self.by_trigger: bool = duty.per is Per.TRIGGER


class SlotTable:
    """A dispatch table of `Slot`s (compiled.py `Steps`): the attribute it is keyed on
    (None: `default` always), the slots by that attribute's value, the default."""

    def __init__(self, on: str | None, table: dict[Any, list[Slot]], default: list[Slot]
                 ) -> None:
        self.on = on
        self.table = table
        self.default = default

    def select(self, fact: Fact) -> list[Slot]:
        on = self.on
        if on is None:
            return self.default
        return self.table.get(_value(fact.attrs, on), self.default)


def slot_table(steps: Steps, slots: dict[str, Slot]) -> SlotTable:
    """A `Steps` table (compiled.py) as the `SlotTable` of this replay's slots."""
    return SlotTable(steps.key,
                     {v: [slots[s.id] for s in ss] for v, ss in steps.table.items()},
                     [slots[s.id] for s in steps.default])


class Delays:
    """The duties a fact of one type may delay in one phase (a request or an approval),
    with the match each asks of it: by the value of one attribute (`on`) when every match
    tests only that attribute's membership (then `table` decides it all: `exact`), else
    all of them (`default`), each match asked."""

    def __init__(self, on: str | None, table: dict[Any, list[tuple[CompiledDuty, Matcher]]],
                 default: list[tuple[CompiledDuty, Matcher]], exact: bool) -> None:
        self.on = on
        self.table = table
        self.default = default
        self.exact = exact

    @staticmethod
    def of(pairs: list[tuple[CompiledDuty, Matcher]]) -> Delays | None:
        """The table of these (duty, match) pairs, in their order; None if there are none."""
        if not pairs:
            return None
        keys = {m.where[0][0] for _, m in pairs if m.where}
        if len(keys) > 1 or any(len(m.where) > 1 or not m.plain for _, m in pairs):
            return Delays(None, {}, pairs, False)
        values = {v for _, m in pairs for _, vs in m.where for v in vs}
        table = {v: [(d, m) for d, m in pairs if not m.where or v in m.where[0][1]]
                 for v in values}
        return Delays(next(iter(keys), None), table, [(d, m) for d, m in pairs if not m.where],
                      True)

    def select(self, fact: Fact) -> list[tuple[CompiledDuty, Matcher]]:
        on = self.on
        if on is None:
            return self.default
        return self.table.get(_value(fact.attrs, on), self.default)


class FactPlan:
    """What a fact of one type does in the replay, found once per fact (`_State.kinds`):
    its phases (`todo`, bits DECIDE, OPEN, EXTEND, FULFIL), the duties it may open or
    fulfil (None: no table; `by_trigger` / `by_fulfil` are asked), and what `noticed`
    does with it before it opens anything."""

    def __init__(self, todo: int, opening: SlotTable | None, closing: SlotTable | None) -> None:
        self.todo = todo
        self.opening = opening
        self.closing = closing
        self.notice = False      # `noticed` has something to do (any of the below)
        self.anchored = False    # a deadline runs from facts of this type
        self.noted = False       # one of the types below
        self.prohibited = False  # a prohibition forbids some facts of this type
        self.role = False        # `role.assigned`
        self.actor = False       # names the actor of a role (actor_of)
        self.tier: str | None = None  # the attribute carrying an urgency tier
        self.tracked = False     # a reward counts facts of this type (`handled`)
        self.requests: Delays | None = None   # the delays it may ask (`extend`)
        self.approvals: Delays | None = None  # the delays it may approve
