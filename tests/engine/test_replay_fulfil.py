"""A fulfilment reads an open obligation's trigger only when the duty's trigger type may
also fulfil it (plans.py `Slot.closes_own`, engine/replay.py `fulfil_as`): the fact that
opened an obligation never fulfils it, and a later fact of the same type does. The policy
is tests/engine/matching/policy.yaml with one duty more (wall-clock deadlines)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import at, fact, of

import policyengine as pe
from policyengine import CompiledPolicy
from policyengine.engine.plans import Slot
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
