"""Checks of the matching constructs (docs/decisions.md D21), each on a copy of
tests/engine/matching/policy.yaml with one mistake; lines and columns counted by hand in
that file (the patched line keeps its place)."""

from __future__ import annotations

from pathlib import Path

import pytest

from policyengine import PolicyError
from policyengine.policy.loader import load_policy_files

POLICY = Path(__file__).parents[1] / "engine" / "matching" / "policy.yaml"


def problems(tmp_path: Path, old: str, new: str) -> list[tuple[str, int, str, str]]:
    text = POLICY.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "policy.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy_files(path)
    return [(d.code, d.location.line, d.message, d.message_zh)
            for d in caught.value.diagnostics]


def test_the_matching_policy_loads_with_its_new_sections() -> None:
    model = load_policy_files(POLICY).model
    assert model.duties["D3"].fulfilled_by[1].where == {"reason": ("cancelled",)}
    assert model.duties["D2"].per == "trigger"
    assert model.roles["finance"].members == ("王总", "李总")
    assert model.prohibitions["X1"].fact.where == {"method": ("cash",)}


def test_per_attribute_must_be_on_trigger_and_fulfilling_types(tmp_path: Path) -> None:
    found = problems(tmp_path, "per: {attribute: delivery_no}", "per: {attribute: delivery_nr}")
    assert [(c, line) for c, line, _, _ in found] == [("E-PER-ATTRIBUTE", 44)] * 2
    assert "delivery.received has no attribute 'delivery_nr'" in found[0][2]
    assert "did you mean 'delivery_no'" in found[0][2]
    assert "没有属性“delivery_nr”" in found[0][3]


def test_by_role_found_by_actor_of_is_refused(tmp_path: Path) -> None:
    [(code, line, en, zh)] = problems(
        tmp_path, "fulfilled_by: {fact: contract.approved, by: {role: finance}}",
        "fulfilled_by: {fact: contract.approved, by: {role: sales}}")
    assert (code, line) == ("E-BY-ROLE", 67)
    assert "role 'sales' is found from the facts themselves" in en and "actor_of" in zh


def test_by_names_someone(tmp_path: Path) -> None:
    [(code, line, en, _)] = problems(tmp_path, "by: {people: [王总]}", "by: {}")
    assert (code, line) == ("E-VALUE", 73)
    assert "'by' names who may act" in en


def test_a_role_has_exactly_one_source(tmp_path: Path) -> None:
    [(code, line, en, _)] = problems(tmp_path, "members: [王总, 李总]}",
                                     "members: [王总, 李总], assigned: true}")
    assert (code, line) == ("E-VALUE", 10)
    assert "exactly one of 'actor_of" in en and "'members: [people]'" in en


def test_a_prohibition_refuses_a_lateness_schedule(tmp_path: Path) -> None:
    [(code, line, en, zh)] = problems(
        tmp_path, "by: {role: clerk}}\n    responsible: clerk\n    penalty: P1",
        "by: {role: clerk}}\n    responsible: clerk\n    penalty: P2")
    assert (code, line) == ("E-PROHIBITION-LATENESS", 102)
    assert "penalty P2 has a lateness schedule" in en and "P2" in zh


def test_a_prohibitions_responsible_is_actor_or_a_role(tmp_path: Path) -> None:
    [(code, line, en, _)] = problems(tmp_path, "responsible: actor", "responsible: actr")
    assert (code, line) == ("E-UNKNOWN-ROLE", 96)
    assert "did you mean 'actor'" in en


def test_a_recurring_duty_takes_no_per(tmp_path: Path) -> None:
    found = problems(
        tmp_path, "    trigger: invoice.issued\n    per: trigger\n    fulfilled_by: invoice.paid\n"
                  "    deadline: {within: 1d}",
        "    recurring: {weekly: fri, at: end_of_work}\n    per: trigger\n"
        "    fulfilled_by: invoice.paid")
    assert [c for c, *_ in found] == ["E-VALUE"]
    assert "'per' applies to triggered duties" in found[0][2]


def test_a_prohibition_may_not_share_a_duty_name(tmp_path: Path) -> None:
    # Reports name a violation by one id: X2 renamed D1 would be two things.
    [(code, line, en, zh)] = problems(tmp_path, "  X2:\n", "  D1:\n")
    assert (code, line) == ("E-VALUE", 98)
    assert "'D1' names both a duty and a prohibition" in en and "禁止事项" in zh


@pytest.mark.parametrize("written", ["per: fact", "per: [trigger]", "per: {attribute: 5}"])
def test_a_misshapen_per_gives_one_error_naming_the_three_forms(tmp_path: Path,
                                                               written: str) -> None:
    [(code, line, en, zh)] = problems(tmp_path, "    per: trigger\n", f"    {written}\n")
    assert line == 52
    assert "PerAttribute" not in en
    if "attribute" in written:
        assert code == "E-TYPE"
    else:
        assert code == "E-VALUE"
        assert "per is case, trigger or {attribute: NAME}" in en and "per 可写" in zh


@pytest.mark.parametrize(("old", "fact"), [
    ("  delivery.sent:\n    case: contract\n    attributes: {delivery_no: {required: true}}",
     "delivery.sent"),
    ("  delivery.received:\n    case: contract\n    attributes: {delivery_no: {required: true}}",
     "delivery.received"),
])
def test_a_per_attribute_must_be_required_where_it_is_read(tmp_path: Path, old: str,
                                                           fact: str) -> None:
    [(code, line, en, zh)] = problems(tmp_path, old, old.replace("{required: true}", "{}"))
    assert (code, line) == ("E-PER-ATTRIBUTE", 44)
    assert f"{fact}.delivery_no is not required" in en and "required: true" in en
    assert "required: true" in zh and fact in zh


def test_per_on_a_monthly_duty_is_not_said_to_be_weekly(tmp_path: Path) -> None:
    [(code, _, en, zh)] = problems(
        tmp_path, "    trigger: invoice.issued\n    per: trigger\n    fulfilled_by: invoice.paid\n"
                  "    deadline: {within: 1d}",
        "    recurring: {monthly: 25, at: end_of_work}\n    per: trigger\n"
        "    fulfilled_by: invoice.paid")
    assert code == "E-VALUE"
    assert "once a week" not in en and "每周只欠" not in zh
    assert "once each time its schedule comes round" in en and "每到一次" in zh
