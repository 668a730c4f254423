"""The engine's shortcuts give exactly what the long way gives: remembered deadlines, the
tie sort skipped for facts already in order, and the collector frozen after a pause."""

from __future__ import annotations

import gc
import random
from datetime import date, datetime, time, timedelta

from helpers import SAMPLE_FACTS, TZ, shipped

import policyengine as pe
from policyengine.engine.deadlines import (
    ClockSpan,
    DeadlineRule,
    EndOfWorkingDay,
    Versioned,
    WorkingDays,
)
from policyengine.engine.ordering import in_order, order_key
from policyengine.gcpause import gc_paused


def _moments() -> list[datetime]:
    """Every 20 minutes over three weeks around National Day 2026 (holidays, a make-up
    Saturday, weekends), the end of work exactly, and a second either side of it."""
    out, moment = [], datetime(2026, 9, 24, 0, 0, tzinfo=TZ)
    while moment < datetime(2026, 10, 15, tzinfo=TZ):
        out.append(moment)
        moment += timedelta(minutes=20)
    for day in (date(2026, 9, 30), date(2026, 10, 1), date(2026, 10, 10)):
        for clock in (time(17, 59, 59), time(18, 0), time(18, 0, 1)):
            out.append(datetime.combine(day, clock, tzinfo=TZ))
    return out


def _check_remembered(rule: DeadlineRule) -> None:
    moments = _moments()
    random.Random(7).shuffle(moments)  # answers remembered in any order
    for moment in moments:
        for when in (moment,
                     moment.astimezone(ZERO)):
            expected = rule._compute(rule.calendar.local(when), {}, None)
            assert rule.due(when, {}) == expected, (rule, when)
            assert rule.explain(when, {})[0] == expected


ZERO = datetime(2026, 1, 1).astimezone().tzinfo  # the machine's zone: a foreign offset


def test_remembered_working_days_match_the_computation() -> None:
    _check_remembered(WorkingDays(shipped().calendar, 2))


def test_remembered_same_day_deadline_matches_the_computation() -> None:
    rule = EndOfWorkingDay(shipped().calendar)
    _check_remembered(rule)
    # answers are kept by day and by before/after the end of work, nothing finer
    assert len(rule._memo) <= 2 * 24


def test_versioned_rule_remembers_per_version() -> None:
    calendar = shipped().calendar
    rule = Versioned(calendar, WorkingDays(calendar, 1),
                     ((date(2026, 10, 5), EndOfWorkingDay(calendar)),
                      (date(2026, 10, 9), ClockSpan(calendar, timedelta(hours=1)))))
    _check_remembered(rule)


def test_same_day_rule_is_not_fooled_by_the_clock_inside_one_day() -> None:
    # worked by hand: Fri 2026-10-09 is a working day; 17:59 -> 18:00 the same day; 18:00
    # itself is after the end of work -> the next working day, Sat 10-10 (a make-up day).
    rule = EndOfWorkingDay(shipped().calendar)
    assert rule.due(datetime(2026, 10, 9, 17, 59, tzinfo=TZ), {}) == datetime(
        2026, 10, 9, 18, 0, tzinfo=TZ)
    assert rule.due(datetime(2026, 10, 9, 18, 0, tzinfo=TZ), {}) == datetime(
        2026, 10, 10, 18, 0, tzinfo=TZ)
    assert rule.due(datetime(2026, 10, 9, 9, 0, tzinfo=TZ), {}) == datetime(
        2026, 10, 9, 18, 0, tzinfo=TZ)


# -- the tie sort --------------------------------------------------------------------------

def _tied_facts(seed: int, anonymous: float = 0.3, resent: float = 0.1) -> list[pe.Fact]:
    """The sample month's facts moved onto a few instants (so many share one), some without
    ids, some sent twice."""
    rng = random.Random(seed)
    sample = pe.read_facts(SAMPLE_FACTS, shipped()).facts
    instants = [datetime(2026, 10, 12, 10, 0, tzinfo=TZ) + timedelta(minutes=40 * k)
                for k in range(4)]
    out = []
    for original in rng.sample(list(sample), 300):
        moved = original._replace(at=rng.choice(instants))
        if rng.random() < anonymous:
            moved = moved._replace(id=None)
        out.append(moved)
        if rng.random() < resent:
            out.append(moved)
    return out


def test_in_order_matches_a_full_sort() -> None:
    for seed in range(20):
        # every fact with its own id (sorted by type, case, id), or some without one
        facts = _tied_facts(seed, 0, 0) if seed % 2 else _tied_facts(seed)
        if seed % 2:
            assert len({f.id for f in facts}) == len(facts)
        expected = sorted(facts, key=order_key)
        assert in_order(facts) == expected
        by_time = sorted(facts, key=lambda f: f.at)  # the reader's usual input: time order
        assert in_order(by_time) == expected
        assert in_order(expected) == expected


# -- the collector -------------------------------------------------------------------------

def test_a_pause_restores_the_collector() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


def test_an_evaluation_leaves_no_cyclic_garbage() -> None:
    # Frozen objects are only freed by reference counting: the engine must build no cycle.
    policy = shipped()
    pe.evaluate(policy, pe.read_facts(SAMPLE_FACTS, policy).facts, period="2026-10")  # warm
    gc.unfreeze()
    gc.collect()
    result = pe.evaluate(policy, pe.read_facts(SAMPLE_FACTS, policy).facts, period="2026-10")
    assert len(result.violations) == 45
    document = result.to_dict()  # explanations computed too
    assert document["violations"]
    del result, document
    gc.unfreeze()
    assert gc.collect() == 0
