"""The shortcuts of the one-process speed work give exactly what the long way gives: weekly
deadlines remembered per (date, side of the clock), charges made once per penalty version
and filled once per person-month, results made without their frozen `__init__`, and the
fast path reading lines it no longer strips."""

from __future__ import annotations

import dataclasses
import io
import random
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import (
    REPORTER,
    SAMPLE_FACTS,
    at,
    copy_policy,
    fact,
    moments_around_national_day,
    of,
    roles,
    run,
    shipped,
)

import policyengine as pe
from policyengine.engine.deadlines import ClockSpan, CommittedDate, DeadlineRule, Weekly
from policyengine.engine.penalties.base import SCHEDULES
from policyengine.engine.penalties.months import Groups, group, months_of
from policyengine.errors import CalendarDataMissing
from policyengine.facts.reader import read_facts
from policyengine.kinds import ScheduleKind
from policyengine.results import OpenObligation, PenaltyCharge, Violation, made

ZERO = datetime(2026, 1, 1).astimezone().tzinfo  # the machine's zone: a foreign offset
THU, FRI = 3, 4


def _moments() -> list[datetime]:
    """Every 20 minutes, and 12:00 and 18:00 (the clocks the weekly rules below decide on)."""
    return moments_around_national_day(timedelta(minutes=20), (time(12), time(18)))


def _check_remembered(rule: DeadlineRule) -> None:
    moments = _moments()
    random.Random(11).shuffle(moments)  # answers remembered in any order
    for moment in moments:
        for when in (moment, moment.astimezone(ZERO)):
            expected = rule._compute(rule.calendar.local(when), {}, None)
            assert rule.due(when, {}) == expected, (rule, when)
            assert rule.explain(when, {})[0] == expected


def test_remembered_weekly_deadline_matches_the_computation() -> None:
    calendar = shipped().calendar
    rule = Weekly(calendar, THU, time(18))
    _check_remembered(rule)
    # answers are kept by day and by the side of the clock, nothing finer
    assert 0 < len(rule._memo) <= 2 * 28


def test_remembered_weekly_deadline_with_a_cutoff_matches_the_computation() -> None:
    calendar = shipped().calendar
    _check_remembered(Weekly(calendar, FRI, time(12), Weekly(calendar, THU, time(18))))
    _check_remembered(Weekly(calendar, FRI, time(12), Weekly(calendar, THU, time(18)),
                             shift_to_working_day=False))


def test_the_weekly_memo_tells_the_sides_of_the_clock_apart() -> None:
    # A memo keyed by the date alone would give 18:00:01 the answer remembered for 18:00:00
    # (or the other way round). Thu 2026-10-15 18:00 is that Thursday; a second later, the
    # next (10-22). With the Thursday cut-off: Fri 10-16 12:00, then Fri 10-23 12:00.
    calendar = shipped().calendar
    exact = at("2026-10-15 18:00")
    for later in (timedelta(seconds=1), timedelta(microseconds=1)):
        for order in ((exact, exact + later), (exact + later, exact)):
            plain = Weekly(calendar, THU, time(18))
            cut = Weekly(calendar, FRI, time(12), Weekly(calendar, THU, time(18)))
            for moment in order:
                after = moment > exact
                assert plain.due(moment, {}) == at("2026-10-22 18:00" if after
                                                   else "2026-10-15 18:00")
                assert cut.due(moment, {}) == at("2026-10-23 12:00" if after
                                                 else "2026-10-16 12:00")


def test_a_weekly_deadline_without_calendar_data_is_not_remembered() -> None:
    # Fri 2027-01-01 needs 2027's working days (not published): raised every time, never kept.
    rule = Weekly(shipped().calendar, FRI, time(12))
    for _ in range(2):
        with pytest.raises(CalendarDataMissing):
            rule.due(at("2026-12-31 10:00"), {})
    assert rule._memo == {}


def test_the_short_hot_path_of_spans_and_committed_dates_is_the_computation() -> None:
    calendar = shipped().calendar
    span, committed = ClockSpan(calendar, timedelta(hours=1)), CommittedDate(
        calendar, "due", time(18))
    for moment in _moments()[::7]:
        for when in (moment, moment.astimezone(ZERO)):
            local = calendar.local(when)
            assert span.due(when, {}) == span._compute(local, {}, None)
            attrs = {"due": local.date() + timedelta(days=3)}
            assert committed.due(when, attrs) == committed._compute(local, attrs, None)
            assert committed.due(when, attrs).tzinfo is calendar.tz


def _with_years(tmp_path: Path, name: str, body: str) -> pe.CompiledPolicy:
    folder = copy_policy(tmp_path / name, [("policy.yaml", "  years: {}", body)])
    return pe.load_policy(folder)


def test_a_changed_calendar_never_reuses_a_remembered_deadline(tmp_path: Path) -> None:
    # Each compiled policy remembers its own deadlines: the same facts under a calendar
    # that makes Thu 10-15 a holiday move R1 (weekly, Thursday 18:00, raised Tue 10-13) to
    # the next working day, Fri 10-16 18:00, and B1 (same day) found Wed 10-14 at 19:00 from
    # Thu 10-15 to Fri 10-16 18:00; the first policy, asked again after,
    # still gives its own answers (nothing remembered leaks from one calendar to the other).
    plain = pe.load_policy(copy_policy(tmp_path / "plain"))
    holiday = _with_years(tmp_path, "holiday",
                          "  years:\n    2026:\n      holidays: {2026-10-15: 公司假日}\n")

    def dues(policy: pe.CompiledPolicy) -> tuple[datetime, datetime]:
        facts = [*roles(policy=policy),
                 fact("requirement.raised", "2026-10-13 10:00", case="26101301", actor=REPORTER,
                      policy=policy),
                 fact("bug.found", "2026-10-14 19:00", case="B26101401", actor=REPORTER,
                      policy=policy)]
        result = run(facts, policy=policy)
        return of(result, "R1")[0].due, of(result, "B1")[0].due

    before = dues(plain)
    assert before == (at("2026-10-15 18:00"), at("2026-10-15 18:00"))
    assert dues(holiday) == (at("2026-10-16 18:00"), at("2026-10-16 18:00"))
    assert dues(plain) == before


# -- charges -------------------------------------------------------------------------------


def test_charges_that_do_not_read_lateness_are_made_once_and_equal_a_fresh_one() -> None:
    policy = shipped()
    seen = 0
    for penalty in policy.penalties.values():
        for version in penalty.versions:
            if version.kind not in (ScheduleKind.PER_INSTANCE, ScheduleKind.CAPPED_PER_INSTANCE,
                                    ScheduleKind.MONTHLY_COUNT):
                continue
            seen += 1
            first = version.charge(timedelta(minutes=1))
            assert version.charge(timedelta(days=30)) is first
            fresh = type(version).each_charge.func(version)  # made again, not remembered
            assert fresh == first and fresh is not first
    assert seen >= 2


def test_a_month_is_filled_per_person_and_month() -> None:
    # Two people under one monthly-count rule, one with one violation and one with three in
    # the same month, and the first again in another month: each charge carries its own
    # person-month's count (a memo that forgot the person or the month would mix them).
    policy = shipped()
    version, penalty = next((v, p) for p in policy.penalties.values() for v in p.versions
                            if v.kind == ScheduleKind.MONTHLY_COUNT)
    charge = version.charge(timedelta(0))
    month, later = "2026-10", "2026-11"
    charged = [("甲", charge, month), ("乙", charge, month), ("乙", charge, month),
               ("乙", charge, month), ("甲", charge, later), ("甲", charge, later)]
    groups: Groups = {}
    keys = [group(groups, person, c, m) for person, c, m in charged]
    months = months_of(policy.penalties, groups)
    filled = [months.in_month(person, c, m) for person, c, m in charged]
    # `group`'s key fills the same (engine/evaluate.py `_Made.fill`)
    assert all(key is not None and key[3] is not None for key in keys)
    assert [months.filled(key, c) for key, (_, c, _) in zip(keys, charged, strict=True)
            if key is not None] == filled
    assert [f.count_in_month for f in filled] == [1, 3, 3, 3, 2, 2]
    for (person, c, m), got in zip(charged, filled, strict=True):
        line = months.lines[(person, penalty.id, m, ScheduleKind.MONTHLY_COUNT)]
        assert got == SCHEDULES[ScheduleKind.MONTHLY_COUNT].in_month(c, line)


# -- results made without __init__ ---------------------------------------------------------


def _sample_result() -> pe.EvaluationResult:
    policy = shipped()
    batch = read_facts(SAMPLE_FACTS, policy.schema)
    return pe.evaluate(policy, batch.facts, period="2026-10")


def test_violations_and_open_obligations_are_whole_dataclasses() -> None:
    result = _sample_result()
    assert result.violations and result.obligations
    for cls, items in ((Violation, result.violations), (OpenObligation, result.obligations)):
        names = {f.name for f in dataclasses.fields(cls)}
        for item in items:
            assert set(vars(item)) == names
            again = dataclasses.replace(item)  # through the real __init__
            assert again == item and repr(again) == repr(item)
            assert all(getattr(again, n) == getattr(item, n) for n in names)


def test_made_is_the_dataclass_itself() -> None:
    charge = PenaltyCharge("p", ScheduleKind.PER_INSTANCE, Decimal(20))
    fields = {"duty": "R1", "duty_name": "r", "case": "26100101", "person": "甲",
              "role": "collector", "due": at("2026-10-15 18:00"), "fulfilled_at": None,
              "fulfilled_by": None, "late_by": timedelta(hours=1), "month": "2026-10",
              "trigger_fact": None, "penalty": charge, "explain": tuple, "key": "k",
              "status": Violation.__dataclass_fields__["status"].default}
    fast, slow = made(Violation, **fields), Violation(**fields)
    assert type(fast) is Violation and fast == slow and vars(fast) == vars(slow)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.duty = "R2"  # type: ignore[misc]


# -- the fast path reads the line as read ---------------------------------------------------


def test_lines_with_spaces_around_read_the_same_either_way(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    # The fast path decodes each line unstripped: JSON whitespace around the value (CR LF,
    # tabs, spaces) is read by msgspec; other spaces `strip` drops (a form feed, U+3000,
    # U+00A0) make it fall back to the slow path. Either way the batch is the slow path's,
    # the duplicate id's rejection quoting its line stripped.
    from policyengine.facts import fastpath

    schema = shipped().schema
    good = ('{"id": "f1", "type": "bug.found", "at": "2026-10-14T19:00:00+08:00", '
            '"case": "B26101401", "actor": "甲"}')
    lines = [good + "\r\n", "  \t" + good.replace("f1", "f2") + " \t\n",
             "\x0c" + good.replace("f1", "f3") + "\n", "\u3000" + good.replace("f1", "f4") + "\n",
             good.replace("f1", "f5") + "\u00a0\n", "   \n", "\n",
             "  " + good.replace("B26101401", "B26101402") + "  \n",  # f1 again, differently
             good.replace("f1", "f6")]
    text = "".join(lines)
    fast = read_facts(io.StringIO(text, newline=""), schema, name="f.jsonl", fmt="jsonl")
    with monkeypatch.context() as patch:
        patch.setattr(fastpath, "IN_USE", False)  # every line the slow way
        slow = read_facts(io.StringIO(text, newline=""), schema, name="f.jsonl", fmt="jsonl")
    assert [f.id for f in fast.facts] == ["f2", "f3", "f4", "f5", "f6"]
    assert fast.facts == slow.facts and fast.lines == slow.lines
    assert [(str(r.location), r.text, [x.code for x in r.reasons]) for r in fast.rejected] == [
        (str(r.location), r.text, [x.code for x in r.reasons]) for r in slow.rejected]
    assert all(r.text == r.text.strip() for r in fast.rejected) and len(fast.rejected) == 2
