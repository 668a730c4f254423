"""Which obligations a compaction of the streamed replay keeps (engine/stream.py
`_drop_unread`): the look at every obligation in memory, compiled with mypyc (D69).

A compaction runs once per 65,536 obligations made, but looks at each of them: at 1M facts
a month's evaluation looks at about 900,000. The look is a small part of a compaction
(the sleeping and writing it decides on cost several times more), and compiled it costs a
little less (about 0.1 s at 1M facts). What stays in stream.py is what runs once per
compaction (and what its tests replace).
"""

from __future__ import annotations

from array import array
from datetime import datetime
from typing import Any, Final

from policyengine.engine.compiled import CompiledPolicy, Per
from policyengine.engine.dormant import Dormant, OpenFor, as_dict
from policyengine.engine.obligation import Obligation
from policyengine.engine.replay import _State

# A replay table's own look-up, never the `get` of `OpenFor` or `Latest`, which wakes what
# sleeps (called as a function: compiled, `table.get` would call the subclass's method)
_dict_get: Final = dict.get


def final_once_fulfilled(policy: CompiledPolicy) -> frozenset[str]:
    """The duties whose obligations nothing changes once fulfilled (see `Compaction.stays`)."""
    return frozenset(d.id for d in policy.duties.values()
                     if d.recurring is None and d.extension is None and d.anchors is None)


def latest_key(obligation: Obligation) -> Any:
    """The key of a delayable obligation in its duty's `latest` table."""
    duty = obligation.duty
    if duty.per is Per.ATTRIBUTE:
        assert obligation.trigger is not None
        return (obligation.case, obligation.trigger.attrs.get(duty.per_attribute))  # type: ignore[arg-type]
    return obligation.case


class Compaction:
    """One compaction's decisions, obligation by obligation (what stream.py `Unread` says no
    result reads, and what may sleep on disk instead of staying in memory)."""

    def __init__(self, state: _State, dormant: Dormant | None, *, met: frozenset[str],
                 outside: tuple[datetime, datetime] | None, always_read: frozenset[str],
                 keep_case: str | None, ended: bool, settled: int) -> None:
        self.state = state
        self.dormant = dormant
        self.met = met
        self.outside = outside
        self.always_read = always_read
        self.keep_case = keep_case
        self.ended = ended
        self.settled = settled  # an obligation of an ordinal below it is open since then
        self.simple = final_once_fulfilled(state.policy)

    def kept(self, obligations: list[Obligation]) -> list[bool]:
        """For each obligation: whether it stays in memory (put to sleep when it may)."""
        met, always_read, simple = self.met, self.always_read, self.simple
        keep, ended, settled = self.keep_case, self.ended, self.settled
        bounded = self.outside is not None
        start = end = None
        if self.outside is not None:
            start, end = self.outside
        ordinals = self.dormant.ordinals if self.dormant is not None else array("q")
        numbered = self.dormant is not None
        out: list[bool] = []
        for i in range(len(obligations)):
            o = obligations[i]
            ordinal: int = ordinals[i] if numbered else 0
            done = o.fulfilled_by
            if done is None:
                out.append(ordinal >= settled or self.stays_open(o, ordinal))
                continue
            duty_id = o.duty.id
            due = o.due
            if o.missing_year is not None or (keep is not None and o.case == keep):
                out.append(True)
            elif not ((done.at <= due and duty_id in met)
                      or (bounded and not start <= due < end  # type: ignore[operator]
                          and duty_id not in always_read)):
                out.append(True)  # read by a result
            else:
                out.append(not ended and duty_id not in simple and self.stays(o, ordinal))
        return out

    def stays_open(self, o: Obligation, ordinal: int) -> bool:
        """An obligation open since the last compaction at least sleeps, unless something
        else than its case's facts can reach it (an anchor that re-times it, a year of
        calendar data it waits for), its case is the one kept whole, or it is not the one
        its table holds."""
        duty = o.duty
        state = self.state
        waiting = state.open_for[duty.id]
        if (type(waiting) is not OpenFor or o.missing_year is not None
                or (self.keep_case is not None and o.case == self.keep_case)
                or (duty.anchors is not None and o.trigger is not None
                    and state._anchor_key(duty, o.trigger) is not None)
                or _dict_get(as_dict(waiting), o.case) is not o):
            return True
        waiting.sleep(o, ordinal, o.case)
        return False

    def stays(self, o: Obligation, ordinal: int) -> bool:
        """Unread and fulfilled, of a duty not always final once fulfilled (the few):
        whether it can still change. A recurring one can (a later report in its period
        replaces the fulfilment); one a delay can reach can, while it is the latest of its
        case (an approval after the work still moves its deadline), but unless it is timed
        from an anchor it sleeps on disk instead (engine/dormant.py); one timed from an
        anchor can (a later anchor re-times it), unless its trigger names no anchor."""
        duty = o.duty
        state = self.state
        if duty.recurring is not None:
            return True
        if duty.extension is not None:
            key = latest_key(o)
            latest = state.latest[duty.id]
            if _dict_get(as_dict(latest), key) is o:
                dormant = self.dormant
                if dormant is None or duty.anchors is not None:
                    return True
                dormant.sleep(o, ordinal, key)
                del latest[key]
                return False
        if duty.anchors is not None:
            return o.trigger is None or state._anchor_key(duty, o.trigger) is not None
        return False
