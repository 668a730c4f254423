"""Fuzzing the fact reader through `policyengine evaluate` (issue 8).

Mutated copies of the sample month (JSON Lines and CSV: flipped bytes, cut lines, wrong
types, huge strings and numbers, NULs, bad UTF-8, odd dates, unknown types and attributes,
duplicate ids, byte-order marks, CRLF) are evaluated in-process with the shipped policy,
with and without --reject-file. None may end in an internal error (exit 4), an exception,
or a hang; every rejected fact is named by its line. Fixed seed, so a failure replays.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import random
import re
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from helpers import POLICY_DIR, SAMPLE_FACTS

import policyengine as pe
from policyengine.cli import main as cli_main
from policyengine.facts.reader import CSV_CELL_LIMIT

SEED = 20261023
FILES = 320            # mutated files; each is evaluated twice (with and without --reject-file)
PER_RUN_SECONDS = 20   # one evaluation of a 356-line month taking this long is a hang
EXIT_INTERNAL = 4

SAMPLE = SAMPLE_FACTS.read_text(encoding="utf-8").splitlines()
FACTS: list[dict[str, Any]] = [json.loads(line) for line in SAMPLE if line.strip()]
FIXED = ["id", "type", "at", "case", "actor"]
COLUMNS = [*FIXED, *sorted({key for fact in FACTS for key in fact} - set(FIXED))]


def as_csv(facts: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for fact in facts:
        writer.writerow(["" if fact.get(c) is None else str(fact.get(c)) for c in COLUMNS])
    return out.getvalue()


# --- mutations: (rng, facts) -> (file bytes, suffix) ------------------------------------

Mutation = Callable[[random.Random], tuple[bytes, str]]
ODD_VALUES: list[Any] = [
    20261023, 2026.1023, True, False, None, [], {}, ["2026-10-23"], {"date": "2026-10-23"},
    -1, 0, 10 ** 300, 1e308, -1e308, "", " ", "\x00", "2026-10-23\x00", "2026-02-30",
    "2026-13-01", "0000-01-01", "9999-12-31", "2026-10-23T25:00", "20261023", "2026-W43-5",
    "2026-10-23T10:00:00+25:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00",
    "1900-01-01 00:00", "2100-01-01 00:00", "２０２６-10-23", "2026-10-23 10:00 PM",
    "\ud800", "B" * 5, "'; DROP TABLE facts; --", "=cmd|' /C calc'!A0", "\u202e", "🙂" * 10,
]


def _pick(rng: random.Random) -> tuple[list[dict[str, Any]], int]:
    facts = [dict(f) for f in FACTS]
    return facts, rng.randrange(len(facts))


def _line(fact: dict[str, Any]) -> str:
    text = json.dumps(fact, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:            # a lone surrogate: written as its JSON escape
        text = json.dumps(fact)
    return text


def _jsonl(facts: list[dict[str, Any]]) -> bytes:
    return "".join(_line(f) + "\n" for f in facts).encode("utf-8")


def _encode(rng: random.Random, facts: list[dict[str, Any]]) -> tuple[bytes, str]:
    """Half the files as JSON Lines, half as CSV."""
    if rng.random() < 0.5:
        return _jsonl(facts), ".jsonl"
    return as_csv(facts).encode("utf-8", "surrogatepass"), ".csv"


def wrong_type(rng: random.Random) -> tuple[bytes, str]:
    facts, i = _pick(rng)
    key = rng.choice([*facts[i], "due", "new_due", "tier", "decision"])
    facts[i][key] = rng.choice(ODD_VALUES)
    return _encode(rng, facts)


def odd_date(rng: random.Random) -> tuple[bytes, str]:
    facts, i = _pick(rng)
    facts[i][rng.choice(["at", "due"])] = rng.choice([v for v in ODD_VALUES if isinstance(v, str)])
    return _encode(rng, facts)


def huge_string(rng: random.Random) -> tuple[bytes, str]:
    facts, i = _pick(rng)
    size = rng.choice([1_000, 140_000, 1_000_000])
    facts[i][rng.choice(["actor", "case", "requester", "id", "type", "note"])] = "长" * size
    return _encode(rng, facts)


def huge_number(rng: random.Random) -> tuple[bytes, str]:
    facts, i = _pick(rng)
    line = _line(facts[i])
    number = rng.choice(["9" * 5000, "1e999", "-1e999", "1" + "0" * 400, "NaN", "Infinity"])
    key = rng.choice(["at", "case", "id", "due", "actor"])
    facts_text = [_line(f) for f in facts]
    facts_text[i] = line[:-1] + f', "{key}x": {number}, "{key}": {number}}}'
    return ("\n".join(facts_text) + "\n").encode("utf-8"), ".jsonl"


def unknown_things(rng: random.Random) -> tuple[bytes, str]:
    facts, i = _pick(rng)
    choice = rng.randrange(3)
    if choice == 0:
        facts[i]["type"] = rng.choice(["bug.fund", "requirement.rasied", "", "x" * 300,
                                       "Bug.Found"])
    elif choice == 1:
        facts[i][rng.choice(["requestor", "colour", "due_date", ""])] = "x"
    else:
        facts[i].pop(rng.choice(list(facts[i])))
    return _encode(rng, facts)


def duplicate_ids(rng: random.Random) -> tuple[bytes, str]:
    facts, i = _pick(rng)
    j = rng.randrange(len(facts))
    facts[j]["id"] = facts[i].get("id")
    if rng.random() < 0.5:
        facts.insert(rng.randrange(len(facts)), dict(facts[i]))   # a re-sent fact
    return _encode(rng, facts)


def byte_flips(rng: random.Random) -> tuple[bytes, str]:
    data, suffix = _encode(rng, [dict(f) for f in FACTS])
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 12)):
        buffer[rng.randrange(len(buffer))] ^= 1 << rng.randrange(8)
    return bytes(buffer), suffix


def truncated(rng: random.Random) -> tuple[bytes, str]:
    data, suffix = _encode(rng, [dict(f) for f in FACTS])
    lines = data.split(b"\n")
    i = rng.randrange(len(lines))
    lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
    data = b"\n".join(lines)
    if rng.random() < 0.3:
        data = data[: rng.randrange(len(data))]                     # the file cut short
    return data, suffix


def nul_bytes(rng: random.Random) -> tuple[bytes, str]:
    data, suffix = _encode(rng, [dict(f) for f in FACTS])
    at = rng.randrange(len(data))
    return data[:at] + b"\x00" * rng.randint(1, 3) + data[at:], suffix


def bad_utf8(rng: random.Random) -> tuple[bytes, str]:
    data, suffix = _encode(rng, [dict(f) for f in FACTS])
    at = rng.randrange(len(data))
    junk = rng.choice([b"\xff", b"\xfe\xff", b"\xc3", b"\xe9\x95", b"\xed\xa0\x80", b"\x80"])
    return data[:at] + junk + data[at:], suffix


def boms_and_crlf(rng: random.Random) -> tuple[bytes, str]:
    data, suffix = _encode(rng, [dict(f) for f in FACTS])
    if rng.random() < 0.6:
        data = data.replace(b"\n", b"\r\n")
    if rng.random() < 0.6:
        data = b"\xef\xbb\xbf" + data
    if rng.random() < 0.3:                                            # a BOM mid-file
        lines = data.split(b"\n")
        lines[rng.randrange(len(lines))] = b"\xef\xbb\xbf" + lines[rng.randrange(len(lines))]
        data = b"\n".join(lines)
    if rng.random() < 0.2:
        data = data.replace(b"\n", b"\r")                             # old Mac line ends
    return data, suffix


def csv_shapes(rng: random.Random) -> tuple[bytes, str]:
    text = as_csv([dict(f) for f in FACTS])
    lines = text.split("\n")
    i = rng.randrange(1, len(lines) - 1)
    choice = rng.randrange(5)
    if choice == 0:
        lines[i] += ",extra"
    elif choice == 1:
        lines[i] = lines[i].rsplit(",", 2)[0]
    elif choice == 2:
        lines[i] = lines[i].replace(",", ',"', 1)                       # an unclosed quote
    elif choice == 3:
        lines[0] = lines[0].replace("due", rng.choice(["Due", "due ", "due_date", "at"]))
    else:
        lines[i] += ',"' + "x" * (CSV_CELL_LIMIT + 10) + '"'          # a cell past the bound
    return "\n".join(lines).encode("utf-8"), ".csv"


MUTATIONS: list[Mutation] = [wrong_type, odd_date, huge_string, huge_number, unknown_things,
                             duplicate_ids, byte_flips, truncated, nul_bytes, bad_utf8,
                             boms_and_crlf, csv_shapes]


# --- running ---------------------------------------------------------------------------


class Hang(BaseException):
    """Raised by the alarm; a BaseException so the CLI's catch-all cannot swallow it."""


@dataclass
class Tally:
    runs: int = 0
    exits: Counter[int] = field(default_factory=Counter)
    internal: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)
    unlocated: list[str] = field(default_factory=list)
    rejections: int = 0
    by_mutation: Counter[str] = field(default_factory=Counter)


@contextlib.contextmanager
def alarm(seconds: int) -> Iterator[None]:
    def ring(signum: int, frame: Any) -> None:
        raise Hang()
    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_cli(argv: list[str]) -> tuple[int, str]:
    """main(argv) with a UTF-8 standard output (as a terminal would have): exit code, stderr."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main.main(argv)
        out.flush()
        err.flush()
    return code, err.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]


LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<code>E-FACT-[A-Z-]+): ")


def check_run(tally: Tally, label: str, path: Path, reject: Path | None) -> None:
    argv = ["evaluate", "--facts", str(path), "--month", "2026-10", "--format", "json"]
    if reject is not None:
        argv += ["--reject-file", str(reject)]
    tally.runs += 1
    try:
        with alarm(PER_RUN_SECONDS):
            code, err = run_cli(argv)
    except Hang:
        tally.hangs.append(label)
        return
    except BaseException as exc:  # anything escaping main is a crash
        tally.crashes.append(f"{label}: {type(exc).__name__}: {exc}")
        return
    tally.exits[code] += 1
    if code == EXIT_INTERNAL:
        tally.internal.append(f"{label}: {err.strip()[:300]}")
    for line in err.splitlines():
        if "E-FACT-" in line and not LOCATED.match(line):
            tally.unlocated.append(f"{label}: {line[:200]}")
        elif "E-FACT-" in line:
            tally.rejections += 1
    if reject is not None and reject.exists():
        for row in reject.read_text(encoding="utf-8").splitlines():
            item = json.loads(row)
            tally.rejections += 1
            if not (isinstance(item.get("line"), int) and item["line"] > 0):
                tally.unlocated.append(f"{label}: reject file row without a line: {row[:200]}")


_LOAD_POLICY = pe.load_policy


@lru_cache(maxsize=1)
def _policy() -> pe.CompiledPolicy:
    return _LOAD_POLICY(POLICY_DIR)


def test_mutated_fact_files_never_break_evaluate(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The policy is not what is fuzzed here: load it once rather than 640 times.
    monkeypatch.setattr(pe, "load_policy", lambda path="policies": _policy())
    rng = random.Random(SEED)
    tally = Tally()
    started = time.monotonic()
    for number in range(FILES):
        mutation = MUTATIONS[number % len(MUTATIONS)]
        data, suffix = mutation(rng)
        path = tmp_path / f"m{number:03d}-{mutation.__name__}{suffix}"
        path.write_bytes(data)
        tally.by_mutation[mutation.__name__] += 1
        check_run(tally, path.name, path, None)
        check_run(tally, path.name + " --reject-file", path, tmp_path / f"r{number:03d}.jsonl")
        path.unlink()
    elapsed = time.monotonic() - started
    summary = (f"{FILES} files, {tally.runs} runs in {elapsed:.1f}s; exits {dict(tally.exits)}; "
               f"{tally.rejections} located rejections; internal {len(tally.internal)}, crashes "
               f"{len(tally.crashes)}, hangs {len(tally.hangs)}, unlocated {len(tally.unlocated)}")
    print(summary)
    assert tally.internal == [], summary
    assert tally.crashes == [], summary
    assert tally.hangs == [], summary
    assert tally.unlocated == [], summary
    assert tally.runs == 2 * FILES and len(tally.by_mutation) == len(MUTATIONS)
    assert tally.exits[1] > 0 and tally.exits[0] > 0   # the mutations did reach the checks
