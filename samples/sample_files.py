"""What every sample generator shares: times written by hand as 'MM-DD HH:MM' in 2026 at
+08:00, rows numbered into facts, and the command line that writes facts-2026-10.jsonl
beside the generator (or to stdout with `-o -`)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

YEAR = 2026
TZ = "+08:00"

Row = tuple[str, str, str | None, str | None, dict[str, Any]]  # when, type, case, actor, attrs


def stamp(when: str) -> str:
    """'MM-DD HH:MM' or 'MM-DD HH:MM:SS' -> ISO 8601 with +08:00."""
    day, clock = when.split()
    if clock.count(":") == 1:
        clock += ":00"
    return f"{YEAR}-{day}T{clock}{TZ}"


def numbered(rows: Iterable[Row], prefix: str) -> list[dict[str, Any]]:
    """Rows as facts in time order (a stable sort: same-minute facts keep the order written),
    with ids `prefix-001`, `prefix-002` ..."""
    facts = []
    for n, (when, kind, case, actor, attrs) in enumerate(sorted(rows, key=lambda r: r[0]), 1):
        fact: dict[str, Any] = {"id": f"{prefix}-{n:03d}", "type": kind, "at": stamp(when)}
        if case is not None:
            fact["case"] = case
        if actor is not None:
            fact["actor"] = actor
        fact.update(attrs)
        facts.append(fact)
    return facts


def main(build: Callable[[], list[dict[str, Any]]], doc: str | None, script: str,
         argv: list[str] | None = None) -> int:
    """The generators' command line: `-o FILE`, `-o -` for stdout, by default
    facts-2026-10.jsonl beside `script`."""
    ap = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    ap.add_argument("-o", "--output",
                    default=str(Path(script).resolve().parent / "facts-2026-10.jsonl"))
    args = ap.parse_args(argv)
    text = "".join(json.dumps(f, ensure_ascii=False) + "\n" for f in build())
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
    return 0
