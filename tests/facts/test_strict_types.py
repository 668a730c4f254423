"""Fact values follow docs/fact-format.md strictly (issue 8): a JSON number, boolean or list
where text is documented, or a date or time in an undocumented form, is a located rejection
that says what the right form is; CSV cells up to the documented bound are read."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from helpers import shipped

from policyengine.facts.reader import CSV_CELL_LIMIT, read_facts

PLAN = {"id": "p-1", "type": "plan.estimated", "at": "2026-10-17 11:00", "case": "26101301",
        "actor": "陈立", "due": "2026-10-23"}
DECISION = {"id": "d-1", "type": "decision.made", "at": "2026-10-17 10:40", "case": "26101301",
            "decision": "do", "tier": "A"}


def diagnostics(raw: Any) -> list[tuple[int, str, str]]:
    batch = read_facts(io.StringIO(json.dumps(raw, ensure_ascii=False) + "\n"), shipped().schema,
                       name="facts.jsonl")
    assert not batch.facts
    return [(d.location.line, d.code, d.message) for r in batch.rejected for d in r.diagnostics()]


@pytest.mark.parametrize(("change", "code", "phrase"), [
    # the finding: an integer due was accepted
    ({"due": 20261023}, "E-FACT-TYPE", "'due' must be a date written \"2026-10-23\""),
    ({"due": 2026.1023}, "E-FACT-TYPE", "not the number 2026.1023"),
    ({"due": True}, "E-FACT-TYPE", "not true (a JSON boolean)"),
    ({"due": ["2026-10-23"]}, "E-FACT-TYPE", "not a list"),
    # text, but not the documented YYYY-MM-DD (Python would read these as dates)
    ({"due": "20261023"}, "E-FACT-VALUE", "'due' is not a date: '20261023' (write YYYY-MM-DD"),
    ({"due": "2026-W43-5"}, "E-FACT-VALUE", "'due' is not a date"),
    ({"due": "2026-296"}, "E-FACT-VALUE", "'due' is not a date"),
    # times: text in the documented forms only
    ({"at": 20261017}, "E-FACT-TYPE", "'at' must be a time written as text"),
    ({"at": "2026-10-17"}, "E-FACT-TIME", "'at' is not an ISO 8601 time: '2026-10-17'"),
    ({"at": "20261017T110000"}, "E-FACT-TIME", "'at' is not an ISO 8601 time"),
    ({"at": "2026-10-17x11:00"}, "E-FACT-TIME", "'at' is not an ISO 8601 time"),
    ({"at": "2026-10-17T11"}, "E-FACT-TIME", "'at' is not an ISO 8601 time"),
    # strings: a number or a boolean is not a name or an id
    ({"case": 26101301}, "E-FACT-TYPE", "'case' must be text in quotes, e.g. \"26101301\""),
    ({"id": 4}, "E-FACT-TYPE", "'id' must be text in quotes, e.g. \"4\""),
    ({"id": False}, "E-FACT-TYPE", "'id' must be text in quotes"),
    ({"actor": 7}, "E-FACT-TYPE", "'actor' must be text in quotes"),
    ({"actor": True}, "E-FACT-TYPE", "not true (a JSON boolean)"),
])
def test_a_value_of_the_wrong_type_or_form_is_a_located_rejection(
        change: dict[str, Any], code: str, phrase: str) -> None:
    [(line, got_code, message)] = diagnostics({**PLAN, **change})
    assert (line, got_code) == (1, code), message
    assert phrase in message


@pytest.mark.parametrize(("change", "phrase"), [
    ({"decision": True}, "'decision' must be text in quotes, not true"),
    ({"decision": 1}, "'decision' must be text in quotes, not the number 1"),
    ({"tier": 1}, "'tier' must be text in quotes"),
    ({"tier": None, "decision": "dont"}, None),    # null is an absent attribute: valid
])
def test_enums_and_tiers_are_text(change: dict[str, Any], phrase: str | None) -> None:
    raw = {**DECISION, **change}
    if phrase is None:
        batch = read_facts(io.StringIO(json.dumps(raw)), shipped().schema)
        assert len(batch.facts) == 1 and not batch.rejected
        return
    [(_, code, message)] = diagnostics(raw)
    assert code == "E-FACT-TYPE" and phrase in message


def test_the_documented_forms_are_still_read() -> None:
    lines = [{**PLAN, "id": "a", "at": "2026-10-17T11:00:00+08:00"},
             {**PLAN, "id": "b", "at": "2026-10-17T03:00:00Z"},
             {**PLAN, "id": "c", "at": "2026-10-17 11:00"},
             {**PLAN, "id": "d", "at": "2026-10-17T11:00"},
             {**PLAN, "id": "e", "at": "2026-10-17T11:00:00.250+08:00"}]
    text = "\n".join(json.dumps(raw) for raw in lines)
    batch = read_facts(io.StringIO(text), shipped().schema)
    assert batch.rejected == [] and len(batch.facts) == 5


def test_a_long_message_value_is_shortened_in_the_message() -> None:
    [(_, code, message)] = diagnostics({**PLAN, "due": "9" * 100_000})
    assert code == "E-FACT-VALUE" and "(100000 characters)" in message and len(message) < 300


# -- CSV cells larger than Python's csv default (131,072 characters) -------------------------

CSV_HEADER = "id,type,at,case,actor,requester"


def test_a_csv_cell_over_the_csv_module_default_is_read() -> None:
    note = "王医生" + "长" * 200_000
    text = f"{CSV_HEADER}\nr-1,requirement.raised,2026-10-12 15:20,26101301,李小四,{note}\n"
    batch = read_facts(io.StringIO(text), shipped().schema, fmt="csv")
    assert batch.rejected == []
    assert batch.facts[0].attrs["requester"] == note


def test_a_csv_cell_over_the_bound_is_a_located_rejection_and_reading_goes_on() -> None:
    huge = "x" * (CSV_CELL_LIMIT + 1)
    text = (f"{CSV_HEADER}\n"
            "r-1,requirement.raised,2026-10-12 15:20,26101301,李小四,王医生\n"
            f"r-2,requirement.raised,2026-10-12 15:21,26101302,李小四,{huge}\n"
            "r-3,requirement.raised,2026-10-12 15:22,26101303,李小四,王医生\n")
    batch = read_facts(io.StringIO(text), shipped().schema, fmt="csv", name="big.csv")
    assert [f.id for f in batch.facts] == ["r-1", "r-3"]
    [rejection] = batch.rejected
    [diagnostic] = rejection.diagnostics()
    assert str(diagnostic.location) == "big.csv:3"
    assert diagnostic.code == "E-FACT-VALUE"
    assert f"longer than {CSV_CELL_LIMIT:,} characters" in diagnostic.message


def test_a_runaway_quote_is_located_at_the_row_it_opens() -> None:
    huge = "y" * (CSV_CELL_LIMIT // 2)
    text = (f"{CSV_HEADER}\n"
            f'r-1,requirement.raised,2026-10-12 15:20,26101301,李小四,"{huge}\n{huge}\n{huge}\n'
            "r-2,requirement.raised,2026-10-12 15:22,26101303,李小四,王医生\n")
    batch = read_facts(io.StringIO(text), shipped().schema, fmt="csv", name="q.csv")
    assert batch.facts == [] or [f.id for f in batch.facts] == ["r-2"]
    assert batch.rejected and batch.rejected[0].location.line == 2
    assert all(r.location.line >= 2 for r in batch.rejected)


def test_an_unreadable_csv_header_is_located() -> None:
    text = "id,type," + "h" * (CSV_CELL_LIMIT + 1) + "\nr-1,bug.found\n"
    batch = read_facts(io.StringIO(text), shipped().schema, fmt="csv", name="h.csv")
    [rejection] = batch.rejected
    assert rejection.location.line == 1 and "header row cannot be read" in rejection.reasons[0]


def test_an_unpaired_surrogate_escape_is_a_located_rejection() -> None:
    # found by tests/fuzz: "\ud800" decoded to a lone surrogate, which could not be written
    # to the reject file or printed (an internal error)
    text = ('{"id": "a", "type": "bug.found", "at": "2026-10-13 10:00", "case": "B26101301", '
            '"actor": "\\ud800x"}\n'
            '{"id": "b", "type": "bug.found", "at": "2026-10-13 10:00", "case": "B26101301", '
            '"actor": "\\ud83d\\ude42 \\u5f20"}\n')
    batch = read_facts(io.StringIO(text), shipped().schema, name="s.jsonl")
    assert [f.actor for f in batch.facts] == ["🙂 张"]        # a pair and a plain escape: fine
    [rejection] = batch.rejected
    [diagnostic] = rejection.diagnostics()
    assert (str(diagnostic.location), diagnostic.code) == ("s.jsonl:1", "E-FACT-JSON")
    assert "unpaired surrogate" in diagnostic.message
