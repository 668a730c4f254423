"""A case's file for `policyengine explain`: its facts in time order and every duty it opened.

For each duty: how the deadline was computed, what fulfilled it (or that nothing did), who
answers for it, and — when missed — the penalty rule and the value in force.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from policyengine.engine.compiled import CompiledPolicy
from policyengine.engine.evaluate import _unread, classify, evaluate_replay, explain
from policyengine.engine.obligation import obligation_key
from policyengine.engine.replay import Replay, replay
from policyengine.engine.stream import StreamedFacts, replay_file
from policyengine.facts.reader import FactStream
from policyengine.facts.schema import Fact
from policyengine.gcpause import gc_paused
from policyengine.kinds import Status
from policyengine.results import PenaltyCharge
from policyengine.wording import Line


@dataclass(frozen=True)
class DutyTrace:
    key: str
    duty: str
    name: str
    status: str                  # met | late | missed | open | pending | prohibited
    person: str | None
    due: datetime                # pending: only the earliest the deadline can be
    fulfilled_at: datetime | None
    late_by: timedelta
    steps: tuple[Line, ...]
    penalty: PenaltyCharge | None
    missing_year: int | None = None  # the calendar year a pending deadline waits for

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        pending = self.missing_year is not None
        return {
            "key": self.key, "duty": self.duty, "name": self.name, "status": self.status,
            "person": self.person, "due": None if pending else self.due.isoformat(),
            **({"missing_year": self.missing_year, "due_not_before": self.due.isoformat()}
               if pending else {}),
            "fulfilled_at": self.fulfilled_at.isoformat() if self.fulfilled_at else None,
            "late_seconds": int(self.late_by.total_seconds()),
            "steps": [s.render(lang) for s in self.steps],
            "penalty": self.penalty.to_dict() if self.penalty else None,
        }


@dataclass(frozen=True)
class CaseFile:
    case: str
    as_of: datetime
    facts: tuple[Fact, ...]
    duties: tuple[DutyTrace, ...]

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {"case": self.case, "as_of": self.as_of.isoformat(),
                "facts": [f.to_dict() for f in self.facts],
                "duties": [d.to_dict(lang) for d in self.duties]}


def case_file(policy: CompiledPolicy, facts: Iterable[Fact], case: str,
              as_of: datetime) -> CaseFile:
    facts = facts if isinstance(facts, list) else list(facts)  # keeps CheckedFacts as it is
    run = replay(policy, facts, as_of)
    timeline = sorted((f for f in facts if f.case == case and f.at <= as_of),
                      key=lambda f: (f.at, f.type))
    return _case_file(policy, run, case, as_of, timeline)


def streamed_case_file(policy: CompiledPolicy, stream: FactStream, case: str,
                       as_of: datetime) -> tuple[CaseFile, StreamedFacts]:
    """`case_file` over a file read as it is replayed (engine/stream.py), with what the
    reading found: the other cases' obligations no result reads are dropped as the replay
    goes (as for `evaluate` of the whole history), the case's own are all kept."""
    unread = dataclasses.replace(_unread(policy, None), keep_case=case)
    facts: list[Fact] = []
    with gc_paused():
        run, read = replay_file(policy, stream, as_of, unread=unread, case_facts=facts)
        # In file order where time and type are equal, as the list's stable sort leaves them.
        timeline = sorted(facts, key=lambda f: (f.at, f.type, f.line or 0))
        return _case_file(policy, run, case, as_of, timeline), read


def _case_file(policy: CompiledPolicy, run: Replay, case: str, as_of: datetime,
               timeline: list[Fact]) -> CaseFile:
    # Charges need every violation of a person's month (monthly counts): all periods.
    everything = evaluate_replay(policy, run, None).violations
    charged = {v.key: v.penalty for v in everything}
    traces = []
    for obligation in run.obligations:
        if obligation.case != case:
            continue
        outcome = classify(policy, run, obligation)
        key = obligation_key(obligation)
        traces.append(DutyTrace(
            key=key, duty=obligation.duty.id, name=obligation.duty.title,
            status=outcome.status, person=outcome.person,
            due=policy.calendar.local(obligation.due),
            fulfilled_at=(policy.calendar.local(obligation.fulfilled_at)
                          if obligation.fulfilled_at else None),
            late_by=outcome.late_by, steps=tuple(explain(policy, run, outcome)),
            penalty=charged.get(key), missing_year=obligation.missing_year,
        ))
    traces += [DutyTrace(  # facts a prohibition forbids: violations of their own
        key=v.key, duty=v.duty, name=v.duty_name, status=v.status, person=v.person, due=v.due,
        fulfilled_at=None, late_by=v.late_by, steps=v.explanation, penalty=v.penalty)
        for v in everything if v.status is Status.PROHIBITED and v.case == case]
    traces.sort(key=lambda t: (t.due, t.duty))
    return CaseFile(case, as_of, tuple(timeline), tuple(traces))
