"""Numbers, comparisons and decision tables in a policy: what loads, and every mistake located.

tests/policy/good/grading/policy.yaml is a small complete policy using them; each test
below copies it with one mistake and checks the code, the line (found by its text, so the
expected line is the one holding the mistake) and the Chinese wording.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import line_of

from policyengine import PolicyError
from policyengine.errors import Diagnostic
from policyengine.kinds import HitPolicy, Operator
from policyengine.policy.loader import load_policy_files
from policyengine.policy.model import Comparison

GRADING = Path(__file__).parent / "good" / "grading"


def broken(tmp_path: Path, old: str, new: str,
           *more: tuple[str, str]) -> tuple[Path, list[Diagnostic]]:
    """The grading policy with `old` (once in the file) replaced by `new`: its diagnostics."""
    folder = tmp_path / "grading"
    shutil.copytree(GRADING, folder)
    path = folder / "policy.yaml"
    text = path.read_text(encoding="utf-8")
    for before, after in ((old, new), *more):
        assert text.count(before) == 1, before
        text = text.replace(before, after)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy_files(folder)
    return path, list(caught.value.diagnostics)


def only(diagnostics: list[Diagnostic], code: str) -> Diagnostic:
    found = [d for d in diagnostics if d.code == code]
    assert len(found) == 1, [str(d) for d in diagnostics]
    return found[0]


# -- what loads ---------------------------------------------------------------------------

def test_the_grading_policy_loads_with_its_conditions_and_table() -> None:
    model = load_policy_files(GRADING).model
    assert model.fact_types["customer.reviewed"].attributes["annual_sales"].type == "money"
    assert model.fact_types["customer.reviewed"].attributes["score"].type == "number"
    trigger = model.duties["V1"].trigger
    assert trigger is not None
    assert trigger.where["case.grade"] == ("A",)
    amount = trigger.where["amount"]
    assert isinstance(amount, Comparison)
    assert amount.tests == ((Operator.GT, 1000),)
    other = model.duties["V2"].trigger
    assert other is not None
    grade = other.where["case.grade"]
    assert isinstance(grade, Comparison) and grade.tests == ((Operator.IN, ("B", "C")),)
    table = model.decisions["grade"]
    assert (table.on, table.hit_policy, table.inputs) == (
        "customer.reviewed", HitPolicy.FIRST, ("annual_sales", "payment_record"))
    assert [r.then for r in table.rules] == ["A", "B", "C"]
    assert table.rules[2].when == {}
    assert table.outputs == ("A", "B", "C")


def test_a_number_written_as_a_membership_value_is_read_as_text_then_compared_as_a_number(
        tmp_path: Path) -> None:
    folder = tmp_path / "grading"
    shutil.copytree(GRADING, folder)
    path = folder / "policy.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "amount: {gt: 1000}", "amount: [1500, 2000.5]"), encoding="utf-8")
    trigger = load_policy_files(folder).model.duties["V1"].trigger
    assert trigger is not None and trigger.where["amount"] == ("1500", "2000.5")
    from policyengine.engine.compiled import Matcher
    matcher = Matcher.of(trigger, load_policy_files(folder).model)
    assert dict(matcher.where)["amount"] == {Decimal("1500"), Decimal("2000.5")}


# -- operators ----------------------------------------------------------------------------

def test_an_unknown_operator_is_located_at_its_key_and_lists_the_operators(
        tmp_path: Path) -> None:
    path, found = broken(tmp_path, "amount: {gt: 1000}", "amount: {gte: 1000}")
    d = only(found, "E-WHERE-OPERATOR")
    line = line_of(path, "gte")
    assert d.location.line == line
    assert d.location.column == path.read_text().splitlines()[line - 1].index("gte") + 1
    assert "unknown operator 'gte'" in d.message
    assert "gt, ge, lt, le, eq, ne, in, not_in, between" in d.message
    assert "未知的运算符“gte”" in d.message_zh


def test_an_empty_operator_mapping_is_refused(tmp_path: Path) -> None:
    path, found = broken(tmp_path, "amount: {gt: 1000}", "amount: {}")
    d = only(found, "E-WHERE-OPERATOR")
    assert d.location.line == line_of(path, "amount: {}")
    assert "at least one operator" in d.message and "运算符" in d.message_zh


def test_an_order_comparison_on_an_enum_is_located_at_the_operator(tmp_path: Path) -> None:
    path, found = broken(tmp_path, "channel: {ne: mail}", "channel: {ge: mail}")
    d = only(found, "E-WHERE-TYPE")
    line = line_of(path, "channel: {ge: mail}")
    assert (d.location.line, d.location.column) == (
        line, path.read_text().splitlines()[line - 1].index("ge: mail") + 1)
    assert "'ge' compares by order" in d.message and "visit.requested.channel" in d.message
    assert "只有 number、money 和 date 属性可以比大小" in d.message_zh


def test_an_order_comparison_on_a_case_value_is_refused(tmp_path: Path) -> None:
    path, found = broken(tmp_path, "case.grade: {in: [B, C]}", "case.grade: {lt: B}")
    d = only(found, "E-WHERE-TYPE")
    assert d.location.line == line_of(path, "case.grade: {lt: B}")
    assert "case.grade" in d.message


def test_an_operand_that_is_not_a_number_is_located(tmp_path: Path) -> None:
    path, found = broken(tmp_path, "amount: {gt: 1000}", "amount: {gt: lots}")
    d = only(found, "E-WHERE-TYPE")
    assert d.location.line == line_of(path, "amount: {gt: lots}")
    assert "'lots' is not an amount" in d.message and "金额" in d.message_zh


def test_money_operands_keep_to_two_decimal_places(tmp_path: Path) -> None:
    _, found = broken(tmp_path, "amount: {gt: 1000}", "amount: {gt: 1000.125}")
    assert "'1000.125' is not an amount" in only(found, "E-WHERE-TYPE").message


def test_between_needs_its_low_end_first(tmp_path: Path) -> None:
    path, found = broken(tmp_path, "amount: {gt: 1000}", "amount: {between: [5000, 1000]}")
    d = only(found, "E-VALUE")
    assert d.location.line == line_of(path, "between")
    assert "the low end comes first" in d.message and "小的一端" in d.message_zh


def test_an_enum_operand_must_be_one_of_its_values(tmp_path: Path) -> None:
    _, found = broken(tmp_path, "channel: {ne: mail}", "channel: {ne: email}")
    d = only(found, "E-UNKNOWN-VALUE")
    assert "email" in d.message and "mail" in d.message


# -- case values --------------------------------------------------------------------------

def test_a_case_value_of_an_unknown_decision_is_located(tmp_path: Path) -> None:
    path, found = broken(tmp_path, "where: {case.grade: A,", "where: {case.grad: A,")
    d = only(found, "E-UNKNOWN-DECISION")
    assert d.location.line == line_of(path, "case.grad:")
    assert "unknown decision 'grad'; did you mean 'grade'?" in d.message
    assert "决策表" in d.message_zh


def test_a_case_value_must_be_an_output_of_its_decision(tmp_path: Path) -> None:
    _, found = broken(tmp_path, "where: {case.grade: A,", "where: {case.grade: Z,")
    assert "unknown value of case.grade 'Z'" in only(found, "E-UNKNOWN-VALUE").message


# -- decision tables ----------------------------------------------------------------------

def test_a_decision_on_an_unknown_fact_type(tmp_path: Path) -> None:
    path, found = broken(tmp_path, "on: customer.reviewed", "on: customer.reveiwed")
    d = only(found, "E-UNKNOWN-FACT-TYPE")
    assert d.location.line == line_of(path, "on: customer.reveiwed")
    assert "did you mean 'customer.reviewed'" in d.message


def test_a_decision_on_facts_without_a_case(tmp_path: Path) -> None:
    path, found = broken(tmp_path, "  customer.reviewed:\n    case: customer",
                         "  customer.reviewed:\n    case: none")
    d = only(found, "E-DECISION-ON")
    assert d.location.line == line_of(path, "on: customer.reviewed")
    assert "which have no case" in d.message and "不带案件编号" in d.message_zh


def test_an_input_that_is_not_an_attribute(tmp_path: Path) -> None:
    path, found = broken(tmp_path, "inputs: [annual_sales, payment_record]",
                         "inputs: [annual_sale, payment_record]")
    d = only(found, "E-UNKNOWN-ATTRIBUTE")
    assert d.location.line == line_of(path, "inputs:")
    assert "did you mean 'annual_sales'" in d.message


def test_a_rule_condition_on_an_attribute_that_is_not_an_input(tmp_path: Path) -> None:
    path, found = broken(tmp_path, "{when: {annual_sales: {ge: 1000000}}, then: B}",
                         "{when: {score: {ge: 80}}, then: B}")
    d = only(found, "E-DECISION-INPUT")
    assert d.location.line == line_of(path, "score: {ge: 80}")
    assert "'score' is not an input of this decision" in d.message
    assert "不是这个决策表的输入" in d.message_zh


def test_a_rule_giving_a_value_not_in_the_outputs(tmp_path: Path) -> None:
    path, found = broken(tmp_path, "{then: C}", "{then: D}")
    d = only(found, "E-UNKNOWN-VALUE")
    assert d.location.line == line_of(path, "{then: D}")
    assert "'D' is not listed in 'outputs' (A, B, C)" in d.message


def test_priority_without_outputs_is_refused(tmp_path: Path) -> None:
    path, found = broken(tmp_path, "    hit_policy: first\n", "    hit_policy: priority\n",
                         ("    outputs: [A, B, C]\n", ""))
    d = only(found, "E-DECISION-OUTPUTS")
    assert d.location.line == line_of(path, "hit_policy: priority")
    assert "list 'outputs', highest first" in d.message and "优先级高的在前" in d.message_zh


def test_an_unknown_hit_policy_names_the_three(tmp_path: Path) -> None:
    _, found = broken(tmp_path, "hit_policy: first", "hit_policy: any")
    d = only(found, "E-UNKNOWN-VALUE")
    assert "'any' is not allowed here" in d.message
    assert all(word in d.message for word in ("first", "unique", "priority"))


def test_a_boolean_operand_is_refused_not_read_as_a_number(tmp_path: Path) -> None:
    path, found = broken(tmp_path, "amount: {gt: 1000}", "amount: {gt: true}")
    d = only(found, "E-WHERE-TYPE")
    assert d.location.line == line_of(path, "amount: {gt: true}")
    assert "'True' is not an amount" in d.message and "金额" in d.message_zh


@pytest.mark.parametrize(("written", "en", "zh"), [
    ("{between: [5]}", "between takes two values [low, high]", "between 要写两个值"),
    ("{gt: [1, 2]}", "write one value here", "这里写一个值"),
    ("{eq: {ge: 1}}", "write one value here", "这里写一个值"),
    ("{in: [1, x, null]}", "write one value here", "这里写一个值"),
])
def test_a_misshapen_operand_gives_one_error_in_plain_words(
        tmp_path: Path, written: str, en: str, zh: str) -> None:
    path, found = broken(tmp_path, "amount: {gt: 1000}", f"amount: {written}")
    [d] = found
    assert d.location.line == line_of(path, f"amount: {written}")
    assert en in d.message and zh in d.message_zh
    assert ".date" not in d.message and ".str" not in d.message and "'1'" not in d.message


def test_unique_with_a_rule_that_always_applies_is_refused_at_that_rule(tmp_path: Path) -> None:
    path, found = broken(tmp_path, "hit_policy: first", "hit_policy: unique")
    d = only(found, "E-DECISION-UNIQUE")
    assert d.location.line == line_of(path, "- {then: C}")
    assert "always applies" in d.message and "unique" in d.message_zh


def test_unique_with_a_single_unconditional_rule_loads(tmp_path: Path) -> None:
    folder = tmp_path / "grading"
    shutil.copytree(GRADING, folder)
    path = folder / "policy.yaml"
    text = path.read_text(encoding="utf-8").replace("hit_policy: first", "hit_policy: unique")
    for rule in ("      - {when: {annual_sales: {ge: 5000000}, payment_record: good}, then: A}\n",
                 "      - {when: {annual_sales: {ge: 1000000}}, then: B}\n"):
        text = text.replace(rule, "")
    path.write_text(text, encoding="utf-8")
    assert load_policy_files(folder).model.decisions["grade"].hit_policy is HitPolicy.UNIQUE
