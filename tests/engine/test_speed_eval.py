"""The shortcuts of the evaluating half (docs/decisions.md D35) give exactly what the
long way gives: a deadline's last span of equal answers, the ties of one instant sorted at
once, obligations dropped when met rather than found later, and who answers for a duty
decided once per duty."""

from __future__ import annotations

import json
import pickle
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from helpers import REPO, SAMPLE_FACTS, TZ, moments_around_national_day, shipped
from test_workers import generated

import policyengine as pe
from policyengine.engine import replay as replay_module
from policyengine.engine.deadlines import (
    ClockSpan,
    CommittedDate,
    DeadlineRule,
    EndOfWorkingDay,
    Weekly,
    WorkingDays,
)
from policyengine.engine.evaluate import (
    _answerer,
    _looked_at_when_met,
    evaluate_replay,
    responsible,
)
from policyengine.engine.ordering import in_order, order_key
from policyengine.errors import CalendarDataMissing
from policyengine.facts.reader import read_facts
from policyengine.facts.schema import Fact
from policyengine.periods import Period

ZERO = datetime(2026, 1, 1).astimezone().tzinfo  # the machine's zone: a foreign offset
THU, FRI = 3, 4


def _edges() -> list[datetime]:
    """Every 37 minutes, and midnight, 12:00 and 18:00 (the clocks the rules below decide on)."""
    return moments_around_national_day(timedelta(minutes=37), (time(0), time(12), time(18)))


def _rules() -> list[DeadlineRule]:
    calendar = shipped().calendar
    return [WorkingDays(calendar, 2), EndOfWorkingDay(calendar), Weekly(calendar, THU, time(18)),
            Weekly(calendar, FRI, time(12), Weekly(calendar, THU, time(18))),
            Weekly(calendar, FRI, time(12), Weekly(calendar, THU, time(18)),
                   shift_to_working_day=False),
            ClockSpan(calendar, timedelta(hours=2)), CommittedDate(calendar, "due", time(18))]


@pytest.mark.parametrize("order", ["rising", "falling", "shuffled"])
def test_a_deadline_in_one_call_is_the_computation(order: str) -> None:
    # Rising order is the replay's (facts in time order): the last span's answer is given
    # again while triggers fall in it, so a span one microsecond too long or too short
    # gives the neighbouring span's answer at one of these edges.
    moments = sorted(_edges())
    if order == "falling":
        moments.reverse()
    elif order == "shuffled":
        random.Random(5).shuffle(moments)
    for rule in _rules():
        fast = rule.fast_due
        for moment in moments:
            local = rule.calendar.local(moment)
            attrs = {"due": local.date() + timedelta(days=3)}
            expected = rule._compute(local, attrs, None)
            for when in (moment, moment.astimezone(ZERO)):
                got = fast(when, attrs)
                assert got == expected and got.tzinfo is expected.tzinfo, (rule, when)


def test_each_rule_has_its_own_last_span() -> None:
    # Two same-day rules of two calendars, asked in turn: neither answers with the other's.
    plain = shipped().calendar
    other = pe.load_policy(REPO / "policies" / "customer-requirement").calendar
    other.working_days_of(2026)
    holiday = date(2026, 10, 14)
    other._years[2026] = other._years[2026] - {holiday}  # type: ignore[operator]
    first, second = EndOfWorkingDay(plain), EndOfWorkingDay(other)
    moment = datetime.combine(holiday, time(9), tzinfo=TZ)
    for _ in range(2):
        assert first.fast_due(moment, {}) == datetime.combine(holiday, time(18), tzinfo=TZ)
        assert second.fast_due(moment, {}) == datetime.combine(date(2026, 10, 15), time(18),
                                                               tzinfo=TZ)


def test_a_deadline_without_calendar_data_is_raised_each_time() -> None:
    rule = Weekly(shipped().calendar, FRI, time(12))
    for _ in range(2):
        with pytest.raises(CalendarDataMissing):
            rule.fast_due(datetime(2026, 12, 31, 10, tzinfo=TZ), {})
    assert rule._memo == {}
    assert rule.fast_due(datetime(2026, 10, 12, 10, tzinfo=TZ), {}) == datetime(
        2026, 10, 16, 12, tzinfo=TZ)


def test_a_rule_pickles_without_its_one_call_form() -> None:
    rule = WorkingDays(shipped().calendar, 2)
    moment = datetime(2026, 10, 12, 10, tzinfo=TZ)
    due = rule.fast_due(moment, {})
    again = pickle.loads(pickle.dumps(rule))
    assert again.count == rule.count and again.fast_due(moment, {}) == due


# -- the ties of one instant ---------------------------------------------------------------


def _tied(seed: int, *, ids: str) -> list[Fact]:
    """Facts over few instants (long runs of ties), types, cases and ids mixed; `ids`:
    "own" (each its own), "some" (some without), "shared" (an id used twice)."""
    rnd = random.Random(seed)
    base = datetime(2026, 10, 12, 9, tzinfo=TZ)
    out = []
    for n in range(400):
        fid: str | None = f"f{rnd.randrange(10_000):05d}-{n}"
        if ids == "some" and rnd.random() < 0.3:
            fid = None
        elif ids == "shared" and n % 50 == 7:
            fid = "same"
        out.append(Fact(rnd.choice(["b.x", "a.y", "c.z"]), base + timedelta(
            minutes=rnd.choice([0, 0, 1, 2, 2, 2, 5])), case=rnd.choice(["2", "1", None, "3"]),
            actor=rnd.choice(["甲", "乙"]), attrs={"n": rnd.randrange(3)}, id=fid))
    return sorted(out, key=lambda f: f.at)  # in time order, ties in any order


@pytest.mark.parametrize("ids", ["own", "some", "shared"])
def test_ties_sorted_at_once_are_the_full_sort(ids: str) -> None:
    for seed in range(5):
        facts = _tied(seed, ids=ids)
        expected = sorted(facts, key=order_key)
        assert in_order(facts) == expected
        if ids == "own":
            assert in_order(facts, ids_unique=True) == expected
        # already in order, or out of time order: the same
        assert in_order(expected) == expected
        assert in_order(list(reversed(facts))) == expected


def test_the_tie_keys_keep_runs_apart() -> None:
    # A later instant's fact with a smaller (type, case, id) stays after the earlier run.
    base = datetime(2026, 10, 12, 9, tzinfo=TZ)
    facts = [Fact("b", base, "2", id="f2"), Fact("c", base, "2", id="f3"),
             Fact("a", base + timedelta(seconds=1), "1", id="f1"),
             Fact("a", base + timedelta(seconds=1), "0", id="f0")]
    assert in_order(facts) == sorted(facts, key=order_key) == [facts[0], facts[1], facts[3],
                                                               facts[2]]


# -- obligations dropped when met ----------------------------------------------------------


def _document(result: pe.EvaluationResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, sort_keys=True, default=str)


@pytest.mark.parametrize("label", ["2021-02", "2021-Q1", None])
def test_obligations_dropped_when_met_change_nothing(label: str | None) -> None:
    policy = shipped()
    facts = pe.read_facts(generated(), policy).facts
    period = Period.parse(label) if label else None
    as_of = period.end_at(policy.calendar.tz) if period else max(f.at for f in facts)
    whole = replay_module.replay(policy, facts, as_of)
    looked_at = _looked_at_when_met(policy, period)
    unread = [d for d in policy.duties if d not in looked_at]
    kept = replay_module.replay(policy, facts, as_of, unread=unread)
    assert kept.total_obligations == len(whole.obligations)
    # none left that the drop could take: met in time, of a duty nothing changes once met
    # (timed from an anchor: only if one is among the facts)
    anchored = any(f.type in policy.anchor_types for f in facts if f.at <= as_of)
    drop = {d for d in unread if policy.duties[d].extension is None
            and policy.duties[d].recurring is None
            and (policy.duties[d].anchors is None or not anchored)}
    assert drop and not [o for o in kept.obligations if o.duty.id in drop
                         and o.fulfilled_by is not None and o.fulfilled_by.at <= o.due
                         and o.missing_year is None]
    # and the rest in the whole replay's order
    place = {id(o): i for i, o in enumerate(whole.obligations)}
    assert len(kept.obligations) < len(whole.obligations) * 3 / 4
    assert [o.duty.id for o in kept.obligations] == [
        o.duty.id for o in sorted(
            (w for w in whole.obligations if not (
                w.duty.id in drop and w.fulfilled_by is not None
                and w.fulfilled_by.at <= w.due and w.missing_year is None)),
            key=lambda w: place[id(w)])]
    assert _document(evaluate_replay(policy, kept, period)) == _document(
        evaluate_replay(policy, whole, period))


# -- who answers, decided once per duty ----------------------------------------------------


@pytest.mark.parametrize("pack, sample", [
    ("customer-requirement", SAMPLE_FACTS),
    ("contract-performance", REPO / "samples" / "contract-performance" / "facts-2026-10.jsonl"),
    ("customer-grading", REPO / "samples" / "customer-grading" / "facts-2026-10.jsonl"),
    ("order-flow", REPO / "samples" / "order-flow" / "facts-2026-10.jsonl"),
])
def test_who_answers_is_the_same_decided_once(pack: str, sample: Path) -> None:
    policy = pe.load_policy(REPO / "policies" / pack)
    facts = read_facts(sample, policy.schema).facts
    run = replay_module.replay(policy, facts, max(f.at for f in facts) + timedelta(days=40))
    assert run.obligations
    for obligation in run.obligations:
        fresh = _answerer(policy, obligation.duty)(run, obligation)
        assert responsible(policy, run, obligation) == fresh
    assert set(policy.answerers) == set(policy.duties)  # made once for the policy
    # A duty of another compiled policy under the same id is never answered for by this
    # policy's remembered answerer.
    other = pe.load_policy(REPO / "policies" / pack)
    for obligation in run.obligations[:50]:
        twin = other.duties[obligation.duty.id]
        assert twin is not obligation.duty
        assert policy.answerers[twin.id][0] is not twin
        assert responsible(policy, run, obligation) == responsible(other, run, obligation)
