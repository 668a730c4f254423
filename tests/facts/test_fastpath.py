"""The reader's fast path (facts/fastpath.py) against the slow path it stands in for.

Thousands of generated lines (fixed seed), valid and broken in the ways a fact file breaks,
are read twice: as the reader reads them (msgspec first) and with the fast path switched
off (json + FactSchema.build for every line). Both must give the same facts, attributes in
the same order, and the same rejections: the same line, code and words in both languages.
"""

from __future__ import annotations

import io
import json
import random
import typing
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from helpers import shipped

from policyengine import FactError
from policyengine.facts import fastpath, reader
from policyengine.facts.fastpath import ATTRIBUTE_KINDS, FastPath, fast_path
from policyengine.facts.moments import Moments, _moment
from policyengine.facts.reader import FactBatch, read_facts
from policyengine.facts.schema import Fact, FactSchema
from policyengine.policy.model import AttributeSpec, FactTypeSpec

SEED = 20261130

# -- generated lines -------------------------------------------------------------------------

TIMES = ["2026-10-09T10:30:00+08:00", "2026-10-09 10:30", "2026-10-09T10:30",
         "2026-10-09T02:30:00Z", "2026-10-09T10:30:00.25+08:00", "2026-10-09T10:30:00-05:00",
         "2026-10-09T10:30:00+0800", "2026-10-09 10:30:00", "2024-02-29T23:59:59+08:00",
         # Shanghai kept summer time 1986-1991: a zone offset that changes, an hour twice
         "1988-04-10T01:30:00", "1988-09-11T01:30:00+08:00", "1988-09-11T01:30:00+09:00"]
ODD_TIMES = ["2026-10-09t10:30:00+08:00", "2026-10-09T10:30:00z",
             "2026-10-09T10:30:00.1234567+08:00", "2026-02-30T10:30:00+08:00",
             "0001-01-01T00:00:00+05:00", "2026-10-09T24:00:00",
             "2026-10-09", "20261009T1030", "2026-10-09T10:30:00+08", "2026-10-09X10:30",
             "9999-12-31T23:59:59-05:00", "2026-10-09T10:30:60", "", " 2026-10-09T10:30", "明天"]
DATES = ["2026-10-23", "2024-02-29", "1999-01-01"]
BAD_DATES = ["20261023", "2026-W43-5", "2026-10-23T00:00", "2026-13-01", "2026/10/23", "",
             "2026-10-2"]
TEXTS = ["王医生", "杨宝珠", "a", "x" * 80, "tab\there", "引号\"和\\反斜杠", "🙂",
         "\u3000空格\u3000", "null", "do"]
JUNK: list[Any] = [None, "", 0, 7, -1.5, True, False, [], ["do"], {}, {"a": 1}, 20261023,
                   10**40, "  ", "\u0000"]
NAMES = ["杨宝珠", "陈立", "赵强", "孙婷", "李小四"]


def valid_value(rng: random.Random, spec: AttributeSpec, choices: frozenset[str] | None) -> Any:
    if choices:
        return rng.choice(sorted(choices))
    if spec.type == "date":
        return rng.choice(DATES)
    if spec.type in ("text", "person"):
        return rng.choice(TEXTS + NAMES)
    return rng.choice(JUNK)  # a kind this test does not know: anything


def a_case(rng: random.Random, rule: str) -> str:
    day = "".join(f"{rng.randint(low, high):02}" for low, high in ((0, 99), (1, 12), (1, 28),
                                                                   (0, 99)))
    if rule == "bug" or (rule == "any" and rng.random() < 0.4):
        return "B" + day
    return day


BAD_CASES = ["2610090", "26130903", "B2610090x", "b26100903", "26100903\n", " 26100903", "",
             "２６１００９０３"]


def a_fact(rng: random.Random, schema: FactSchema, number: int) -> dict[str, Any]:
    """A valid fact of a random type, its keys in a random order."""
    name = rng.choice(sorted(schema.types))
    check = schema.types[name]
    raw: dict[str, Any] = {"type": name, "at": rng.choice(TIMES)}
    if rng.random() < 0.9:
        raw["id"] = f"f-{number}"
    if check.case_rule != "none":
        raw["case"] = a_case(rng, check.case_rule)
    elif rng.random() < 0.1:
        raw["case"] = rng.choice(["", None])
    if check.actor_required or rng.random() < 0.7:
        raw["actor"] = rng.choice(NAMES)
    elif rng.random() < 0.2:
        raw["actor"] = rng.choice(["", None])
    for attr, spec in check.attributes.items():
        if attr in check.required or rng.random() < 0.6:
            raw[attr] = valid_value(rng, spec, check.choices.get(attr))
        elif rng.random() < 0.1:
            raw[attr] = rng.choice(["", None])
    for attr, when in check.conditional:
        if attr not in raw and any(raw.get(o) in v for o, v in when.items()):
            raw[attr] = valid_value(rng, check.attributes[attr], check.choices.get(attr))
    items = list(raw.items())
    rng.shuffle(items)
    return dict(items)


def broken(rng: random.Random, raw: dict[str, Any], schema: FactSchema) -> dict[str, Any]:
    """The fact with one or two things wrong (or, now and then, still right)."""
    raw = dict(raw)
    check = schema.types[raw["type"]]
    for _ in range(rng.choice([1, 1, 1, 2])):
        field = rng.choice(["type", "at", "case", "actor", "id", "attr", "attr", "unknown", "drop"])
        attrs = list(check.attributes)
        if field == "type":
            raw["type"] = rng.choice(["requirement.raise", "", None, 3, "Bug.found",
                                      "role.assigned"])
        elif field == "at":
            raw["at"] = rng.choice(ODD_TIMES + JUNK)
        elif field == "case":
            raw["case"] = rng.choice(BAD_CASES + JUNK + [a_case(rng, "any")])
        elif field in ("actor", "id"):
            raw[field] = rng.choice(JUNK + TEXTS)
        elif field == "attr" and attrs:
            attr = rng.choice(attrs)
            kind = check.attributes[attr].type
            raw[attr] = rng.choice(JUNK + TEXTS + (BAD_DATES if kind == "date" else [])
                                   + ["A", "Z", "collector", "reporter", "do ", "DO"])
        elif field == "unknown":
            raw[rng.choice(["tire", "requester", "note", "due", "x", "Case", "类型"])] = "v"
        elif field == "drop":
            raw.pop(rng.choice(list(raw)), None)
    return raw


def written(rng: random.Random, raw: dict[str, Any]) -> str:
    """A JSON line as people and programs write one."""
    style = rng.random()
    if style < 0.6:
        return json.dumps(raw, ensure_ascii=False)
    if style < 0.75:
        return json.dumps(raw)                        # \uXXXX escapes
    if style < 0.85:
        return json.dumps(raw, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(raw, ensure_ascii=False, separators=(" , ", " : "))  # space before ':'


def mangled(rng: random.Random, line: str) -> str:
    """A line whose JSON itself is odd or broken."""
    cut = rng.randrange(1, max(2, len(line)))
    choices: list[Callable[[], str]] = [
        lambda: line[:cut],                                    # truncated
        lambda: line + " x",                                   # trailing text
        lambda: line + " {}",
        lambda: line.replace('"', "'", 2),
        lambda: line[:-1] + ', "at": "2026-10-09 10:30"}',    # a key twice
        lambda: line[:-1] + ', "type": "bug.found"}',
        lambda: line[:-1] + ', "note": "a", "note": ""}',
        lambda: line[:-1] + ', "tier": "B", "tier": null}',
        lambda: line.replace('"type"', '"\\u0074ype"'),
        lambda: line.replace('"decision"', '"decisio\\u006e"'),
        lambda: line.replace('"tier"', '"\\u0074ier"'),
        lambda: line[:-1] + ', "note": "\\"tier\\": \\"A\\""}',
        lambda: line[:-1] + ', "requester": "\\ud800"}',       # an unpaired surrogate
        lambda: line[:-1] + ', "requester": "\\ud83d\\ude42"}',
        lambda: line.replace(", ", ",\t", 1),
        lambda: line.replace(", ", ",\x0c", 1),                # not JSON whitespace
        lambda: line[:-1] + ', "x": NaN}',
        lambda: "\u3000" + line + "\u2028",                   # stripped by str.strip
        lambda: "\ufeff" + line,                               # a byte-order mark mid-file
        lambda: "[" + line + "]",
        lambda: "[" * 3000 + "]" * 3000,
        lambda: '"just text"',
        lambda: "null",
        lambda: "12",
        lambda: line.replace("\\", "\\\\x", 1),
        lambda: line.replace(":", ": \x01", 1),                # a control character
    ]
    return rng.choice(choices)()


def generated_lines(schema: FactSchema, count: int, seed: int = SEED) -> list[str]:
    rng = random.Random(seed)
    lines: list[str] = []
    for number in range(count):
        raw = a_fact(rng, schema, number)
        roll = rng.random()
        if roll < 0.45:
            line = written(rng, raw)
        elif roll < 0.8:
            line = written(rng, broken(rng, raw, schema))
        else:
            line = mangled(rng, written(rng, raw))
        if rng.random() < 0.03 and lines:                     # re-sent, or an id reused
            line = rng.choice(lines) if rng.random() < 0.5 else line.replace(
                f'"f-{number}"', f'"f-{number - 1}"')
        lines.append(line)
        if rng.random() < 0.02:
            lines.append(rng.choice(["", "   ", "\t"]))       # blank lines count as lines
    return lines


# -- reading both ways -----------------------------------------------------------------------

def read_both(text: str, schema: FactSchema, monkeypatch: pytest.MonkeyPatch,
              ) -> tuple[FactBatch, FactBatch]:
    fast = read_facts(io.StringIO(text, newline=""), schema, name="f.jsonl", fmt="jsonl")
    with monkeypatch.context() as patch:
        patch.setattr(fastpath, "IN_USE", False)  # every line the slow way
        slow = read_facts(io.StringIO(text, newline=""), schema, name="f.jsonl", fmt="jsonl")
    return fast, slow


def as_written(fact: Fact) -> tuple[Any, ...]:
    """Everything of a fact, the attributes' order and the time's zone object included."""
    return (fact, list(fact.attrs.items()), fact.at.tzinfo, fact.at.fold,
            [type(v) for v in fact.attrs.values()])


def worded(batch: FactBatch) -> list[tuple[Any, ...]]:
    return [(str(r.location), r.text, [(x.code, str(x), x.zh) for x in r.reasons])
            for r in batch.rejected]


def assert_same(fast: FactBatch, slow: FactBatch) -> None:
    assert [as_written(f) for f in fast.facts] == [as_written(f) for f in slow.facts]
    assert worded(fast) == worded(slow)
    assert (fast.lines, fast.duplicates) == (slow.lines, slow.duplicates)


def fast_hits(path: FastPath, lines: list[str]) -> Iterator[tuple[str, Fact]]:
    """(stripped line, its Fact) for each line the fast path reads whole."""
    not_read = object()
    for _, text, value in path.rows(lines, "f.jsonl", lambda text: not_read):
        if value is not not_read:
            yield text, value


def test_fast_and_slow_paths_agree_on_generated_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = shipped().schema
    lines = generated_lines(schema, 6000)
    fast, slow = read_both("\n".join(lines) + "\n", schema, monkeypatch)
    assert_same(fast, slow)
    # Not a vacuous agreement: both paths saw many facts and many kinds of rejection.
    assert len(slow.facts) > 2000 and len(slow.rejected) > 2000
    codes = {x.code for r in slow.rejected for x in r.reasons}
    assert codes >= {"E-FACT-JSON", "E-FACT-TYPE", "E-FACT-TIME", "E-FACT-CASE",
                     "E-FACT-MISSING", "E-FACT-VALUE", "E-FACT-DUPLICATE-ID"}


def test_every_fact_the_fast_path_accepts_is_the_one_the_slow_path_builds() -> None:
    schema = shipped().schema
    path = fast_path(schema)
    assert path is not None and set(path.types) == set(schema.types)
    lines = generated_lines(schema, 6000, seed=SEED + 1)
    hits = list(fast_hits(path, lines))
    for line, fact in hits:
        built = schema.build(json.loads(line), fact.line, "f.jsonl")
        assert isinstance(built, Fact), line
        assert as_written(fact) == as_written(built), line
    # The fast path is the path most valid lines take (the rest: escaped keys, ' : ').
    valid = sum(isinstance(schema.build(json.loads(x.strip())), Fact)
                for x in lines if _is_json(x.strip()))
    assert len(hits) > 0.75 * valid


def _is_json(line: str) -> bool:
    try:
        json.loads(line)
    except (ValueError, RecursionError):
        return False
    return True


# -- every attribute type, and a type the fast path does not know ---------------------------

def every_kind_schema() -> FactSchema:
    """The shipped vocabulary plus a fact type with one attribute of every type the policy
    model allows (so a type added to the model is compared here too)."""
    model = shipped().model
    kinds = typing.get_args(AttributeSpec.model_fields["type"].annotation)
    attributes = {f"k_{kind}": AttributeSpec(type=kind, values=("甲", "乙") if kind == "enum"
                                             else None) for kind in kinds}
    attributes["k_required"] = AttributeSpec(type="text", required=True)
    attributes["k_when"] = AttributeSpec(type="date", required_when={"k_enum": ("乙",)})
    extra = FactTypeSpec(case="any", attributes=attributes)
    return FactSchema(model.model_copy(update={"fact_types": {**model.fact_types,
                                                              "every.kind": extra}}))


def test_every_attribute_type_agrees(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = every_kind_schema()
    lines = [line for line in generated_lines(schema, 4000, seed=SEED + 2)]
    fast, slow = read_both("\n".join(lines), schema, monkeypatch)
    assert_same(fast, slow)
    assert sum(f.type == "every.kind" for f in slow.facts) > 20


def test_a_type_missing_from_the_table_takes_the_slow_path(
        monkeypatch: pytest.MonkeyPatch) -> None:
    schema = FactSchema(shipped().model)  # its own fast path, built with the table patched
    monkeypatch.setattr(fastpath, "ATTRIBUTE_KINDS",
                        {k: v for k, v in ATTRIBUTE_KINDS.items() if k != "date"})
    path = fast_path(schema)
    assert path is not None
    with_dates = {n for n, c in schema.types.items()
                  if any(a.type == "date" for a in c.attributes.values())}
    assert with_dates and not with_dates & set(path.types)
    lines = generated_lines(schema, 2000, seed=SEED + 3)
    fast, slow = read_both("\n".join(lines), schema, monkeypatch)
    assert_same(fast, slow)
    assert any(f.type in with_dates for f in fast.facts)


# -- the checks' tables and what they keep --------------------------------------------------

def test_the_checks_read_as_the_vocabulary_says() -> None:
    path = fast_path(shipped().schema)
    assert path is not None
    decision = path.types["decision.made"].reader
    # decision is required (a missing one goes to the slow path); tier only with do/transform
    assert decision.attributes[:2] == ("decision", "tier")
    assert decision.required[:2] == (True, False)
    assert [(attr, dict(when)) for attr, when in decision.conditional] == [
        ("tier", {"decision": ("do", "transform")})]
    assert path.types["role.assigned"].reader.cases is None       # a fact of no case
    # one table of case ids per case rule, shared by the types of that rule
    raised = path.types["requirement.raised"].reader.cases
    assert raised is not None and raised is path.types["decision.made"].reader.cases
    assert len(path.case_memos) == len({c.case_rule for c in shipped().schema.types.values()
                                        if c.checks_case})


def test_a_fact_holds_no_object_of_the_fast_path() -> None:
    line = ('{"id": "f-1", "type": "decision.made", "at": "2026-10-17 10:40", '
            '"case": "26101301", "actor": "王总", "decision": "do", "tier": "B"}')
    path = fast_path(shipped().schema)
    assert path is not None
    [(_, fact), (_, again)] = fast_hits(path, [line, line.replace("f-1", "f-2")])
    assert type(fact) is Fact and not hasattr(fact, "__dict__") and type(fact.attrs) is dict
    assert again.at is fact.at            # the same instant twice: one datetime object
    assert again.case is fact.case and again.actor is fact.actor   # one string each
    record = path.decode(line)
    assert not hasattr(record, "__dict__")
    assert not type(record).__struct_config__.gc      # never tracked by the collector


# -- a file read as bytes, many lines decoded at once ---------------------------------------

def read_file_and_slow(path: Path, schema: FactSchema, monkeypatch: pytest.MonkeyPatch,
                       ) -> tuple[FactBatch, FactBatch]:
    """The file as `read_facts` reads a path (bytes, blocks of lines decoded in one msgspec
    call) and as the slow path reads its text, line by line."""
    fast = read_facts(path, schema, name="f.jsonl")
    text = path.read_bytes().decode("utf-8-sig")
    with monkeypatch.context() as patch:
        patch.setattr(fastpath, "IN_USE", False)  # every line the slow way
        slow = read_facts(io.StringIO(text, newline=""), schema, name="f.jsonl", fmt="jsonl")
    return fast, slow


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_a_file_read_as_bytes_agrees_with_the_slow_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ending: str) -> None:
    schema = shipped().schema
    lines = [x.replace("\r", "") for x in generated_lines(schema, 5000, seed=SEED + 4)]
    path = tmp_path / "f.jsonl"
    path.write_bytes(("\ufeff" + ending.join(lines)).encode("utf-8"))  # no end at the end
    fast, slow = read_file_and_slow(path, schema, monkeypatch)
    assert_same(fast, slow)
    assert len(slow.facts) > 1500 and len(slow.rejected) > 1500
    assert fast.lines == sum(1 for x in lines if x.strip())


def test_lines_that_are_json_only_together_are_read_one_by_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines decoded together as one text are read as each alone: an object begun on one
    line and ended on the next, two objects on one line, an array across lines, a lone `{`.
    Here as many objects as lines could come back; every line must still be its own."""
    good = ('{"id": "f-%d", "type": "role.assigned", "at": "2026-10-09T09:00:00+08:00", '
            '"role": "pm", "person": "陈立"}')
    tricky = [
        '{"id": "x1", "type": "role.assigned", "at": "2026-10-09T09:00:00+08:00"',
        '"role": "pm", "person": "陈立"}',                                      # object's end
        (good % 90) + " " + (good % 91),                                     # two on a line
        '{"type": "", "at": "x", "j": [1',
        '{"a": 1}]}',                                                         # array across
        '{"id": "x2", "type": "role.assigned", "at": "2026-10-09T09:00:00+08:00", "role": "pm",',
        ' "person": "陈立"}',
        '{"id": "x3", "type": "role.assigned", "at": "2026-10-09T09:00:00+08:00", '
        '"role": "pm", "person": "陈}',
        '{x"}',                                                               # text across
        "{", "}",
    ]
    rng = random.Random(SEED + 5)
    lines = [good % n for n in range(3000)]
    for line in tricky:
        spot = rng.randrange(len(lines))
        lines[spot:spot] = [line]
    lines[1500:1500] = tricky  # and all together
    # and a block that reads as JSON Lines whole: as many objects as lines, but not one a line
    lines[2500:2500] = [tricky[5], tricky[6], tricky[2]]
    path = tmp_path / "f.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fast, slow = read_file_and_slow(path, shipped().schema, monkeypatch)
    assert_same(fast, slow)
    assert len(slow.rejected) == 2 * len(tricky) + 3
    assert len(slow.facts) == 3000


def test_lines_longer_than_a_read_and_blocks_of_every_size(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reads that end inside a line (or inside a character), a line longer than a read,
    blocks that are not full: the same facts and rejections."""
    schema = shipped().schema
    lines = generated_lines(schema, 1500, seed=SEED + 6)
    lines[700] = lines[700][:-1] + ', "note": "' + "长" * 5000 + '"}'
    path = tmp_path / "f.jsonl"
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    monkeypatch.setattr(reader, "READ_SIZE", 997)
    monkeypatch.setattr(reader, "BYTES_READ_SIZE", 997)
    monkeypatch.setattr(fastpath, "BLOCK", 100)
    fast, slow = read_file_and_slow(path, schema, monkeypatch)
    assert_same(fast, slow)
    streamed = read_facts(io.StringIO(path.read_text(encoding="utf-8"), newline=""),
                          schema, name="f.jsonl")
    assert_same(streamed, slow)


def test_a_file_not_in_utf8_is_still_one_error_at_its_line(tmp_path: Path) -> None:
    good = ('{"id": "f-%d", "type": "role.assigned", "at": "2026-10-09T09:00:00+08:00", '
            '"role": "pm", "person": "陈立"}')
    lines = [(good % n).encode("utf-8") for n in range(3000)]
    lines[2100] = (good % 2100).encode("gbk")
    path = tmp_path / "f.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(FactError) as raised:
        read_facts(path, shipped().schema)
    [diagnostic] = raised.value.diagnostics
    assert (diagnostic.code, diagnostic.location.line) == ("E-FACT-ENCODING", 2101)


def test_ids_in_rising_order_then_used_again(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Ids in rising order need no index until one comes back: a re-sent fact blocks
    later, an id reused for another fact, a fact without id, then order again."""
    good = ('{"id": "f%05d", "type": "role.assigned", "at": "2026-10-09T09:00:00+08:00", '
            '"role": "pm", "person": "陈立"}')
    lines = [good % n for n in range(1, 4001)]
    lines[1200] = lines[10]                                    # re-sent: counted once
    lines[2300] = lines[20].replace("陈立", "赵强")           # reused: every use rejected
    lines[2301] = lines[2301].replace('"id": "f02302", ', "")  # no id
    lines[2302] = lines[2302].replace('"id": "f02303"', '"id": "f99999"')  # then "f02304"
    path = tmp_path / "f.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fast, slow = read_file_and_slow(path, shipped().schema, monkeypatch)
    assert_same(fast, slow)
    assert (slow.duplicates, len(slow.rejected)) == (1, 2)
    assert len(slow.facts) == 4000 - 1 - 2


def test_facts_of_one_attribute_share_its_dict_a_bounded_number_of_values(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastpath, "SHARED_VALUES", 3)
    schema = FactSchema(shipped().model)  # a fast path of its own, with the bound above
    path = fast_path(schema)
    assert path is not None
    line = ('{"id": "f-%d", "type": "plan.estimated", "at": "2026-10-17 10:40", '
            '"case": "26101301", "actor": "王总", "due": "2026-10-%02d"}')
    days = [1, 1, 2, 3, 1, 4, 5, 1]
    facts = [fact for _, fact in fast_hits(path, [line % (n, d) for n, d in enumerate(days)])]
    assert [f.attrs for f in facts] == [{"due": date(2026, 10, d)} for d in days]
    assert facts[0].attrs is facts[1].attrs is facts[4].attrs     # 3 values so far
    assert facts[5].attrs is not facts[0].attrs                   # a 4th: forgotten, anew
    assert facts[7].attrs is not facts[0].attrs and type(facts[7].attrs) is dict
    # A kind whose equal values may be written apart shares nothing.
    monkeypatch.setitem(fastpath.ATTRIBUTE_KINDS, "date",
                        fastpath.ATTRIBUTE_KINDS["date"]._replace(shared=False))
    path = fastpath.FastPath(schema)
    again = [fact for _, fact in fast_hits(path, [line % (n, 1) for n in range(2)])]
    assert again[0].attrs == again[1].attrs and again[0].attrs is not again[1].attrs


def test_facts_of_equal_values_share_attrs_only_in_the_declared_order() -> None:
    path = fastpath.FastPath(FactSchema(shipped().model))
    line = ('{"id": "f-%d", "type": "decision.made", "at": "2026-10-17 10:40", '
            '"case": "26101301", "actor": "王总", %s}')
    written = ['"decision": "do", "tier": "B"', '"decision": "do", "tier": "B"',
               '"tier": "B", "decision": "do"', '"decision": "do", "tier": "B"',
               '"decision": "dont"', '"decision": "dont", "tier": null',
               '"decision": "dont", "note": ""']
    hits = dict(fast_hits(path, [line % (n, w) for n, w in enumerate(written)]))
    facts = list(hits.values())
    # a line with a null is read by the slow path (its keys cannot be counted: `_keys_add_up`)
    assert [text for text in hits if "null" in text] == []
    assert [list(f.attrs.items()) for f in facts] == [
        [("decision", "do"), ("tier", "B")]] * 2 + [[("tier", "B"), ("decision", "do")]] + [
        [("decision", "do"), ("tier", "B")]] + [[("decision", "dont")]] * 2
    assert facts[0].attrs is facts[1].attrs is facts[3].attrs
    assert facts[2].attrs is not facts[0].attrs      # the line's own order: its own dict
    assert facts[5].attrs is not facts[4].attrs      # "" is absent, remembered apart


def test_progress_is_told_at_the_same_counts_whichever_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "PROGRESS_EVERY", 100)
    monkeypatch.setattr(fastpath, "BLOCK", 64)
    good = ('{"id": "f%05d", "type": "role.assigned", "at": "2026-10-09T09:00:00+08:00", '
            '"role": "pm", "person": "陈立"}')
    lines = [good % n for n in range(1050)]
    lines[130] = "{"                        # a rejected line: that block row by row
    path = tmp_path / "f.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    told: list[list[int]] = [[], []]
    read_facts(path, shipped().schema, progress=told[0].append)
    monkeypatch.setattr(fastpath, "IN_USE", False)  # every line the slow way
    read_facts(path, shipped().schema, progress=told[1].append)
    assert told[0] == told[1] == [*range(100, 1001, 100), 1050]


# -- many lines decoded as one text, not split apart ---------------------------------------

@pytest.mark.parametrize("size", [7, 300, 4096, 1 << 17])
def test_texts_of_many_lines_agree_with_the_slow_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    """A file read as bytes comes in texts of many whole lines (`reader.byte_texts`), decoded
    together and read without a copy of each line: texts ending anywhere in a line or a
    character, blank lines, `\\r\\n`, lines msgspec refuses, attributes written out of order
    (found within their own line only), and the same facts as the slow path."""
    schema = every_kind_schema()
    lines = [x.replace("\r", "") for x in generated_lines(schema, 2500, seed=SEED + 7)]
    good = ('{"id": "g-%d", "type": "decision.made", "at": "2026-10-17 10:40", '
            '"case": "26101301", "actor": "王总", %s}')
    orders = ['"decision": "do", "tier": "B"', '"tier": "B", "decision": "do"',
              '"decision": "dont", "note": "\\"tier\\":"', '"note": "x", "decision": "dont"']
    lines += [good % (n, orders[n % 4]) for n in range(2000)]  # whole texts of facts
    lines[3000:3000] = ['{"id": "g-x", "type": "decision.made", "at": "2026-10-17 10:40", '
                        '"case": "26101301", "actor": "王总", "decision": "do"',
                        '"tier": "B"}']  # a line msgspec refuses, amid good ones
    path = tmp_path / "f.jsonl"
    path.write_bytes("\r\n".join(lines).encode("utf-8") + b"\r\n\r\n")
    monkeypatch.setattr(reader, "BYTES_READ_SIZE", size)
    texts = list(reader.byte_texts(reader._chunks(path.open("rb"), size), size))
    assert [x for t in texts for x in t.split(b"\n")] == path.read_bytes().split(b"\n")[:-1]
    fast, slow = read_file_and_slow(path, schema, monkeypatch)
    assert_same(fast, slow)
    assert sum(f.id is not None and f.id.startswith("g-") for f in slow.facts) == 2000
    reordered = [f for f in slow.facts if f.id == "g-1"]
    assert [list(f.attrs) for f in reordered] == [["tier", "decision"]]


def test_a_long_chunk_of_whole_lines_is_cut_into_texts_of_about_size_bytes() -> None:
    # A partition's lines come as one chunk (engine/sharing.py): each text ends at the first
    # line end `size` bytes or more into it; the chunk's last line (no `\n` after it) is
    # one more text, as a file's last line is.
    lines = [b'{"n": %d}' % n for n in range(200)]
    size, longest = 50, max(map(len, lines))
    texts = list(reader.byte_texts([b"\n".join(lines)], size))
    assert [x for t in texts for x in t.split(b"\n")] == lines
    *cut, rest, last = texts
    assert all(size <= len(t) <= size + longest for t in cut) and len(rest) <= size + longest
    assert last == lines[-1]
    assert list(reader.byte_texts([b"", b""], size)) == []  # no line at all: no text


def test_a_text_is_read_in_place_only_when_each_line_is_one_record() -> None:
    """A text of many lines is read in place when each of its lines starts with `{` and is
    one record; any other text is read line by line: the same values either way."""
    path = fast_path(shipped().schema)
    assert path is not None
    one = ('{"id": "f-%d", "type": "decision.made", "at": "2026-10-17 10:40", '
           '"case": "26101301", "actor": "王总", "decision": "do"}')
    a, b = one % 1, one % 2
    for text in (f"{a}\n {b}", f"{a}\n\n{b}", f"{a}\n", f"{a}{b}\n{a}", f"[{a}]",
                 f"{a}\n{b}{a}", f" {a}", "", f"{a}\r\n{{}}\n{b}"):
        data = text.encode("utf-8")
        read = path.text_values(data, 7, "f.jsonl", reader.json_value)
        apart = path.values(data.split(b"\n"), 7, "f.jsonl", reader.json_value)
        assert repr(read) == repr(apart), text
        assert read[1] is False and len(read[0]) == text.count("\n") + 1, text
    # read in place, each line's attributes found in that line only
    line = ('{"id": "f-%d", "type": "decision.made", "at": "2026-10-17 10:40", '
            '"case": "26101301", "actor": "王总", %s}')
    written = ['"decision": "do", "tier": "B"', '"tier": "B", "decision": "do"',
               '"decision": "dont"', '"tier": "B", "decision": "transform"']
    text = "\r\n".join(line % (n, w) for n, w in enumerate(written)).encode("utf-8")
    values, whole = path.text_values(text, 7, "f.jsonl", lambda _: pytest.fail("slow"))
    assert whole and [(f.line, list(f.attrs.items())) for f in values] == [
        (7, [("decision", "do"), ("tier", "B")]), (8, [("tier", "B"), ("decision", "do")]),
        (9, [("decision", "dont")]), (10, [("tier", "B"), ("decision", "transform")])]


def test_case_ids_kept_in_two_generations(monkeypatch: pytest.MonkeyPatch) -> None:
    """A case id met again after the newer generation filled up is taken from the older one,
    the same string, without its pattern checked again; two generations at most."""
    monkeypatch.setattr(fastpath, "KNOWN_CASES", 3)
    path = fastpath.FastPath(FactSchema(shipped().model))
    memo = path.types["requirement.raised"].reader.cases
    assert memo is not None
    first = memo.get("".join(["2610", "0901"]))  # a string of its own
    assert first == "26100901"
    for n in range(2, 6):
        assert memo.get(f"261009{n:02}") == f"261009{n:02}"
    assert len(memo.known) <= 3 and len(memo.older) <= 3
    assert "26100901" in memo.older and "26100901" not in memo.known
    checked: list[str] = []
    memo.patterns = [_Spy(p, checked) for p in memo.patterns]
    assert memo.get("26100901") is first and checked == []   # from the older generation
    assert memo.get("26100999") == "26100999" and checked      # new: checked
    assert memo.get("2610090") is None and memo.get(None) is None
    assert sum(len(t) for t in memo.tables()) <= 6


class _Spy:
    def __init__(self, pattern: Any, calls: list[str]) -> None:
        self.pattern, self.calls = pattern, calls

    def fullmatch(self, text: str) -> Any:
        self.calls.append(text)
        return self.pattern.fullmatch(text)


# -- times read from their digits (`Moments`) against `_moment` ------------------------------

ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
         "Asia/Kathmandu", "America/St_Johns", "UTC", "Pacific/Apia", "Europe/Dublin"]
# Around the zones' changes of offset (an hour skipped, an hour twice, Lord Howe's half
# hour, Samoa's skipped day), on odd dates, and at the ends of what a datetime holds.
EDGE_DAYS = ["2026-03-29", "2026-10-25", "2026-03-08", "2026-11-01", "2026-04-05",
             "2026-10-04", "2011-12-29", "2011-12-30", "2011-12-31", "1988-04-10",
             "1988-09-11", "1991-09-15", "2024-02-29", "2023-02-29", "2026-02-30",
             "2026-04-31", "2026-13-01", "2026-00-10", "2026-10-00", "2026-10-32",
             "0001-01-01", "0001-01-02", "0000-12-31", "9999-12-31", "9999-12-30",
             "1900-02-29", "2000-02-29", "1970-01-01", "1969-12-31"]
OFFSETS = ["+08:00", "-05:00", "+00:00", "-00:00", "+05:45", "-03:30", "+01:00", "+02:00",
           "+10:30", "+11:00", "+14:00", "-11:00", "+23:59", "-23:59", "+24:00", "+08:60",
           "+8:00", "+0800", "Z", "z", "", "+08", "+08:00:00", "+０8:00", "*08:00"]
CLOCKS = ["00:00:00", "01:30:00", "02:30:00", "02:59:59", "03:00:00", "10:30:00",
          "23:59:59", "24:00:00", "12:60:00", "12:00:60", "23:59:60", "1:30:00", "10:3O:00",
          "10:30:00.1234567", "10:30:00.25", "10:30", "00:00", "02:30", "２3:00:00"]


def written_times(rng: random.Random, count: int) -> list[str]:
    """Times in the common forms and their near misses: odd offsets, seventh digits of a
    second, lower-case t and z, leap seconds, invalid dates, years near 1 and 9999."""
    out = []
    for _ in range(count):
        day, clock, offset = rng.choice(EDGE_DAYS), rng.choice(CLOCKS), rng.choice(OFFSETS)
        if rng.random() < 0.3:  # any hour and minute of the day (the zones' changes)
            clock = f"{rng.randrange(24):02}:{rng.choice([0, 15, 30, 45, 59]):02}:00"
        sep = rng.choice("TTTT t_")
        out.append(f"{day}{sep}{clock}{offset}")
    return out


@pytest.mark.parametrize("zone", ZONES)
def test_times_read_from_their_digits_are_the_ones_fromisoformat_gives(zone: str) -> None:
    """Every time `Moments` reads is the datetime `_moment` gives (zone object, fold and
    all), and what `_moment` refuses it refuses; times in any order (its kept hour)."""
    tz = ZoneInfo(zone)
    rng = random.Random(f"{SEED}{zone}")
    moments = Moments(tz)
    times = written_times(rng, 6000) + TIMES + ODD_TIMES
    times += sorted(times)  # and in order: the hour kept from one time to the next
    read = 0
    for at in times:
        expected, got = _moment(at, tz), moments.read(at)
        assert (got, _fold_and_zone(got)) == (expected, _fold_and_zone(expected)), at
        read += expected is not None
    assert read > 1500


def test_the_common_forms_are_read_from_their_digits_not_by_fromisoformat() -> None:
    """The forms files are written in are read by `Moments` itself: the hour it keeps is
    the one it read (a time that went to `_moment` instead would leave the kept hour as it
    was; results alone cannot tell, `_moment` gives the same times)."""
    tz = ZoneInfo("Asia/Shanghai")
    moments = Moments(tz)
    for at, start in [("2026-10-09T10:30:05+08:00", datetime(2026, 10, 9, 2, tzinfo=tz)),
                      ("2026-10-09 11:30", datetime(2026, 10, 9, 11, tzinfo=tz)),
                      ("2026-10-09T12:00:59", datetime(2026, 10, 9, 12, tzinfo=tz)),
                      ("2026-10-09T13:15:00-01:30", datetime(2026, 10, 9, 14, 30, tzinfo=tz))]:
        assert moments.read(at) == _moment(at, tz)
        assert moments.kept[1] == start and moments.kept[1].tzinfo is tz, at


def _fold_and_zone(moment: datetime | None) -> tuple[Any, ...]:
    if moment is None:
        return (None,)
    return (type(moment), moment.fold, moment.tzinfo, moment.replace(tzinfo=None),
            moment.utcoffset())


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Australia/Lord_Howe", "Asia/Kathmandu"])
def test_a_policy_of_another_zone_reads_the_same_facts_both_ways(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: str) -> None:
    """The reader of a policy whose zone changes its offset (or has a 45-minute one): the
    same facts and rejections as the slow path, times around the changes included."""
    model = shipped().model
    schema = FactSchema(model.model_copy(update={
        "calendar": model.calendar.model_copy(update={"timezone": zone})}))
    rng = random.Random(f"{SEED}-{zone}")
    good = ('{"id": "f%05d", "type": "requirement.raised", "at": "%s", "case": "26100903", '
            '"actor": "王医生", "requester": "杨宝珠"}')
    lines = [good % (n, at) for n, at in enumerate(written_times(rng, 3000))]
    path = tmp_path / "f.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fast, slow = read_file_and_slow(path, schema, monkeypatch)
    assert_same(fast, slow)
    assert len(slow.facts) > 700 and len(slow.rejected) > 700


@pytest.mark.parametrize("twice", [
    '"about": "decision", "about": "estimate"',
    '"about": null, "about": "estimate"',                 # a null, then a value
    '"about": "estimate", "about": null',
    '"about": "decision", "note": "a, b", "about": "estimate"',  # a comma in a value too
])
def test_a_key_written_twice_is_refused_on_either_path(monkeypatch: pytest.MonkeyPatch,
                                                       twice: str) -> None:
    schema = shipped().schema
    good = ('{"id": "f-%d", "type": "reporter.notified", "at": "2026-10-12 15:20", '
            '"case": "26101301", "actor": "杨宝珠", "about": "decision"}')
    bad = ('{"id": "f-9", "type": "reporter.notified", "at": "2026-10-12 15:20", '
           f'"case": "26101301", "actor": "杨宝珠", {twice}}}')
    text = "\n".join([good % 1, bad, good % 2]) + "\n"
    fast, slow = read_both(text, schema, monkeypatch)
    assert_same(fast, slow)
    assert [f.id for f in fast.facts] == ["f-1", "f-2"]
    [rejected] = fast.rejected
    assert rejected.location.line == 2
    assert "the key 'about' is written twice in this line" in rejected.reasons[0]
