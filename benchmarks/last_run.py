"""The last run: every benchmark whose figures the docs carry, one after the other, each
writing its JSON (and what it printed) into benchmarks/last-run/.

    python benchmarks/last_run.py                 # everything, about 20 minutes at 1M facts
    python benchmarks/last_run.py --only split    # one step again (see STEPS)

The docs that carry figures (benchmarks/README.md, docs/scale.md, docs/integrators.md) carry
those of the files here, and tests/docs/test_last_run.py checks that they do: commit the
new files and the docs' new figures together. Run it on a machine with nothing else
running, and do not commit while it runs (split_benchmark.py compares outputs that carry
the policy's git revision).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "last-run"
DATA = HERE / ".data"
STORE = DATA / "store-last-run.db"
FACTS = "benchmarks/.data/facts-1000000-s42.jsonl"
GROWTH = "benchmarks/.data/facts-3000000-s42-from2009.jsonl"

# name -> the script and its arguments; each step also gets --json-out last-run/NAME.json
STEPS: dict[str, list[str]] = {
    "engine": ["run_benchmark.py", "--file", FACTS, "--repeat", "3", "--workers", "2",
               "--growth-facts", "3000000", "--growth-file", GROWTH],
    "split": ["split_benchmark.py", "--facts", "1000000", "--rounds", "5", "--dask",
              "--phases"],
    "partitions": ["partition_cost.py", "--facts", "1000000"],
    "service-1": ["service_benchmark.py"],
    "memory": ["service_memory.py", "--facts", "1000000"],
    "restart": ["service_restart.py", "--facts", "1000000", "--other", "none", "--rounds", "5",
                "--store", str(STORE.relative_to(ROOT))],
    "service-2": ["service_benchmark.py"],
    "warm": ["service_warm.py", "--facts", "1000000", "--pause", "60"],
}


def fill_store() -> None:
    """The restart step's store: a fresh fill (facts only; its first start keeps outcomes)."""
    STORE.unlink(missing_ok=True)
    subprocess.run([sys.executable, str(HERE / "service_fill.py"), "--facts", "1000000",
                    "--out", str(STORE)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def revision() -> str:
    """The tree the run is made on: its commit, "-dirty" when a tracked file other than the
    run's own (last-run/, which the run writes) differs from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=False).stdout.strip()

    changed = git("status", "--porcelain", "--untracked-files=no", "--", ".",
                  f":(exclude){OUT.relative_to(ROOT)}")
    return (git("describe", "--always") or "unknown") + ("-dirty" if changed else "")


def now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=sorted(STEPS), action="append",
                        help="run this step only (may be given more than once)")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    log_path = OUT / "steps.json"
    log: dict[str, dict[str, object]] = (json.loads(log_path.read_text(encoding="utf-8"))
                                         if args.only and log_path.exists() else {})
    for name, (script, *options) in STEPS.items():
        if args.only and name not in args.only:
            continue
        if name == "restart":
            fill_store()
        began, load = now(), os.getloadavg()
        print(f"{began} {name} (load {load[0]:.2f}) ...", flush=True)
        with (OUT / f"{name}.txt").open("w", encoding="utf-8") as printed:
            done = subprocess.run([sys.executable, str(HERE / script), *options,
                                   "--json-out", str(OUT / f"{name}.json")],
                                  cwd=ROOT, stdout=printed, stderr=subprocess.STDOUT,
                                  check=False)
        if done.returncode:
            print(f"{name} failed (exit {done.returncode}): see {OUT / f'{name}.txt'}")
            return done.returncode
        log[name] = {"began": began, "ended": now(),
                     "load_before": load[0], "load_after": os.getloadavg()[0],
                     "revision": revision(), "command": ["python", f"benchmarks/{script}",
                                                         *options]}
        log_path.write_text(json.dumps(log, indent=2) + "\n", encoding="utf-8")
    STORE.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
