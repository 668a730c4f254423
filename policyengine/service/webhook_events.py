"""Which webhook events an evaluation holds: a pure comparison of results with what was sent.

An event is one obligation reaching one state: opened, fulfilled, violated, or pending a
calendar year. Its identity is (event type, obligation key), so recording it twice is a
no-op (the outbox's unique key); nothing here reads the clock or the database.

Read from the public results of an evaluation over every deadline up to as-of
(`period=None`):

- an obligation the results show in any form (open, a violation, pending) is `opened`;
- a late or missed violation is `violated` (missed: its deadline passed unfulfilled at
  as-of; late: fulfilled after it);
- a late violation, a pending obligation that is fulfilled, and an obligation `opened` was
  sent for that is no longer open, violated nor pending (met: on time results do not list
  it) are `fulfilled`;
- a pending obligation still waiting is `pending_calendar`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from policyengine.kinds import Status
from policyengine.results import EvaluationResult, OpenObligation, PendingObligation, Violation
from policyengine.timeparse import format_duration


class EventType(StrEnum):
    OPENED = "obligation.opened"
    FULFILLED = "obligation.fulfilled"
    VIOLATED = "obligation.violated"
    PENDING_CALENDAR = "obligation.pending_calendar"


# How each event is said, per language: {who}, {duty}, {case}, {due} are filled in.
_WORDS: dict[EventType, tuple[str, str]] = {
    EventType.OPENED: ("{who} now owes '{duty}'{case}, due {due}",
                       "{who}现有一项义务「{duty}」{case}，截止 {due}"),
    EventType.FULFILLED: ("'{duty}'{case} owed by {who} is fulfilled{late}",
                          "{who}的义务「{duty}」{case}已完成{late}"),
    EventType.VIOLATED: ("'{duty}'{case} owed by {who} was {how} (due {due})",
                         "{who}的义务「{duty}」{case}{how}（截止 {due}）"),
    EventType.PENDING_CALENDAR: ("'{duty}'{case} owed by {who} waits for the {year} working-"
                                 "day calendar; due no earlier than {due}",
                                 "{who}的义务「{duty}」{case}的截止时间需要 {year} 年的工作日历，"
                                 "最早 {due}"),
}


@dataclass(frozen=True)
class Names:
    """What the policy calls its duties and roles, (English, Chinese) by id; an id without a
    name is said as it is."""

    duties: dict[str, tuple[str, str]]
    roles: dict[str, tuple[str, str]]

    @classmethod
    def of(cls, model: Any) -> Names:
        """From a checked policy model (`policyengine.policy.model.Policy`)."""
        def both(items: dict[str, Any]) -> dict[str, tuple[str, str]]:
            return {k: (v.name_en or v.name or k, v.name or v.name_en or k)
                    for k, v in items.items()}
        return cls(both(model.duties), both(model.roles))


@dataclass(frozen=True)
class Event:
    type: EventType
    key: str                      # the obligation's key (engine/obligation.py)
    obligation: dict[str, Any]    # what the event says of the obligation (JSON)

    @property
    def idempotency_key(self) -> str:
        """Stable per event, whatever process or retry sends it: a digest of its identity."""
        return hashlib.sha256(f"{self.type.value}\n{self.key}".encode()).hexdigest()[:40]

    def body(self, as_of: datetime, names: Names) -> dict[str, Any]:
        """The JSON a receiver gets (the worded `summary` in Chinese and English)."""
        duty_en, duty_zh = names.duties.get(self.obligation["duty"], (self.obligation["duty"],) * 2)
        o = {**self.obligation, "duty_name_en": duty_en}
        role_en, role_zh = names.roles.get(o.get("role") or "", (o.get("role") or "?",) * 2)
        case_en = f" for {o['case']}" if o.get("case") else ""
        case_zh = f"（{o['case']}）" if o.get("case") else ""
        due = o.get("due") or o.get("due_not_before") or ""
        late = o.get("status") == Status.LATE.value
        values_en = {"who": o.get("person") or f"the {role_en}", "duty": duty_en,
                     "case": case_en,
                     "due": due, "year": o.get("missing_year", ""),
                     "late": f", late by {o['late_by']}" if late and o.get("late_by") else "",
                     "how": "done late" if late else "missed"}
        values_zh = {**values_en, "case": case_zh, "duty": duty_zh,
                     "who": o.get("person") or f"{role_zh}",
                     "late": f"，逾期 {o['late_by']}" if late and o.get("late_by") else "",
                     "how": "逾期完成" if late else "已逾期未完成"}
        en, zh = _WORDS[self.type]
        return {"id": self.idempotency_key, "type": self.type.value,
                "as_of": as_of.isoformat(), "obligation": o,
                "summary": {"zh": zh.format(**values_zh), "en": en.format(**values_en)}}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _open(o: OpenObligation) -> dict[str, Any]:
    return {"key": o.key, **o.to_dict(), "status": "open"}


def _violation(v: Violation) -> dict[str, Any]:
    trigger = v.trigger_fact
    return {"key": v.key, "duty": v.duty, "duty_name": v.duty_name, "case": v.case,
            "person": v.person, "role": v.role, "due": _iso(v.due), "status": v.status.value,
            "fulfilled_at": _iso(v.fulfilled_at), "fulfilled_by": v.fulfilled_by,
            "late_by": format_duration(v.late_by), "late_seconds": int(v.late_by.total_seconds()),
            "trigger": trigger.id if trigger is not None else None,
            "penalty": v.penalty.to_dict()}


def _pending(p: PendingObligation) -> dict[str, Any]:
    return p.to_dict()


def derive(result: EvaluationResult, sent_open: Iterable[tuple[str, dict[str, Any]]]
           ) -> Iterator[Event]:
    """Every event the result holds, opened events first. `sent_open`: the obligations an
    `opened` event was recorded for and no `fulfilled` one yet, with the obligation that
    event carried (to say which one was met on time, which the results no longer list)."""
    seen: set[str] = set()
    later: list[Event] = []
    for o in result.obligations:
        if o.key:
            seen.add(o.key)
            yield Event(EventType.OPENED, o.key, _open(o))
    for v in result.violations:
        if not v.key or v.status not in (Status.LATE, Status.MISSED):
            continue  # a prohibition is a forbidden fact, not an obligation
        body = _violation(v)
        if v.key not in seen:
            yield Event(EventType.OPENED, v.key, body)
        seen.add(v.key)
        later.append(Event(EventType.VIOLATED, v.key, body))
        if v.status is Status.LATE:
            later.append(Event(EventType.FULFILLED, v.key, body))
    for p in result.pending:
        seen.add(p.key)
        body = _pending(p)
        yield Event(EventType.OPENED, p.key, body)
        later.append(Event(EventType.PENDING_CALENDAR if p.fulfilled_at is None
                           else EventType.FULFILLED, p.key, body))
    yield from later
    for key, opened in sent_open:
        if key not in seen:
            yield Event(EventType.FULFILLED, key, {**opened, "status": Status.MET.value,
                                                   "overdue": False})
