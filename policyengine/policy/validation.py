"""Pydantic's validation errors -> located diagnostics in plain words, English and Chinese.

Pydantic says "Input should be a valid decimal"; a person typing `30元` needs "write the number
alone, 30". The common error types are rephrased here; any other keeps pydantic's English and
gets a Chinese sentence that still says where and what kind of value is expected.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from policyengine.errors import Diagnostic, Location
from policyengine.kinds import Operator
from policyengine.policy.messages import (
    NOTHING,
    PolicyValueError,
    Say,
    Words,
    diagnostic,
    given_words,
    hint,
)
from policyengine.policy.model import Comparison, Policy
from policyengine.suggest import closest
from policyengine.timeparse import AmbiguousUnitError

Locate = Callable[..., Location]

# `30元`, `20 yuan`, `2天`, `¥30`, `6次`: a number with a unit written after (or before) it.
_NUMBER_WITH_UNIT = re.compile(
    r"^\s*(?P<pre>[¥￥$])?\s*(?P<number>[+-]?\d+(?:\.\d+)?)\s*(?P<unit>[^\d\s.,+-][^\d]*)?\s*$")
_MONEY_UNITS = {"元", "块", "块钱", "圆", "yuan", "rmb", "cny", "¥", "￥", "$", "元整"}
_NUMBER_KINDS = {"decimal": Say.NUMBER_KIND_DECIMAL, "int": Say.NUMBER_KIND_INT,
                 "float": Say.NUMBER_KIND_FLOAT}
_DATE_ERRORS = ("date_parsing", "date_type", "date_from_datetime_parsing",
                "date_from_datetime_inexact", "datetime_parsing", "datetime_type")


def from_pydantic(exc: ValidationError, locate: Locate,
                  prefix: tuple[str | int, ...]) -> list[Diagnostic]:
    errors = exc.errors(include_url=False)
    paths = [prefix + tuple(p for p in e["loc"] if not (isinstance(p, str) and "[" in p))
             for e in errors]
    unknown_keys = {path: str(path[-1]) for path, e in zip(paths, errors, strict=True)
                    if e["type"] == "extra_forbidden"}
    out = []
    for loc, err in zip(paths, errors, strict=True):
        kind = err["type"]
        if kind == "extra_forbidden":
            name = str(loc[-1])
            if model_at(loc[:-1]) is Comparison:  # a condition's operators
                out.append(diagnostic(locate(loc, key=True), "E-WHERE-OPERATOR",
                                      Say.UNKNOWN_OPERATOR(name=name,
                                                           names=", ".join(Operator))))
                continue
            words = Say.UNKNOWN_KEY(name=name, hint=hint(name, fields_at(loc[:-1])))
            out.append(diagnostic(locate(loc, key=True), "E-UNKNOWN-KEY", words))
            continue
        if kind == "missing":
            # A misspelt key is reported once, as unknown with its suggestion.
            siblings = [n for p, n in unknown_keys.items() if p[:-1] == loc[:-1]]
            if any(closest(n, [str(loc[-1])]) for n in siblings):
                continue
            out.append(diagnostic(locate(loc[:-1]), "E-MISSING-KEY",
                                  Say.MISSING_KEY(name=loc[-1])))
            continue
        if kind == "too_short" and any(p[: len(loc)] == loc and p != loc for p in paths):
            continue  # the items under it were reported; the emptiness is their consequence
        code, words = _rephrase(err, loc)
        refused = (err.get("ctx") or {}).get("error")
        key = refused.key if isinstance(refused, PolicyValueError) else None
        if key is not None:
            loc = (*loc, key)
        where = ".".join(str(p) for p in loc)
        if where:
            words = Say.AT(where=where, text=words)
        out.append(diagnostic(locate(loc, key=key is not None), code, words))
    return out


def _rephrase(err: Any, loc: tuple[str | int, ...]) -> tuple[str, Words]:
    """(code, words) for one pydantic error that is not about a key."""
    kind: str = err["type"]
    ctx = err.get("ctx") or {}
    given = err.get("input")
    problem = ctx.get("error")
    if isinstance(problem, PolicyValueError):
        code = "E-AMBIGUOUS-UNIT" if isinstance(problem, AmbiguousUnitError) else problem.code
        return code, problem.words
    if kind in ("literal_error", "enum"):  # a closed choice: Literal or StrEnum
        expected = [s.strip().strip("'") for s in str(ctx.get("expected", "")).replace(
            " or ", ", ").split(",")]
        return "E-UNKNOWN-VALUE", Say.NOT_ALLOWED_VALUE(value=given,
                                                        hint=hint(str(given), expected))
    number_kind = kind.split("_")[0]
    if kind == "int_parsing_size":
        return "E-TOO-LARGE", Say.TOO_MANY_DIGITS()
    if number_kind in _NUMBER_KINDS and kind.endswith(("_parsing", "_type")):
        return _number(number_kind, given, loc)
    if kind == "int_from_float":  # 5.5: a number, not a whole one
        whole = int(given) if isinstance(given, (int, float)) else given
        return "E-TYPE", Say.NOT_WHOLE(value=given, whole=whole)
    simple: dict[str, tuple[str, Callable[[], Words]]] = {
        "string_type": ("E-TYPE", lambda: Say.NOT_TEXT()),
        "bool_parsing": ("E-TYPE", lambda: Say.NOT_BOOL(value=given)),
        "bool_type": ("E-TYPE", lambda: Say.NOT_BOOL(value=given)),
        "time_parsing": ("E-TYPE", lambda: Say.NOT_TIME(value=given)),
        "time_type": ("E-TYPE", lambda: Say.NOT_TIME(value=given)),
        "too_short": ("E-VALUE", lambda: Say.TOO_SHORT(min=ctx.get("min_length", 1))),
        "too_long": ("E-VALUE", lambda: Say.TOO_LONG(max=ctx.get("max_length", "?"))),
        "greater_than_equal": ("E-VALUE", lambda: Say.AT_LEAST(limit=ctx.get("ge"),
                                                               value=given)),
        "greater_than": ("E-VALUE", lambda: Say.ABOVE(limit=ctx.get("gt"), value=given)),
        "less_than_equal": ("E-TOO-LARGE", lambda: Say.AT_MOST(limit=ctx.get("le"),
                                                               value=given)),
        "less_than": ("E-TOO-LARGE", lambda: Say.BELOW(limit=ctx.get("lt"), value=given)),
        "decimal_max_places": ("E-VALUE", lambda: Say.DECIMAL_PLACES(
            places=ctx.get("decimal_places", 2))),
        "finite_number": ("E-VALUE", lambda: Say.NOT_FINITE()),
        "dict_type": ("E-TYPE", lambda: Say.NOT_A_MAPPING(given=given_words(given))),
        "model_type": ("E-TYPE", lambda: Say.NOT_A_MAPPING(given=given_words(given))),
        "model_attributes_type": ("E-TYPE", lambda: Say.NOT_A_MAPPING(given=given_words(given))),
        "list_type": ("E-TYPE", lambda: Say.NOT_A_LIST(given=given_words(given))),
        "tuple_type": ("E-TYPE", lambda: Say.NOT_A_LIST(given=given_words(given))),
    }
    if kind in simple:
        code, words = simple[kind]
        return code, words()
    if kind in _DATE_ERRORS:
        return "E-TYPE", Say.NOT_DATE(value=given)
    if kind == "string_pattern_mismatch":
        if loc == ("policy", "id"):
            return "E-VALUE", Say.ID_PATTERN(value=given)
        return "E-VALUE", Say.PATTERN_MISMATCH(value=given, pattern=ctx.get("pattern", "?"))
    message = str(err["msg"]).removeprefix("Value error, ")
    code = "E-TYPE" if kind.endswith(("_type", "_parsing")) else "E-VALUE"
    return code, Words(message, Say.NOT_ACCEPTED(kind=kind).zh)


def _number(kind: str, given: Any, loc: tuple[str | int, ...]) -> tuple[str, Words]:
    what = _NUMBER_KINDS[kind]()
    match = _NUMBER_WITH_UNIT.match(given) if isinstance(given, str) else None
    if match and (match.group("unit") or match.group("pre")):
        unit = (match.group("unit") or match.group("pre") or "").strip()
        number = match.group("number")
        money = kind == "decimal" or unit.lower() in _MONEY_UNITS
        why = Say.UNIT_IS_CURRENCY() if money and unit.lower() in _MONEY_UNITS else NOTHING
        if _accepts(loc, number):
            return "E-NUMBER-UNIT", Say.NUMBER_WITH_UNIT(kind=what, number=number, unit=unit,
                                                         why=why)
        # The number alone is refused too (`50%` where at most 1 is read): offer what is not.
        if unit == "%":
            fraction = f"{(Decimal(number) / 100).normalize():f}"
            if _accepts(loc, fraction):
                return "E-NUMBER-UNIT", Say.PERCENT_AS_FRACTION(kind=what, fraction=fraction,
                                                                percent=number)
            if _accepts(loc, "0.5"):
                why = Say.PERCENT_RANGE()
        return "E-NUMBER-UNIT", Say.NUMBER_WITHOUT_UNIT(kind=what, unit=unit, why=why)
    shown = given if not isinstance(given, str) or len(given) <= 40 else given[:37] + "..."
    return "E-TYPE", Say.NOT_A_NUMBER(kind=what, value=shown)


def _accepts(loc: Sequence[str | int], number: str) -> bool:
    """Whether the key at `loc` takes `number` as written (its bounds too), so that advice
    never offers a value the same key refuses. Unknown keys: yes (the advice stays)."""
    model = model_at(loc[:-1])
    field = model.model_fields.get(str(loc[-1])) if model is not None and loc else None
    if field is None or field.annotation is None:
        return True
    value = Decimal(number)
    typed: Any = int(value) if value == value.to_integral_value() else float(value)
    annotation: Any = (Annotated[(field.annotation, *field.metadata)] if field.metadata
                       else field.annotation)
    try:
        TypeAdapter(annotation).validate_python(typed)
    except ValidationError:
        return False
    return True


def fields_at(loc: Sequence[str | int]) -> list[str]:
    """The keys the model allows at a data path (for 'did you mean')."""
    model = model_at(loc)
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def model_at(loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model at a data path of a policy, if one is there."""
    annotation: Any = Policy
    for part in loc:
        annotation = step(annotation, part)
        if annotation is None:
            return None
    return _model_in(annotation)


def step(annotation: Any, part: str | int) -> Any:
    """The annotation one key or index below `annotation`."""
    model = _model_in(annotation)
    if model is not None:
        field = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
        return field.annotation if field else None
    inner = _unwrap(annotation)
    origin, args = typing.get_origin(inner), typing.get_args(inner)
    if origin is dict:
        return args[1]
    if origin in (list, tuple):
        return args[0]
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            if arg is not type(None):
                return step(arg, part)
    return None


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _model_in(annotation: Any) -> type[BaseModel] | None:
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
