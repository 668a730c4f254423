"""What a fulfilment closes, as the replay's shortcuts find it (docs/decisions.md
D56): a fulfilment reads an open obligation's trigger only when the duty's trigger
type may also fulfil it (plans.py `Slot.closes_own`, engine/replay.py `fulfil_as`): the
fact that opened an obligation never fulfils it, and a later fact of the same type does;
and a recurring duty's period is found from the first one still owed (recurring.py
`owed_from`, `match`). The policy is tests/engine/matching/policy.yaml with one duty more
(wall-clock deadlines)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from helpers import at, fact, of

import policyengine as pe
from policyengine import CompiledPolicy
from policyengine.engine import recurring
from policyengine.engine.obligation import Obligation
from policyengine.engine.plans import Slot
from policyengine.engine.recurring import Owed
from policyengine.engine.replay import RoleTimeline, _State

MATCHING = Path(__file__).parent / "matching" / "policy.yaml"
# A duty its own trigger type fulfils: any delivery opens it, one of delivery B closes it
# (the policy refuses only a match equal to the trigger).
PING = """
  D9:
    name: 补发
    trigger: delivery.sent
    fulfilled_by: {fact: delivery.sent, where: {delivery_no: B}}
    deadline: {within: 1d}
    responsible: sales
    penalty: P1
"""


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> CompiledPolicy:
    text = MATCHING.read_text(encoding="utf-8").replace("\nduties:\n", "\nduties:" + PING, 1)
    assert "D9:" in text
    folder = tmp_path_factory.mktemp("own")
    (folder / "policy.yaml").write_text(text, encoding="utf-8")
    return pe.load_policy(folder / "policy.yaml")


def _slot(policy: CompiledPolicy, duty: str) -> Slot:
    return _State(policy, RoleTimeline({})).slots[duty]


def test_only_a_duty_whose_trigger_type_fulfils_it_asks_for_the_trigger(
        policy: CompiledPolicy) -> None:
    assert _slot(policy, "D9").closes_own          # delivery.sent opens and fulfils it
    assert _slot(policy, "D9").closes_inline       # the hot path's fulfilment, asked here
    assert not _slot(policy, "D3").closes_own      # order.placed opens, contract.* fulfil
    assert not _slot(policy, "D1").closes_own      # delivery.sent opens, .received fulfils


def test_the_fact_that_opens_an_obligation_does_not_fulfil_it_a_later_one_does(
        policy: CompiledPolicy) -> None:
    # Delivery B at 10-01 09:00 opens D9 (due 10-02 09:00) and matches its fulfilment, but
    # does not close what it opened. Delivery A at 10-02 10:00 finds D9 open (a note) and
    # does not match. Delivery B again at 10-02 11:00 finds it open (a note) and closes it:
    # 2 h late. Nothing of D9 is open after.
    facts = [fact("delivery.sent", "2026-10-01 09:00", case="C7", actor="张三",
                  delivery_no="B", id="d1", policy=policy),
             fact("delivery.sent", "2026-10-02 10:00", case="C7", actor="张三",
                  delivery_no="A", id="d2", policy=policy),
             fact("delivery.sent", "2026-10-02 11:00", case="C7", actor="张三",
                  delivery_no="B", id="d3", policy=policy)]
    result = pe.evaluate(policy, facts, period="2026-10", as_of=at("2026-10-20 09:00"))
    [late] = of(result, "D9")
    assert (late.due, late.fulfilled_at) == (at("2026-10-02 09:00"), at("2026-10-02 11:00"))
    assert late.late_by.total_seconds() == 2 * 3600
    assert [o for o in result.obligations if o.duty == "D9"] == []


def test_a_fulfilment_of_another_type_closes_an_obligation_as_before(
        policy: CompiledPolicy) -> None:
    # D3: order 10-01 09:00, signed 10-01 20:00: within its deadline, nothing violated.
    facts = [fact("order.placed", "2026-10-01 09:00", case="C8", actor="张三", id="o1",
                  policy=policy),
             fact("contract.signed", "2026-10-01 20:00", case="C8", id="s1", policy=policy)]
    result = pe.evaluate(policy, facts, period="2026-10", as_of=at("2026-10-20 09:00"))
    assert of(result, "D3") == []


def _match_plainly(ledger: list[Owed], moment: datetime) -> Owed | None:
    """recurring.match as it was first written: every period looked at."""
    still_owed = [p for p in ledger if p.start <= moment and p.obligation.fulfilled_by is None]
    for period in still_owed:
        if moment < period.end or moment <= period.obligation.due:
            return period
    return still_owed[0] if still_owed else None


@pytest.mark.parametrize("seed", range(8))
def test_a_recurring_fulfilment_finds_the_period_every_period_looked_at_would(
        policy: CompiledPolicy, seed: int) -> None:
    # Weekly periods with windows and deadlines that run past the next period's start or
    # not, some fulfilled (a fulfilled one stays so), moments before, inside and after
    # them: `match` from `owed_from`'s period gives what the plain definition gives.
    rng = random.Random(seed)
    duty = policy.duties["D3"]
    weekly = fact("order.placed", "2026-10-01 09:00", case="C1", id="w", policy=policy)
    base = weekly.at
    ledger: list[Owed] = []
    for week in range(40):
        start = base + timedelta(days=7 * week)
        due = start + timedelta(days=rng.choice([2, 6, 9, 15]), hours=rng.randrange(24))
        end = max(start + timedelta(days=7), due) if rng.random() < 0.5 else (
            start + timedelta(days=7))
        ledger.append(Owed(start, end, Obligation(duty, None, None, start, due)))
    first = 0
    for _ in range(120):
        moment = base + timedelta(hours=rng.randrange(-48, 24 * 7 * 42))
        first = recurring.owed_from(ledger, first)
        found = recurring.match(ledger, moment, first)
        assert found is _match_plainly(ledger, moment)
        if found is not None and rng.random() < 0.6:
            found.obligation.fulfilled_by = weekly
    assert recurring.owed_from(ledger, 0) >= first
