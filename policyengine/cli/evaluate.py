"""`policyengine evaluate`: a month or quarter of facts -> the compliance report."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import policyengine as pe
from policyengine.errors import UsageError
from policyengine.facts.reader import FactBatch
from policyengine.facts.schema import parse_time
from policyengine.report.formats import CSV_TABLES, to_csv, to_table


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "evaluate", help="evaluate facts for a month or quarter and print the report",
        description="Violations of the period are those whose deadline falls in it; facts "
                    "after --as-of are not seen.")
    parser.add_argument("--facts", required=True, metavar="FILE",
                        help="facts as JSON Lines or CSV; '-' reads standard input")
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument("--month", metavar="YYYY-MM")
    when.add_argument("--quarter", metavar="YYYY-Qn")
    parser.add_argument("--as-of", metavar="TIME",
                        help="ISO time the evaluation stands at (default: the end of the period)")
    parser.add_argument("--policy", default="policies", metavar="PATH",
                        help="policy file or folder (default: policies/)")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    parser.add_argument("--csv-table", choices=CSV_TABLES, default="violations",
                        help="which table --format csv prints (default: violations)")
    parser.add_argument("--explain", action="store_true",
                        help="table format: show how each deadline was computed")
    parser.add_argument("--reject-file", metavar="PATH",
                        help="evaluate the valid facts and write each rejected line here")
    parser.add_argument("--progress", choices=("auto", "always", "never"), default="auto",
                        help="progress bar on standard error (auto: on a terminal)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    policy = pe.load_policy(args.policy)
    period = pe.Period.parse(args.month or args.quarter)
    as_of = _as_of(args.as_of, policy) if args.as_of else None
    batch = _read(args, policy)
    if batch.rejected:
        if not args.reject_file:
            batch.raise_if_rejected()
        _write_rejects(Path(args.reject_file), batch)
        print(f"policyengine: {len(batch.rejected)} fact(s) rejected, written to "
              f"{args.reject_file}; evaluating the other {len(batch.facts)}", file=sys.stderr)
    result = pe.evaluate(policy, batch.facts, period=period, as_of=as_of)
    if args.format == "json":
        document = result.to_dict()
        document["rejected"] = len(batch.rejected)
        print(json.dumps(document, ensure_ascii=False, indent=2))
    elif args.format == "csv":
        sys.stdout.write(to_csv(result, args.csv_table))
    else:
        sys.stdout.write(to_table(result, explain=args.explain))
        if batch.rejected:
            print(f"\n{len(batch.rejected)} rejected fact(s) are listed in {args.reject_file}")
    return 0


def _as_of(text: str, policy: pe.CompiledPolicy) -> datetime:
    try:
        return parse_time(text, policy.calendar.tz)
    except ValueError:
        raise UsageError(f"--as-of '{text}' is not an ISO time; e.g. 2026-10-31T18:00+08:00") \
            from None


def _read(args: argparse.Namespace, policy: pe.CompiledPolicy) -> FactBatch:
    show = args.progress == "always" or (args.progress == "auto" and sys.stderr.isatty())
    if args.facts != "-" and not Path(args.facts).is_file():
        raise UsageError(f"--facts {args.facts}: no such file")
    bar = _ProgressBar(Path(args.facts)) if show else None
    batch = pe.read_facts(args.facts, policy, progress=bar)
    if bar:
        bar.done()
    return batch


def _write_rejects(path: Path, batch: FactBatch) -> None:
    with path.open("w", encoding="utf-8") as out:
        for rejection in batch.rejected:
            out.write(json.dumps({"location": str(rejection.location),
                                  "line": rejection.location.line,
                                  "reasons": list(rejection.reasons),
                                  "text": rejection.text}, ensure_ascii=False) + "\n")


class _ProgressBar:
    """`reading facts [#####.....] 52% 520000 lines` on standard error."""

    def __init__(self, path: Path):
        self.total = 0
        if path.is_file():
            with path.open("rb") as handle:
                chunks = iter(lambda: handle.read(1 << 20), b"")
                self.total = sum(chunk.count(b"\n") for chunk in chunks)
        self.started = time.monotonic()

    def __call__(self, lines: int) -> None:
        if self.total:
            share = min(lines / self.total, 1.0)
            filled = int(share * 30)
            bar = "#" * filled + "." * (30 - filled)
            sys.stderr.write(f"\rreading facts [{bar}] {share:4.0%} {lines} lines")
        else:
            sys.stderr.write(f"\rreading facts: {lines} lines")
        sys.stderr.flush()

    def done(self) -> None:
        sys.stderr.write(f"  ({time.monotonic() - self.started:.1f}s)\n")
