"""An attribute's `name` and an enum's `value_names` (policy-format.md, fact_types): what the
Chinese explanations call them. Checked on a copy of tests/engine/matching/policy.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from policyengine import PolicyError
from policyengine.policy.loader import load_policy_files
from policyengine.wording import Glossary

POLICY = Path(__file__).parents[1] / "engine" / "matching" / "policy.yaml"
METHOD = "attributes: {method: {type: enum, values: [cash, bank]}}"


def patched(tmp_path: Path, new: str) -> Path:
    text = POLICY.read_text(encoding="utf-8")
    assert text.count(METHOD) == 1
    path = tmp_path / "policy.yaml"
    path.write_text(text.replace(METHOD, new), encoding="utf-8")
    return path


def problems(path: Path) -> list[tuple[str, int, int, str, str]]:
    with pytest.raises(PolicyError) as caught:
        load_policy_files(path)
    return [(d.code, d.location.line, d.location.column, d.message, d.message_zh)
            for d in caught.value.diagnostics]


def test_names_are_read_into_the_glossary(tmp_path: Path) -> None:
    path = patched(tmp_path, "attributes: {method: {type: enum, values: [cash, bank], "
                             "name: 支付方式, value_names: {cash: 现金}}}")
    names = Glossary.of(load_policy_files(path).model)
    assert names.attributes({"method": "cash"}, "zh", "payment.made") == "支付方式：现金"
    assert names.attributes({"method": "bank"}, "zh", "payment.made") == "支付方式：bank"
    assert names.attributes({"method": "cash"}, "en", "payment.made") == "method=cash"
    assert names.fact_types_in("payment.made (method = cash)") == "payment.made (支付方式：现金)"


def test_a_value_name_for_no_value_is_located_at_its_key(tmp_path: Path) -> None:
    path = patched(tmp_path, "attributes: {method: {type: enum, values: [cash, bank], "
                             "value_names: {cahs: 现金}}}")
    [(code, line, column, en, zh)] = problems(path)
    text = path.read_text(encoding="utf-8").splitlines()
    assert (code, line) == ("E-UNKNOWN-VALUE", next(
        i for i, t in enumerate(text, 1) if "cahs" in t))
    assert column == text[line - 1].index("cahs") + 1
    assert "unknown value of payment.made.method 'cahs'; did you mean 'cash'?" in en
    assert "“cahs”" in zh


def test_value_names_on_another_type_is_unused(tmp_path: Path) -> None:
    path = patched(tmp_path, "attributes: {method: {type: text, value_names: {cash: 现金}}}")
    [(code, _, _, en, zh)] = problems(path)
    assert code == "E-UNUSED-KEY"
    assert "'value_names' names the values of an enum attribute, and this one is of type " \
           "text" in en
    assert "“value_names”用于给 enum 属性的取值起名" in zh


def test_every_shipped_choice_has_its_name() -> None:
    """Each enum value of the shipped packs is said in Chinese (docs/decisions.md D18)."""
    root = Path(__file__).parents[2] / "policies"
    for pack in ("customer-requirement", "contract-performance", "customer-grading",
                 "order-flow"):
        model = load_policy_files(root / pack).model
        for kind, spec in model.fact_types.items():
            for key, attr in spec.attributes.items():
                assert attr.name, (pack, kind, key)
                if attr.values:
                    assert set(attr.value_names or {}) == set(attr.values), (pack, kind, key)
