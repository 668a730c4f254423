"""Issue 11 matching (docs/decisions.md D21): `per`, `fulfilled_by` lists, `by`, role
`members`, prohibitions. The policy is tests/engine/matching/policy.yaml: wall-clock
deadlines (`within: 1d` is 24 hours), so each expectation below is worked out by hand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from helpers import amount, at, fact, of

import policyengine as pe
from policyengine import CompiledPolicy, EvaluationResult, Fact
from policyengine.engine.workers import can_split
from policyengine.kinds import Status

POLICY = Path(__file__).parent / "matching" / "policy.yaml"


@pytest.fixture(scope="module")
def policy() -> CompiledPolicy:
    return pe.load_policy(POLICY)


def evaluate(policy: CompiledPolicy, facts: list[Fact], *, workers: int = 1) -> EvaluationResult:
    return pe.evaluate(policy, facts, period="2026-10", as_of=at("2026-10-20 09:00"),
                       workers=workers)


def notes(result: EvaluationResult, lang: str = "en") -> list[str]:
    return [n.render(lang) for n in result.notes]


# -- per: {attribute: delivery_no} ----------------------------------------------------------

def test_per_attribute_keys_obligations_by_the_triggers_attribute(policy: CompiledPolicy) -> None:
    # Deliveries A (Thu 10-01 09:00, 张三) and B (10:00, 李四), both due 2d later. B is
    # received 10-02 09:00 (on time), A on 10-04 09:00: due 10-03 09:00, 1 day late. The
    # receipt of B closes B, not A (which per: case would have closed). A's second notice
    # at 11:00 while A is open is noted, not owed twice.
    f = [fact("delivery.sent", "2026-10-01 09:00", case="C1", actor="张三", delivery_no="A",
              policy=policy),
         fact("delivery.sent", "2026-10-01 10:00", case="C1", actor="李四", delivery_no="B",
              policy=policy),
         fact("delivery.sent", "2026-10-01 11:00", case="C1", actor="李四", delivery_no="A",
              policy=policy),
         fact("delivery.received", "2026-10-02 09:00", case="C1", delivery_no="B",
              policy=policy),
         fact("delivery.received", "2026-10-04 09:00", case="C1", delivery_no="A",
              policy=policy)]
    result = evaluate(policy, f)
    [late] = of(result, "D1")
    assert late.due == at("2026-10-03 09:00")
    assert late.late_by.total_seconds() == 24 * 3600
    # The actor of the latest sales fact at or before A's trigger: A's own sender, 张三 (not
    # 李四, who sent the later repeated notice).
    assert late.person == "张三"
    assert amount(result, "张三") == Decimal(20)
    assert result.stats["obligations"] == 2
    assert any("already open" in n and "delivery_no A" in n for n in notes(result))


# -- per: trigger ---------------------------------------------------------------------------

def test_per_trigger_each_invoice_is_owed_and_a_payment_closes_the_oldest(
        policy: CompiledPolicy) -> None:
    # Invoices 10-01 09:00 (张三) and 12:00 (李四), each due 24h later. One payment at
    # 10-02 10:00 closes the oldest (due 10-02 09:00): 1h late. The second (due 10-02
    # 12:00) is never paid: missed, late by 10-20 09:00 - 10-02 12:00 = 17d21h.
    f = [fact("invoice.issued", "2026-10-01 09:00", case="C2", actor="张三", policy=policy),
         fact("invoice.issued", "2026-10-01 12:00", case="C2", actor="李四", policy=policy),
         fact("invoice.paid", "2026-10-02 10:00", case="C2", policy=policy)]
    result = evaluate(policy, f)
    first, second = of(result, "D2")
    assert (first.due, first.late_by.total_seconds(), first.person) == (
        at("2026-10-02 09:00"), 3600, "张三")
    assert first.fulfilled_at == at("2026-10-02 10:00")
    assert (second.due, second.fulfilled_at, second.person) == (
        at("2026-10-02 12:00"), None, "李四")
    assert second.late_by.total_seconds() == (17 * 24 + 21) * 3600
    assert second.status is Status.MISSED and first.status is Status.LATE


def test_per_trigger_a_fact_never_closes_the_obligation_it_opened(
        policy: CompiledPolicy) -> None:
    # invoice.issued opens D2; nothing of the same instant may close it, and a payment
    # before any invoice closes nothing. Missed: due 10-02 09:00.
    f = [fact("invoice.paid", "2026-10-01 08:00", case="C2", policy=policy),
         fact("invoice.issued", "2026-10-01 09:00", case="C2", actor="张三", policy=policy)]
    [missed] = of(evaluate(policy, f), "D2")
    assert missed.fulfilled_at is None and missed.due == at("2026-10-02 09:00")


def test_per_trigger_keys_stay_unique_for_facts_without_ids(policy: CompiledPolicy) -> None:
    # Two id-less invoices of one instant are two obligations; their keys differ.
    f = [fact("invoice.issued", "2026-10-01 09:00", case="C2", actor="张三", policy=policy),
         fact("invoice.issued", "2026-10-01 09:00", case="C2", actor="张三", policy=policy)]
    result = evaluate(policy, f)
    keys = [v.key for v in of(result, "D2")]
    assert len(keys) == 2 and len(set(keys)) == 2


# -- fulfilled_by: a list ------------------------------------------------------------------

def test_any_match_of_a_fulfilled_by_list_fulfils(policy: CompiledPolicy) -> None:
    # C3: order 10-01 09:00; waived for 'other' at 10:00 does not fulfil, waived for
    # 'cancelled' at 11:00 does (met). C4: order 09:00, signed 10-02 10:00: 1h late.
    f = [fact("order.placed", "2026-10-01 09:00", case="C3", actor="张三", policy=policy),
         fact("contract.waived", "2026-10-01 10:00", case="C3", reason="other", policy=policy),
         fact("contract.waived", "2026-10-01 11:00", case="C3", reason="cancelled",
              policy=policy),
         fact("order.placed", "2026-10-01 09:00", case="C4", actor="张三", policy=policy),
         fact("contract.signed", "2026-10-02 10:00", case="C4", actor="张三", policy=policy)]
    result = evaluate(policy, f)
    [late] = of(result, "D3")
    assert (late.case, late.late_by.total_seconds()) == ("C4", 3600)


# -- by: who may act ------------------------------------------------------------------------

def test_a_fulfilment_by_someone_outside_the_group_does_not_count(
        policy: CompiledPolicy) -> None:
    # D4 (approval by finance = 王总 or 李总): signed 10-01 09:00 by 张三, due 10-02 09:00.
    # 张三 approves at 10:00: refused, noted. 李总 approves at 11:00: met, no violation.
    f = [fact("contract.signed", "2026-10-01 09:00", case="C5", actor="张三", policy=policy),
         fact("contract.approved", "2026-10-01 10:00", case="C5", actor="张三",
              policy=policy),
         fact("contract.approved", "2026-10-01 11:00", case="C5", actor="李总",
              policy=policy)]
    result = evaluate(policy, f)
    assert of(result, "D4") == []
    [refused] = [n for n in notes(result) if "does not count for D4" in n]
    assert "by 张三" in refused and "王总, 李总" in refused
    zh = [n for n in notes(result, "zh") if "不计入 D4" in n]
    assert zh and "张三" in zh[0] and "王总, 李总" in zh[0]


def test_a_trigger_by_someone_not_named_opens_nothing(policy: CompiledPolicy) -> None:
    # D5 opens only on an approval by 王总: 李总's approval opens nothing (noted).
    f = [fact("contract.approved", "2026-10-01 10:00", case="C6", actor="李总",
              policy=policy)]
    result = evaluate(policy, f)
    assert of(result, "D5") == [] and result.stats["obligations"] == 0
    assert any("does not count for D5" in n and "王总" in n for n in notes(result))


def test_an_assigned_role_is_asked_for_its_holder_at_the_facts_time(
        policy: CompiledPolicy) -> None:
    # D5 opened 10-01 09:00 (王总), due 10-02 09:00. The clerk is 小赵 (default) until
    # 小钱 is assigned at 12:00: 小赵 filing at 13:00 does not count; 小钱 at 10-02 10:00
    # does: 1h late, charged to the holder at the deadline, 小钱.
    f = [fact("contract.approved", "2026-10-01 09:00", case="C6", actor="王总",
              policy=policy),
         fact("role.assigned", "2026-10-01 12:00", role="clerk", person="小钱", policy=policy),
         fact("archive.filed", "2026-10-01 13:00", case="C6", actor="小赵", policy=policy),
         fact("archive.filed", "2026-10-02 10:00", case="C6", actor="小钱", policy=policy)]
    result = evaluate(policy, f)
    [late] = of(result, "D5")
    assert (late.person, late.late_by.total_seconds()) == ("小钱", 3600)
    assert any("by 小赵 does not count for D5" in n and "小钱" in n for n in notes(result))


@pytest.mark.parametrize(("approver", "late_hours"), [("张三", 25), ("李总", None)])
def test_a_delay_approved_outside_finance_does_not_move_the_deadline(
        policy: CompiledPolicy, approver: str, late_hours: int | None) -> None:
    # D5 opened 10-01 09:00, due 10-02 09:00; delay to 10-05 requested at 10:00 and
    # approved at 11:00. Filed 10-03 10:00. Approved by 李总 (finance): due 10-05 18:00
    # (end of work), met. By 张三: refused, due stays, 25h late.
    f = [fact("contract.approved", "2026-10-01 09:00", case="C6", actor="王总",
              policy=policy),
         fact("delay.requested", "2026-10-01 10:00", case="C6", actor="小赵",
              new_due="2026-10-05", policy=policy),
         fact("delay.approved", "2026-10-01 11:00", case="C6", actor=approver, policy=policy),
         fact("archive.filed", "2026-10-03 10:00", case="C6", actor="小赵", policy=policy)]
    found = of(evaluate(policy, f), "D5")
    if late_hours is None:
        assert found == []
    else:
        [late] = found
        assert late.late_by.total_seconds() == late_hours * 3600


# -- prohibitions ---------------------------------------------------------------------------

def test_each_forbidden_fact_is_a_violation_of_its_own(policy: CompiledPolicy) -> None:
    # Two cash payments by 张三 (10-05, 10-06) and a bank one: two X1 violations, due at the
    # facts' times, late by nothing, 20 yuan each (P1 per instance). A cash payment of
    # September is outside the period.
    f = [fact("payment.made", "2026-09-30 09:00", case="C7", actor="张三", method="cash",
              policy=policy),
         fact("payment.made", "2026-10-05 09:00", case="C7", actor="张三", method="cash",
              id="pay-1", policy=policy),
         fact("payment.made", "2026-10-06 09:00", case="C7", actor="张三", method="bank",
              policy=policy),
         fact("payment.made", "2026-10-06 10:00", case="C7", actor="张三", method="cash",
              policy=policy)]
    result = evaluate(policy, f)
    found = of(result, "X1")
    assert [(v.due, v.status, v.late_by.total_seconds(), v.month, v.person)
            for v in found] == [
        (at("2026-10-05 09:00"), Status.PROHIBITED, 0, "2026-10", "张三"),
        (at("2026-10-06 10:00"), Status.PROHIBITED, 0, "2026-10", "张三")]
    assert found[0].key == "X1|C7|pay-1"
    assert amount(result, "张三") == Decimal(40)
    assert found[0].penalty.amount == Decimal(20)
    steps = [s.render("en") for s in found[0].explanation]
    assert any("is forbidden by X1" in s and "pay-1" in s for s in steps)
    assert any("现金支付" in s.render("zh") for s in found[0].explanation)
    assert found[0].to_dict()["status"] == "prohibited"


def test_a_prohibition_by_role_charges_the_holder_and_spares_others(
        policy: CompiledPolicy) -> None:
    # X2 forbids the clerk (小赵 by default) signing: 小赵's signature is a violation charged
    # to the holder at the fact's time; 张三's is not, and no note is made of it.
    f = [fact("contract.signed", "2026-10-05 09:00", case="C8", actor="小赵", policy=policy),
         fact("contract.signed", "2026-10-05 10:00", case="C9", actor="张三", policy=policy)]
    result = evaluate(policy, f)
    [v] = of(result, "X2")
    assert (v.case, v.person, v.role) == ("C8", "小赵", "clerk")
    assert not any("X2" in n for n in notes(result))


def test_the_split_replay_gives_the_same_result(policy: CompiledPolicy) -> None:
    f = [fact("invoice.issued", "2026-10-01 09:00", case=f"C{i}", actor="张三", policy=policy)
         for i in range(20)]
    f += [fact("payment.made", "2026-10-05 09:00", case=f"C{i}", actor="李四", method="cash",
               policy=policy) for i in range(0, 20, 3)]
    f += [fact("delivery.sent", "2026-10-01 09:00", case=f"C{i}", actor="王五",
               delivery_no=str(i % 2), policy=policy) for i in range(20)]
    one = evaluate(policy, f)
    if not can_split(policy, 2):
        pytest.skip("no fork here")
    two = evaluate(policy, f, workers=2)
    assert [v.to_dict() for v in one.violations] == [v.to_dict() for v in two.violations]
    assert len(one.violations) == 20 + 7 + 20


def test_a_list_is_matched_whole_when_no_table_serves_its_type(tmp_path: Path) -> None:
    # Two matches of contract.signed in one list: no dispatch table for that type, so each
    # of the duty's matches is asked (not only the first, a contract.waived one). C4: order
    # 10-01 09:00, signed 10:00 by 张三: met by the plain contract.signed match.
    text = POLICY.read_text(encoding="utf-8").replace(
        "fulfilled_by: [contract.signed, {fact: contract.waived, where: {reason: cancelled}}]",
        "fulfilled_by: [{fact: contract.waived, where: {reason: cancelled}}, contract.signed, "
        "{fact: contract.signed, by: {people: [王总]}}]")
    (tmp_path / "policy.yaml").write_text(text, encoding="utf-8")
    policy = pe.load_policy(tmp_path / "policy.yaml")
    assert "contract.signed" not in policy.fulfil_dispatch
    f = [fact("order.placed", "2026-10-01 09:00", case="C4", actor="张三", policy=policy),
         fact("contract.signed", "2026-10-01 10:00", case="C4", actor="张三", policy=policy)]
    result = evaluate(policy, f)
    assert of(result, "D3") == []
    assert not any("D3" in n for n in notes(result))  # one match let anyone: nothing refused
