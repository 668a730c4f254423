"""What grew with the history in a streamed month (docs/decisions.md D34, D40): the
obligations left open for long sleep on disk until a fact of their case or the end of the
file wakes them (engine/dormant.py `OpenFor`), and the deadline rules' memos are forgotten
at each compaction. The results stay the list path's, byte for byte."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers import shipped
from test_stream import _listed, _streamed
from test_workers import generated

import policyengine as pe
from policyengine.engine import dormant, stream
from policyengine.engine.deadlines import EndOfWorkingDay, Weekly, WorkingDays
from policyengine.engine.obligation import Obligation
from policyengine.facts.schema import Fact, parse_time


class Watch:
    """Spies on the streamed replay: open obligations put to sleep, woken by a fact, woken at
    the end, and the open obligations in memory after each compaction."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.slept: list[str] = []
        self.woken_open: list[str] = []   # woken by a fact while still open
        self.at_end = 0
        self.open_in_memory: list[int] = []
        sleep, wake, wake_open = dormant.OpenFor.sleep, dormant.Dormant.wake, \
            dormant.Dormant.wake_open
        drop = stream._drop_unread

        def sleeping(table: Any, obligation: Obligation, ordinal: int, key: Any) -> None:
            assert obligation.fulfilled_by is None
            self.slept.append(obligation.duty.id)
            sleep(table, obligation, ordinal, key)

        def waking(sleeper: Any, duty: str, key: Any, **how: bool) -> Obligation | None:
            found = wake(sleeper, duty, key, **how)
            if found is not None and found.fulfilled_by is None:
                self.woken_open.append(duty)
            return found

        def waking_all(sleeper: Any) -> None:
            before = sleeper.woken
            wake_open(sleeper)
            self.at_end += sleeper.woken - before

        def dropping(state: Any, unread: Any, sleeper: Any, *, ended: bool = False) -> int:
            out = drop(state, unread, sleeper, ended=ended)
            if not ended:
                self.open_in_memory.append(
                    sum(1 for o in state.obligations if o.fulfilled_by is None))
            return out

        monkeypatch.setattr(dormant.OpenFor, "sleep", sleeping)
        monkeypatch.setattr(dormant.Dormant, "wake", waking)
        monkeypatch.setattr(dormant.Dormant, "wake_open", waking_all)
        monkeypatch.setattr(stream, "_drop_unread", dropping)
        monkeypatch.setattr(stream, "_COMPACT_FROM", 500)


@pytest.mark.parametrize("when", [{"period": "2021-03"}, {"period": "2021-Q1"},
                                  {"as_of": "2021-04-21T16:00:00+08:00"}])
def test_open_obligations_sleep_wake_and_give_the_same_result(
        when: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Open obligations of many duties (commitments that can be delayed among them) sleep;
    facts of their cases wake some (fulfilled late, a repeated trigger, a delay), the rest
    wake at the end; the result is the list path's. With open obligations held in memory
    again (no sleeping), the counts below fail."""
    if "as_of" in when:
        when = {"as_of": parse_time(when["as_of"], shipped().calendar.tz)}
    watch = Watch(monkeypatch)
    streamed = _streamed(generated(), **when)
    assert streamed == _listed(generated(), **when)
    result = pe.evaluate(shipped(), pe.read_facts(generated(), shipped()).facts, **when)
    still_open = len(result.obligations)
    assert len(watch.slept) > 0.5 * still_open > 100
    assert {"C1", "C2", "C3"} <= set(watch.slept)   # delayable: out of `latest` too
    assert len(set(watch.slept)) >= 10
    assert watch.woken_open                          # a fact of the case came for it
    assert watch.at_end + len(watch.woken_open) == len(watch.slept)
    if when.get("period") == "2021-03":  # a month: the others keep more, compact less often
        # generated 2026-12-01: at most 334 open in memory after a compaction against 963
        # the result lists; without sleeping they grow to 1,591
        assert max(watch.open_in_memory) < 0.5 * still_open, (watch.open_in_memory,
                                                              still_open)


def test_cases_sharing_a_hash_sleep_and_wake_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """`OpenFor` keeps the cases asleep as hashes; cases sharing one (here: most of them)
    only cost a disk look-up, never a wrong answer."""
    monkeypatch.setattr(dormant, "case_hash", lambda key: len(str(key)) % 3)
    watch = Watch(monkeypatch)
    assert _streamed(generated(), period="2021-03") == _listed(generated(), period="2021-03")
    assert len(watch.slept) > 100 and watch.woken_open


def _obligation(duty_id: str, case: str, at: datetime) -> Obligation:
    duty = shipped().duties[duty_id]
    trigger = Fact("plan.estimated", at, case, "陈经理", {"due": at.date()}, f"f-{case}", 3,
                   "facts.jsonl")
    return Obligation(duty, case, trigger, at, at + timedelta(days=3))


def test_open_for_wakes_on_in_get_and_index(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A case asleep is found by `in`, `get` and `[]` as if it had never slept, goes back to
    `open_for`, `latest` (a delayable duty) and the obligations at its place; two cases with
    one hash wake apart; a case never asleep is still missing."""
    policy = shipped()
    chosen = {"a": 7, "b": 7, "c": 8, "z": 9}  # a and b share a hash
    monkeypatch.setattr(dormant, "case_hash", chosen.__getitem__)
    at = datetime(2021, 3, 1, 9, 0, tzinfo=policy.calendar.tz)
    obligations: list[Obligation] = []
    sleeper = dormant.Dormant(policy, tmp_path, obligations)
    open_for: dict[str, dict[Any, Obligation]] = {d: {} for d in policy.duties}
    latest: dict[str, dict[Any, Obligation]] = {d: {} for d in policy.duties}
    table = open_for["C1"] = dormant.OpenFor("C1", sleeper, {})
    sleeper.attach(open_for, latest)
    made = [_obligation("C1", case, at + timedelta(hours=n))
            for n, case in enumerate(["a", "b", "c"])]
    for obligation in made:
        obligations.append(obligation)
        table[obligation.case] = obligation
        latest["C1"][obligation.case] = obligation
    sleeper.number()
    for obligation, ordinal in zip(made[:2], sleeper.ordinals, strict=False):
        table.sleep(obligation, ordinal, obligation.case)
    del obligations[:2]
    sleeper.ordinals = sleeper.ordinals[2:]
    sleeper.flush()
    assert dict(table) == {"c": made[2]} and dict(latest["C1"]) == {"c": made[2]}
    assert table.asleep == {7} and table.shared == {7: 1}
    assert "z" not in table and table.get("z") is None
    with pytest.raises(KeyError):
        table["z"]
    assert "b" in table                      # woken: b, not a
    assert table.asleep == {7} and table.shared == {}
    assert [o.case for o in obligations] == ["b", "c"]
    assert dict.get(latest["C1"], "b") is dict.get(table, "b")
    woken = table["a"]                        # woken by `[]`
    assert woken.case == "a" and woken.due == made[0].due and woken is not made[0]
    assert table.asleep == set() and table.get("a") is woken
    assert [o.case for o in obligations] == ["a", "b", "c"]  # the order they were made
    assert list(sleeper.ordinals) == [0, 1, 2]
    sleeper.close()


def test_deadline_memos_are_forgotten_at_compactions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The memos of the rules that keep one (working days, end of the working day, weekly)
    are found and emptied at each compaction: after a streamed run they hold only the days
    since the last one, far fewer than after the list path; the results are the same."""
    policy = shipped()
    memos = stream._deadline_memos(policy)
    kinds = {type(r) for d in policy.duties.values() if d.deadline is not None
             for r in [d.deadline, *getattr(d.deadline, "changes", ())]}
    assert {WorkingDays, EndOfWorkingDay} <= kinds or Weekly in kinds
    assert len(memos) >= 3

    def held() -> int:
        return sum(map(len, memos))

    for memo in memos:
        memo.clear()
    listed = _listed(generated(), period="2021-03")
    after_list = held()
    for memo in memos:
        memo.clear()
    monkeypatch.setattr(stream, "_COMPACT_FROM", 500)
    assert _streamed(generated(), period="2021-03") == listed
    assert after_list > 200 and held() < 0.25 * after_list, (held(), after_list)


def test_a_streamed_evaluation_leaves_no_cyclic_garbage(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tables hold `OpenFor`s and `Latest`s that hold the dormant store, which holds the
    tables: closed, it lets go, so reference counting frees it all (the collector is paused
    and frozen objects are only freed so)."""
    import gc

    from policyengine.engine.evaluate import evaluate_file
    from policyengine.facts.reader import FactStream

    monkeypatch.setattr(stream, "_COMPACT_FROM", 500)
    watch = Watch(monkeypatch)
    evaluate_file(shipped(), FactStream(generated(), shipped().schema), period="2021-03")
    gc.unfreeze()
    gc.collect()
    result, _ = evaluate_file(shipped(), FactStream(generated(), shipped().schema),
                              period="2021-03")
    assert watch.slept and result.violations
    del result
    gc.unfreeze()
    assert gc.collect() == 0


def test_an_open_look_up_never_wakes_a_fulfilled_obligation_of_a_case_sharing_its_hash(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Case "a"'s fulfilled commitment sleeps for `latest`, case "b"'s open one for
    `open_for`, and their hashes are equal: asking `open_for` about "a" must say it has no
    open obligation (as the list path's table), not wake the fulfilled one."""
    monkeypatch.setattr(dormant, "case_hash", {"a": 7, "b": 7}.__getitem__)
    policy = shipped()
    at = datetime(2021, 3, 1, 9, tzinfo=policy.calendar.tz)

    def made(case: str, n: int) -> Obligation:
        trigger = Fact("plan.estimated", at + timedelta(hours=n), case, "x",
                       {"due": at.date()}, f"f-{case}", n, "f")
        return Obligation(policy.duties["C1"], case, trigger, trigger.at,
                          trigger.at + timedelta(days=3))

    obligations: list[Obligation] = []
    sleeper = dormant.Dormant(policy, tmp_path, obligations)
    open_for: dict[str, Any] = {d: {} for d in policy.duties}
    latest: dict[str, Any] = {d: {} for d in policy.duties}
    table = open_for["C1"] = dormant.OpenFor("C1", sleeper, {})
    latest["C1"] = dormant.Latest("C1", sleeper, {})
    sleeper.attach(open_for, latest)
    a, b = made("a", 0), made("b", 1)
    a.fulfilled_by = Fact("plan.delivered", at + timedelta(hours=2), "a", "x", {}, "g-a", 9,
                          "f")
    obligations += [a, b]
    dict.__setitem__(table, "b", b)
    dict.__setitem__(latest["C1"], "a", a)
    dict.__setitem__(latest["C1"], "b", b)
    sleeper.number()
    sleeper.sleep(a, 0, "a")                  # fulfilled, kept for `latest` (stream.stays)
    dict.__delitem__(latest["C1"], "a")
    table.sleep(b, 1, "b")                    # open (stream's stays_open)
    del obligations[:]
    sleeper.ordinals = sleeper.ordinals[2:]
    sleeper.flush()
    assert "a" not in table and table.get("a") is None
    with pytest.raises(KeyError):
        table["a"]
    assert latest["C1"].get("a") is not None and latest["C1"].get("a").fulfilled_by
    assert "b" in table and table["b"].case == "b" and table["b"].fulfilled_by is None


def test_a_case_named_none_and_no_case_sleep_apart(tmp_path: Path) -> None:
    """The dormant table keys obligations by their key as text: the case "None" and no case
    (None) must not share a row (the later would replace the earlier)."""
    policy = shipped()
    at = datetime(2021, 3, 1, 9, tzinfo=policy.calendar.tz)
    obligations: list[Obligation] = []
    sleeper = dormant.Dormant(policy, tmp_path, obligations)
    open_for: dict[str, Any] = {d: {} for d in policy.duties}
    latest: dict[str, Any] = {d: {} for d in policy.duties}
    table = open_for["C1"] = dormant.OpenFor("C1", sleeper, {})
    sleeper.attach(open_for, latest)
    made = []
    for n, case in enumerate(["None", None]):
        trigger = Fact("plan.estimated", at + timedelta(hours=n), case, "x",
                       {"due": at.date()}, f"f{n}", n, "f")
        made.append(Obligation(policy.duties["C1"], case, trigger, trigger.at,
                               trigger.at + timedelta(days=3)))
        dict.__setitem__(table, case, made[-1])
    obligations += made
    sleeper.number()
    for n, o in enumerate(made):
        table.sleep(o, n, o.case)
    del obligations[:]
    sleeper.ordinals = sleeper.ordinals[2:]
    sleeper.flush()
    assert table["None"] is not None and table["None"].trigger.id == "f0"
    assert table[None] is not None and table[None].trigger.id == "f1"
