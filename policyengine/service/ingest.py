"""Request bodies -> checked facts, each with its verdict; then the store's verdict.

The check is the CLI's: `FactSchema.build` gives the same reasons (codes, English and
Chinese, from facts/messages.py) as `policyengine evaluate` prints for a bad line. The API
adds one rule of its own: every fact carries an `id`, since the id is what makes a re-sent
fact count once.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date
from decimal import Decimal
from typing import Any, Literal

from policyengine.facts.messages import FactSay, json_problem, odd_character
from policyengine.facts.reader import (  # the CLI's own line decoder: the same messages
    KeyTwice,
    Unreadable,
    jsonl_rows,
    object_once,
)
from policyengine.facts.schema import (
    DUPLICATE_ID,
    JSON_ERROR,
    MISSING,
    VALUE_ERROR,
    Fact,
    FactSchema,
    Reason,
)
from policyengine.language import Lang
from policyengine.service.store import AppendResult, NewFact

log = logging.getLogger("policyengine.service")

Status = Literal["stored", "duplicate", "rejected", "not_stored"]
# (line of a JSON Lines body or None, the decoded fact, or why it could not be decoded)
Row = tuple[int | None, Any, Reason | None]

MAX_ID_LENGTH = 200


class BodyNotUtf8(ValueError):
    """A JSON Lines body that is not UTF-8 text; `reason` says so in both languages."""

    def __init__(self, reason: Reason):
        super().__init__(str(reason))
        self.reason = reason


@dataclass
class Item:
    """One submitted fact and what became of it."""

    index: int                      # 0-based position in the request
    line: int | None                # line of an NDJSON body
    id: str | None
    status: Status = "rejected"
    errors: list[Reason] = field(default_factory=list)
    new: NewFact | None = None

    def to_dict(self, lang: Lang = "en") -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "id": self.id, "status": self.status}
        if self.line is not None:
            out["line"] = self.line
        if self.errors:
            out["errors"] = [{"code": e.code, "message": e.get(lang)} for e in self.errors]
        return out


def parse_json(body: bytes) -> tuple[Any, Reason | None]:
    """The decoded body, or why it is not JSON (worded as the reader words a bad line)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, Reason(JSON_ERROR, FactSay.JSON_BODY_NOT_UTF8(byte=exc.start))
    try:
        return json.loads(text, object_pairs_hook=object_once), None
    except KeyTwice as twice:
        return None, Reason(JSON_ERROR, FactSay.JSON_KEY_TWICE(key=twice.key))
    except json.JSONDecodeError as exc:
        problem = json_problem(exc.msg)
        where = (FactSay.WHERE_COLUMN_LINE(column=exc.colno, line=exc.lineno)
                 if exc.lineno > 1 else FactSay.WHERE_COLUMN(column=exc.colno))
        odd = odd_character(text, exc.pos, where)  # as the file reader says it
        if odd is not None:
            return None, Reason(JSON_ERROR, odd)
        return None, Reason(JSON_ERROR, FactSay.JSON_AT_LINE(
            problem=problem, column=exc.colno, line=exc.lineno) if exc.lineno > 1
            else FactSay.JSON_AT(problem=problem, column=exc.colno))
    except RecursionError:
        return None, Reason(JSON_ERROR, FactSay.JSON_TOO_DEEP())
    except ValueError:  # e.g. an integer of thousands of digits
        return None, Reason(JSON_ERROR, FactSay.JSON_NUMBER_TOO_LONG())


def ndjson_rows(body: bytes) -> list[Row]:
    """JSON Lines, decoded line by line by the CLI's own reader (same messages)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyNotUtf8(Reason(JSON_ERROR, FactSay.BODY_NOT_UTF8(byte=exc.start))) from None
    rows: list[Row] = []
    for number, _, value in jsonl_rows(io.StringIO(text, newline="")):
        if type(value) is Unreadable:
            rows.append((number, None, value))
        else:
            rows.append((number, value, None))
    return rows


def content_key(fact: Fact) -> str:
    """A digest of `Fact.content()`: equal exactly when the engine sees the same fact."""
    attrs = sorted((k, _same(v)) for k, v in fact.attrs.items())
    text = json.dumps([fact.type, fact.at.astimezone(UTC).isoformat(), fact.case, fact.actor,
                       attrs], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _same(value: Any) -> Any:
    """An attribute as text equal exactly when the values are: 5 and "5.00" are one amount."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    return value


def check(rows: Sequence[Row], schema: FactSchema, sender: str | None,
          covered: Callable[[int], bool] = lambda year: True) -> list[Item]:
    """Check each (line, raw fact, decoding error) as the CLI would; `covered` tells the years
    the service takes facts in (the calendar's years and the one after them, see
    `WorkCalendar.takes_facts_in`)."""
    items: list[Item] = []
    first: dict[str, Item] = {}
    for index, (line, raw, error) in enumerate(rows):
        item = Item(index, line, _raw_id(raw))
        items.append(item)
        reasons = [error] if error is not None else _reasons(raw, schema, item, sender)
        if not reasons and item.new is not None and not covered(item.new.at.year):
            year, item.new = item.new.at.year, None
            reasons = [Reason(VALUE_ERROR, FactSay.YEAR_NOT_COVERED(year=year))]
        if reasons:
            item.errors = reasons
            continue
        assert item.new is not None and item.id is not None
        earlier = first.get(item.id)
        if earlier is None:
            first[item.id] = item
            item.status = "stored"  # for now: the store has the last word
        elif earlier.new is not None and earlier.new.content_key == item.new.content_key:
            item.status, item.new = "duplicate", None
        else:
            where = (FactSay.AT_LINE(line=earlier.line) if earlier.line
                     else FactSay.AT_INDEX(index=earlier.index))
            item.status, item.new = "rejected", None
            item.errors = [Reason(DUPLICATE_ID,
                                  FactSay.ID_USED_IN_REQUEST(id=item.id, where=where))]
    return items


def settle(items: list[Item], result: AppendResult) -> None:
    """Put the store's outcome on the items that were sent to it."""
    sent = [item for item in items if item.status == "stored"]
    for item, outcome in zip(sent, result.outcomes, strict=True):
        if outcome == "conflict":
            item.status = "rejected"
            item.errors = [Reason(DUPLICATE_ID, FactSay.ID_STORED(id=item.id))]
        elif outcome == "duplicate":
            item.status = "duplicate"
        elif not result.committed:
            item.status = "not_stored"


def to_store(items: list[Item]) -> list[NewFact]:
    return [item.new for item in items if item.status == "stored" and item.new is not None]


def _raw_id(raw: Any) -> str | None:
    if isinstance(raw, dict):
        value = raw.get("id")
        if isinstance(value, (str, int)) and not isinstance(value, bool) and value != "":
            return str(value)
    return None


def _reasons(raw: Any, schema: FactSchema, item: Item, sender: str | None) -> list[Reason]:
    try:
        built = schema.build(raw)
    except (TypeError, ValueError, OverflowError) as exc:
        # The policy's check should answer every JSON value with reasons; until it does,
        # a value it trips on is refused here rather than failing the request.
        log.warning("the fact check failed on %r: %s", raw, exc)
        return [Reason(VALUE_ERROR, FactSay.CANNOT_CHECK(kind=type(exc).__name__, detail=exc))]
    reasons = list(built) if isinstance(built, list) else []
    if isinstance(raw, dict):
        if raw.get("id") in (None, ""):
            reasons.append(Reason(MISSING, FactSay.MISSING_ID()))
        elif item.id is not None and len(item.id) > MAX_ID_LENGTH:
            reasons.append(Reason(VALUE_ERROR, FactSay.ID_TOO_LONG(length=len(item.id),
                                                                   limit=MAX_ID_LENGTH)))
    if reasons or isinstance(built, list):
        return reasons
    assert built.id is not None
    for name, value in (("id", built.id), ("case", built.case or "")):
        if "\x00" in value:
            return [Reason(VALUE_ERROR, FactSay.HOLDS_NUL(name=name))]
    text = json.dumps(raw, ensure_ascii=False, separators=(",", ":"))  # escapes NUL
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return [Reason(VALUE_ERROR, FactSay.HOLDS_SURROGATE())]
    try:
        key = content_key(built)
    except OverflowError:
        return [Reason(VALUE_ERROR, FactSay.AT_OUT_OF_RANGE(value=raw.get("at")))]
    item.id = built.id
    item.new = NewFact(built.id, key, text, built.type, built.at, built.case, sender)
    return []


def counts(items: Sequence[Item]) -> dict[str, int]:
    out = {"stored": 0, "duplicate": 0, "rejected": 0, "not_stored": 0}
    for item in items:
        out[item.status] += 1
    return out
