"""The replay's facts put in order in one pass (`in_order_runs`: kept up to the as-of, runs
of one instant found and settled where they lie) and duties timed from an anchor taken as
timed from their trigger when no anchor is among the facts (docs/decisions.md D50)."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

import pytest
from helpers import shipped
from test_workers import generated

import policyengine as pe
from policyengine import Fact
from policyengine.engine import ordering
from policyengine.engine import replay as replay_module
from policyengine.engine.evaluate import _looked_at_when_met, evaluate_replay
from policyengine.engine.ordering import order_key, up_to
from policyengine.periods import Period

TZ = shipped().calendar.tz
BASE = datetime(2026, 3, 8, 1, 0, tzinfo=TZ)  # clocks stay; no change of offset in Shanghai


def _runs(ordered: list[Fact]) -> list[int]:
    """Runs of two or more facts of one instant, (start, stop) flat, found the plain way."""
    found: list[int] = []
    start = 0
    for i in range(1, len(ordered) + 1):
        if i == len(ordered) or ordered[i].at != ordered[start].at:
            if i - start > 1:
                found += [start, i]
            start = i
    return found


def _facts(seed: int) -> list[Fact]:
    """Facts sorted by time, most sharing their instant with others: runs of 1 to 20, ids
    of their own, missing or shared, types and cases that order them in every way."""
    rng = random.Random(seed)
    facts: list[Fact] = []
    moment = BASE
    for n in range(300):
        moment += timedelta(minutes=rng.choice([1, 1, 2, 60]))
        size = rng.choice([1, 1, 2, 2, 2, 3, 3, 4, 17, 20]) if n % 7 else 1
        for k in range(size):
            ident = rng.choice([f"f{n}-{k}", f"f{n}-{k}", f"f{n}-{k}", None, f"f{n}-0"])
            facts.append(Fact(rng.choice(["b.x", "a.y", "c.z"]), moment,
                              rng.choice(["1", "2", None]), id=ident,
                              attrs={"k": rng.randrange(3)}))
    return facts


@pytest.mark.parametrize("seed", range(6))
def test_facts_kept_and_ordered_in_one_pass_are_those_sorted_by_order_key(seed: int) -> None:
    facts = _facts(seed)
    last = facts[-1].at
    for as_of in (last, last - timedelta(hours=3), BASE, last + timedelta(days=1)):
        kept, runs, _ = ordering.in_order_runs(facts, as_of, TZ)
        expected = sorted(up_to(facts, as_of, TZ), key=order_key)
        assert kept == expected and kept is not facts
        assert [f.at <= as_of for f in kept] == [True] * len(kept)
        assert runs == _runs(expected)
        for types in (frozenset({"a.y"}), frozenset({"d.w"}), frozenset({"d.w", "c.z"})):
            watched = ordering.in_order_runs(facts, as_of, TZ, types)[2]
            assert watched is any(f.type in types for f in expected)
        # out of time order: sorted whole, the runs found in the sorted list
        shuffled = list(facts)
        random.Random(seed).shuffle(shuffled)
        kept, runs, _ = ordering.in_order_runs(shuffled, as_of, TZ)
        assert kept == expected and runs == _runs(expected)
    assert ordering.in_order(facts) == sorted(facts, key=order_key)
    assert ordering.in_order_runs([], BASE, TZ) == ([], [], False)


def test_a_fact_one_microsecond_earlier_than_the_one_before_sorts_the_whole() -> None:
    facts = [Fact("a", BASE, "1", id="x"), Fact("a", BASE + timedelta(seconds=1), "1", id="y"),
             Fact("a", BASE + timedelta(microseconds=999_999), "1", id="z")]
    kept, runs, _ = ordering.in_order_runs(facts, BASE + timedelta(days=1), TZ)
    assert kept == [facts[0], facts[2], facts[1]] and runs == []
    tied = [Fact("b", BASE, "1", id="x"), Fact("a", BASE, "1", id="y"),
            Fact("a", BASE, "1", id="w")]
    kept, runs, _ = ordering.in_order_runs(tied, BASE, TZ)
    assert kept == [tied[2], tied[1], tied[0]] and runs == [0, 3]


def _document(result: pe.EvaluationResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, sort_keys=True, default=str)


@pytest.mark.parametrize("meeting", ["none", "after", "before"])
def test_anchored_duties_drop_like_others_when_no_anchor_is_among_the_facts(meeting: str
                                                                            ) -> None:
    policy = shipped()
    facts = list(pe.read_facts(generated(), policy).facts)
    as_of = max(f.at for f in facts)
    anchored = {d for d, duty in policy.duties.items() if duty.anchors is not None}
    assert anchored >= {"R4", "R5", "R17"}
    if meeting != "none":  # a meeting no decision names: it re-times nothing
        when = as_of + timedelta(hours=1) if meeting == "after" else facts[0].at
        facts.append(Fact("meeting.ended", when, actor="王总", attrs={"meeting": "M0"},
                          id="meeting-0"))
    looked_at = _looked_at_when_met(policy, None)
    unread = [d for d in policy.duties if d not in looked_at]
    whole = replay_module.replay(policy, facts, as_of)
    kept = replay_module.replay(policy, facts, as_of, unread=unread)
    assert kept.total_obligations == len(whole.obligations)
    met = [o for o in kept.obligations if o.duty.id in anchored and o.fulfilled_by is not None
           and o.fulfilled_by.at <= o.due and o.missing_year is None]
    # dropped when met unless an anchor up to the as-of could re-time them
    assert (met != []) is (meeting == "before")
    assert _document(evaluate_replay(policy, kept, None)) == _document(
        evaluate_replay(policy, whole, None))
    assert _document(pe.evaluate(policy, facts, as_of=as_of)) == _document(
        evaluate_replay(policy, whole, None))


def test_an_anchor_up_to_the_as_of_still_retimes_what_it_names() -> None:
    policy = shipped()
    period = Period.parse("2026-10")
    decided = Fact("decision.made", datetime(2026, 10, 16, 10, 40, tzinfo=TZ), "26101201",
                   "老板", {"decision": "do", "tier": "B", "meeting": "M1"}, id="d1")
    ended = Fact("meeting.ended", datetime(2026, 10, 16, 11, 0, tzinfo=TZ), None, "老板",
                 {"meeting": "M1"}, id="m1")
    as_of = datetime(2026, 10, 31, tzinfo=TZ)
    with_meeting = replay_module.replay(policy, [decided, ended], as_of)
    without = replay_module.replay(policy, [decided], as_of)
    due = {o.duty.id: o.due for o in with_meeting.obligations}
    alone = {o.duty.id: o.due for o in without.obligations}
    assert due["R5"] == datetime(2026, 10, 16, 12, 0, tzinfo=TZ)   # 1h from the meeting's end
    assert alone["R5"] == datetime(2026, 10, 16, 11, 40, tzinfo=TZ)  # 1h from the decision
    assert pe.evaluate(policy, [decided, ended], period=period).violations != []


def _shape(run: replay_module.Replay) -> list[tuple[object, ...]]:
    return [(o.duty.id, o.case, o.trigger, o.opened_at, o.due, o.missing_year, o.fulfilled_by,
             o.anchor, o.history, o.pending) for o in run.obligations]


def test_without_an_anchor_among_the_facts_the_unanchored_way_opens_what_the_anchored_way_does(
        ) -> None:
    # The shortcut (`unanchored`) against the way it replaces, over the same ordered facts:
    # the generated stream, and part of it again in 2027, whose calendar data is missing
    # (deadlines wait: `missing_year`), all without a `meeting.ended`.
    policy = shipped()
    facts = list(pe.read_facts(generated(), policy).facts)
    assert not any(f.type in policy.anchor_types for f in facts)
    later = datetime(2027, 3, 1, tzinfo=TZ) - facts[-400].at
    facts += [Fact(f.type, f.at + later, case=f.case, actor=f.actor, attrs=dict(f.attrs),
                   id=f"{f.id}-2027") for f in facts[-400:]]
    ordered = ordering.in_order(facts)
    as_of = ordered[-1].at
    runs = {flag: replay_module.replay_ordered(policy, ordered, as_of, weeks_from=ordered[0],
                                               unanchored=flag) for flag in (False, True)}
    assert any(o.missing_year is not None for o in runs[True].obligations)
    assert any(o.duty.id in {"R4", "R5", "R17"} for o in runs[True].obligations)
    assert _shape(runs[True]) == _shape(runs[False])
    assert runs[True].notes == runs[False].notes


def test_a_repeated_trigger_that_cannot_time_a_deadline_is_said_already_open() -> None:
    # Facts built in code are not checked as the reader checks them: a second
    # `plan.estimated` of the case without its `due` finds C1 open and is said so (the
    # deadline is not asked first: it would raise KeyError).
    policy = shipped()
    first = Fact("plan.estimated", BASE, case="26030801", actor="陈经理",
                 attrs={"due": BASE.date() + timedelta(days=9)}, id="p1")
    again = Fact("plan.estimated", BASE + timedelta(hours=2), case="26030801", actor="陈经理",
                 attrs={}, id="p2")
    run = replay_module.replay(policy, [first, again], BASE + timedelta(days=1))
    assert [o.duty.id for o in run.obligations].count("C1") == 1
    assert [line.key for line in run.notes] == ["note.already_open"]
