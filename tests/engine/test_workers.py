"""`evaluate --workers N`: cases split over processes give the very same result as one
process (engine/workers.py), on the sample month and on a generated stream of 20,000 facts
(hundreds of cases, role handovers, weekly reports, delays, facts sharing one instant);
with the workers reading their own share of a file (engine/sharing.py), what the reader
says of the file (rejected lines, re-sent facts) is the same too."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import zlib
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pytest
from helpers import REPO, SAMPLE_FACTS, TZ, sample_with_a_2003_fact, shipped

import policyengine as pe
from policyengine.cli.main import main
from policyengine.engine.parallel import evaluate_file
from policyengine.engine.sharing import BLANK, BROADCAST, case_owner, sort_lines
from policyengine.engine.workers import can_split


@lru_cache(maxsize=1)
def generated(tmp: Path = Path(REPO / "benchmarks" / ".data")) -> Path:
    """20,000 facts from the benchmark's generator (seeded: the same bytes every time)."""
    path = tmp / "facts-20000-s42.jsonl"
    if not path.exists():
        tmp.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate_facts.py"),
                        "--facts", "20000", "--seed", "42", "--out", str(path)],
                       check=True, capture_output=True)
    return path


def _document(facts: list[pe.Fact], workers: int, **when: object) -> str:
    result = pe.evaluate(shipped(), facts, workers=workers, **when)  # type: ignore[arg-type]
    return json.dumps(result.to_dict(), ensure_ascii=False, sort_keys=True, default=str)


def test_the_shipped_policy_can_be_split() -> None:
    assert can_split(shipped(), 2)
    assert not can_split(shipped(), 1)


@pytest.mark.parametrize("period", ["2026-10", "2026-Q4", "2026-09"])
def test_sample_month_the_same_with_two_and_three_workers(period: str) -> None:
    facts = pe.read_facts(SAMPLE_FACTS, shipped()).facts
    one = _document(facts, 1, period=period)
    assert _document(facts, 2, period=period) == one
    assert _document(facts, 3, period=period) == one


def test_sample_month_figures_with_two_workers() -> None:
    result = pe.evaluate(shipped(), pe.read_facts(SAMPLE_FACTS, shipped()).facts,
                         period="2026-10", workers=2)
    assert len(result.violations) == 45
    assert sum(p.amount for p in result.people) == 870
    assert sum(p.forfeit for p in result.people) == 1
    assert result.stats["obligations"] == pe.evaluate(
        shipped(), pe.read_facts(SAMPLE_FACTS, shipped()).facts, period="2026-10"
    ).stats["obligations"]


def test_generated_stream_the_same_with_two_workers() -> None:
    facts = pe.read_facts(generated(), shipped()).facts
    assert len(facts) == 20_000
    as_of = max(f.at for f in facts)
    one = _document(facts, 1, as_of=as_of)
    assert json.loads(one)["violations"], "the stream has violations to compare"
    assert json.loads(one)["notes"], "and notes, whose order the merge restores"
    assert _document(facts, 2, as_of=as_of) == one
    # shuffled input, re-sent facts, and facts after as-of: still the same
    shuffled = [*facts, *facts[:500]]
    random.Random(3).shuffle(shuffled)
    early = facts[len(facts) // 2].at
    assert _document(shuffled, 2, as_of=early) == _document(shuffled, 1, as_of=early)


def test_cli_workers_option(capsys: pytest.CaptureFixture[str]) -> None:
    outputs = []
    for workers in ("1", "2"):
        code = main(["evaluate", "--facts", str(SAMPLE_FACTS), "--month", "2026-10",
                     "--format", "json", "--workers", workers])
        assert code == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    assert len(json.loads(outputs[1])["violations"]) == 45


def test_cli_rejects_a_worker_count_below_one(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["evaluate", "--facts", str(SAMPLE_FACTS), "--month", "2026-10", "--workers", "0"])
    assert stop.value.code == 2
    assert "--workers" in capsys.readouterr().err


def test_an_error_is_the_same_with_workers() -> None:
    # A fact of 2003, before the calendar's first year, in one case: the one-process replay
    # raises E-CAL-YEAR naming the duty and fact; with workers the very same error comes out.
    facts = list(pe.read_facts(SAMPLE_FACTS, shipped()).facts)
    trigger = next(f for f in facts if f.type == "requirement.raised")
    early = trigger._replace(at=trigger.at.replace(year=2003), id="early-one", case="03010101")
    errors = []
    for workers in (1, 2):
        with pytest.raises(pe.CalendarDataMissing) as failed:
            pe.evaluate(shipped(), [*facts, early], period="2026-10", workers=workers)
        errors.append(str(failed.value))
    assert "2003" in errors[0] and "early-one" in errors[0]
    assert errors[0] == errors[1]


# -- the command line: workers read their own share of the file ---------------------------


def _cli(capsys: pytest.CaptureFixture[str], *words: str) -> tuple[int, str, str]:
    try:
        code = main(list(words))
    except SystemExit as stop:  # argparse
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _split_is_used(path: Path, workers: int, **when: object) -> str:
    """The document of `evaluate_file` (asserting the file was split, not read whole)."""
    done = evaluate_file(shipped(), path, workers=workers, **when)  # type: ignore[arg-type]
    assert done is not None, "the file was split over the workers"
    return json.dumps(done.result.to_dict(), ensure_ascii=False, sort_keys=True, default=str)


@pytest.mark.parametrize("workers", [2, 3])
def test_workers_reading_their_share_give_the_one_process_result(workers: int) -> None:
    for path, when in ((SAMPLE_FACTS, {"period": "2026-10"}),
                       (SAMPLE_FACTS, {"period": "2026-Q4"}),
                       (generated(), {"period": "2021-03"})):
        facts = pe.read_facts(path, shipped()).facts
        assert _split_is_used(path, workers, **when) == _document(facts, 1, **when)


def test_workers_reading_the_generated_stream_as_of_its_middle() -> None:
    facts = pe.read_facts(generated(), shipped()).facts
    middle = sorted(f.at for f in facts)[len(facts) // 2]
    one = _document(facts, 1, as_of=middle)
    assert json.loads(one)["stats"]["facts_after_as_of"] > 0
    assert json.loads(one)["notes"], "notes, whose order the merge restores"
    assert _split_is_used(generated(), 2, as_of=middle) == one


def _messy_file(tmp_path: Path) -> Path:
    """The sample month with what the reader reports: broken JSON, unknown types, a bad case
    id, re-sent facts (also a role assignment), an id used for two different facts, blank
    lines, Windows line ends."""
    lines = SAMPLE_FACTS.read_text(encoding="utf-8").splitlines()
    raised = next(i for i, text in enumerate(lines) if '"requirement.raised"' in text)
    lines[5:5] = ["", "{not json", '{"type": "no.such.type", "at": "2026-10-01T09:00:00+08:00"}',
                  "   "]
    lines.insert(40, lines[raised + 4])             # a fact sent again, further on
    lines.insert(60, lines[0])                      # a role assignment sent again
    clash = json.loads(lines[raised + 4])
    clash["actor"] = "someone else"                 # the same id for another fact (same case)
    lines.insert(80, json.dumps(clash, ensure_ascii=False))
    bad_case = json.loads(lines[raised + 4])
    bad_case["id"], bad_case["case"] = "bad-case", "ZZ"
    lines.insert(90, json.dumps(bad_case, ensure_ascii=False))
    lines.append('[1, 2]')
    path = tmp_path / "messy.jsonl"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def test_rejected_and_re_sent_lines_are_reported_as_by_one_process(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _messy_file(tmp_path)
    assert evaluate_file(shipped(), path, workers=2, period="2026-10") is not None
    runs = []
    for workers in ("1", "2", "3"):
        rejects = tmp_path / "rejects.jsonl"
        said = _cli(capsys, "evaluate", "--facts", str(path), "--month", "2026-10",
                    "--format", "json", "--workers", workers, "--reject-file", str(rejects))
        runs.append((*said, rejects.read_text(encoding="utf-8")))
    assert runs[0][0] == 0
    document = json.loads(runs[0][1])
    assert document["rejected"] == 6 and document["stats"]["duplicates"] == 2
    assert len(runs[0][3].splitlines()) == 6
    assert runs[1] == runs[0] and runs[2] == runs[0]
    # without --reject-file: the same error, every line located, and nothing evaluated
    stopped = [_cli(capsys, "evaluate", "--facts", str(path), "--month", "2026-10",
                    "--workers", w) for w in ("1", "2")]
    assert stopped[0][0] != 0 and "messy.jsonl:" in stopped[0][2]
    assert stopped[1] == stopped[0]


def test_what_is_not_split_is_read_whole(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    lines = SAMPLE_FACTS.read_text(encoding="utf-8").splitlines()
    # an id used by facts of cases of two workers: one reader must see both
    clash = json.loads(lines[-1])
    worker = case_owner(clash["case"], 2) if clash.get("case") else 0
    other = next(json.loads(t) for t in lines if '"case"' in t
                 and case_owner(json.loads(t)["case"], 2) != worker)
    other["id"] = clash["id"]
    shared = tmp_path / "shared-id.jsonl"
    shared.write_text("\n".join([*lines, json.dumps(other, ensure_ascii=False)]) + "\n",
                      encoding="utf-8")
    # a role assignment naming a case (it would belong to one worker and to all)
    role = json.loads(lines[0])
    role["case"], role["id"] = "26091501", "role-with-case"
    with_case = tmp_path / "role-case.jsonl"
    with_case.write_text("\n".join([*lines, json.dumps(role, ensure_ascii=False)]) + "\n",
                         encoding="utf-8")
    # a lone carriage return ends a line for the reader
    lone_cr = tmp_path / "lone-cr.jsonl"
    lone_cr.write_text("\r".join(lines) + "\n", encoding="utf-8", newline="")
    for path in (shared, with_case, lone_cr):
        assert evaluate_file(shipped(), path, workers=2, period="2026-10") is None
        outputs = [_cli(capsys, "evaluate", "--facts", str(path), "--month", "2026-10",
                        "--format", "json", "--workers", w, "--reject-file",
                        str(tmp_path / "r.jsonl")) for w in ("1", "2")]
        assert outputs[0] == outputs[1]


def test_engine_options_are_checked(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _cli(capsys, "evaluate", "--facts", str(SAMPLE_FACTS), "--month", "2026-10",
                        "--scheduler", "tcp://127.0.0.1:1")
    assert code == 2 and "--engine dask" in err
    code, _, err = _cli(capsys, "evaluate", "--facts", str(SAMPLE_FACTS), "--month", "2026-10",
                        "--engine", "spark")
    assert code == 2 and "--engine" in err


def test_a_line_s_worker_is_the_same_on_every_machine() -> None:
    # crc32, not Python's salted str hash: a Dask client and its workers agree on it
    assert case_owner("26091501", 2) == zlib.crc32(b"26091501") % 2
    owners = {case_owner(f"2609{n:04d}", 4) for n in range(200)}
    assert owners == {0, 1, 2, 3}


def test_sorting_lines_reads_type_case_and_id_only() -> None:
    policy = shipped()
    raw = [b'{"id": "r1", "type": "role.assigned", "at": "x", "role": "pm", "person": "a"}',
           b'{"id": "f1", "type": "requirement.raised", "case": "26091501", "at": "x"}',
           b'{"type": "weekly_report.submitted", "at": "x"}',
           b"", b"  ", b"{broken", b'{"type": "meeting.ended", "at": "x", "meeting": "M1"}']
    sorted_lines = sort_lines(raw, 0, len(raw), 2, policy.anchor_types)
    assert sorted_lines is not None
    codes, ids, id_codes = sorted_lines
    assert "meeting.ended" in policy.anchor_types
    assert list(codes) == [BROADCAST, case_owner("26091501", 2), 0, BLANK, BLANK, 0, BROADCAST]
    assert list(ids) == [hash("r1"), hash("f1")]  # the ids' hashes, sent as one block
    assert list(id_codes) == [BROADCAST, case_owner("26091501", 2)]  # each id's line's code
    role_with_case = [b'{"type": "role.assigned", "case": "26091501", "at": "x"}']
    assert sort_lines(role_with_case, 0, 1, 2, policy.anchor_types) is None


def test_an_error_in_a_worker_reading_its_share_is_said_as_by_one_process(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A fact of 2003, before the calendar's first year: E-CAL-YEAR, exit 3, the same words.
    path = sample_with_a_2003_fact(tmp_path)
    said = [_cli(capsys, "evaluate", "--facts", str(path), "--month", "2026-10",
                 "--workers", w) for w in ("1", "2")]
    assert said[0][0] == 3 and "2003" in said[0][2] and "early-one" in said[0][2]
    assert said[1] == said[0]


def test_no_fact_up_to_as_of_is_left_to_one_process() -> None:
    before_all = datetime(2026, 8, 1, tzinfo=TZ)
    assert evaluate_file(shipped(), SAMPLE_FACTS, workers=2, as_of=before_all) is None
    one = pe.evaluate(shipped(), pe.read_facts(SAMPLE_FACTS, shipped()).facts, as_of=before_all)
    assert one.stats["facts_after_as_of"] == 400


def test_a_line_framed_by_unicode_space_goes_to_its_case_s_worker(tmp_path: Path) -> None:
    # The reader strips any Unicode space around a line (str.strip: an ideographic space
    # U+3000, a form feed), so such a line is a fact of its case. Sorting decoded the raw
    # bytes only: msgspec refused the line and it went to the first worker, away from the
    # rest of its case (a raised requirement reported on another worker: a false R1 miss).
    lines = SAMPLE_FACTS.read_text(encoding="utf-8").splitlines()
    framed = 0
    for i, text in enumerate(lines):
        case = json.loads(text).get("case")
        if case and case_owner(case, 2) == 1 and '"requirement.raised"' in text:
            lines[i] = ("\u3000" + text) if framed % 2 == 0 else (text + "\x0c")
            framed += 1
    assert framed >= 2
    path = tmp_path / "spaced.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    facts = pe.read_facts(path, shipped()).facts
    assert len(facts) == len(pe.read_facts(SAMPLE_FACTS, shipped()).facts)
    for when in ({"period": "2026-10"}, {"period": "2026-Q4"}):
        assert _split_is_used(path, 2, **when) == _document(facts, 1, **when)
