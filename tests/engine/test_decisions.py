"""Comparison operators in the engine, and decision tables setting time-varying case values.

The policy is tests/policy/good/grading/policy.yaml: decision `grade` (first hit):
rule 1 annual_sales >= 5,000,000 and payment_record good -> A; rule 2 annual_sales >=
1,000,000 -> B; rule 3 -> C. V1 opens on visit.requested with case.grade A and amount > 1000
(due the next working day 18:00); V2 on case.grade in [B, C] and channel != mail (3 working
days). Expected obligations are worked out by hand from these rules in each test.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers import at, fact

import policyengine as pe
from policyengine import Fact
from policyengine.cli.main import main
from policyengine.engine.compiled import Matcher
from policyengine.engine.replay import replay
from policyengine.engine.workers import can_split
from policyengine.policy.model import FactMatch

GRADING = Path(__file__).parents[1] / "policy" / "good" / "grading"
POLICY = pe.load_policy(GRADING)
AS_OF = at("2026-11-01 00:00")


def f(kind: str, when: str, case: str = "C001", **attrs: Any) -> Fact:
    actor = "王经理" if kind == "customer.reviewed" else None
    return fact(kind, when, case=case, actor=actor, policy=POLICY, **attrs)


def review(when: str, sales: object, record: str | None = None, case: str = "C001") -> Fact:
    extra = {"payment_record": record} if record else {}
    return f("customer.reviewed", when, case, annual_sales=sales, **extra)


def opened(facts: list[Fact], policy: pe.CompiledPolicy = POLICY) -> list[tuple[str, str]]:
    """(duty, trigger time) of every obligation the replay opens."""
    run = replay(policy, facts, AS_OF)
    return [(o.duty.id, f"{o.opened_at:%m-%d %H:%M}") for o in run.obligations]


# -- the case value in force at the fact's time ------------------------------------------

def test_a_trigger_reads_the_grade_in_force_at_its_own_time() -> None:
    facts = [
        review("2026-10-09 10:00", "6000000.00", "good"),           # rule 1 -> A
        f("visit.requested", "2026-10-12 10:00", amount=1500),      # A, 1500 > 1000 -> V1
        review("2026-10-13 10:00", 2000000, "late"),                # rule 2 -> B
        f("visit.requested", "2026-10-14 10:00", amount=1500, channel="phone"),  # B -> V2
        review("2026-10-15 10:00", 10, "good"),                     # rule 3 -> C
        f("visit.requested", "2026-10-16 10:00", channel="mail"),   # C but mail: none
    ]
    assert opened(facts) == [("V1", "10-12 10:00"), ("V2", "10-14 10:00")]
    run = replay(POLICY, facts, AS_OF)
    history = run.case_values.settings[("C001", "grade")]
    assert [(s.value, s.rule) for s in history] == [("A", 1), ("B", 2), ("C", 3)]
    assert run.case_values.in_force("C001", "grade", at("2026-10-13 09:59")).value == "A"
    assert run.case_values.in_force("C001", "grade", at("2026-10-13 10:00")).value == "B"
    assert run.case_values.in_force("C001", "grade", at("2026-10-01 00:00")) is None


def test_a_later_review_does_not_change_an_earlier_trigger() -> None:
    # The review of 10-20 (rule 2 -> B) comes after the request of 10-12 (A): V1 stays.
    facts = [review("2026-10-09 10:00", 5000000, "good"),
             f("visit.requested", "2026-10-12 10:00", amount=1001),
             review("2026-10-20 10:00", 1000000)]
    assert opened(facts) == [("V1", "10-12 10:00")]


def test_without_a_grade_no_grade_condition_holds() -> None:
    # No review yet: case.grade is unknown, so neither `case.grade: A` nor `in: [B, C]`.
    assert opened([f("visit.requested", "2026-10-12 10:00", amount=5000)]) == []


def test_grades_are_per_case() -> None:
    facts = [review("2026-10-09 10:00", 6000000, "good", case="C001"),
             review("2026-10-09 10:00", 10, case="C002"),
             f("visit.requested", "2026-10-12 10:00", case="C002", amount=5000,
               channel="visit")]
    assert opened(facts) == [("V2", "10-12 10:00")]   # C002 is C


def test_a_review_and_a_request_at_one_instant_the_request_sees_the_new_grade() -> None:
    # order_key puts customer.reviewed before visit.requested anyway; the table is
    # evaluated before any duty opens at that instant, whatever the type names.
    facts = [f("visit.requested", "2026-10-12 10:00", amount=5000),
             review("2026-10-12 10:00", 9000000, "good")]
    assert opened(facts) == [("V1", "10-12 10:00")]


def test_explain_names_the_rule_and_the_inputs_that_set_the_grade() -> None:
    facts = [review("2026-10-09 10:00", "6000000.00", "good"),
             f("visit.requested", "2026-10-12 10:00", amount=1500)]
    run = replay(POLICY, facts, AS_OF)
    [obligation] = run.obligations
    [said] = obligation.history or []
    assert said.key == "decision.used"
    assert said.render("en") == (
        "case value grade = A, set by rule 1 of decision grade (inputs annual_sales=6000000.00,"
        " payment_record=good) from customer.reviewed "
        f"{facts[0].ref()} at 2026-10-09 10:00 (Fri)")
    zh = said.render("zh")
    assert "由决策表 grade 的第 1 条规则" in zh and "案件取值 grade = A" in zh


def test_the_explain_command_shows_the_rule(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    facts = [review("2026-10-09 10:00", "6000000.00", "good"),
             f("visit.requested", "2026-10-12 10:00", amount=1500)]
    path = tmp_path / "facts.jsonl"
    path.write_text("".join(json.dumps(x.to_dict(), ensure_ascii=False) + "\n" for x in facts),
                    encoding="utf-8")
    argv = ["explain", "--policy", str(GRADING), "--facts", str(path), "--month", "2026-10",
            "--case", "C001"]
    assert main(argv) == 0
    zh = capsys.readouterr().out
    # the table by the policy's name for it (as fact types and roles are named)
    assert "职责 V1" in zh and "由决策表 客户等级（grade） 的第 1 条规则" in zh
    assert main([*argv, "--lang", "en"]) == 0
    assert "set by rule 1 of decision grade" in capsys.readouterr().out


# -- hit policies -------------------------------------------------------------------------

def with_table(tmp_path: Path, old: str, new: str, *more: tuple[str, str]) -> pe.CompiledPolicy:
    folder = tmp_path / "grading"
    shutil.copytree(GRADING, folder)
    path = folder / "policy.yaml"
    text = path.read_text(encoding="utf-8")
    for before, after in ((old, new), *more):
        assert text.count(before) == 1
        text = text.replace(before, after)
    path.write_text(text, encoding="utf-8")
    return pe.load_policy(folder)


def test_unique_with_two_matching_rules_is_a_note_and_keeps_the_value(tmp_path: Path) -> None:
    # A rule without `when` under unique is refused by the checks, so rule 3 gets a condition
    # that overlaps rule 2 only for some facts.
    policy = with_table(tmp_path, "hit_policy: first", "hit_policy: unique",
                        ("      - {then: C}\n",
                         "      - {when: {annual_sales: {ge: 0}}, then: C}\n"))
    facts = [
        review("2026-10-09 10:00", 10),                       # only rule 3 -> C
        review("2026-10-12 10:00", 2000000),                  # rules 2 and 3 both match
    ]
    facts = [policy.schema.build(x.to_dict()) for x in facts]  # type: ignore[misc]
    run = replay(policy, facts, AS_OF)
    assert [s.value for s in run.case_values.settings[("C001", "grade")]] == ["C"]
    [note] = run.notes
    assert note.key == "decision.not_unique"
    assert "rules 2, 3 all match" in note.render("en")
    assert "hit policy is unique; the case value stays as it was" in note.render("en")
    assert "命中策略是 unique" in note.render("zh") and "案件取值保持不变" in note.render("zh")


def test_no_matching_rule_is_a_note_and_keeps_the_value(tmp_path: Path) -> None:
    policy = with_table(tmp_path, "      - {then: C}\n", "")
    facts = [policy.schema.build(x.to_dict()) for x in (  # type: ignore[misc]
        review("2026-10-09 10:00", 2000000),  # rule 2 -> B
        review("2026-10-12 10:00", 10))]      # no rule
    run = replay(policy, facts, AS_OF)
    assert run.case_values.now["C001"]["grade"] == "B"
    [note] = run.notes
    assert note.key == "decision.no_hit"
    assert "no rule matches (inputs annual_sales=10)" in note.render("en")
    assert "没有任何规则符合" in note.render("zh")
    # and the evaluation result carries the note for reports
    result = pe.evaluate(policy, facts, period="2026-10")
    assert any(n.key == "decision.no_hit" for n in result.notes)


def test_priority_gives_the_output_listed_highest(tmp_path: Path) -> None:
    # Outputs [A, B, C] highest first; written rules C first: rule 1 (C, always) and rule 2
    # (B, >= 1,000,000) both match 2,000,000 -> B, though rule 1 comes first.
    policy = with_table(
        tmp_path,
        "    hit_policy: first\n    inputs: [annual_sales, payment_record]\n    rules:\n",
        "    hit_policy: priority\n    inputs: [annual_sales, payment_record]\n    rules:\n"
        "      - {then: C}\n")
    [built] = [policy.schema.build(review("2026-10-09 10:00", 2000000).to_dict())]
    assert isinstance(built, Fact)
    run = replay(policy, [built], AS_OF)
    [setting] = run.case_values.settings[("C001", "grade")]
    assert (setting.value, setting.rule) == ("B", 3)


def test_a_policy_with_decisions_replays_in_one_process() -> None:
    assert not can_split(POLICY, 4)


# -- operators ------------------------------------------------------------------------------

def match(where: dict[str, Any], fact_type: str = "visit.requested") -> Matcher:
    return Matcher.of(FactMatch.model_validate({"fact": fact_type, "where": where}),
                      POLICY.model)


def visit(**attrs: Any) -> Fact:
    return f("visit.requested", "2026-10-12 10:00", **attrs)


@pytest.mark.parametrize(("where", "amount", "holds"), [
    ({"gt": 1000}, "1000.01", True), ({"gt": 1000}, 1000, False),
    ({"ge": 1000}, 1000, True), ({"ge": 1000}, "999.99", False),
    ({"lt": 1000}, "999.99", True), ({"lt": 1000}, 1000, False),
    ({"le": 1000}, 1000, True), ({"le": 1000}, "1000.01", False),
    ({"eq": 1000}, "1000.00", True), ({"eq": 1000}, 1001, False),
    ({"ne": 1000}, 1001, True), ({"ne": 1000}, "1000.0", False),
    ({"in": [10, 20.5]}, "20.50", True), ({"in": [10, 20.5]}, 20, False),
    ({"not_in": [10, 20.5]}, 20, True), ({"not_in": [10, 20.5]}, 10, False),
    ({"between": [10, 20]}, 10, True), ({"between": [10, 20]}, 20, True),
    ({"between": [10, 20]}, "20.01", False), ({"between": [10, 20]}, "9.99", False),
    ({"ge": 10, "lt": 20}, 19, True), ({"ge": 10, "lt": 20}, 20, False),
])
def test_operators_on_money(where: dict[str, Any], amount: object, holds: bool) -> None:
    assert match({"amount": where}).matches(visit(amount=amount)) is holds


def test_a_missing_attribute_fails_every_test_even_ne_and_not_in() -> None:
    for where in ({"ne": 5}, {"not_in": [5]}, {"lt": 5}, {"between": [0, 5]}):
        assert not match({"amount": where}).matches(visit())


def test_order_comparisons_on_dates() -> None:
    before = match({"requested_for": {"lt": "2026-10-20"}})
    assert before.matches(visit(requested_for="2026-10-19"))
    assert not before.matches(visit(requested_for="2026-10-20"))
    window = match({"requested_for": {"between": [date(2026, 10, 1), "2026-10-31"]}})
    assert window.matches(visit(requested_for="2026-10-31"))
    assert not window.matches(visit(requested_for="2026-11-01"))


def test_text_operators() -> None:
    assert match({"channel": {"ne": "mail"}}).matches(visit(channel="phone"))
    assert not match({"channel": {"in": ["mail", "visit"]}}).matches(visit(channel="phone"))
    assert match({"channel": {"not_in": ["mail"]}}).matches(visit(channel="visit"))


def test_plain_membership_keeps_its_dispatch_table_and_operators_do_not_use_one() -> None:
    shipped = pe.load_policy("policies")
    assert shipped.trigger_dispatch  # the shipped pack: plain membership, tables as before
    assert all(d.plain for duty in shipped.duties.values()
               for d in (duty.trigger, duty.fulfil) if d is not None)
    assert "visit.requested" not in POLICY.trigger_dispatch
    assert match({"channel": "mail"}).plain
    assert not match({"channel": {"eq": "mail"}}).plain


def test_describe_says_the_conditions_as_written() -> None:
    matcher = match({"amount": {"ge": 10, "lt": 20}, "case.grade": ["A", "B"]})
    assert matcher.describe() == "visit.requested (amount >= 10, amount < 20, case.grade in [A, B])"
    assert dict(matcher.where) == {}


def test_a_fact_can_be_matched_on_its_attributes_alone() -> None:
    # What the scenario library checks without a replay: case values are not read.
    matcher = match({"case.grade": "A", "amount": {"gt": 1000}})
    assert not matcher.matches(visit(amount=1500))
    assert matcher.matches(visit(amount=1500), {"grade": "A"})
    assert matcher.matches_attributes(visit(amount=1500))
    assert not matcher.matches_attributes(visit(amount=999))
