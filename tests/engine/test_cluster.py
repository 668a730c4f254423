"""`evaluate --engine dask`: the cases split over a Dask cluster give the very same report,
byte for byte, as one process (engine/cluster.py), on a local cluster of 2 worker
processes started by the command and on one already running (`--scheduler`).

The Dask tests need the optional extra (`pip install -e '.[dask]'`, which .ci/run does);
they are skipped without it. Without it the engine still imports, and `--engine dask` says
how to install it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, timedelta, timezone
from pathlib import Path

import pytest
from helpers import REPO, SAMPLE_FACTS, sample_with_a_2003_fact
from test_workers import _document, _messy_file, generated

import policyengine as pe
from policyengine.cli.main import main
from policyengine.engine import cluster, sharing
from policyengine.engine.compiled import CompiledPolicy
from policyengine.engine.ordering import in_order
from policyengine.engine.parallel import Engine, evaluate_file
from policyengine.engine.sharing import (
    Lines,
    NotSplit,
    Status,
    byte_ranges,
    file_lines,
    formed,
    ids_agree,
    joined_lines,
    joined_pieces,
    map_range,
    one_code_per_id,
    piece_of,
    range_lines,
    read_share,
    share_of,
    shares_by_block,
    sort_file,
    sort_lines,
    stable_hash,
)
from policyengine.facts.schema import parse_time

CLI = Path(sys.executable).parent / "policyengine"
needs_dask = pytest.mark.skipif(importlib.util.find_spec("distributed") is None,
                                reason="Dask is not installed (pip install -e '.[dask]')")


def _evaluate(facts: Path, period: list[str], *options: str,
              env: dict[str, str] | None = None) -> bytes:
    done = subprocess.run([str(CLI), "evaluate", "--facts", str(facts), *period, "--format",
                           "json", *options], capture_output=True, cwd=REPO, timeout=300,
                          env=env)
    assert done.returncode in (0, 3), done.stderr.decode()
    return done.stdout


@needs_dask
def test_dask_on_a_local_cluster_of_two_workers_gives_the_one_process_report() -> None:
    for facts, period in ((SAMPLE_FACTS, ["--month", "2026-10"]),
                          (generated(), ["--month", "2021-03"])):
        one = _evaluate(facts, period)
        assert b'"violations"' in one
        assert _evaluate(facts, period, "--engine", "dask", "--workers", "2") == one


@needs_dask
def test_dask_on_a_running_scheduler(tmp_path: Path) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as running:
        address = running.scheduler_address
        one = _evaluate(generated(), ["--quarter", "2021-Q1"])
        assert _evaluate(generated(), ["--quarter", "2021-Q1"], "--engine", "dask",
                         "--scheduler", address) == one
        # more partitions than workers: still the same
        assert _evaluate(generated(), ["--quarter", "2021-Q1"], "--engine", "dask",
                         "--scheduler", address, "--partitions", "5") == one
        # workers that see the file themselves (a shared file system) read their lines
        assert _evaluate(generated(), ["--quarter", "2021-Q1"], "--engine", "dask",
                         "--scheduler", address, "--partitions", "3",
                         "--shared-files") == one
        _in_a_fresh_process("_mapped_on_a_scheduler", address)
        # rejected and re-sent lines, sent by the client or read by the workers
        messy, rejects = _messy_file(tmp_path), tmp_path / "rejects.jsonl"
        said = []
        for options in ([], ["--engine", "dask", "--scheduler", address],
                        ["--engine", "dask", "--scheduler", address, "--shared-files"]):
            said.append((_evaluate(messy, ["--month", "2026-10"], "--reject-file",
                                   str(rejects), *options),
                         rejects.read_text(encoding="utf-8")))
            rejects.unlink()
        assert b'"rejected": 6' in said[0][0] and said[1] == said[0] and said[2] == said[0]


@needs_dask
def test_a_worker_says_its_partition_s_first_fact_before_it_replays(tmp_path: Path) -> None:
    # The first partition replays once every partition's first fact is known; a worker
    # whose head waited behind its own replay held it up for a whole replay. On one worker
    # thread holding two partitions, every head runs before any replay.
    from distributed import Client, LocalCluster, get_task_stream

    policy = pe.load_policy(REPO / "policies")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=None, local_directory=str(tmp_path)
                      ) as running, Client(running) as client:
        with get_task_stream(client) as stream:
            split = cluster.split_on_dask(
                policy, generated(), "facts", parse_time("2021-04-01T00:00:00",
                                                         policy.calendar.tz),
                pe.Period.parse("2021-03"), scheduler=running.scheduler_address,
                partitions=2)
        assert split is not None
        ran = {}
        for task in stream.data:
            name = task["key"].split("-")[0]
            for step in task["startstops"]:
                if step["action"] == "compute":
                    ran.setdefault(name, []).append((step["start"], step["stop"]))
        assert len(ran["_head"]) == 2 and len(ran["_replay"]) == 2
        assert max(stop for _, stop in ran["_head"]) <= min(s for s, _ in ran["_replay"])


@needs_dask
def test_a_local_cluster_leaves_nothing_in_the_temporary_folder(tmp_path: Path) -> None:
    # Dask's own scratch space (dask-scratch-space, its lock files) went into the system's
    # temporary folder and stayed: it is made in the run's own folder, removed after.
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = dict(os.environ, TMPDIR=str(temporary))
    one = _evaluate(SAMPLE_FACTS, ["--month", "2026-10"])
    assert _evaluate(SAMPLE_FACTS, ["--month", "2026-10"], "--engine", "dask", "--workers",
                     "2", env=env) == one
    assert sorted(p.name for p in temporary.iterdir()) == []


@needs_dask
def test_ranges_mapped_aside_and_a_failed_mapping_or_start_leave_no_folder(
        tmp_path: Path) -> None:
    # The run's folder (Dask's scratch space, the pieces of the ranges) is made before the
    # ranges are sorted aside and the cluster started: when a sorting process dies, or the
    # start fails before the cluster is there to close it, it is removed all the same.
    _in_a_fresh_process("_aside_checks", str(tmp_path))


@needs_dask
def test_local_workers_are_forked_from_the_command_with_their_collector_on(
        tmp_path: Path) -> None:
    # On Linux (before 3.12, no thread of the host's running) a local worker is forked from
    # the command's process, which has imported Dask and the engine (no server process
    # importing them again while the ranges are sorted); the command runs with its
    # collector paused, the worker's is on again.
    _in_a_fresh_process("_forked_checks", str(tmp_path))


def _forked_checks(folder: str) -> None:
    import gc

    from policyengine.gcpause import gc_paused

    method = cluster._start_method()
    forked = method == "fork"
    # Forked only on Linux before 3.12 and with no other thread running (a fresh process)
    assert forked == (sys.platform.startswith("linux") and sys.version_info < (3, 12))
    held = threading.Event()
    other = threading.Thread(target=held.wait)
    other.start()
    try:
        assert cluster._start_method() != "fork"  # a thread of the host's: never forked
    finally:
        held.set()
        other.join()
    with gc_paused():
        made, client = cluster._local_cluster(2, Path(folder), method)
        try:
            assert list(client.run(gc.isenabled).values()) == [True, True]
            parents = set(client.run(os.getppid).values())
            assert (parents == {os.getpid()}) == forked
            total, apart = cluster._cluster_cpu(forked)
            assert total > 0 and (apart == 0) == forked  # (reaped here, counted here)
        finally:
            client.close()
            made.close()


def _in_a_fresh_process(check: str, *args: str) -> None:
    """Run `check` (a function of this module) in a fresh interpreter: a Dask client in
    the test process would leave its threads running, and making garbage, in later tests
    (tests/engine/test_speedups.py counts an evaluation's cyclic garbage)."""
    tests = Path(__file__).resolve().parent
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tests), str(tests.parent)]))
    done = subprocess.run([sys.executable, "-c", "import sys, test_cluster; "
                           f"test_cluster.{check}(*sys.argv[1:])", *args],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]


def _aside_checks(folder: str) -> None:
    tempfile.tempdir = folder
    assert _ours(Path(folder)) == []
    policy = pe.load_policy(REPO / "policies")
    whole = _document(pe.read_facts(SAMPLE_FACTS, policy).facts, 1, period="2026-10")
    for partitions in (None, 5):  # (5: more ranges than sorting processes, one per core)
        split = evaluate_file(policy, SAMPLE_FACTS, period="2026-10", engine=Engine.DASK,
                              workers=2, partitions=partitions)
        assert split is not None  # mapped aside: split, not left to one process
        assert json.dumps(split.result.to_dict(), ensure_ascii=False, sort_keys=True,
                          default=str) == whole
    cluster.closed()
    assert _ours(Path(folder)) == []

    def dies(*args: object) -> None:
        os._exit(1)  # (in the forked sorting process)

    cluster.map_range = dies  # type: ignore[assignment]
    assert evaluate_file(policy, SAMPLE_FACTS, period="2026-10", engine=Engine.DASK,
                         workers=2) is None  # the caller reads the file in one process
    cluster.closed()
    assert _ours(Path(folder)) == []

    def refused(method: str) -> None:
        raise OSError(f"no {method} here")

    cluster._forkserver_started = refused  # type: ignore[assignment]
    with pytest.raises(OSError):
        evaluate_file(policy, SAMPLE_FACTS, period="2026-10", engine=Engine.DASK, workers=2)
    assert _ours(Path(folder)) == []


def _mapped_on_a_scheduler(address: str) -> None:
    """Workers at a scheduler, each mapping a byte range (ids hashed alike in every worker)
    or sent their lines: split, not left to one process (which gives the same report)."""
    policy = pe.load_policy(REPO / "policies")
    whole = _document(pe.read_facts(generated(), policy).facts, 1, period="2021-Q1")
    for shared in (True, False):
        split = evaluate_file(policy, generated(), period="2021-Q1", engine=Engine.DASK,
                              scheduler=address, partitions=3, shared_files=shared)
        assert split is not None
        assert json.dumps(split.result.to_dict(), ensure_ascii=False, sort_keys=True,
                          default=str) == whole


def _ours(folder: Path) -> list[str]:
    """This process's folders there (multiprocessing's own, pymp-*, lives as long as the
    process: the forkserver's socket)."""
    return [p.name for p in folder.iterdir() if p.name.startswith("policyengine-")]


def _sorted_whole(policy: CompiledPolicy, path: Path, count: int) -> bytes | None:
    lines = file_lines(path)
    if lines is None:
        return None
    done = sort_lines(lines.raw, 0, len(lines.raw), count, policy.anchor_types)
    if done is None or not ids_agree(lines.raw, [done], count, policy.anchor_types):
        return None
    return bytes(done[0])


def _hard_files(tmp_path: Path) -> list[Path]:
    """Files the split must treat as the reader does: an id on lines of two cases, a lone
    carriage return, a byte-order mark (and a doubled one), rejected and re-sent lines
    (`_messy_file`)."""
    lines = SAMPLE_FACTS.read_text(encoding="utf-8").splitlines()
    clash = json.loads(lines[-1])
    clash["id"] = json.loads(next(t for t in lines if '"case"' in t
                                  and json.loads(t)["case"] != clash.get("case")))["id"]
    shared_id = tmp_path / "shared-id.jsonl"
    shared_id.write_text("\n".join([*lines, json.dumps(clash, ensure_ascii=False)]),
                         encoding="utf-8")
    lone_cr = tmp_path / "lone-cr.jsonl"
    lone_cr.write_bytes(SAMPLE_FACTS.read_bytes().replace(b"\n", b"\r", 3))
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + SAMPLE_FACTS.read_bytes())
    doubled_bom = tmp_path / "doubled-bom.jsonl"  # the reader's own path says what it is
    doubled_bom.write_bytes(b"\xef\xbb\xbf" * 2 + SAMPLE_FACTS.read_bytes())
    not_json = tmp_path / "not-json.jsonl"
    not_json.write_bytes(b"\n  \nid,type\n" + SAMPLE_FACTS.read_bytes())
    return [SAMPLE_FACTS, generated(), _messy_file(tmp_path), shared_id, lone_cr, bom,
            doubled_bom, not_json]


def test_the_client_sorts_a_block_at_a_time_as_it_would_the_whole_file(tmp_path: Path) -> None:
    # What the client holds is a byte a line and the ids' hashes: the codes, and each
    # partition's lines (sent a block at a time), are those of the file read whole,
    # whatever the block size (here down to a few lines).
    policy = pe.load_policy(REPO / "policies")
    for path in _hard_files(tmp_path):
        for count in (1, 2, 3):
            whole = _sorted_whole(policy, path, count)
            for size in (512, 1 << 23):
                codes = sort_file(path, count, policy.anchor_types, size=size)
                assert (None if codes is None else bytes(codes)) == whole, (path, size)
                if whole is None:
                    continue
                raw = file_lines(path)
                assert raw is not None
                blocks = list(shares_by_block(path, whole, count, size=size))
                for k in range(count):
                    want = share_of(raw, whole, k)
                    got = joined_lines([lines for j, lines in blocks if j == k])
                    assert (got.numbers, got.joined, got.foreign) == \
                        (want.numbers, want.joined, want.foreign)
    hard = _hard_files(tmp_path)
    assert sort_file(hard[3], 2, policy.anchor_types) is None  # shared id
    # a doubled byte-order mark: the same "not split" whether read whole, by blocks or ranges
    assert file_lines(hard[6]) is None and sort_file(hard[6], 2, policy.anchor_types) is None
    assert map_range(hard[6], 0, 10, 2, policy.anchor_types) is None
    assert file_lines(hard[5]) is not None  # (one mark is the reader's to drop)


def test_byte_ranges_mapped_apart_give_what_the_file_read_whole_gives(tmp_path: Path) -> None:
    # Each process (or Dask worker) reads and sorts its own byte range of the file and cuts
    # it into one piece per partition; a partition's pieces, joined in range order, are
    # the lines it gets from the file read and sorted whole, numbered as there, and
    # the ranges' statuses say "not split" exactly when the whole file's sort does. Ranges
    # of every size down to a few bytes, split inside lines and between CR and LF.
    policy = pe.load_policy(REPO / "policies")
    for path in _hard_files(tmp_path):
        size = path.stat().st_size
        for count in (1, 2, 3):
            whole = _sorted_whole(policy, path, count)
            raw = file_lines(path)
            for shares in ([1.0] * count, [1.0, 7.0, 0.01][:count], [0.0001] * (count - 1) + [1]):
                for hasher in (hash, stable_hash):
                    try:
                        mapped = [map_range(path, start, stop, count, policy.anchor_types,
                                            hasher) for start, stop in byte_ranges(size, shares)]
                    except NotSplit:  # (map_range says None instead)
                        raise AssertionError(path) from None
                    if any(m is None for m in mapped):
                        assert whole is None, (path, shares)
                        continue
                    statuses = [m.status() for m in mapped if m is not None]
                    agreed = formed(statuses) and one_code_per_id(statuses)
                    assert agreed == (whole is not None), (path, shares)
                    if whole is None or raw is None:
                        continue
                    assert b"".join(bytes(m.codes) for m in mapped if m is not None) == whole
                    for k in range(count):
                        got = joined_pieces([piece_of(m, k) for m in mapped if m is not None])
                        want = share_of(raw, whole, k)
                        # (the pieces' texts kept apart, not copied into one)
                        assert (got.numbers, b"\n".join(got.parts()), got.foreign) == \
                            (want.numbers, want.joined, want.foreign), (path, shares, k)


@pytest.mark.parametrize("text_size", [sharing.TEXT_SIZE, 300])
def test_a_share_read_apart_holds_the_facts_the_whole_file_gives(
        tmp_path: Path, text_size: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # A partition reads its lines one after the other, its facts numbered 1 to n among them
    # (`Share.numbers` keeps the file's numbers; `in_file` numbers a fact as there): each is
    # the fact the whole file's reading gives at that line. A rejection (its words name
    # lines) or a fact without an id (a note names it by file:line) reads every line again
    # numbered as in the file. The lines are decoded as the reader decodes a file's bytes,
    # in texts of many lines (`TEXT_SIZE` bytes; 300: a few lines a text).
    monkeypatch.setattr(sharing, "TEXT_SIZE", text_size)
    policy = pe.load_policy(REPO / "policies")
    lazily = 0
    no_id = tmp_path / "no-id.jsonl"
    texts = SAMPLE_FACTS.read_text(encoding="utf-8").splitlines()
    no_id.write_text("\n".join([*texts[:-1], json.dumps(
        {k: v for k, v in json.loads(texts[-1]).items() if k != "id"}, ensure_ascii=False)]),
        encoding="utf-8")
    for path in (SAMPLE_FACTS, generated(), _messy_file(tmp_path), no_id):
        raw = file_lines(path)
        whole = pe.read_facts(path, policy, name="f")
        assert raw is not None
        at_line = {f.line: f for f in whole.facts}
        as_of = max(f.at for f in whole.facts)
        for count in (2, 3):
            codes = _sorted_whole(policy, path, count)
            assert codes is not None
            for k in range(count):
                lines = share_of(raw, codes, k)
                share = read_share(policy.schema, "f", lines, as_of)
                want = in_order([at_line[n] for n in lines.numbers
                                 if n in at_line and at_line[n].at <= as_of])
                assert [share.in_file(f) for f in share.ordered] == want, (path, count, k)
                # the same lines in three texts (a partition's pieces, not joined into one)
                split = lines.joined.split(b"\n")
                third = max(len(split) // 3, 1)
                parts = [b"\n".join(split[i:i + third]) for i in range(0, len(split), third)]
                apart = read_share(policy.schema, "f", Lines(lines.numbers, parts[0],
                                                             lines.foreign, tuple(parts[1:])),
                                   as_of)
                assert len(parts) >= 3 and [apart.in_file(f) for f in apart.ordered] == want
                assert [share.file_line(f) for f in share.ordered] == [f.line for f in want]
                assert share.first == (want[0] if want else None)
                if share.numbers is not None:
                    lazily += 1
                    assert not share.summary.rejected and all(f.id for f in share.ordered)
                elif path in (SAMPLE_FACTS, generated()):  # (no rejection, every id)
                    assert list(lines.numbers) == list(range(1, len(lines.numbers) + 1))
    assert lazily


def test_a_share_keeps_the_facts_up_to_an_as_of_given_in_any_zone() -> None:
    # The facts carry the calendar's zone; an as-of in UTC or another fixed offset is moved
    # into that zone to compare (ordering.py `up_to`), and must keep the same instants: a
    # fact at the as-of itself is kept, one a second later is not.
    policy = pe.load_policy(REPO / "policies")
    path = generated()
    raw = file_lines(path)
    assert raw is not None
    facts = pe.read_facts(path, policy, name="f").facts
    at_line = {f.line: f for f in facts}
    middle = sorted(f.at for f in facts)[len(facts) // 2]
    codes = _sorted_whole(policy, path, 2)
    assert codes is not None
    counts = []
    for instant in (middle, middle - timedelta(seconds=1)):
        for zone in (UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=8))):
            as_of = instant.astimezone(zone)
            kept = 0
            for k in range(2):
                lines = share_of(raw, codes, k)
                share = read_share(policy.schema, "f", lines, as_of)
                want = in_order([at_line[n] for n in lines.numbers
                                 if n in at_line and at_line[n].at <= instant])
                assert [share.in_file(f) for f in share.ordered] == want, (zone, k)
                kept += share.summary.seen
            assert kept == sum(1 for f in facts if f.at <= instant), zone
            counts.append(kept)
    assert counts[0] > counts[-1]  # the facts at the middle instant itself: kept, then not


def test_ids_are_checked_by_hash_and_code() -> None:
    # Each range sends its ids' hashes with the code of each id's line: an id re-sent to
    # the same partition is the reader's to count; one on lines of two partitions (or a
    # hash shared by two ids that go apart) sends the file to one process.
    def status(hashes: list[int], codes: list[int]) -> Status:
        return Status(len(hashes), array("q", hashes), bytearray(codes), True,
                      len(set(hashes)) == len(hashes))

    apart = [status([1, 2], [0, 1]), status([3], [1]), status([4, 5], [0, 0])]
    assert one_code_per_id(apart) and one_code_per_id(apart, {1, 2})
    assert one_code_per_id([status([1, 2], [0, 1]), status([2], [1])])  # re-sent, same code
    assert one_code_per_id([status([7, 7], [1, 1]), status([8], [0])])
    assert not one_code_per_id([status([1, 2], [0, 1]), status([2], [0])])
    assert not one_code_per_id([status([1], [0]), status([5], [0]), status([1], [1])])
    assert not one_code_per_id([status([7, 7], [1, 0])])
    assert formed([status([], []), status([1], [0])])
    assert not formed([Status(0, array("q"), bytearray(), None, True)])
    # Pausing between slices of hashes (the Dask client: its scheduler's thread runs
    # between) says the same, in a pause for every slice.
    pauses: list[int] = []
    big = list(range(0, 9 * sharing.SLICE, 3))  # three slices
    last = big[-1]  # (in the last slice)
    for statuses, agreed, count in (
            ([status(big, [0] * len(big)), status([1, 2], [1, 1])], True, 3 + 1),
            ([status(big, [0] * len(big)), status([1, last], [1, 1])], False, 3 + 1),
            ([status([1, 2], [1, 1]), status(big, [0] * len(big))], True, 1 + 3),
            ([status([1, 2], [1, 1]), status([4], [0]), status(big, [0] * len(big))], True,
             1 + 1 + 1 + 3)):
        pauses.clear()
        assert one_code_per_id(statuses, pause=lambda: pauses.append(1)) is agreed
        assert one_code_per_id(statuses) is agreed
        assert len(pauses) == count


def test_a_range_s_lines_are_those_beginning_in_it(tmp_path: Path) -> None:
    # Lines are cut at newlines only; a range holds the lines whose first byte is in it,
    # read on past its end to finish the last (here past the bytes read ahead of it).
    path = tmp_path / "f.jsonl"
    text = b'{"a": 1}\r\n\n' + b"x" * 70_000 + b'\n{"b": 2}\n'
    path.write_bytes(text)
    want = text.split(b"\n")
    for cut in range(0, len(text) + 1, 997):
        for second in (cut, cut + 1, len(text)):
            ranges = [(0, cut), (cut, min(second, len(text))), (min(second, len(text)),
                                                                  len(text) + 1)]
            assert [line for r in ranges for line in range_lines(path, *r)] == want, ranges
    path.write_bytes(b'{"a": 1}\r{"b": 2}\n')
    with pytest.raises(NotSplit):
        range_lines(path, 0, 3)
    path.write_bytes(b'{"a": 1}\n{"b": 2}\r')  # a carriage return ending the file
    assert range_lines(path, 0, 4) == [b'{"a": 1}']
    with pytest.raises(NotSplit):
        range_lines(path, 4, 100)


def test_without_dask_the_engine_imports_and_the_option_says_how_to_install(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # A fresh interpreter in which `import distributed` fails: the package and the command
    # line still import, and never import Dask on their own.
    code = ("import sys; sys.modules['distributed'] = None; sys.modules['dask'] = None\n"
            "import policyengine, policyengine.cli.main, policyengine.engine.cluster\n"
            "import policyengine.engine.parallel\n"
            "print('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip() == "ok", done.stderr
    monkeypatch.setattr(cluster, "dask_installed", lambda: False)
    assert main(["evaluate", "--facts", str(SAMPLE_FACTS), "--month", "2026-10",
                 "--engine", "dask"]) == 2
    err = capsys.readouterr().err
    assert "--engine dask needs Dask" in err and "policyengine[dask]" in err


@needs_dask
def test_an_error_on_dask_is_said_as_by_one_process(tmp_path: Path) -> None:
    path = sample_with_a_2003_fact(tmp_path)
    said = []
    # Dask's default dashboard port held by someone else (another cluster): the run must say
    # nothing of it (it once warned on stderr).
    with _port_held(8787):
        for options in ([], ["--engine", "dask", "--workers", "2"]):
            done = subprocess.run([str(CLI), "evaluate", "--facts", str(path), "--month",
                                   "2026-10", *options], capture_output=True, text=True,
                                  cwd=REPO, timeout=300)
            said.append((done.returncode, done.stdout, done.stderr))
    assert said[0][0] == 3 and "early-one" in said[0][2]
    assert said[1] == said[0]


@contextmanager
def _port_held(port: int) -> Iterator[None]:
    """The port busy while the block runs (held here, or already by another process)."""
    held = socket.socket()
    try:
        held.bind(("", port))
        held.listen()
    except OSError:
        pass  # someone else holds it: busy all the same
    try:
        yield
    finally:
        held.close()


def test_shared_files_is_an_option_of_the_dask_engine(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "--facts", str(SAMPLE_FACTS), "--month", "2026-10",
                 "--shared-files"]) == 2
    err = capsys.readouterr().err
    assert "--shared-files 是 --engine dask 的选项" in err
