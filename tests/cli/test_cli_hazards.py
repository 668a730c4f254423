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
            assert "就是事实文件本身" in done.stderr
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


def test_facts_dev_stdin_reads_the_pipe_as_facts_dash_does() -> None:
    # A pipe is not a regular file: `--facts /dev/stdin` (or `<(zcat ...)`) said "no such
    # file". It is read as it comes, as `--facts -` is, to the very same report.
    facts = SAMPLE_FACTS.read_bytes()
    outputs = []
    for name in ("-", "/dev/stdin"):
        done = subprocess.run([str(CLI), "evaluate", "--facts", name, "--month", "2026-10",
                               "--format", "json"], input=facts, capture_output=True,
                              cwd=REPO, timeout=120)
        assert done.returncode == 0, done.stderr.decode()
        outputs.append(done.stdout)
    # (a fact's source names the path given, as for any file)
    assert b'"violations"' in outputs[0] and b'"<stdin>:' in outputs[0]
    assert outputs[1] == outputs[0].replace(b'"<stdin>:', b'"/dev/stdin:')


def test_facts_naming_nothing_or_a_folder_is_still_a_usage_error(tmp_path: Path) -> None:
    for name, said in ((tmp_path / "absent.jsonl", "没有这个文件"), (tmp_path, "文件夹")):
        done = subprocess.run([str(CLI), "evaluate", "--facts", str(name), "--month",
                               "2026-10"], capture_output=True, cwd=REPO, timeout=120)
        assert done.returncode == 2 and said in done.stderr.decode(), done.stderr.decode()


def test_a_file_not_in_utf8_with_a_reject_file_says_nothing_went_there(tmp_path: Path) -> None:
    # The summary advised "use --reject-file" to one who had given it: it says instead
    # that nothing was evaluated nor written there, and why.
    facts = tmp_path / "facts.jsonl"
    facts.write_bytes(SAMPLE_FACTS.read_bytes() + b'{"id": "x\xff", "type": "a"}\n')
    rejects = tmp_path / "rejects.jsonl"
    for lang, advice, nothing in (("en", "use --reject-file", "nothing was written to"),
                                  ("zh", "用 --reject-file", "也没有写入")):
        done = subprocess.run([str(CLI), "evaluate", "--facts", str(facts), "--month",
                               "2026-10", "--reject-file", str(rejects), "--lang", lang],
                              capture_output=True, cwd=REPO, timeout=120)
        said = done.stderr.decode("utf-8")
        assert done.returncode == 1, said
        assert "E-FACT-ENCODING" in said and advice not in said, said
        assert nothing in said and str(rejects) in said, said
        assert not rejects.exists()
    # without --reject-file the advice stands
    done = subprocess.run([str(CLI), "evaluate", "--facts", str(facts), "--month", "2026-10",
                           "--lang", "en"], capture_output=True, cwd=REPO, timeout=120)
    assert "use --reject-file" in done.stderr.decode("utf-8")


def test_a_csv_piped_through_dev_stdin_is_read_as_facts_dash_reads_it(tmp_path: Path) -> None:
    # The bytes reader read the pipe's head to tell the format, found CSV, and opened the
    # path again as text: the pipe was empty by then, so every fact was dropped and an
    # empty report printed with exit code 0.
    header = "id,type,at,actor,role,person\n"
    rows = "".join(f"r-{i},role.assigned,2026-09-01T09:00:00+08:00,王总,collector,杨宝珠\n"
                   for i in range(3))
    outputs = []
    for name in ("-", "/dev/stdin"):
        done = subprocess.run([str(CLI), "evaluate", "--facts", name, "--month", "2026-10",
                               "--format", "json"], input=(header + rows).encode("utf-8"),
                              capture_output=True, cwd=REPO, timeout=120)
        assert done.returncode == 0, done.stderr.decode()
        outputs.append(json.loads(done.stdout))
    assert outputs[0]["stats"]["facts"] == 3
    assert outputs[1]["stats"] == outputs[0]["stats"]


def test_explain_case_reads_a_pipe_as_facts_dash_does(tmp_path: Path) -> None:
    # `explain --case` checked `is_file()` itself and said "--facts /dev/stdin: no such
    # file" (exit 2) where evaluate, report, diff and `explain --person` read the pipe.
    facts = SAMPLE_FACTS.read_bytes()
    outputs = []
    for name in ("-", "/dev/stdin"):
        done = subprocess.run([str(CLI), "explain", "--facts", name, "--case", "26091502",
                               "--month", "2026-10", "--format", "json"], input=facts,
                              capture_output=True, cwd=REPO, timeout=120)
        assert done.returncode == 0, done.stderr.decode()
        outputs.append(done.stdout)
    assert outputs[1] == outputs[0].replace(b'"<stdin>:', b'"/dev/stdin:')
    # a path naming nothing, or a folder, is still a usage error
    for name, said in ((tmp_path / "absent.jsonl", "没有这个文件"), (tmp_path, "文件夹")):
        done = subprocess.run([str(CLI), "explain", "--facts", str(name), "--case", "26091502",
                               "--month", "2026-10"], capture_output=True, cwd=REPO,
                              timeout=120)
        assert done.returncode == 2 and said in done.stderr.decode(), done.stderr.decode()
