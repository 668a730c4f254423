"""An obligation: one duty owed, from the fact (or week) that opened it to the fact that
fulfilled it. The replay mutates these while it runs; afterwards they are only read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from policyengine.engine.compiled import CompiledDuty
from policyengine.facts.schema import Fact
from policyengine.wording import Line


class Obligation:
    """One duty owed: opened by a trigger (or the week), closed by a fulfilling fact."""

    # `place`: its index in the replay's list of obligations, set when it is added there
    # (engine/replay.py `_State.met` empties that place when the obligation is dropped).
    __slots__ = ("anchor", "case", "due", "duty", "fulfilled_by", "history", "missing_year",
                 "opened_at", "pending", "place", "trigger")
    # Declared first, in this order, so compiled (mypyc) they lie next to the object's
    # head: what is read of an obligation long after it was made, when it is fulfilled
    # (engine/replay.py `fulfil_as`, `met`) and when the results sort it out
    # (engine/evaluate.py `evaluate_replay`), is then mostly one line of memory, not two.
    fulfilled_by: Fact | None
    due: datetime
    missing_year: int | None
    duty: CompiledDuty
    place: int  # set when it joins the replay's list (above); read only from there
    trigger: Fact | None
    # Set on a `Keyed` obligation only (a duty whose `per` is not `case`): nothing more to
    # make for each obligation of the hot path.
    actor: str | None = None
    seq = 0

    def __init__(self, duty: CompiledDuty, case: str | None, trigger: Fact | None,
                 opened_at: datetime, due: datetime):
        self.duty = duty
        self.case = case
        self.trigger = trigger
        self.opened_at = opened_at
        self.due = due
        self.fulfilled_by: Fact | None = None
        self.history: list[Line] | None = None  # deadline changes, for the explanation
        self.pending: date | None = None  # the date of a delay request awaiting approval
        # Set when the deadline needs working days of a year the calendar lacks: `due` is
        # then only the earliest it can be, and the verdict waits for that year's data.
        self.missing_year: int | None = None
        # The fact the deadline runs from when not the trigger (`deadline: {from: ...}`).
        self.anchor: Fact | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (workers send obligations to the parent) as what makes one, then what
        changed since: compiled (mypyc), the class is made only by calling it."""
        return (type(self), (self.duty, self.case, self.trigger, self.opened_at, self.due),
                (self.fulfilled_by, self.history, self.pending, self.missing_year, self.anchor,
                 getattr(self, "place", None), self.actor, self.seq))

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        (self.fulfilled_by, self.history, self.pending, self.missing_year, self.anchor,
         place, actor, seq) = state
        if place is not None:
            self.place = place
        if isinstance(self, Keyed):
            self.actor, self.seq = actor, seq

    def note(self, text: Line) -> None:
        if self.history is None:
            self.history = []
        self.history.append(text)

    @property
    def fulfilled_at(self) -> datetime | None:
        return self.fulfilled_by.at if self.fulfilled_by is not None else None


class Keyed(Obligation):
    """An obligation of a duty whose `per` is not `case`: who the responsible role's facts
    name when it opens (engine/evaluate.py `responsible`), and a number telling apart
    obligations opened by facts that would otherwise name them alike (no id, same type and
    time)."""

    __slots__ = ("actor", "seq")

    def __init__(self, duty: CompiledDuty, case: str | None, trigger: Fact | None,
                 opened_at: datetime, due: datetime):
        super().__init__(duty, case, trigger, opened_at, due)
        self.actor = None
        self.seq = 0


def opener(trigger: Fact | None, opened_at: datetime, seq: int = 0) -> str:
    """What opened an obligation (or made a forbidden fact), as a key's last part. Not the
    file line: the same fact must give the same key in a later, longer file."""
    text = (trigger.id or f"{trigger.type}@{trigger.at.isoformat()}" if trigger is not None
            else opened_at.isoformat())
    return f"{text}#{seq}" if seq else text


def obligation_key(obligation: Obligation) -> str:
    """Names an obligation the same way under any policy: duty, case, and what opened it."""
    trigger = obligation.trigger
    if trigger is not None and trigger.id and not obligation.seq:  # `opener`, the usual way
        return f"{obligation.duty.id}|{obligation.case or ''}|{trigger.id}"
    return (f"{obligation.duty.id}|{obligation.case or ''}|"
            f"{opener(trigger, obligation.opened_at, obligation.seq)}")
