"""Reading facts (docs/fact-format.md): JSON Lines and CSV; every bad line is a located
`FILE:LINE:` rejection with its reason; re-sent facts count once."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pytest
from helpers import TZ, at, shipped

import policyengine as pe
from policyengine import FactError, Location
from policyengine.errors import Diagnostic
from policyengine.facts.reader import read_facts as read_stream

GOOD = {"id": "f-1", "type": "requirement.raised", "at": "2026-10-12T15:20:00+08:00",
        "case": "26101301", "actor": "李小四", "requester": "王医生"}


def write_lines(tmp_path: Path, lines: list[str], name: str = "facts.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def dumps(obj: Mapping[str, object]) -> str:
    return json.dumps(obj, ensure_ascii=False)


# -- good facts ------------------------------------------------------------------------------

def test_a_good_fact(tmp_path: Path) -> None:
    batch = pe.read_facts(write_lines(tmp_path, [dumps(GOOD)]), shipped())
    [f] = batch.facts
    assert (f.type, f.at, f.case, f.actor, dict(f.attrs), f.id) == (
        "requirement.raised", at("2026-10-12 15:20"), "26101301", "李小四",
        {"requester": "王医生"}, "f-1")
    assert f.source == f"{tmp_path / 'facts.jsonl'}:1"
    assert (batch.rejected, batch.duplicates, batch.lines) == ([], 0, 1)


def test_times_without_offset_are_read_in_asia_shanghai(tmp_path: Path) -> None:
    lines = [dumps({**GOOD, "id": "a", "at": "2026-10-12 15:20"}),
             dumps({**GOOD, "id": "b", "at": "2026-10-12T07:20:00Z"}),   # the same instant
             dumps({**GOOD, "id": "c", "at": "2026-10-12T15:20"})]
    batch = pe.read_facts(write_lines(tmp_path, lines), shipped())
    assert {f.at for f in batch.facts} == {at("2026-10-12 15:20")}
    assert batch.facts[0].at.tzinfo == TZ


def test_dates_are_dates(tmp_path: Path) -> None:
    line = dumps({"type": "plan.estimated", "at": "2026-10-17 11:00", "case": "26101301",
                  "actor": "陈立", "due": "2026-10-23"})
    [f] = pe.read_facts(write_lines(tmp_path, [line]), shipped()).facts
    assert f.attrs["due"] == date(2026, 10, 23)


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    batch = pe.read_facts(write_lines(tmp_path, ["", dumps(GOOD), "   ", ""]), shipped())
    assert len(batch.facts) == 1 and batch.rejected == []
    assert batch.facts[0].source is not None and batch.facts[0].source.endswith(":2")


def _read_every_way(tmp_path: Path, data: bytes, monkeypatch: pytest.MonkeyPatch,
                    ) -> list[tuple[int, list[str], list[tuple[int | None, str]]]]:
    """(lines, fact ids, rejections) of the same bytes read from a file, from standard input,
    from a text stream, streamed (FactStream), and as a service request's body."""
    from policyengine.facts.reader import FactStream
    from policyengine.service.ingest import ndjson_rows

    path = tmp_path / "facts.jsonl"
    path.write_bytes(data)
    schema = shipped().schema
    seen = []
    for how in ("file", "stdin", "stream"):
        if how == "file":
            batch = read_stream(path, schema)
        elif how == "stdin":
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
            batch = read_stream("-", schema)
        else:
            batch = read_stream(io.StringIO(data.decode("utf-8"), newline=""), schema)
        seen.append((batch.lines, [f.id or "" for f in batch.facts],
                     [(r.location.line, r.reasons[0].code) for r in batch.rejected]))
    streamed = FactStream(path, schema)
    ids = [f.id or "" for f in streamed]
    seen.append((streamed.lines, ids,
                 [(r.location.line, r.reasons[0].code) for r in streamed.rejected]))
    rows = ndjson_rows(data)
    seen.append((len(rows), [v["id"] for _, v, _ in rows if v is not None],
                 [(n, e.code) for n, _, e in rows if e is not None]))
    return seen


def test_a_line_ends_at_a_line_feed_only_wherever_it_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """JSON Lines: a line ends at \\n; \\r\\n reads the same (the \\r is JSON whitespace); a lone
    \\r (an old Mac line end) ends no line, so two objects parted by one are one bad line. A
    file, standard input, a text stream and a request's body read it alike."""
    first, second = dumps({**GOOD, "id": "a"}), dumps({**GOOD, "id": "b"})
    third = dumps({**GOOD, "id": "c"})
    data = (first + "\r\n" + second + "\r" + third + "\n" + third.replace('"c"', '"d"')
            ).encode("utf-8")
    every = _read_every_way(tmp_path, data, monkeypatch)
    # line 2 is `second\rthird`: JSON, then more after it
    assert every[0] == (3, ["a", "d"], [(2, "E-FACT-JSON")])
    assert all(seen[1:] == every[0][1:] for seen in every[:4]), every
    assert every[4] == (3, ["a", "d"], [(2, "E-FACT-JSON")])


def test_a_lone_carriage_return_is_json_whitespace_inside_a_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    line = dumps({**GOOD, "id": "a"}).replace(", ", ",\r ", 1) + "\r"
    every = _read_every_way(tmp_path, (line + "\n\r\n").encode("utf-8"), monkeypatch)
    assert all(seen == (1, ["a"], []) for seen in every), every


def test_a_re_sent_fact_counts_once(tmp_path: Path) -> None:
    batch = pe.read_facts(write_lines(tmp_path, [dumps(GOOD), dumps(GOOD)]), shipped())
    assert (len(batch.facts), batch.duplicates, batch.rejected) == (1, 1, [])


# -- bad lines: each a FILE:LINE: rejection ------------------------------------------------

BAD = [
    # (line text, code (None: not checked here), key phrase)
    ('{"type": "bug.found", "at": ', "E-FACT-JSON", "not valid JSON"),
    (dumps({"type": "bug.found", "case": "B26101301", "actor": "张三"}), None,   # see below
     "missing field 'at'"),
    (dumps({"at": "2026-10-12 10:00", "case": "B26101301"}), "E-FACT-MISSING",
     "missing field 'type'"),
    (dumps({**GOOD, "id": "x3", "type": "requirement.rasied"}), "E-FACT-TYPE",
     "unknown fact type 'requirement.rasied'; did you mean 'requirement.raised'?"),
    (dumps({**GOOD, "id": "x4", "at": "2026-10-32 10:00"}), "E-FACT-TIME",
     "'at' is not an ISO 8601 time: '2026-10-32 10:00'"),
    (dumps({**GOOD, "id": "x5", "case": "2610131"}), "E-FACT-CASE",
     "case id '2610131' is not of the form of a requirement id"),
    (dumps({**GOOD, "id": "x6", "case": "B26101301"}), "E-FACT-CASE",
     "case id 'B26101301' is not of the form of a requirement id"),
    (dumps({**GOOD, "id": "x7", "requestor": "王医生"}), "E-FACT-VALUE",
     "unknown attribute 'requestor' for requirement.raised; did you mean 'requester'?"),
    (dumps({"id": "x8", "type": "decision.made", "at": "2026-10-17 10:40", "case": "26101301",
            "decision": "maybe"}), "E-FACT-VALUE", "'decision' is 'maybe'"),
    (dumps({"id": "x9", "type": "decision.made", "at": "2026-10-17 10:40", "case": "26101301",
            "decision": "do"}), "E-FACT-MISSING", "missing attribute 'tier'"),
    (dumps({"id": "x10", "type": "plan.estimated", "at": "2026-10-17 10:40",
            "case": "26101301", "due": "2026-10-32"}), "E-FACT-VALUE",
     "'due' is not a date: '2026-10-32'"),
    (dumps({"id": "x11", "type": "bug.found", "at": "2026-10-17 10:40", "case": "B26101701"}),
     "E-FACT-MISSING", "missing field 'actor' (required for bug.found)"),
    (dumps({"id": "x12", "type": "role.assigned", "at": "2026-10-17 10:40", "role": "boss",
            "person": "王总"}), "E-FACT-VALUE", "'role' is 'boss'"),
    (dumps({"id": "x13", "type": "weekly_report.submitted", "at": "2026-10-17 10:40",
            "case": "26101301"}), "E-FACT-VALUE", "has no 'case'"),
    (dumps({"id": "x14", "type": "bug.fixed", "at": "2026-10-17 10:40"}), "E-FACT-MISSING",
     "missing field 'case'"),
    (dumps({**GOOD, "actor": "张三"}), "E-FACT-DUPLICATE-ID",    # id f-1 of line 1
     "id 'f-1' is also used at line 1 for a different fact"),
    ("[1, 2]", "E-FACT-JSON", "a fact is a JSON object"),
]


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    # line 1 is good; lines 2.. are the bad ones, in the order of BAD
    return write_lines(tmp_path, [dumps(GOOD), *(text for text, _, _ in BAD)])


def test_every_bad_line_is_rejected_with_its_line(bad_file: Path) -> None:
    batch = pe.read_facts(bad_file, shipped())
    # line 1 is valid, but its id f-1 is used again for a different fact: which of the two
    # is the real one cannot be told, so both are rejected, whatever their order
    assert batch.facts == []
    first, *rest = batch.rejected
    assert first.location == Location(str(bad_file), 1)
    assert first.reasons == ("id 'f-1' is used again later for a different fact",)
    assert [r.location for r in rest] == [
        Location(str(bad_file), n) for n in range(2, len(BAD) + 2)]
    for rejection, (text, _, phrase) in zip(rest, BAD, strict=True):
        assert rejection.text == text.strip()
        assert any(phrase in reason for reason in rejection.reasons), rejection
        assert str(rejection).startswith(f"{bad_file}:{rejection.location.line}: ")


def test_raise_if_rejected_gives_file_line_code_diagnostics(bad_file: Path) -> None:
    batch = pe.read_facts(bad_file, shipped())
    with pytest.raises(FactError) as caught:
        batch.raise_if_rejected()
    found = [str(d) for d in caught.value.diagnostics]
    for number, (_, code, phrase) in enumerate(BAD, start=2):
        assert any(f.startswith(f"{bad_file}:{number}: {code or ''}") and phrase in f
                   for f in found), (number, code, phrase)


def test_a_missing_time_is_coded_as_missing(tmp_path: Path) -> None:
    line = dumps({"type": "bug.found", "case": "B26101301", "actor": "张三"})
    batch = pe.read_facts(write_lines(tmp_path, [line]), shipped())
    [rejection] = batch.rejected
    assert [d.code for d in rejection.diagnostics()] == ["E-FACT-MISSING"]


def test_all_reasons_of_one_line_are_given(tmp_path: Path) -> None:
    # bad time and bad case id on the same line: both reported
    line = dumps({**GOOD, "at": "yesterday", "case": "123"})
    [rejection] = pe.read_facts(write_lines(tmp_path, [line]), shipped()).rejected
    assert len(rejection.reasons) == 2
    assert "'at' is not an ISO 8601 time" in rejection.reasons[0]
    assert "case id '123'" in rejection.reasons[1]


def test_a_case_id_must_have_a_real_month_and_day(tmp_path: Path) -> None:
    # YYMMDDNN: month 13 and day 32 are not of the form
    lines = [dumps({**GOOD, "id": "a", "case": "26131201"}),
             dumps({**GOOD, "id": "b", "case": "26103201"})]
    assert len(pe.read_facts(write_lines(tmp_path, lines), shipped()).rejected) == 2


# -- CSV --------------------------------------------------------------------------------------

CSV_HEADER = ("id,type,at,case,actor,requester,role,person,decision,tier,about,due,new_due,"
              "commitment")


def test_csv_reads_the_same_facts_as_json_lines(tmp_path: Path) -> None:
    csv_path = write_lines(tmp_path, [
        CSV_HEADER,
        "f-1,requirement.raised,2026-10-12 15:20,26101301,李小四,王医生,,,,,,,,",
        "f-2,role.assigned,2026-10-01 09:00,,王总,,collector,杨宝珠,,,,,,",
        "f-3,plan.estimated,2026-10-17 11:00,26101301,陈立,,,,,,,2026-10-23,,",
        "f-4,decision.made,2026-10-17 10:40,26101301,王总,,,,do,A,,,,",
    ], "facts.csv")
    json_path = write_lines(tmp_path, [
        dumps({"id": "f-1", "type": "requirement.raised", "at": "2026-10-12 15:20",
               "case": "26101301", "actor": "李小四", "requester": "王医生"}),
        dumps({"id": "f-2", "type": "role.assigned", "at": "2026-10-01 09:00", "actor": "王总",
               "role": "collector", "person": "杨宝珠"}),
        dumps({"id": "f-3", "type": "plan.estimated", "at": "2026-10-17 11:00",
               "case": "26101301", "actor": "陈立", "due": "2026-10-23"}),
        dumps({"id": "f-4", "type": "decision.made", "at": "2026-10-17 10:40",
               "case": "26101301", "actor": "王总", "decision": "do", "tier": "A"}),
    ])
    from_csv = pe.read_facts(csv_path, shipped())
    from_json = pe.read_facts(json_path, shipped())
    assert from_csv.rejected == [] and from_json.rejected == []
    assert [f.content() for f in from_csv.facts] == [f.content() for f in from_json.facts]
    result_csv = pe.evaluate(shipped(), from_csv.facts, period="2026-10").to_dict()
    result_json = pe.evaluate(shipped(), from_json.facts, period="2026-10").to_dict()
    for doc in (result_csv, result_json):   # only the sources (file:line) differ
        for v in doc["violations"]:
            if v["trigger"] is not None:
                v["trigger"].pop("source", None)
            v.pop("explanation")
    assert result_csv == result_json


def test_csv_bad_rows_are_located(tmp_path: Path) -> None:
    path = write_lines(tmp_path, [
        CSV_HEADER,
        "f-1,requirement.raised,2026-10-12 15:20,26101301,李小四,王医生,,,,,,,,",
        "f-2,requirement.raised,2026-10-12 15:20,26101302,李小四",             # too few cells
        "f-3,decision.made,2026-10-17 10:40,26101301,王总,,,,maybe,,,,,",     # bad enum
    ], "facts.csv")
    batch = pe.read_facts(path, shipped())
    assert len(batch.facts) == 1
    assert [(r.location.line, r.reasons[0][:9]) for r in batch.rejected] == [
        (3, "5 cells w"), (4, "'decision")]


def test_a_stream_is_read_and_sniffed() -> None:
    stream = io.StringIO(dumps(GOOD) + "\n")
    batch = read_stream(stream, shipped().schema, name="<pipe>")
    assert [f.source for f in batch.facts] == ["<pipe>:1"]
    stream = io.StringIO(CSV_HEADER + "\nf-1,requirement.raised,2026-10-12 15:20,26101301,"
                         "李小四,王医生,,,,,,,,\n")
    assert len(read_stream(stream, shipped().schema).facts) == 1


@pytest.mark.parametrize("raw", [
    {"type": {}}, {"type": [1]},
    {"type": "bug.found", "at": "0001-01-01T00:00:00+05:00", "case": "B26100101", "actor": "x"},
    {"type": "bug.found", "at": "9999-12-31T23:00:00-05:00", "case": "B26100101", "actor": "x"},
])
def test_odd_values_are_reasons_not_crashes(raw: dict[str, object]) -> None:
    # found by the service's property-based run: these raised TypeError / OverflowError
    reasons = shipped().schema.build(raw)
    assert isinstance(reasons, list) and reasons


# -- encodings: standard input, byte-order marks ---------------------------------------------

@pytest.mark.parametrize("read_size", [1000, 1 << 20])
def test_standard_input_not_in_utf8_is_named_with_its_line(
        monkeypatch: pytest.MonkeyPatch, read_size: int) -> None:
    """As a file is: one error at the first bad line (standard input is counted as it is
    read, it cannot be read again), whether the bad byte is in the first piece read or not."""
    from policyengine.facts import reader

    monkeypatch.setattr(reader, "READ_SIZE", read_size)
    lines = [dumps({**GOOD, "id": f"f-{n}"}).encode("utf-8") for n in range(3000)]
    for bad_line in (1, 2101, 3000):
        bad = list(lines)
        bad[bad_line - 1] = dumps({**GOOD, "requester": "王医生"}).encode("gbk")
        data = b"\xef\xbb\xbf" + b"\n".join(bad) + b"\n"
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        with pytest.raises(FactError) as raised:
            read_stream("-", shipped().schema)
        [diagnostic] = raised.value.diagnostics
        assert (str(diagnostic.location), diagnostic.code) == (
            f"<stdin>:{bad_line}", "E-FACT-ENCODING")
        path_said = _file_error(bad)
        assert (diagnostic.message, diagnostic.location.line) == (
            path_said.message, path_said.location.line)


def _file_error(lines: list[bytes]) -> Diagnostic:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.jsonl"
        path.write_bytes(b"\n".join(lines) + b"\n")
        with pytest.raises(FactError) as raised:
            read_stream(path, shipped().schema)
    [diagnostic] = raised.value.diagnostics
    return diagnostic


@pytest.mark.parametrize("marks", [1, 2, 3, 5])
def test_byte_order_marks_at_the_start_are_dropped_however_many(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, marks: int) -> None:
    """A file saved again by tools that each add a byte-order mark is still JSON Lines (three
    or more were read as CSV) or CSV with its header, read alike from a file, standard
    input and a stream."""
    from policyengine.facts import reader

    lines = [dumps({**GOOD, "id": f"f-{n}"}) for n in range(5)]
    data = "\ufeff".encode("utf-8") * marks + "\n".join(lines).encode("utf-8")
    every = _read_every_way(tmp_path, data, monkeypatch)
    assert every[0] == (5, [f"f-{n}" for n in range(5)], [])
    assert every[1] == every[2] == every[3] == every[0]
    monkeypatch.setattr(reader, "BYTES_READ_SIZE", 2)  # the marks read in pieces
    assert read_stream(tmp_path / "facts.jsonl", shipped().schema).lines == 5
    # CSV: the header's first column is its name, not the marks and the name
    csv = ("\ufeff" * marks + "id,type,at,case,actor,requester\n"
           "f-1,requirement.raised,2026-10-12 15:20,26101301,李小四,王医生\n")
    path = tmp_path / "facts.csv"
    path.write_text(csv, encoding="utf-8")
    batch = read_stream(path, shipped().schema)
    assert (batch.rejected, [f.id for f in batch.facts]) == ([], ["f-1"])


def test_a_streamed_file_says_its_progress_and_rejections_as_read_facts_does(
        tmp_path: Path) -> None:
    # FactStream reads a file as `read_facts` does (bytes, texts of many lines decoded
    # at once): the same facts, rejected lines, line count and progress, with a byte-order
    # mark, a blank line and bad lines, each said at a multiple of `PROGRESS_EVERY` from a
    # text read whole (the bad lines early) and from one read line by line (the bad lines
    # in the texts that hold those multiples).
    from policyengine.facts.reader import PROGRESS_EVERY, FactStream

    total = 2 * PROGRESS_EVERY + 7
    for bad, blank, unknown in ((4, 10, 20), (4, PROGRESS_EVERY + 2, 2 * PROGRESS_EVERY + 6)):
        lines = [dumps({**GOOD, "id": f"f-{i:07d}"}) for i in range(total)]
        lines[bad - 1] = "{not json"
        lines[blank - 1] = ""
        lines[unknown - 1] = dumps({**GOOD, "id": "f-x", "type": "no.such.type"})
        path = tmp_path / "facts.jsonl"
        path.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode("utf-8"))
        said: dict[str, list[int]] = {"list": [], "stream": []}
        batch = read_stream(path, shipped().schema, progress=said["list"].append)
        streamed = FactStream(path, shipped().schema, progress=said["stream"].append)
        facts = list(streamed)
        assert facts == list(batch.facts) and len(facts) == total - 3
        assert streamed.lines == batch.lines == total - 1
        assert [(r.location.line, r.text, r.reasons) for r in streamed.rejected] == [
            (r.location.line, r.text, r.reasons) for r in batch.rejected]
        assert [r.location.line for r in streamed.rejected] == [bad, unknown]
        assert said["stream"] == said["list"] == [PROGRESS_EVERY, 2 * PROGRESS_EVERY,
                                                  total - 1]
