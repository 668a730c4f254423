"""Throughput benchmark: policyengine end to end against typed and untyped decode floors.

Usage::

    python benchmarks/run_benchmark.py [--facts 1000000] [--file PATH] [--peer-facts 100000]

Generates the facts file if it is missing (benchmarks/.data/, git-ignored), then, in one
run, each pass in a fresh subprocess and the passes interleaved round by round (so a busy
machine slows all of them alike), prints wall and CPU time of:

- the floor: read the file and decode every line with msgspec into a typed Struct of the
  generated fact shape (datetimes and dates parsed), the least any typed reader pays;
- decode-only: read the file and ``json.loads`` every line (untyped, for scale);
- end-to-end: ``policyengine.read_facts`` (read + validate) and ``policyengine.evaluate``
  over all facts;
- the ratios end-to-end / floor, in wall time and in CPU time (target <= 5, aim 2);
- peak RSS of every pass;
- the durable-rules peer (benchmarks/durable_rules_peer.py, in a subprocess, over the
  first ``--peer-facts`` facts) and the speed ratio policyengine / durable-rules;
- monthly compliance runs (the file's last full month over the whole history) by the list
  path and streamed (``evaluate_file``, engine/stream.py), and the whole history streamed,
  with peak RSS; with ``--growth-facts 3000000`` the same on a 3M-fact file and the growth
  of peak RSS from one file to the other.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / ".data"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
INSTALL_HINT = "pip install -e '.[bench]'"


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, in MiB.

    VmHWM from /proc where there is one: ru_maxrss of a child started by subprocess
    (vfork + exec) begins at the parent's peak, which would hide the child's own.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def parse_at(text: str) -> dt.datetime:
    at = dt.datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=SHANGHAI)


# -- the passes (each runs in a fresh process: --worker) ---------------------------------
def cpu_seconds() -> float:
    """CPU time (user + system) of this process and of every child it waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def floor_worker(path: Path) -> dict[str, Any]:
    """The typed floor: every line decoded by msgspec into a Struct of the fact shape."""
    import msgspec

    class FactRecord(msgspec.Struct, omit_defaults=True):
        """The generated facts' shape: the common fields, then every attribute, optional."""

        id: str
        type: str
        at: dt.datetime
        case: str | None = None
        actor: str | None = None
        about: str | None = None
        due: dt.date | None = None
        new_due: dt.date | None = None
        requester: str | None = None
        decision: str | None = None
        tier: str | None = None
        commitment: str | None = None
        role: str | None = None
        person: str | None = None

    decoder = msgspec.json.Decoder(FactRecord)
    t0, c0 = time.perf_counter(), cpu_seconds()
    with path.open("rb") as fh:
        facts = [decoder.decode(line) for line in fh if line.strip()]
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    last = max(f.at for f in facts).isoformat()
    return {"wall_s": wall, "cpu_s": cpu, "facts": len(facts), "last": last,
            "peak_rss_mib": peak_rss_mib()}


def decode_worker(path: Path) -> dict[str, Any]:
    """Untyped, for scale: read the file and json.loads every line into a list."""
    t0, c0 = time.perf_counter(), cpu_seconds()
    with path.open(encoding="utf-8") as fh:
        facts = [json.loads(line) for line in fh if line.strip()]
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    return {"wall_s": wall, "cpu_s": cpu, "facts": len(facts), "peak_rss_mib": peak_rss_mib()}


def e2e_worker(path: Path, policy_dir: Path, as_of: str, profile: int,
               workers: int) -> dict[str, Any]:
    """Load the policy, then read + validate + evaluate every fact (the timed part)."""
    sys.path.insert(0, str(ROOT))
    import policyengine as pe
    from policyengine import native

    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile()
    rss_start = peak_rss_mib()
    t0 = time.perf_counter()
    policy = pe.load_policy(str(policy_dir))
    t1, c1 = time.perf_counter(), cpu_seconds()
    if prof:
        prof.enable()
    batch = pe.read_facts(str(path), policy)
    t2, c2, rss_read = time.perf_counter(), cpu_seconds(), peak_rss_mib()
    extra: dict[str, Any] = {"workers": workers} if workers > 1 else {}
    result = pe.evaluate(policy, batch.facts, as_of=parse_at(as_of), **extra)
    t3, c3 = time.perf_counter(), cpu_seconds()
    if prof:
        import pstats

        prof.disable()
        stats = pstats.Stats(prof, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(profile)
        stats.sort_stats("tottime").print_stats(profile)
    rejected = list(batch.rejected)
    return {
        "load_policy_s": t1 - t0,
        "read_s": t2 - t1,
        "read_cpu_s": c2 - c1,
        "evaluate_s": t3 - t2,
        "evaluate_cpu_s": c3 - c2,
        "wall_s": t3 - t1,
        "cpu_s": c3 - c1,
        "workers": workers,
        # whether the engine's modules ran compiled (mypyc) or as Python sources
        "compiled": native.in_use(),
        "engine": native.describe(),
        "facts": len(batch.facts),
        "rejected": len(rejected),
        "first_rejected": [str(r)[:300] for r in rejected[:3]],
        "violations": len(result.violations),
        "obligations": len(result.obligations),
        "rss_after_import_mib": rss_start,
        "rss_after_read_mib": rss_read,
        "peak_rss_mib": peak_rss_mib(),
        # the largest worker process of --workers (0 without): ru_maxrss of waited children
        "workers_peak_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def month_worker(path: Path, policy_dir: Path, as_of: str, period: str | None,
                 streamed: bool) -> dict[str, Any]:
    """A compliance run: read + evaluate for one `period` (None: the whole history up to
    `as_of`), by the list path (`read_facts` + `evaluate`) or streamed (`evaluate_file`:
    the file read as it is replayed, engine/stream.py)."""
    sys.path.insert(0, str(ROOT))
    import policyengine as pe
    from policyengine.engine.evaluate import evaluate_file
    from policyengine.facts.reader import FactStream

    rss_start = peak_rss_mib()
    policy = pe.load_policy(str(policy_dir))
    when: dict[str, Any] = {"period": period} if period else {"as_of": parse_at(as_of)}
    t1, c1 = time.perf_counter(), cpu_seconds()
    if streamed:
        result, read = evaluate_file(policy, FactStream(path, policy.schema), **when)
        accepted, rejected = read.kept - read.duplicates, len(read.rejected)
    else:
        batch = pe.read_facts(str(path), policy)
        result = pe.evaluate(policy, batch.facts, **when)
        accepted, rejected = len(batch.facts), len(batch.rejected)
    t2, c2 = time.perf_counter(), cpu_seconds()
    return {"wall_s": t2 - t1, "cpu_s": c2 - c1, "period": period, "streamed": streamed,
            "facts": accepted, "rejected": rejected, "violations": len(result.violations),
            "obligations": len(result.obligations), "stats": result.stats,
            "rss_after_import_mib": rss_start, "peak_rss_mib": peak_rss_mib()}


def last_full_month(as_of: str) -> str:
    """The month before the one of `as_of` (the file's last full month)."""
    at = parse_at(as_of)
    year, month = (at.year, at.month - 1) if at.month > 1 else (at.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def run_worker(args: list[str], timeout: float, echo_stderr: bool = False) -> dict[str, Any]:
    """Run this script as a worker in a fresh process; returns its JSON answer."""
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {timeout:.0f} s"}
    if proc.returncode != 0:
        return {"error": describe_exit(proc.returncode, proc.stderr)}
    if echo_stderr:
        sys.stderr.write(proc.stderr)
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest run (wall time) among those that did not fail; else the first failure."""
    ok = [r for r in runs if "error" not in r]
    return min(ok, key=lambda r: r["wall_s"]) if ok else runs[0]


MEDIAN_KEYS = ("wall_s", "cpu_s", "peak_rss_mib", "read_s", "read_cpu_s", "evaluate_s",
               "evaluate_cpu_s", "rss_after_read_mib")


def medians(runs: list[dict[str, Any]]) -> dict[str, float]:
    """Each figure's median over the runs that did not fail (figures vary independently:
    the run with the median wall time need not have the median CPU time)."""
    ok = [r for r in runs if "error" not in r]
    return {k: statistics.median(r[k] for r in ok) for k in MEDIAN_KEYS
            if ok and all(k in r for r in ok)}


def run_peer(path: Path, k: int, timeout: float) -> dict[str, Any]:
    cmd = [
        sys.executable,
        str(HERE / "durable_rules_peer.py"),
        "--file",
        str(path),
        "--facts",
        str(k),
        "--json",
    ]
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"installed": True, "error": f"did not finish within {timeout:.0f} s"}
    lines = proc.stdout.strip().splitlines()
    if proc.returncode == 3:
        return {"installed": False}
    if proc.returncode != 0 or not lines:
        return {"installed": True, "error": describe_exit(proc.returncode, proc.stderr)}
    summary = dict(json.loads(lines[-1]))
    summary["text"] = lines[:-1]
    return summary


def describe_exit(code: int, stderr: str) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        what = f"crashed ({name})"
    else:
        what = f"exited with status {code}"
    tail = " | ".join(stderr.strip().splitlines()[-3:])
    return f"{what}: {tail}" if tail else what


def ensure_file(path: Path, facts: int, seed: int) -> None:
    if path.exists():
        return
    print(f"generating {facts:,} facts into {path} ...", flush=True)
    cmd = [
        sys.executable,
        str(HERE / "generate_facts.py"),
        "--facts",
        str(facts),
        "--seed",
        str(seed),
        "--out",
        str(path),
    ]
    subprocess.run(cmd, check=True)  # a subprocess: its memory stays out of our peak RSS


def count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for _ in fh)


def monthly_passes(a: argparse.Namespace, path: Path, as_of: str,
                   figures: dict[str, Any]) -> bool:
    """Compliance runs over the whole file: the file's last full month, by the list path and
    streamed (paired, alternating round by round), and the whole history streamed; the same
    on the --growth-facts file. Peak RSS of each, and its growth from one file to the other.
    True if a pass failed."""
    files = [(path, as_of)]
    if a.growth_facts:
        growth = a.growth_file or DATA / f"facts-{a.growth_facts}-s{a.seed}-from2009.jsonl"
        if not growth.exists():
            print(f"generating {a.growth_facts:,} facts into {growth} ...", flush=True)
            subprocess.run([sys.executable, str(HERE / "generate_facts.py"), "--facts",
                            str(a.growth_facts), "--seed", str(a.seed), "--start", "2009-06-01",
                            "--out", str(growth)], check=True)
        last = run_worker(["--worker", "floor", "--file", str(growth)], a.timeout)
        if "error" in last:
            print(f"growth file    : failed: {last['error']}")
            return True
        files.append((growth, last["last"]))
    failed = False
    monthly: dict[str, Any] = {}
    for file, last_at in files:
        month = last_full_month(last_at)
        passes: dict[str, list[dict[str, Any]]] = {"list": [], "streamed": [],
                                                   "streamed_whole": []}
        for _ in range(max(a.repeat, 1)):
            for name, period, streamed in (("list", month, False), ("streamed", month, True),
                                           ("streamed_whole", "", True)):
                args = ["--worker", "month", "--file", str(file), "--policy", str(a.policy),
                        "--as-of", last_at, "--period", period]
                passes[name].append(run_worker(args + (["--streamed"] if streamed else []),
                                               a.timeout))
        lines = count_lines(file)
        figures_of = monthly[str(file)] = {"facts": lines, "month": month}
        print(f"monthly run    : {file.name} ({lines:,} lines), period {month} over the whole "
              "history")
        for name, runs in passes.items():
            run = best(runs)
            figures_of[name] = run
            label = {"list": "  list path", "streamed": "  streamed",
                     "streamed_whole": "  whole, strm"}[name]
            if "error" in run:
                print(f"{label:<15}: failed: {run['error']}")
                failed = True
                continue
            what = "whole history" if name == "streamed_whole" else month
            print(f"{label:<15}: {run['wall_s']:.2f} s wall, {run['cpu_s']:.2f} s CPU; "
                  f"peak RSS {run['peak_rss_mib']:,.0f} MiB ({what}: {run['violations']:,} "
                  f"violations, {run['obligations']:,} open obligations)")
    figures["monthly"] = monthly
    if len(files) == 2:
        small, large = (monthly[str(f)] for f, _ in files)
        for name in ("streamed", "streamed_whole", "list"):
            if "error" in small[name] or "error" in large[name]:
                continue
            growth_share = large[name]["peak_rss_mib"] / small[name]["peak_rss_mib"] - 1
            figures[f"rss_growth_{name}"] = growth_share
            print(f"RSS growth     : {name}: {small[name]['peak_rss_mib']:,.0f} -> "
                  f"{large[name]['peak_rss_mib']:,.0f} MiB ({growth_share:+.0%}) from "
                  f"{small['facts']:,} to {large['facts']:,} facts")
    return failed


# -- main ---------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--facts", type=int, default=1_000_000, help="facts to generate (1,000,000)")
    p.add_argument("--file", type=Path, help="facts file (JSON Lines); generated if missing")
    p.add_argument("--seed", type=int, default=42, help="generator seed (42)")
    p.add_argument(
        "--peer-facts",
        type=int,
        default=100_000,
        help="facts given to durable-rules, 0 to skip it (100,000)",
    )
    p.add_argument("--policy", type=Path, default=ROOT / "policies", help="policy directory")
    p.add_argument("--repeat", type=int, default=1, help="best of N rounds of the passes (1)")
    p.add_argument("--workers", type=int, default=1,
                   help="also time the end-to-end pass with this many worker processes")
    p.add_argument("--timeout", type=float, default=1800, help="seconds per subprocess (1800)")
    p.add_argument("--json-out", type=Path, help="also write the figures to this JSON file")
    p.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="profile the end-to-end pass; print its top N functions to stderr",
    )
    p.add_argument("--no-stream", action="store_true",
                   help="skip the monthly passes (list path and streamed, on this file and "
                        "on --growth-file)")
    p.add_argument("--growth-facts", type=int, default=0, metavar="N",
                   help="also run the monthly passes on a file of N facts (e.g. 3000000), for "
                        "the growth of peak RSS from this file to that one")
    p.add_argument("--growth-file", type=Path,
                   help="that file (default: benchmarks/.data/facts-N-sSEED-from2009.jsonl, "
                        "generated from 2009-06-01 so that it keeps the density of cases of "
                        "the 1M file)")
    p.add_argument("--worker", choices=["e2e", "decode", "floor", "month"],
                   help=argparse.SUPPRESS)
    p.add_argument("--as-of", help=argparse.SUPPRESS)
    p.add_argument("--period", help=argparse.SUPPRESS)
    p.add_argument("--streamed", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args(argv)

    if a.worker == "e2e":
        print(json.dumps(e2e_worker(a.file, a.policy, a.as_of, a.profile, a.workers)))
        return 0
    if a.worker == "decode":
        print(json.dumps(decode_worker(a.file)))
        return 0
    if a.worker == "floor":
        print(json.dumps(floor_worker(a.file)))
        return 0
    if a.worker == "month":
        print(json.dumps(month_worker(a.file, a.policy, a.as_of, a.period or None, a.streamed)))
        return 0

    path: Path = a.file or DATA / f"facts-{a.facts}-s{a.seed}.jsonl"
    ensure_file(path, a.facts, a.seed)
    size_mib = path.stat().st_size / 2**20
    today = dt.date.today().isoformat()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"policyengine benchmark, {today}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, {platform.machine()}, load average {load:.2f} at start"
    )
    figures: dict[str, Any] = {
        "date": today,
        "python": platform.python_version(),
        "cores": os.cpu_count(),
        "load_at_start": load,
        "file": str(path),
        "mib": size_mib,
        "repeat": max(a.repeat, 1),
    }
    try:
        import msgspec  # noqa: F401
    except ImportError:
        print(f"the floor needs msgspec: {INSTALL_HINT} (or the dev extra)")
        return 2

    # The passes, round by round: floor, decode, end-to-end (and with --workers N).
    first = run_worker(["--worker", "floor", "--file", str(path)], a.timeout)
    if "error" in first:
        print(f"floor          : failed: {first['error']}")
        return 1
    n, as_of = first["facts"], first["last"]
    print(f"facts file     : {path} ({n:,} facts, {size_mib:,.1f} MiB), as_of = {as_of}")
    runnable = parse_at(as_of).year <= 2026  # the calendar has data up to 2026 only
    if not runnable:
        print("end-to-end     : skipped: as_of is after 2026, beyond the calendar's data")
    floors, decodes = [first], []
    e2es: dict[int, list[dict[str, Any]]] = {1: []}
    if a.workers > 1:
        e2es[a.workers] = []
    for round_ in range(max(a.repeat, 1)):
        if round_:
            floors.append(run_worker(["--worker", "floor", "--file", str(path)], a.timeout))
        decodes.append(run_worker(["--worker", "decode", "--file", str(path)], a.timeout))
        for workers, runs in e2es.items() if runnable else ():
            args = ["--worker", "e2e", "--file", str(path), "--policy", str(a.policy),
                    "--as-of", as_of, "--profile", str(a.profile), "--workers", str(workers)]
            runs.append(run_worker(args, a.timeout, echo_stderr=bool(a.profile)))
    floor, decode = best(floors), best(decodes)
    figures.update(facts=n, as_of=as_of, floor=floor, decode=decode)
    figures["medians"] = {"floor": medians(floors), "decode": medians(decodes)} | {
        ("e2e" if w == 1 else f"e2e_workers_{w}"): medians(runs) for w, runs in e2es.items()}
    print(
        f"floor          : {n / floor['wall_s']:,.0f} facts/s: {floor['wall_s']:.2f} s wall, "
        f"{floor['cpu_s']:.2f} s CPU (read + msgspec typed decode); "
        f"peak RSS {floor['peak_rss_mib']:,.0f} MiB"
    )
    if "error" in decode:
        print(f"decode-only    : failed: {decode['error']}")
    else:
        print(
            f"decode-only    : {n / decode['wall_s']:,.0f} facts/s: {decode['wall_s']:.2f} s "
            f"wall, {decode['cpu_s']:.2f} s CPU (read + json.loads, untyped); "
            f"peak RSS {decode['peak_rss_mib']:,.0f} MiB"
        )
    failed = not runnable
    for workers, runs in e2es.items() if runnable else ():
        e2e = best(runs)
        key = "e2e" if workers == 1 else f"e2e_workers_{workers}"
        label = "end-to-end" if workers == 1 else f"  {workers} workers"
        if "error" in e2e:
            print(f"{label:<15}: failed: {e2e['error']}")
            failed = True
            continue
        e2e["ratio_wall"] = e2e["wall_s"] / floor["wall_s"]
        e2e["ratio_cpu"] = e2e["cpu_s"] / floor["cpu_s"]
        e2e["facts_per_s"] = n / e2e["wall_s"]
        figures[key] = e2e
        if workers == 1:
            figures["compiled"] = e2e["compiled"]
            print(f"engine         : {e2e['engine']}")
        print(
            f"{label:<15}: {e2e['facts_per_s']:,.0f} facts/s: {e2e['wall_s']:.2f} s wall "
            f"(read + validate {e2e['read_s']:.2f} s, evaluate {e2e['evaluate_s']:.2f} s), "
            f"{e2e['cpu_s']:.2f} s CPU; policy loaded in {e2e['load_policy_s']:.2f} s, "
            "not counted"
        )
        print(
            f"                 {e2e['facts']:,} facts accepted, {e2e['rejected']:,} rejected, "
            f"{e2e['obligations']:,} obligations, {e2e['violations']:,} violations; "
            f"peak RSS {e2e['peak_rss_mib']:,.0f} MiB "
            f"(after import {e2e['rss_after_import_mib']:,.0f} MiB"
            + (f"; largest worker {e2e['workers_peak_rss_mib']:,.0f} MiB)" if workers > 1
               else ")")
        )
        if e2e["rejected"]:
            print(f"                 first rejected: {e2e['first_rejected']}")
        verdict = "meets the target" if e2e["ratio_wall"] <= 5 else "MISSES the target"
        print(
            f"                 ratio to the floor: {e2e['ratio_wall']:.2f} wall, "
            f"{e2e['ratio_cpu']:.2f} CPU (target <= 5, aim 2: {verdict})"
        )
    if 1 in e2es and a.workers > 1 and "e2e" in figures and f"e2e_workers_{a.workers}" in figures:
        speedup = figures["e2e"]["wall_s"] / figures[f"e2e_workers_{a.workers}"]["wall_s"]
        figures["workers_speedup"] = speedup
        print(f"speed-up       : {a.workers} workers / 1 worker = {speedup:.2f}x (wall)")
    if a.repeat > 1:
        print(f"medians of {a.repeat} (wall / CPU s, peak RSS MiB; end-to-end: read, evaluate):")
        for key, m in figures["medians"].items():
            if not m:
                continue
            parts = [f"{m['wall_s']:.2f} / {m['cpu_s']:.2f} s, {m['peak_rss_mib']:,.0f} MiB"]
            if "read_s" in m:
                parts.append(f"read {m['read_s']:.2f} / {m['read_cpu_s']:.2f} s "
                             f"({m['rss_after_read_mib']:,.0f} MiB after it), evaluate "
                             f"{m['evaluate_s']:.2f} / {m['evaluate_cpu_s']:.2f} s")
            print(f"  {key:<13}: " + "; ".join(parts))
        floor_m, e2e_m = figures["medians"]["floor"], figures["medians"].get("e2e")
        if e2e_m:
            print(f"  ratio to the floor (medians): {e2e_m['wall_s'] / floor_m['wall_s']:.2f} "
                  f"wall, {e2e_m['cpu_s'] / floor_m['cpu_s']:.2f} CPU; reading alone "
                  f"{e2e_m['read_cpu_s'] / floor_m['cpu_s']:.2f} CPU")
    if runnable and not a.no_stream:
        failed |= monthly_passes(a, path, as_of, figures)
    figures["load_at_end"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average   : {figures['load_at_end']:.2f} at the end")

    # durable-rules peer
    if a.peer_facts > 0:
        k = min(a.peer_facts, n)
        peer = run_peer(path, k, a.timeout)
        figures["durable_rules"] = peer
        if not peer.get("installed", True):
            print(
                f"durable-rules  : not installed; to compare, run: {INSTALL_HINT} "
                "(needs gcc) - skipped"
            )
        elif "error" in peer:
            print(f"durable-rules  : {peer['error']}")
        else:
            d, ref = peer["durable_rules"], peer["reference"]
            print(
                f"durable-rules  : {peer['facts']:,} facts in {d['seconds']:.2f} s = "
                f"{d['facts_per_s']:,.0f} facts/s (same workload in plain Python: "
                f"{ref['facts_per_s']:,.0f} facts/s); peak RSS "
                f"{peer.get('peak_rss_mib', 0):,.0f} MiB"
            )
            problems = []
            if d.get("crashed"):
                problems.append(f"crashed: {d['crashed']}")
            if d.get("errors"):
                problems.append(f"errors: {d['errors']}")
            problems += peer.get("differences", [])
            print("                 lost or wrong: " + ("; ".join(problems) or "none"))
            if "e2e" in figures and d["facts_per_s"]:
                speed = figures["e2e"]["facts_per_s"] / d["facts_per_s"]
                figures["speed_vs_durable"] = speed
                print(
                    f"speed          : policyengine / durable-rules = {speed:.1f}x "
                    f"(policyengine over {n:,} facts, durable-rules over {peer['facts']:,})"
                )
    if a.json_out:
        a.json_out.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
