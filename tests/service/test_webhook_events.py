"""The events an evaluation holds (webhook_events.derive): pure, no service, no clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from service_support import POLICY

from policyengine.engine.compiled import compile_policy
from policyengine.engine.evaluate import evaluate
from policyengine.facts.schema import Fact
from policyengine.policy.loader import load_policy_files
from policyengine.service.webhook_events import Event, EventType, Names, derive

TZ = ZoneInfo("Asia/Shanghai")
POLICY_C = compile_policy(load_policy_files(POLICY, None))
NAMES = Names.of(POLICY_C.model)


def facts(*rows: tuple[str, str, str, str]) -> list[Fact]:
    built = []
    for fid, kind, at, case in rows:
        extra = {"requester": "王医生"} if kind == "requirement.raised" else {"summary": "s"}
        fact = POLICY_C.schema.build({"id": fid, "type": kind, "at": at, "case": case,
                                      "actor": "张三", **extra})
        assert not isinstance(fact, list), fact
        built.append(fact)
    return built


def events_at(moment: datetime, given: list[Fact],
              sent_open: list[tuple[str, dict[str, Any]]] | None = None) -> list[Event]:
    result = evaluate(POLICY_C, given, period=None, as_of=moment)
    return [e for e in derive(result, sent_open or []) if e.key.startswith("R1|")]


RAISED = ("a", "requirement.raised", "2026-10-12T10:00:00+08:00", "26101201")
KEY = "R1|26101201|a"


def test_an_open_obligation_is_opened_only() -> None:
    found = events_at(datetime(2026, 10, 12, 11, tzinfo=TZ), facts(RAISED))
    assert [(e.type, e.key) for e in found] == [(EventType.OPENED, KEY)]
    assert found[0].obligation["status"] == "open"


def test_a_missed_deadline_is_opened_once_and_violated() -> None:
    found = events_at(datetime(2026, 10, 16, 9, tzinfo=TZ), facts(RAISED))
    assert [(e.type, e.obligation["status"]) for e in found] == [
        (EventType.OPENED, "open"), (EventType.VIOLATED, "missed")]


def test_done_late_is_violated_and_fulfilled() -> None:
    late = ("b", "requirement.reported", "2026-10-16T10:00:00+08:00", "26101201")
    found = events_at(datetime(2026, 10, 16, 11, tzinfo=TZ), facts(RAISED, late))
    assert [(e.type, e.obligation["status"]) for e in found] == [
        (EventType.OPENED, "late"), (EventType.VIOLATED, "late"), (EventType.FULFILLED, "late")]
    assert found[2].obligation["fulfilled_at"] == "2026-10-16T10:00:00+08:00"
    summary = found[1].body(datetime(2026, 10, 16, 11, tzinfo=TZ), NAMES)["summary"]
    assert summary["en"] == ("'report the requirement' for 26101201 owed by 张三 was done "
                             "late (due 2026-10-15T18:00:00+08:00)")
    assert summary["zh"] == ("张三的义务「提需求」（26101201）逾期完成"
                             "（截止 2026-10-15T18:00:00+08:00）")


def test_met_on_time_is_known_from_what_was_sent_open() -> None:
    on_time = ("b", "requirement.reported", "2026-10-13T10:00:00+08:00", "26101201")
    moment = datetime(2026, 10, 13, 11, tzinfo=TZ)
    assert events_at(moment, facts(RAISED, on_time)) == []  # never seen open: nothing
    opened = events_at(datetime(2026, 10, 12, 11, tzinfo=TZ), facts(RAISED))[0]
    found = events_at(moment, facts(RAISED, on_time), [(KEY, opened.obligation)])
    assert [(e.type, e.obligation["status"]) for e in found] == [(EventType.FULFILLED, "met")]


def test_the_idempotency_key_is_the_identity() -> None:
    one = Event(EventType.OPENED, KEY, {"duty": "R1"})
    assert one.idempotency_key == Event(EventType.OPENED, KEY, {"duty": "R2"}).idempotency_key
    assert one.idempotency_key != Event(EventType.VIOLATED, KEY, {}).idempotency_key
    assert one.body(datetime(2026, 10, 12, tzinfo=TZ), NAMES)["id"] == one.idempotency_key
