"""Throughput benchmark: policyengine end to end against a decode-only pass and durable-rules.

Usage::

    python benchmarks/run_benchmark.py [--facts 1000000] [--file PATH] [--peer-facts 100000]

Generates the facts file if it is missing (benchmarks/.data/, git-ignored), then prints:

- decode-only: read the file and ``json.loads`` every line (facts/s), in this process;
- end-to-end: ``policyengine.read_facts`` (read + validate) and ``policyengine.evaluate``
  over all facts (facts/s), in a fresh subprocess so its peak RSS stands alone;
- the ratio end-to-end time / decode-only time (target <= 3, aim 2);
- peak RSS (ru_maxrss) of both passes;
- the durable-rules peer (benchmarks/durable_rules_peer.py, in a subprocess, over the
  first ``--peer-facts`` facts) and the speed ratio policyengine / durable-rules.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import resource
import signal
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


# -- the passes ---------------------------------------------------------------------------
def decode_only(path: Path, gc_paused: bool = False) -> tuple[float, int, str]:
    """Read the file and json.loads every line; returns (seconds, facts, last timestamp)."""
    gc.collect()
    t0 = time.perf_counter()
    if gc_paused:
        gc.disable()
    with path.open(encoding="utf-8") as fh:
        facts = [json.loads(line) for line in fh if line.strip()]
    gc.enable()
    seconds = time.perf_counter() - t0
    last = max(parse_at(f["at"]) for f in facts).isoformat()
    n = len(facts)
    del facts
    gc.collect()
    return seconds, n, last


def e2e_worker(path: Path, policy_dir: Path, as_of: str, profile: int) -> dict[str, Any]:
    """Run in a fresh process: load the policy, read + validate + evaluate every fact."""
    sys.path.insert(0, str(ROOT))
    import policyengine as pe

    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile()
    rss_start = peak_rss_mib()
    t0 = time.perf_counter()
    policy = pe.load_policy(str(policy_dir))
    t1 = time.perf_counter()
    if prof:
        prof.enable()
    batch = pe.read_facts(str(path), policy)
    t2 = time.perf_counter()
    result = pe.evaluate(policy, batch.facts, as_of=parse_at(as_of))
    t3 = time.perf_counter()
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
        "evaluate_s": t3 - t2,
        "facts": len(batch.facts),
        "rejected": len(rejected),
        "first_rejected": [str(r)[:300] for r in rejected[:3]],
        "violations": len(result.violations),
        "obligations": len(result.obligations),
        "stats": dict(getattr(result, "stats", {}) or {}),
        "rss_after_import_mib": rss_start,
        "peak_rss_mib": peak_rss_mib(),
    }


def run_e2e(
    path: Path, policy_dir: Path, as_of: str, timeout: float, profile: int
) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "e2e", "--file", str(path)]
    cmd += ["--policy", str(policy_dir), "--as-of", as_of, "--profile", str(profile)]
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {timeout:.0f} s"}
    if proc.returncode != 0:
        return {"error": describe_exit(proc.returncode, proc.stderr)}
    if profile:
        sys.stderr.write(proc.stderr)
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def run_worker(args: list[str], timeout: float) -> dict[str, Any]:
    """Run this script as a worker in a fresh process; returns its JSON answer."""
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {timeout:.0f} s"}
    if proc.returncode != 0:
        return {"error": describe_exit(proc.returncode, proc.stderr)}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


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
    p.add_argument("--repeat", type=int, default=1, help="best of N runs of each pass (1)")
    p.add_argument("--timeout", type=float, default=1800, help="seconds per subprocess (1800)")
    p.add_argument("--json-out", type=Path, help="also write the figures to this JSON file")
    p.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="profile the end-to-end pass; print its top N functions to stderr",
    )
    p.add_argument("--worker", choices=["e2e", "decode", "decode-nogc"], help=argparse.SUPPRESS)
    p.add_argument("--as-of", help=argparse.SUPPRESS)
    a = p.parse_args(argv)

    if a.worker == "e2e":
        print(json.dumps(e2e_worker(a.file, a.policy, a.as_of, a.profile)))
        return 0
    if a.worker in ("decode", "decode-nogc"):
        seconds, n, last = decode_only(a.file, gc_paused=a.worker == "decode-nogc")
        print(json.dumps({"seconds": seconds, "facts": n, "last": last}))
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
    }

    # 1. decode-only: once in this process (nothing big has run here before it), then,
    # with --repeat, again in fresh processes: every timed pass starts from a cold heap
    dec_s, n, as_of = decode_only(path)
    dec_rss = peak_rss_mib()
    for _ in range(max(a.repeat, 1) - 1):
        again = run_worker(["--worker", "decode", "--file", str(path)], a.timeout)
        if "error" not in again:
            dec_s = min(dec_s, again["seconds"])
    dec_fps = n / dec_s
    print(f"facts file     : {path} ({n:,} facts, {size_mib:,.1f} MiB), as_of = {as_of}")
    print(
        f"decode-only    : {n:,} facts in {dec_s:.2f} s = {dec_fps:,.0f} facts/s "
        f"(read + json.loads); peak RSS {dec_rss:,.0f} MiB"
    )
    figures.update(
        facts=n, as_of=as_of, decode_s=dec_s, decode_fps=dec_fps, decode_peak_rss_mib=dec_rss
    )
    nogc = [
        run_worker(["--worker", "decode-nogc", "--file", str(path)], a.timeout)
        for _ in range(max(a.repeat, 1))
    ]
    nogc_s = min((r["seconds"] for r in nogc if "error" not in r), default=float("nan"))
    print(
        f"  (for scale)  : the same with the cyclic GC paused: {nogc_s:.2f} s = "
        f"{n / nogc_s:,.0f} facts/s; not used for the ratio"
    )
    figures["decode_gc_paused_s"] = nogc_s

    # 2. end-to-end, each run in a fresh process
    if parse_at(as_of).year > 2026:
        print("end-to-end     : skipped: as_of is after 2026, beyond the calendar's data")
        e2e: dict[str, Any] = {"error": "as_of after 2026"}
    elif not (ROOT / "policyengine" / "__init__.py").exists():
        print("end-to-end     : skipped: policyengine/__init__.py does not exist yet")
        e2e = {"error": "no policyengine package"}
    else:
        runs = [
            run_e2e(path, a.policy, as_of, a.timeout, a.profile) for _ in range(max(a.repeat, 1))
        ]
        ok = [r for r in runs if "error" not in r]
        e2e = min(ok, key=lambda r: r["read_s"] + r["evaluate_s"]) if ok else runs[0]
    if "error" in e2e:
        print(f"end-to-end     : failed: {e2e['error']}")
    else:
        e2e_s = e2e["read_s"] + e2e["evaluate_s"]
        e2e_fps = n / e2e_s
        print(
            f"end-to-end     : {n:,} facts in {e2e_s:.2f} s = {e2e_fps:,.0f} facts/s "
            f"(read + validate {e2e['read_s']:.2f} s, evaluate {e2e['evaluate_s']:.2f} s; "
            f"policy loaded in {e2e['load_policy_s']:.2f} s, not counted)"
        )
        print(
            f"                 {e2e['facts']:,} facts accepted, {e2e['rejected']:,} rejected, "
            f"{e2e['obligations']:,} obligations, {e2e['violations']:,} violations"
        )
        if e2e["rejected"]:
            print(f"                 first rejected: {e2e['first_rejected']}")
        print(
            f"peak RSS       : end-to-end {e2e['peak_rss_mib']:,.0f} MiB "
            f"(after import {e2e['rss_after_import_mib']:,.0f} MiB); "
            f"decode-only {dec_rss:,.0f} MiB"
        )
        ratio = e2e_s / dec_s
        verdict = "meets the target" if ratio <= 3 else "MISSES the target"
        print(
            f"ratio          : end-to-end / decode-only = {ratio:.2f} "
            f"(target <= 3, aim 2: {verdict})"
        )
        figures.update(e2e_s=e2e_s, e2e_fps=e2e_fps, ratio=ratio, e2e=e2e)

    # 3. durable-rules peer
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
            if "e2e_fps" in figures and d["facts_per_s"]:
                speed = figures["e2e_fps"] / d["facts_per_s"]
                figures["speed_vs_durable"] = speed
                print(
                    f"speed          : policyengine / durable-rules = {speed:.1f}x "
                    f"(policyengine over {n:,} facts, durable-rules over {peer['facts']:,})"
                )
    if a.json_out:
        a.json_out.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    return 0 if "error" not in e2e else 1


if __name__ == "__main__":
    raise SystemExit(main())
