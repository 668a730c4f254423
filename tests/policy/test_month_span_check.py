"""`within: N months` passes `check` (a month span has no hours, and is not a zero deadline);
`within: 0m` is still refused. Regression: the zero-deadline check looked only at hours and
working days, so every month span was refused as "a deadline of zero"."""

from __future__ import annotations

from pathlib import Path

import pytest

import policyengine as pe
from policyengine import PolicyError

POLICY = """\
policy: {id: month-span, name: 月份期限, version: "1"}
cases:
  customer: {pattern: '^KH\\d{4}$'}
roles:
  rep: {name: 销售员, actor_of: [customer.onboarded]}
fact_types:
  customer.onboarded: {case: customer, actor: required}
  customer.reviewed: {case: customer}
duties:
  G5:
    name: 新合作客户满六个月后评估
    trigger: customer.onboarded
    fulfilled_by: customer.reviewed
    deadline: {within: WITHIN}
    responsible: rep
    penalty: none
"""


@pytest.mark.parametrize("within", ["6 months", "1 month", "1 year", "2 years"])
def test_a_month_span_is_not_a_zero_deadline(tmp_path: Path, within: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY.replace("WITHIN", within), encoding="utf-8")
    assert "G5" in pe.load_policy(path).model.duties


def test_zero_minutes_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY.replace("WITHIN", "0m"), encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        pe.load_policy(path)
    assert [d.code for d in caught.value.diagnostics] == ["E-VALUE"]
