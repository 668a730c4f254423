"""An attribute's `name` and an enum's `value_names` (policy-format.md, fact_types): what the
Chinese explanations call them. Checked on a copy of tests/engine/matching/policy.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from policyengine import PolicyError
from policyengine.policy.loader import load_policy_files

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
