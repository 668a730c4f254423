"""The evaluating half's shortcuts of this round (docs/decisions.md D43) give exactly
what the long way gives: facts kept up to the as-of compared in the calendar's zone, ties of
one instant settled in place, working days between two dates counted by year, and the
status of an obligation against an as-of in another zone."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from helpers import TZ, shipped

from policyengine.engine.evaluate import _status, status_of
from policyengine.engine.obligation import Obligation
from policyengine.engine.ordering import in_order, instant_in_order, order_key, up_to, wall_bounds
from policyengine.errors import CalendarDataMissing
from policyengine.facts.schema import Fact
from policyengine.kinds import Status

BERLIN = ZoneInfo("Europe/Berlin")  # a zone whose wall times repeat (2026-10-25 02:00-03:00)


def _runs(seed: int, *, ids: str) -> list[Fact]:
    """Facts at many instants, each shared by 1 to 20 facts (pairs most often), in time
    order with the ties of each instant in any order; `ids` as in test_speed_eval."""
    rnd = random.Random(seed)
    at = datetime(2026, 10, 12, 9, tzinfo=TZ)
    out = []
    for n in range(300):
        at += timedelta(minutes=1)
        for k in range(rnd.choice([1, 1, 2, 2, 2, 3, 4, 7, 17, 20])):
            fid: str | None = f"f{rnd.randrange(1000):03d}-{n}-{k}"
            if ids == "some" and rnd.random() < 0.2:
                fid = None
            elif ids == "shared" and rnd.random() < 0.05:
                fid = "same"
            out.append(Fact(rnd.choice(["b.x", "a.y", "c.z"]), at,
                            case=rnd.choice(["2", "1", None, "3"]),
                            actor=rnd.choice(["甲", "乙"]), attrs={"n": rnd.randrange(3)}, id=fid))
    return out


@pytest.mark.parametrize("ids", ["own", "some", "shared"])
def test_short_runs_settled_in_place_are_the_full_sort(ids: str) -> None:
    for seed in range(4):
        facts = _runs(seed, ids=ids)
        expected = sorted(facts, key=order_key)
        assert in_order(facts, ids_unique=ids == "own") == expected
        assert in_order(list(reversed(facts))) == expected
        # the streamed replay's runs of one instant (engine/stream.py)
        at = [f for f in facts if f.at == facts[-1].at]
        assert instant_in_order(list(at)) == sorted(at, key=order_key)


def test_a_pair_without_ids_or_with_one_id_is_sorted_by_the_whole_key() -> None:
    at = datetime(2026, 10, 12, 9, tzinfo=TZ)
    a = Fact("x", at, "1", actor="乙", id="f1")
    b = Fact("x", at, "1", actor="甲", id="f1")   # one id twice: the actor decides
    c = Fact("x", at, "1", actor="甲")            # no id
    for pair in ([a, b], [b, a], [a, c], [c, a]):
        assert in_order(pair) == sorted(pair, key=order_key)


def _moments(zone: ZoneInfo) -> list[datetime]:
    """Every 10 minutes over two days around the repeated hour, both folds."""
    start = datetime(2026, 10, 24, 12, tzinfo=zone)
    out = []
    for n in range(6 * 48):
        wall = start + timedelta(minutes=10 * n)
        out += [wall, wall.replace(fold=1)]
    return sorted(out, key=lambda m: (m.astimezone(UTC), m.fold))


def test_facts_kept_up_to_an_as_of_in_another_zone_are_those_at_or_before_it() -> None:
    for zone in (BERLIN, TZ):
        facts = [Fact("x", m, id=f"f{n}") for n, m in enumerate(_moments(zone))]
        foreign = [Fact("x", m.astimezone(UTC), id=f"u{n}")
                   for n, m in enumerate(_moments(zone))]
        for as_of in [m.astimezone(UTC) for m in _moments(zone)[::7]] + [
                datetime(2026, 10, 25, 0, 30, tzinfo=UTC),   # 02:30 Berlin, the first time
                datetime(2026, 10, 25, 1, 30, tzinfo=UTC)]:  # 02:30 Berlin, the second time
            for given in (facts, foreign, facts + foreign):
                assert up_to(given, as_of, zone) == [f for f in given if f.at <= as_of]
                local = as_of.astimezone(zone)  # an as-of in the calendar's zone: the same
                assert up_to(given, local, zone) == [f for f in given if f.at <= local]


def test_an_as_of_at_the_end_of_time_keeps_every_fact() -> None:
    facts = [Fact("x", datetime(2026, 10, 12, 9, tzinfo=TZ), id="f1")]
    assert up_to(facts, datetime.max.replace(tzinfo=UTC), TZ) == facts


def test_status_against_an_as_of_in_another_zone_is_the_instants() -> None:
    duty = shipped().duties[next(iter(shipped().duties))]
    for as_of in [m.astimezone(UTC) for m in _moments(BERLIN)[::5]]:
        surely, never = wall_bounds(as_of, BERLIN)
        for due in _moments(BERLIN):
            obligation = Obligation(duty, "1", None, due - timedelta(days=1), due)
            got = _status(obligation, as_of, surely, never)
            if due < as_of:
                assert got == (Status.MISSED, as_of - due)
            else:
                assert got == (Status.OPEN, timedelta(0))
            assert got == status_of(obligation, as_of)


def _day_by_day(calendar: object, start: date, end: date) -> int:
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if calendar.is_working_day(day):  # type: ignore[attr-defined]
            count += 1
    return count


def test_working_days_between_counted_by_year_are_counted_day_by_day() -> None:
    calendar = shipped().calendar
    rnd = random.Random(3)
    for _ in range(400):
        start = date(2024, 1, 1) + timedelta(days=rnd.randrange(1090))
        end = start + timedelta(days=rnd.randrange(-5, 400))
        if end.year > 2026:
            continue
        assert calendar._count_between(start, end) == _day_by_day(calendar, start, end)


def test_working_days_into_a_year_without_data_raise_for_that_year() -> None:
    calendar = shipped().calendar
    assert calendar._count_between(date(2026, 12, 31), date(2026, 12, 31)) == 0
    with pytest.raises(CalendarDataMissing) as raised:
        calendar._count_between(date(2026, 12, 20), date(2027, 1, 10))
    with pytest.raises(CalendarDataMissing) as day_by_day:
        _day_by_day(calendar, date(2026, 12, 20), date(2027, 1, 10))
    assert raised.value.year == day_by_day.value.year == 2027
