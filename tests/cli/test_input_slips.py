"""What an office user's slip with the facts or the command must not cost: a CSV export with
a column named twice, a quote left open, a reject file left from an earlier run, an as-of
typed in year 9999, a pending list of thousands of years; and the headers and labels the
reports print."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, SAMPLE_FACTS, shipped

import policyengine as pe
from policyengine.wording import years_text

CLI = Path(sys.executable).parent / "policyengine"
HEADER = "id,type,at,case,actor,requester,about"
RAISED = "f-1,requirement.raised,2026-10-12 15:20,26101301,李小四,王医生,"


def run(*words: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CLI), *words], capture_output=True, text=True, cwd=REPO,
                          timeout=120)


def test_a_csv_header_naming_a_column_twice_is_refused_not_read_with_one_value_lost(
        tmp_path: Path) -> None:
    path = tmp_path / "facts.csv"
    path.write_text(f"{HEADER},about\n{RAISED},\n", encoding="utf-8")
    batch = pe.read_facts(path, shipped())
    assert batch.facts == []
    [rejected] = batch.rejected
    assert rejected.location.line == 1
    assert "names a column twice (about)" in rejected.reasons[0]


def test_a_csv_row_whose_quote_is_not_closed_costs_its_own_line_only(
        tmp_path: Path) -> None:
    # The row ran on to the end of the file (or the next quote): the rows after it were lost
    # into its one rejection. Now that line alone is rejected; the others are read.
    from policyengine.facts.reader import FactStream

    path = tmp_path / "facts.csv"
    rows = [HEADER, RAISED, 'f-2,requirement.raised,2026-10-12 15:30,26101302,"李小四,王医生,']
    rows += [f"f-{n},requirement.raised,2026-10-12 16:00,2610130{n},李小四,王医生,"
             for n in range(3, 6)]
    # a later row with a quoted cell: its first quote closed the open one
    rows.append('f-6,requirement.raised,2026-10-12 16:00,26101306,李小四,"王医生, 外科",')
    rows.append("f-7,requirement.raised,2026-10-12 16:00,26101307,李小四,王医生,")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    batch = pe.read_facts(path, shipped())
    assert [f.id for f in batch.facts] == ["f-1", "f-3", "f-4", "f-5", "f-6", "f-7"]
    assert [f.line for f in batch.facts] == [2, 4, 5, 6, 7, 8]
    assert batch.facts[4].attrs["requester"] == "王医生, 外科"
    [rejected] = batch.rejected
    assert rejected.location.line == 3 and rejected.text == rows[2]
    assert rejected.reasons[0].startswith("a cell of this line starts with a quote that is not "
                                          "closed on it, so the row ran on to line 7: is a "
                                          "closing quote missing?")
    stream = FactStream(path, shipped().schema)
    assert [f.id for f in stream] == ["f-1", "f-3", "f-4", "f-5", "f-6", "f-7"]
    assert [r.location.line for r in stream.rejected] == [3]


def test_a_quoted_cell_written_over_lines_is_still_one_row(tmp_path: Path) -> None:
    # A note written over lines is one cell: read whole, and when its row lacks a column,
    # rejected as one row (its lines are no rows of their own)
    path = tmp_path / "facts.csv"
    note = '"第一行\n第二行, 还有\n第三行"'
    reported = "requirement.reported,2026-10-13 10:00"
    rows = [f"{HEADER},note", f"{RAISED},", f"f-2,{reported},26101301,李小四,,,{note}",
            f"f-3,{reported},26101301,李小四,,{note}",
            f"{RAISED},".replace("f-1", "f-4").replace("26101301", "26101304")]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    batch = pe.read_facts(path, shipped())
    assert [f.id for f in batch.facts] == ["f-1", "f-2", "f-4"]
    assert batch.facts[1].attrs["note"] == "第一行\n第二行, 还有\n第三行"
    assert [(r.location.line, r.reasons[0][:40]) for r in batch.rejected] == [
        (6, "this row runs from line 6 to line 8, as ")]


def test_a_reject_file_is_written_on_every_run_empty_when_nothing_was_rejected(
        tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(SAMPLE_FACTS.read_text(encoding="utf-8")
                   + '{"id": "bad", "type": "no.such.type"}\n', encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"
    done = run("evaluate", "--facts", str(bad), "--month", "2026-10", "--reject-file",
               str(rejects))
    assert done.returncode == 0, done.stderr
    assert len(rejects.read_text(encoding="utf-8").splitlines()) == 1
    done = run("evaluate", "--facts", str(SAMPLE_FACTS), "--month", "2026-10",
               "--reject-file", str(rejects))
    assert done.returncode == 0, done.stderr
    assert rejects.read_text(encoding="utf-8") == ""  # the earlier run's line is gone


def test_a_reject_file_that_is_the_facts_file_is_refused_even_when_nothing_is_rejected(
        tmp_path: Path) -> None:
    facts = tmp_path / "facts.jsonl"
    text = SAMPLE_FACTS.read_text(encoding="utf-8")
    facts.write_text(text, encoding="utf-8")
    done = run("evaluate", "--facts", str(facts), "--month", "2026-10", "--reject-file",
               str(facts))
    assert done.returncode == 2 and "就是事实文件本身" in done.stderr
    assert facts.read_text(encoding="utf-8") == text


def test_an_as_of_in_the_last_year_a_date_can_hold_is_a_usage_error() -> None:
    done = run("evaluate", "--facts", str(SAMPLE_FACTS), "--month", "2026-10", "--as-of",
               "9999-12-31T23:00", "--lang", "en")
    assert done.returncode == 2, done.stderr
    assert "is too late" in done.stderr and "internal error" not in done.stderr


def test_years_pending_are_said_as_ranges() -> None:
    assert years_text([2027]) == "2027"
    assert years_text([2028, 2027]) == "2027, 2028"
    assert years_text(range(2027, 10000)) == "2027-9999"
    assert years_text([2027, 2029, 2030, 2031, 2033]) == "2027, 2029-2031, 2033"


def test_the_open_obligations_table_heads_its_overdue_column() -> None:
    for lang, head, mark in (("zh", "是否逾期", "已逾期"), ("en", "overdue?", "OVERDUE")):
        done = run("evaluate", "--facts", str(SAMPLE_FACTS), "--month", "2026-10", "--lang",
                   lang)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        [at] = [i for i, text in enumerate(lines) if text.rstrip().endswith(head)]
        assert mark in lines[at + 2]


def test_the_service_refuses_a_fact_with_a_key_written_twice() -> None:
    from policyengine.service.ingest import parse_json

    value, reason = parse_json(b'{"type": "bug.found", "case": "B1", "case": "B2"}')
    assert value is None and reason is not None
    assert "the key 'case' is written twice" in str(reason)
    value, reason = parse_json(b'[{"type": "bug.found", "case": "B1"}]')
    assert reason is None and value == [{"type": "bug.found", "case": "B1"}]


def test_a_jsonl_file_whose_first_line_is_not_json_is_read_as_json_lines(
        tmp_path: Path) -> None:
    # The first line decided the format: "x" made the whole file CSV, every fact rejected
    # (with --reject-file, nothing evaluated). The name says JSON Lines: one line rejected.
    from policyengine.facts.reader import FactStream

    lines = SAMPLE_FACTS.read_text(encoding="utf-8").splitlines()
    for suffix in (".jsonl", ".json", ".JSONL"):
        path = tmp_path / f"facts{suffix}"
        path.write_text("\n".join(["x", *lines]) + "\n", encoding="utf-8")
        batch = pe.read_facts(path, shipped())
        assert len(batch.facts) == len(lines)
        [rejected] = batch.rejected
        assert rejected.location.line == 1 and rejected.reasons[0].code == "E-FACT-JSON"
        stream = FactStream(path, shipped().schema)
        assert len(list(stream)) == len(lines)
        assert [r.location.line for r in stream.rejected] == [1]
    done = run("evaluate", "--facts", str(tmp_path / "facts.jsonl"), "--month", "2026-10",
               "--lang", "en", "--reject-file", str(tmp_path / "rejects.jsonl"))
    assert done.returncode == 0, done.stderr
    assert f"1 fact(s) rejected, written to {tmp_path / 'rejects.jsonl'}; evaluating the " \
           f"other {len(lines)}" in done.stderr


def test_a_file_read_as_csv_because_of_its_first_line_says_so(tmp_path: Path) -> None:
    path = tmp_path / "facts.txt"  # a name that says no format: the first line decides
    path.write_text("x\n" + SAMPLE_FACTS.read_text(encoding="utf-8"), encoding="utf-8")
    batch = pe.read_facts(path, shipped())
    assert batch.facts == []
    first = batch.rejected[0]
    assert first.location.line == 1
    assert first.reasons[0].startswith("this file was read as CSV because its first non-blank "
                                       "line, this one, does not start with '{'")
    assert "name it .jsonl" in first.reasons[0] and "“type”列" in first.reasons[0].zh
    # A CSV file with its header is read as before: no such line
    good = tmp_path / "facts.dat"
    good.write_text(f"{HEADER}\n{RAISED}\n", encoding="utf-8")
    batch = pe.read_facts(good, shipped())
    assert ([f.id for f in batch.facts], batch.rejected) == (["f-1"], [])


def test_a_mistyped_year_is_said_at_the_fact_s_line(tmp_path: Path) -> None:
    # E-CAL-YEAR named the fact by its id only, and advised adding the holidays of 226.
    lines = SAMPLE_FACTS.read_text(encoding="utf-8").splitlines()
    typo = ('{"id": "y-1", "type": "requirement.raised", "at": "0226-10-07T10:00:00+08:00", '
            '"case": "26100701", "actor": "李小四", "requester": "王医生"}')
    path = tmp_path / "facts.jsonl"
    path.write_text("\n".join([*lines[:50], typo, *lines[50:]]) + "\n", encoding="utf-8")
    done = run("evaluate", "--facts", str(path), "--month", "2026-10", "--lang", "en")
    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith(f"{path}:51: E-CAL-YEAR: no working-day calendar data for "
                                  "0226 (")
    assert "the year looks mistyped; correct the fact's date" in done.stderr
    assert "calendar.years.226" not in done.stderr
    done = run("evaluate", "--facts", str(path), "--month", "2026-10", "--lang", "zh")
    assert done.returncode == 3 and f"{path}:51: E-CAL-YEAR: 没有 0226 年" in done.stderr
    assert "看起来是输入错误" in done.stderr
    # A year that may be real (before the calendar's data, after 1900): located, and the
    # advice to add it to the policy stays
    early = pe.CalendarDataMissing(2003, "duty R1, fact f-1", where="facts.jsonl:7")
    assert str(early).startswith("facts.jsonl:7: E-CAL-YEAR: no working-day calendar data "
                                 "for 2003 (duty R1, fact f-1)")
    assert "under calendar.years.2003" in str(early)
    import pickle  # as an error from a Dask worker comes back

    again = pickle.loads(pickle.dumps(early))
    assert (again.year, again.where, str(again)) == (2003, "facts.jsonl:7", str(early))


def test_a_byte_order_mark_or_a_nul_in_the_middle_of_a_file_is_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Files joined (each saved 'UTF-8 with BOM'), zero bytes written by a tool: the line was
    # refused as "expecting a value at column 1", the character never named.
    from policyengine.facts import fastpath
    from policyengine.facts.reader import FactStream
    from policyengine.service.ingest import ndjson_rows, parse_json

    lines = SAMPLE_FACTS.read_text(encoding="utf-8").splitlines()
    lines[2] = "\ufeff" + lines[2]
    lines[4] = "\x00" + lines[4]
    lines[6] = lines[6].replace('", "', '",\x00 "', 1)  # a NUL later in the line
    path = tmp_path / "joined.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    said = []
    for fast in (True, False):  # the fast path sends the lines to the slow one: the same
        monkeypatch.setattr(fastpath, "IN_USE", fast)
        batch = pe.read_facts(path, shipped())
        assert [(r.location.line, r.reasons[0].code) for r in batch.rejected] == [
            (3, "E-FACT-JSON"), (5, "E-FACT-JSON"), (7, "E-FACT-JSON")]
        said.append([str(r.reasons[0]) for r in batch.rejected])
        stream = FactStream(path, shipped().schema)
        assert len(list(stream)) == len(lines) - 3
        assert [str(r.reasons[0]) for r in stream.rejected] == said[-1]
    assert said[0] == said[1]
    bom, nul, later = said[0]
    assert bom.startswith("not valid JSON: a byte-order mark (U+FEFF, the bytes EF BB BF) at "
                          "column 1") and "save each file as UTF-8 without BOM" in bom
    assert nul.startswith("not valid JSON: a NUL character (the byte 00) at column 1")
    assert "remove it" in nul and "a NUL character (the byte 00) at column " in later
    assert "字节顺序标记" in batch.rejected[0].reasons[0].zh
    # The service says it as the file reader does
    read = ndjson_rows(("\n".join(lines[:5]) + "\n").encode("utf-8"))
    assert [str(error) for _, _, error in read if error is not None] == said[0][:2]
    value, reason = parse_json(b"[{}, \xef\xbb\xbf{}]")
    assert value is None and "a byte-order mark (U+FEFF" in str(reason)
    # CSV: the csv module keeps either in a cell (an id "\ufeffs-1"): the row is refused
    csv = tmp_path / "joined.csv"
    rows = [HEADER, RAISED, "\ufeff" + RAISED.replace("f-1", "f-2"),
            RAISED.replace("f-1", "f-3").replace("李小四", "李小四\x00")]
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    batch = pe.read_facts(csv, shipped())
    assert [f.id for f in batch.facts] == ["f-1"]
    assert [(r.location.line, str(r.reasons[0])[:60]) for r in batch.rejected] == [
        (3, "a byte-order mark (U+FEFF, the bytes EF BB BF) in cell 1 (id"),
        (4, "a NUL character (the byte 00) in cell 5 (actor): no text hol")]


def test_an_empty_facts_or_reject_file_path_is_a_usage_error(tmp_path: Path) -> None:
    # `--facts ""` was read as the current folder ('a folder, not a facts file'), and an
    # empty --reject-file was taken as none given.
    for words in (["--facts", ""], ["--facts", str(SAMPLE_FACTS), "--reject-file", ""]):
        for command in (["evaluate"], ["report", "monthly"]):
            done = run(*command, *words, "--month", "2026-10")
            assert done.returncode == 2, done.stderr
            assert f"参数 {words[-2]} 的路径是空的" in done.stderr


def test_blank_lines_before_a_csv_header_are_skipped(tmp_path: Path) -> None:
    # The blank line was taken as a header of no column: every row, the header's own line
    # too, was rejected ("7 cells where the header has 0 columns ()").
    for name in ("facts.csv", "facts.txt"):
        path = tmp_path / name
        path.write_text(f"\n  \n{HEADER}\n{RAISED}\n", encoding="utf-8")
        batch = pe.read_facts(path, shipped())
        assert ([f.id for f in batch.facts], batch.rejected) == (["f-1"], [])
        assert batch.facts[0].line == 4


def test_a_file_exported_as_one_json_array_says_how_to_convert_it(tmp_path: Path) -> None:
    # A system's export `[`, a fact over indented lines, `]`: each line was refused as bad
    # JSON, and nothing said that the file was an array where one fact a line is wanted.
    import json

    facts = [json.loads(line) for line in SAMPLE_FACTS.read_text(encoding="utf-8").splitlines()[:2]]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(facts, ensure_ascii=False, indent=2), encoding="utf-8")
    for words in (("--lang", "en"), ()):
        done = run("evaluate", "--facts", str(path), "--month", "2026-10", *words)
        assert done.returncode == 1, done.stderr
        first = done.stderr.splitlines()[0]
        assert first.startswith(f"{path}:1: E-FACT-JSON: "), first
        assert "jq -c '.[]'" in first and ("JSON Lines" in first), first
    batch = pe.read_facts(path, shipped())
    assert batch.facts == [] and "array" in str(batch.rejected[0].reasons[0])
    assert all("array" not in str(r.reasons[0]) for r in batch.rejected[1:])
