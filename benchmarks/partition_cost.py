"""What one partition of a split costs, per fact: the figures docs/scale.md plans 100M facts by.

    python benchmarks/partition_cost.py [--facts 1000000] [--partitions 2] [--json-out FILE]

Each partition is measured in a fresh process of its own (its RSS not mixed with another's):
the file's byte ranges read and sorted as the workers sort them (engine/sharing.py
`map_range`), the ids checked as the parent checks them, the partition's pieces joined,
then its lines decoded, checked and replayed with the collector paused, as a worker does
(engine/workers.py). Prints and writes: per partition its facts, the CPU of reading and
sorting a line, of the id check, of decoding and checking and of replaying a fact, the
growth of RSS while its facts and obligations are held, and what its replay sends back
(pickled, as it travels); and the memory of the set the id check keeps, per id.
"""

from __future__ import annotations

import argparse
import gc
import json
import pickle
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def one_partition(path: Path, partitions: int, k: int) -> dict[str, Any]:
    import policyengine as pe
    from policyengine.engine import sharing, workers
    from policyengine.engine.evaluate import standing, triage
    from policyengine.facts.schema import parse_time
    from policyengine.gcpause import gc_paused

    policy = pe.load_policy(str(ROOT / "policies"))
    last = json.loads(path.read_bytes().rstrip(b"\n").rsplit(b"\n", 1)[-1])["at"]
    period, as_of = standing(policy, last[:7], parse_time(last, policy.calendar.tz))
    sort_out = triage(policy, period, as_of)

    def keep(o: Any) -> bool:
        return o.missing_year is not None or sort_out(o) is not None

    ranges = sharing.byte_ranges(path.stat().st_size, [1.0] * partitions)
    began = time.process_time()
    lines = [sharing.range_lines(path, *r) for r in ranges]
    read = time.process_time() - began
    count = sum(map(len, lines))
    began = time.process_time()
    sorted_ = [sharing.sort_lines(x, 0, len(x), partitions, policy.anchor_types) for x in lines]
    sort = time.process_time() - began
    if any(done is None for done in sorted_):
        sys.exit(f"{path}: a role assignment names a case; the file is not split")
    mapped = [sharing.Mapped(x, *done, sharing._lead(x), set(done[1]))
              for x, done in zip(lines, sorted_, strict=True) if done is not None]
    began = time.process_time()
    agreed = sharing.one_code_per_id([m.status() for m in mapped])
    ids = time.process_time() - began
    if not agreed:
        sys.exit(f"{path}: an id's lines go to two partitions; the file is not split")
    before = rss_mib()
    seen = set().union(*(m.hashes for m in mapped))
    id_set = (rss_mib() - before) * 2 ** 20 / len(seen)
    del seen
    mine = sharing.joined_pieces([sharing.piece_of(m, k) for m in mapped])
    del lines, sorted_, mapped
    gc.collect()
    before = rss_mib()
    with gc_paused():
        began = time.process_time()
        share = sharing.read_share(policy.schema, path.name, mine, as_of)
        decoded = time.process_time()
        # A worker 0 takes the first fact of all, agreed with the others; here its own first:
        # the same in the generated files, which begin with role assignments every worker reads.
        part = workers.replay_share(policy, share, as_of, keep, share.first if k == 0 else None,
                                    k)
        replayed = time.process_time()
        held = rss_mib() - before
    facts = len(share.ordered)
    return {"partition": k, "facts": facts, "lines": count,
            "read_split_us_per_line": read / count * 1e6,
            "sort_us_per_line": sort / count * 1e6,
            "id_check_us_per_line": ids / count * 1e6,
            "id_set_bytes_per_id": id_set,
            "decode_check_cpu_s": decoded - began, "replay_cpu_s": replayed - decoded,
            "us_per_fact": (replayed - began) / facts * 1e6,
            "rss_held_mib": held, "kib_per_fact": held * 1024 / facts,
            "sent_mib": len(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)) / 2 ** 20,
            "sent_obligations": len(part.sent)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facts", type=int, default=1_000_000)
    parser.add_argument("--partitions", type=int, default=2)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child: this partition
    parser.add_argument("--json-out", help="also write the figures as JSON here")
    args = parser.parse_args()
    path = HERE / ".data" / f"facts-{args.facts}-s42.jsonl"
    if not path.exists():
        sys.exit(f"{path} is missing: python benchmarks/generate_facts.py --facts {args.facts} "
                 f"--out {path}")
    if args.one is not None:
        print(json.dumps(one_partition(path, args.partitions, args.one)))
        return 0
    parts = []
    for k in range(args.partitions):
        done = subprocess.run([sys.executable, __file__, "--facts", str(args.facts),
                               "--partitions", str(args.partitions), "--one", str(k)],
                              capture_output=True, check=True, text=True)
        parts.append(json.loads(done.stdout.strip().splitlines()[-1]))
    for p in parts:
        print(f"partition {p['partition']}: {p['facts']:,} facts; decode and check "
              f"{p['decode_check_cpu_s']:.2f} s, replay {p['replay_cpu_s']:.2f} s of CPU "
              f"({p['us_per_fact']:.2f} µs a fact); RSS +{p['rss_held_mib']:.0f} MiB held "
              f"({p['kib_per_fact']:.2f} KiB a fact); sent back {p['sent_mib']:.1f} MiB, "
              f"{p['sent_obligations']:,} obligations")
    figures = {"facts": args.facts, "partitions": parts,
               "per_line_us": {key: statistics.median(p[key] for p in parts) for key in
                               ("read_split_us_per_line", "sort_us_per_line",
                                "id_check_us_per_line")},
               "id_set_bytes_per_id": statistics.median(p["id_set_bytes_per_id"]
                                                        for p in parts),
               "sent_mib": sum(p["sent_mib"] for p in parts),
               "sent_obligations": sum(p["sent_obligations"] for p in parts)}
    line = figures["per_line_us"]
    print(f"{parts[0]['lines']:,} lines, per line (medians of the partitions' processes): read "
          f"and split {line['read_split_us_per_line']:.2f} µs, sorted "
          f"{line['sort_us_per_line']:.2f} µs, ids checked {line['id_check_us_per_line']:.2f} "
          f"µs; the id check's set {figures['id_set_bytes_per_id']:.0f} bytes an id; sent "
          f"back in all {figures['sent_mib']:.1f} MiB, {figures['sent_obligations']:,} "
          f"obligations")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
