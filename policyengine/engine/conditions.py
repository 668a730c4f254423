"""`where` conditions -> tests on one value: membership sets and operator predicates.

A condition is read by the type of the attribute it tests (a number attribute compares
numbers, a date attribute dates), with the same conversions the fact reader applies, so a
condition `{ge: 5000000}` and a fact `"annual_sales": "5000000.00"` meet as equal Decimals.
The policy checks (policy/checks.py) refuse what cannot be read here before anything runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from policyengine.facts.schema import read_number
from policyengine.kinds import Operator
from policyengine.policy.model import Comparison

CASE_PREFIX = "case."  # `where: {case.grade: A}` reads the case value a decision table set
ORDERED_TYPES = frozenset({"number", "money", "date"})
TEXT_TYPE = "text"     # what a case value is: the decision's output, as written

Test = Callable[[Any], bool]


def decision_of(key: str) -> str | None:
    """The decision a `case.<decision>` key reads, None for an attribute."""
    return key[len(CASE_PREFIX):] if key.startswith(CASE_PREFIX) else None


def operand(value: Any, attr_type: str) -> Any:
    """`value` as a fact of that attribute type holds it, None if it cannot be one."""
    if isinstance(value, bool):
        return None
    if attr_type in ("number", "money"):
        return read_number(value, money=attr_type == "money")
    if attr_type == "date":
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str) and len(value) == 10:
            try:
                return date.fromisoformat(value)
            except ValueError:
                return None
        return None
    return value if isinstance(value, str) else None


def members(values: tuple[str, ...], attr_type: str) -> frozenset[Any]:
    """Membership values (written as text) as the fact holds them."""
    return frozenset(v for v in (operand(x, attr_type) for x in values) if v is not None)


def compile_comparison(spec: Comparison, attr_type: str) -> Test:
    """One predicate for every operator of `spec` (all must hold)."""
    tests = [_one(op, value, attr_type) for op, value in spec.tests]
    if len(tests) == 1:
        return tests[0]
    return lambda v: all(t(v) for t in tests)


def _one(op: Operator, value: Any, attr_type: str) -> Test:
    if op in (Operator.IN, Operator.NOT_IN):
        pool = frozenset(operand(x, attr_type) for x in value) - {None}
        if op is Operator.IN:
            return pool.__contains__
        return lambda v: v not in pool
    if op is Operator.BETWEEN:
        low, high = operand(value[0], attr_type), operand(value[1], attr_type)
        return lambda v: low <= v <= high
    x = operand(value, attr_type)
    return {
        Operator.GT: lambda v: v > x,
        Operator.GE: lambda v: v >= x,
        Operator.LT: lambda v: v < x,
        Operator.LE: lambda v: v <= x,
        Operator.EQ: lambda v: v == x,
        Operator.NE: lambda v: v != x,
    }[op]


def describe(key: str, condition: tuple[str, ...] | Comparison) -> str:
    """A condition as the policy wrote it: `amount >= 5000`, `grade in [A, B]`."""
    if isinstance(condition, tuple):
        if len(condition) == 1:
            return f"{key} = {condition[0]}"
        return f"{key} in [{', '.join(sorted(condition))}]"
    shown = {Operator.GT: ">", Operator.GE: ">=", Operator.LT: "<", Operator.LE: "<=",
             Operator.EQ: "=", Operator.NE: "!="}
    parts = []
    for op, value in condition.tests:
        if op is Operator.BETWEEN:
            parts.append(f"{value[0]} <= {key} <= {value[1]}")
        elif op in (Operator.IN, Operator.NOT_IN):
            word = "in" if op is Operator.IN else "not in"
            parts.append(f"{key} {word} [{', '.join(str(v) for v in value)}]")
        else:
            parts.append(f"{key} {shown[op]} {value}")
    return ", ".join(parts)
