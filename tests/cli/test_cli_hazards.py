"""What a user's slip or a stopped job must not cost: bytes that are not UTF-8 on standard
input, a reject file named as the facts file, a streamed run stopped by SIGTERM."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from helpers import REPO, SAMPLE_FACTS

CLI = Path(sys.executable).parent / "policyengine"


def test_standard_input_not_in_utf8_is_located_not_an_internal_error(tmp_path: Path) -> None:
    lines = SAMPLE_FACTS.read_bytes().splitlines(keepends=True)
    broken = b"".join(lines[:50]) + b'{"id": "x\xff", "type": "requirement.raised"}\n'
    done = subprocess.run([str(CLI), "evaluate", "--facts", "-", "--month", "2026-10"],
                          input=broken, capture_output=True, cwd=REPO, timeout=120)
    said = done.stderr.decode("utf-8")
    assert done.returncode == 1, said
    assert "E-FACT-ENCODING" in said and "0xff" in said and "internal error" not in said


def test_a_reject_file_that_is_the_facts_file_is_refused_and_the_facts_are_kept(
        tmp_path: Path) -> None:
    facts = tmp_path / "facts.jsonl"
    text = SAMPLE_FACTS.read_text(encoding="utf-8") + '{"id": "bad", "type": "no.such.type"}\n'
    facts.write_text(text, encoding="utf-8")
    link = tmp_path / "rejects.jsonl"
    link.symlink_to(facts)
    for reject in (facts, link):
        for extra in ([], ["--workers", "2"]):
            done = subprocess.run([str(CLI), "evaluate", "--facts", str(facts), "--month",
                                   "2026-10", "--reject-file", str(reject), *extra],
                                  capture_output=True, text=True, cwd=REPO, timeout=120)
            assert done.returncode == 2, done.stderr
            assert "is the facts file itself" in done.stderr
            assert facts.read_text(encoding="utf-8") == text


def test_a_streamed_run_stopped_by_sigterm_removes_its_temporary_files(tmp_path: Path) -> None:
    # Shuffled facts: the streamed run sorts them on disk in a temporary folder first.
    lines = SAMPLE_FACTS.read_text(encoding="utf-8").splitlines()
    many = []
    for copy in range(300):
        for line in lines:
            fact = json.loads(line)
            fact["id"] = f"{fact.get('id')}-{copy}"
            if fact.get("case"):
                fact["case"] = fact["case"][:-2] + f"{copy % 100:02d}"
            many.append(json.dumps(fact, ensure_ascii=False))
    random.Random(7).shuffle(many)
    facts = tmp_path / "shuffled.jsonl"
    facts.write_text("\n".join(many) + "\n", encoding="utf-8")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    run = subprocess.Popen([str(CLI), "evaluate", "--facts", str(facts), "--month", "2026-10",
                            "--reject-file", str(tmp_path / "rejects.jsonl")],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO,
                           env={**os.environ, "TMPDIR": str(temporary)})
    deadline = time.monotonic() + 60
    while not any(temporary.iterdir()) and run.poll() is None:
        assert time.monotonic() < deadline, "the run made no temporary folder"
        time.sleep(0.01)
    assert run.poll() is None, "the run ended before it could be stopped"
    run.send_signal(signal.SIGTERM)
    code = run.wait(timeout=60)
    said = run.stderr.read().decode("utf-8") if run.stderr else ""
    assert code == 128 + signal.SIGTERM, (code, said)
    assert list(temporary.iterdir()) == []


def test_reading_standard_input_leaves_it_open() -> None:
    # The reader wraps standard input to read it strictly as UTF-8; the wrapper must not
    # close it when it goes.
    program = ("import sys, policyengine as pe\n"
               "policy = pe.load_policy('policies')\n"
               "first = pe.read_facts('-', policy)\n"
               "print(len(first.facts), sys.stdin.buffer.closed, "
               "len(pe.read_facts('-', policy).facts))\n")
    done = subprocess.run([sys.executable, "-c", program], input=SAMPLE_FACTS.read_bytes(),
                          capture_output=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr.decode("utf-8")
    count = len(SAMPLE_FACTS.read_text(encoding="utf-8").splitlines())
    assert done.stdout.decode("utf-8").split() == [str(count), "False", "0"]
