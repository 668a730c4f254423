"""Paired benchmark of the split engines: `evaluate` end to end on 1 and 2 workers.

Usage::

    python benchmarks/split_benchmark.py --facts 200000 [--rounds 3] [--dask]

Each pass is the command line in a fresh subprocess (`policyengine evaluate --format json`
over the generated facts, the month of the last fact, as of that fact), the passes
interleaved round by round so a busy machine slows all of them alike. Prints per setting
the median wall time and CPU time (the command and every process it waited for: forked
workers, a local Dask cluster) and the command's own CPU time, the speed-up of 2 workers
over 1 in wall time and by the parent's CPU time (a bound for the speed-up on free cores:
on a shared machine the wall time measures the others' load too), that every output
is byte-identical to the one-process output, the load average before and after, and how
many cores two processes get then: for a pure-Python loop (run once, then twice at once)
and for the engine's kind of work (the file's two halves decoded with msgspec, one after
the other, then both at once: `decode_cores`), the most a split into two can show then.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import msgspec

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"


def facts_file(count: int) -> Path:
    path = DATA / f"facts-{count}-s42.jsonl"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(HERE / "generate_facts.py"), "--facts", str(count),
                        "--seed", "42", "--out", str(path)], check=True)
    return path


def last_time(path: Path) -> str:
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - 4096))
        last = handle.read().splitlines()[-1]
    return str(json.loads(last)["at"])


# The command line run in-process by a small wrapper that also says, on its last line of
# standard error, its own CPU time: with forked workers that is the parent's share, the
# critical path on an idle machine (the parent never waits while it has work: it does its
# share, then merges and writes the report).
WRAPPER = ("import resource, sys\n"
           "from policyengine.cli.main import main\n"
           "code = main(sys.argv[1:])\n"
           "cluster = sys.modules.get('policyengine.engine.cluster')\n"
           "if hasattr(cluster, 'closed'):\n"
           "    cluster.closed()\n"
           "    cpu = cluster.PHASES.get(getattr(cluster, 'UNREAPED', ''), cluster.PHASES.get(\n"
           "        'cluster processes: CPU (start, imports, tasks)', 0))\n"
           "    print(f'CLUSTER-CPU {cpu}', file=sys.stderr)\n"
           "me = resource.getrusage(resource.RUSAGE_SELF)\n"
           "print(f'SELF-RSS {me.ru_maxrss}', file=sys.stderr)\n"
           "print(f'SELF-CPU {me.ru_utime + me.ru_stime}', file=sys.stderr)\n"
           "sys.exit(code)\n")


def one_pass(path: Path, as_of: str, options: list[str], env: dict[str, str] | None = None
             ) -> tuple[float, float, float, float, bytes]:
    """Wall time, CPU time of every process, CPU time of the command's own process, its
    peak RSS (MiB), output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # (run from the data folder: `python -c` puts the working folder first on the path,
    # which must not shadow the package of --old)
    done = subprocess.run([sys.executable, "-c", WRAPPER, "evaluate", "--facts", str(path),
                           "--month", as_of[:7], "--as-of", as_of, "--format", "json",
                           "--policy", str(HERE.parent / "policies"), *options],
                          capture_output=True, check=False, env=env, cwd=DATA)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 3):
        sys.exit(f"{options}: exit {done.returncode}\n{done.stderr.decode()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    said = done.stderr.decode().strip().splitlines()
    own, rss = float(said[-1].split()[-1]), int(said[-2].split()[-1]) / 1024
    # A local cluster's worker processes are forked by a server process: not children
    # this process waits for, so counted by the command itself (engine/cluster.py).
    cpu += sum(float(line.split()[-1]) for line in said if line.startswith("CLUSTER-CPU "))
    return wall, cpu, own, rss, done.stdout


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


def cores_free() -> float:
    """How many cores two processes get right now: one pure-Python loop's time over the
    time of two run at once, times 2 (2.0 on an idle 2-core machine; on a machine shared
    with others' runs, less: then no split can show its speed-up in wall time)."""
    import multiprocessing

    start = time.perf_counter()
    _spin(20_000_000)
    one = time.perf_counter() - start
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_spin, [20_000_000] * 2)
    return 2 * one / (time.perf_counter() - start)


class _Probe(msgspec.Struct, gc=False):
    """The common fields of a fact: what `decode_cores` decodes each line into."""

    type: str
    at: str
    id: str | None = None
    case: str | None = None
    actor: str | None = None


def _decode_half(job: tuple[str, int]) -> tuple[float, float]:
    """Half `job[1]` of the file decoded with msgspec and kept, with its tuple of fields:
    the kind of work a split's workers do (many small objects made and held, memory
    touched for the first time). Its start and end (the shared monotonic clock)."""
    path, half = job
    data = Path(path).read_bytes()
    cut = data.index(b"\n", len(data) // 2) + 1
    text = (data[:cut] if half == 0 else data[cut:]).rstrip(b"\n")
    del data
    gc.disable()  # (as the engine reads: gcpause.py)
    start = time.perf_counter()
    records = msgspec.json.Decoder(_Probe).decode_lines(text)
    kept = [msgspec.structs.astuple(r) for r in records]
    end = time.perf_counter()
    del kept, records
    return start, end


def decode_cores(path: Path) -> float:
    """What `cores_free` says, for allocation-heavy work: the two halves of the facts file
    decoded one after the other (each in a fresh process) over the two decoded at once
    (from the first start to the last end). 2.0 when two processes doing the
    engine's kind of work run at full speed side by side; less when they share caches,
    memory or the host's cores with others: about the most a split into two can show
    then, whatever its code. It and `cores_free` differ by up to half a core on the
    project's machine (docs/decisions.md D67)."""
    import multiprocessing

    jobs = [(str(path), 0), (str(path), 1)]
    context = multiprocessing.get_context("fork")
    alone = 0.0
    for job in jobs:
        with context.Pool(1) as pool:
            start, end = pool.map(_decode_half, [job])[0]
        alone += end - start
    with context.Pool(2) as pool:
        spans = pool.map(_decode_half, jobs, chunksize=1)
    together = max(end for _, end in spans) - min(start for start, _ in spans)
    return alone / together


# One `--engine dask` (or `--workers N`) evaluation in a fresh process that prints where
# the time went (engine/cluster.py PHASES; engine/workers.py PHASES: each process's CPU per
# step and when the step ended) and the process's peak RSS.
PHASES_SCRIPT = """
import json, resource, sys, time
from pathlib import Path
if __name__ == "__main__":
    import policyengine as pe
    from policyengine.engine import cluster, workers
    from policyengine.engine.parallel import Engine, evaluate_file
    from policyengine.facts.schema import parse_time
    start = time.perf_counter()
    policy = pe.load_policy(sys.argv[4])
    as_of = parse_time(sys.argv[3], policy.calendar.tz)
    engine = Engine(sys.argv[5])
    done = evaluate_file(policy, Path(sys.argv[1]), period=sys.argv[3][:7], as_of=as_of,
                         engine=engine, workers=int(sys.argv[2]))
    assert done is not None
    returned = time.perf_counter() - start
    if engine is Engine.DASK:
        cluster.closed()
        phases = dict(cluster.PHASES)
    else:
        phases = {f"{step}: CPU {cpu:.2f}, ended at": at
                  for step, (cpu, at) in sorted(workers.PHASES.items(), key=lambda s: s[1][1])}
    phases.update({"evaluate_file returned (policy load included)": returned,
                   "total, cluster closed": time.perf_counter() - start})
    me = resource.getrusage(resource.RUSAGE_SELF)
    phases["client CPU"] = me.ru_utime + me.ru_stime
    phases["client peak RSS (MiB)"] = me.ru_maxrss / 1024
    print(json.dumps(phases))
"""


def phases(path: Path, as_of: str, workers: int, env: dict[str, str] | None,
           engine: str = "dask") -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", PHASES_SCRIPT, str(path), str(workers), as_of,
                           str(HERE.parent / "policies"), engine],
                          capture_output=True, check=False, env=env, cwd=DATA)
    if done.returncode:
        sys.exit(done.stderr.decode())
    found: dict[str, float] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    for phase, seconds in found.items():
        print(f"    {phase:72} {seconds:7.2f}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facts", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dask", action="store_true", help="also Dask on 1 and 2 local workers")
    parser.add_argument("--dask-only", action="store_true",
                        help="one process, then Dask on 1 and 2 local workers (no --workers)")
    parser.add_argument("--old", metavar="DIR",
                        help="also `--workers 2` and the Dask settings with the policyengine "
                             "package of DIR (an older checkout, put first on PYTHONPATH), "
                             "paired in each round")
    parser.add_argument("--phases", action="store_true",
                        help="then one Dask run on 1 and on 2 workers each, saying where the "
                             "time went and the client's peak RSS")
    parser.add_argument("--json-out", help="also write the figures as JSON here")
    args = parser.parse_args()
    path = facts_file(args.facts)
    as_of = last_time(path)
    settings: dict[str, tuple[list[str], dict[str, str] | None]] = {
        "1 process": ([], None), "--workers 2": (["--workers", "2"], None)}
    if args.dask_only:
        del settings["--workers 2"]
    old = dict(os.environ, PYTHONPATH=str(Path(args.old).resolve())) if args.old else None
    if old and not args.dask_only:
        settings["old --workers 2"] = (["--workers", "2"], old)
    if args.dask or args.dask_only:
        for label, env in (("", None), ("old ", old)) if old else (("", None),):
            settings[f"{label}dask 1 worker"] = (["--engine", "dask", "--workers", "1"], env)
            settings[f"{label}dask 2 workers"] = (["--engine", "dask", "--workers", "2"], env)
    figures: dict[str, Any] = {"file": path.name, "as_of": as_of, "rounds": args.rounds,
                               "load_before": os.getloadavg(),
                               "cores_before": {"loop": cores_free(),
                                                "decoding": decode_cores(path)}}
    print(f"{path.name}: month {as_of[:7]}, as of {as_of}; load average before "
          f"{' '.join(f'{x:.2f}' for x in figures['load_before'])}; cores two processes get: "
          f"{figures['cores_before']['loop']:.2f} (a loop), "
          f"{figures['cores_before']['decoding']:.2f} (decoding the file)")
    times: dict[str, list[tuple[float, float, float, float]]] = {name: [] for name in settings}
    reference: bytes | None = None
    for _ in range(args.rounds):
        for name, (options, env) in settings.items():
            wall, cpu, own, rss, out = one_pass(path, as_of, options, env)
            if reference is None:
                reference = out
            elif out != reference:
                at = next((i for i, (a, b) in enumerate(zip(out, reference, strict=False))
                           if a != b), min(len(out), len(reference)))
                sys.exit(f"{name}: the output differs from one process's at byte {at} "
                         f"({len(out):,} bytes against {len(reference):,}): "
                         f"{out[max(at - 80, 0):at + 80]!r} against "
                         f"{reference[max(at - 80, 0):at + 80]!r}")
            times[name].append((wall, cpu, own, rss))
    medians = {name: tuple(statistics.median(t[i] for t in ts) for i in range(4))
               for name, ts in times.items()}
    for name, (wall, cpu, own, rss) in medians.items():
        print(f"  {name:19} wall {wall:6.2f} s   cpu {cpu:6.2f} s (own process {own:6.2f} s, "
              f"peak RSS {rss:5.0f} MiB)   walls: {', '.join(f'{t[0]:.2f}' for t in times[name])}")
    figures["settings"] = {name: {"wall_s": wall, "cpu_s": cpu, "own_cpu_s": own,
                                  "peak_rss_mib": rss, "walls_s": [t[0] for t in times[name]]}
                           for name, (wall, cpu, own, rss) in medians.items()}
    one = medians["1 process"]
    for label in ("", "old ") if old else ("",):
        two = medians.get(f"{label}--workers 2")
        if two is not None:
            figures[f"{label}workers_2_speedup"] = one[0] / two[0]
            figures[f"{label}workers_2_speedup_by_cpu"] = one[1] / two[2]
            print(f"  {label}--workers 2 speed-up: wall {one[0] / two[0]:.2f}x; by CPU, one "
                  f"process's CPU over the parent's ({two[2]:.2f} s; the worker's "
                  f"{two[1] - two[2]:.2f} s): {one[1] / two[2]:.2f}x (an upper bound for an "
                  f"idle machine)")
    for label in ("", "old ") if old else ("",):
        if f"{label}dask 1 worker" in medians:
            ratio = medians[f"{label}dask 1 worker"][0] / medians[f"{label}dask 2 workers"][0]
            figures[f"{label}dask_2_speedup"] = ratio
            print(f"  {label}dask 2 vs 1 workers (wall): {ratio:.2f}x")
    figures.update(output_bytes=len(reference or b""), load_after=os.getloadavg(),
                   cores_after={"loop": cores_free(), "decoding": decode_cores(path)})
    print(f"  outputs byte-identical: yes ({figures['output_bytes']:,} bytes); load average "
          f"after {' '.join(f'{x:.2f}' for x in figures['load_after'])}; cores two processes "
          f"get: {figures['cores_after']['loop']:.2f} (a loop), "
          f"{figures['cores_after']['decoding']:.2f} (decoding the file)")
    if args.phases:
        figures["phases"] = {}
        if not args.dask_only:
            print("  where the time went, --workers 2 (seconds):")
            figures["phases"]["--workers 2"] = phases(path, as_of, 2, None, "processes")
        if args.dask or args.dask_only:
            for workers in (1, 2):
                print(f"  where the time went, dask {workers} worker(s) (seconds):")
                figures["phases"][f"dask {workers}"] = phases(path, as_of, workers, None)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
