"""What the streamed evaluation holds as it goes: counts of its per-case tables and RSS.

Usage::

    python benchmarks/stream_memory.py --file F --period 2026-04 [--trace N]

At each compaction of the streamed replay (engine/stream.py `_drop_unread`) prints the
facts read, the current RSS, and how many entries each table of the replay's state holds;
with ``--trace N`` also the top N allocation sites (tracemalloc, by line) at the end of the
replay (slow: several times the run).
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def rss_mib() -> tuple[float, float]:
    now = peak = 0.0
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                now = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return now, peak


def counts(state: Any) -> dict[str, int]:
    from policyengine.engine import stream as st
    obligations = state.obligations
    opened = sum(1 for o in obligations if o.fulfilled_by is None)
    sized: dict[str, int] = {
        "obligations": len(obligations), "open": opened,
        "open_for": sum(len(v) for v in state.open_for.values()),
        "latest": sum(dict.__len__(v) for v in state.latest.values()),
        "first_actor": len(state.first_actor), "case_tier": len(state.case_tier),
        "handled": sum(len(v) for v in state.handled.values()),
        "notes": len(state.notes), "anchors": len(state.anchors),
        "timed_by": sum(len(v) for v in state.timed_by.values()),
        "queues": sum(len(q) for d in state.queues.values() for q in d.values()),
        "latest_actor": len(state.latest_actor), "keys_used": len(state.keys_used),
        "forbidden": len(state.forbidden),
        "periods": sum(len(v) for v in state.periods.values()),
    }
    for name in ("cases", "case_states", "asleep_count"):
        if hasattr(state, name):
            sized[name] = len(getattr(state, name))
    # open obligations asleep on disk (engine/dormant.py `OpenFor`), and the deadline memos
    sized["open_asleep"] = sum(len(getattr(t, "asleep", ()))
                               + sum(getattr(t, "shared", {}).values())
                               for t in state.open_for.values())
    sized["deadline_memos"] = sum(map(len, st._deadline_memos(state.policy)))
    for latest in state.latest.values():
        dormant = getattr(latest, "dormant", None)
        if dormant is not None:
            sized["asleep"] = dormant.asleep
            sized["woken"] = dormant.woken
            break
    from policyengine.facts import fastpath
    for path in fastpath._BUILT.values():
        if path.case_memos:
            sized["reader_case_ids"] = sum(len(t) for m in path.case_memos for t in m.tables())
    del st
    return sized


def deep_mib(roots: list[Any]) -> float:
    """Bytes held by `roots` and what they alone reach of obligations, facts and plain
    values (not the policy, its duties, nor shared zone objects), in MiB."""
    import datetime as dt
    from types import MappingProxyType

    from policyengine.engine.obligation import Obligation
    from policyengine.facts.schema import Fact
    plain = (dict, list, tuple, str, bytes, int, float, dt.datetime, dt.date, MappingProxyType,
             Fact)
    seen: set[int] = set()
    total = 0
    stack = list(roots)
    while stack:
        item = stack.pop()
        if id(item) in seen or not isinstance(item, (*plain, Obligation)):
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, Obligation):
            stack.extend(getattr(item, slot, None) for slot in
                         ("case", "due", "opened_at", "trigger", "fulfilled_by", "anchor",
                          "history"))
        elif isinstance(item, (dict, MappingProxyType)):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return total / 2**20


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--file", type=Path, required=True)
    p.add_argument("--period", required=True)
    p.add_argument("--policy", type=Path, default=HERE.parent / "policies")
    p.add_argument("--trace", type=int, default=0)
    p.add_argument("--every", type=int, default=1, help="print every Nth compaction")
    a = p.parse_args()
    import policyengine as pe
    from policyengine.engine import stream
    from policyengine.engine.evaluate import evaluate_file
    from policyengine.facts.reader import FactStream

    policy = pe.load_policy(str(a.policy))
    original = stream._drop_unread
    calls = [0]
    started = time.process_time()

    def watched(state: Any, unread: Any, dormant: Any, *, ended: bool = False) -> int:
        out = original(state, unread, dormant, ended=ended)
        calls[0] += 1
        if ended or calls[0] % a.every == 0:
            now, peak = rss_mib()
            print(f"[{time.process_time() - started:7.1f}s cpu] ended={ended} rss {now:.0f} "
                  f"peak {peak:.0f} MiB {counts(state)}", flush=True)
            if ended:
                opened = [o for o in state.obligations if o.fulfilled_by is None]
                print(f"deep size: open obligations {deep_mib(opened):.1f} MiB "
                      f"({len(opened):,}), all obligations in memory "
                      f"{deep_mib(list(state.obligations)):.1f} MiB, first actors "
                      f"{deep_mib([state.first_actor]):.1f} MiB, open_for "
                      f"{deep_mib([dict(d) for d in state.open_for.values()]):.1f} MiB",
                      flush=True)
            if ended and a.trace:
                snap = tracemalloc.take_snapshot()
                total = sum(s.size for s in snap.statistics("filename"))
                print(f"traced: {total / 2**20:.1f} MiB")
                for stat in snap.statistics("lineno")[:a.trace]:
                    print(f"  {stat.size / 2**20:7.2f} MiB {stat.count:9,} "
                          f"{stat.traceback[0].filename.split('/')[-1]}:"
                          f"{stat.traceback[0].lineno}")
        return out

    stream._drop_unread = watched  # type: ignore[assignment]
    if a.trace:
        tracemalloc.start()
    result, _ = evaluate_file(policy, FactStream(a.file, policy.schema), period=a.period)
    now, peak = rss_mib()
    print(f"done: {len(result.violations):,} violations, {len(result.obligations):,} open; "
          f"rss {now:.0f} peak {peak:.0f} MiB; cpu {time.process_time() - started:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
