"""Fill a SQLite store with the first --facts facts of a generated facts file, directly
through the store (no HTTP): the store the restart benchmark reuses (a 1M-fact store takes
minutes to fill through the API).

    python benchmarks/service_fill.py --facts 1000000 --out benchmarks/.data/store-1000000.db
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from service_benchmark import facts_file

from policyengine.engine.compiled import compile_policy
from policyengine.policy.loader import load_policy_files
from policyengine.service.ingest import check, ndjson_rows, to_store
from policyengine.service.sqlite import SqliteStore

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--leave", type=int, default=0, help="leave out the last N facts")
    parser.add_argument("--out", required=True, help="the SQLite file (must not exist)")
    args = parser.parse_args()
    out = Path(args.out)
    if out.exists():
        raise SystemExit(f"{out} exists")
    schema = compile_policy(load_policy_files(ROOT / "policies")).schema
    lines = facts_file(args.facts, args.seed).read_bytes().splitlines()
    lines = lines[:len(lines) - args.leave] if args.leave else lines
    store = SqliteStore(out)
    began = time.perf_counter()
    for first in range(0, len(lines), 20_000):
        items = check(ndjson_rows(b"\n".join(lines[first:first + 20_000])), schema, "fill")
        result = store.append(to_store(items))
        assert result.committed
    store.close()
    print(f"{len(lines):,} facts in {time.perf_counter() - began:.1f} s -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
