"""`--workers N`, `--engine dask`, `--scheduler ADDRESS`: where `evaluate` runs.

With more than one worker, or on Dask, the workers read the facts file themselves, each
the lines of its cases (engine/parallel.py). What the reader says of the file (rejected
lines, `--reject-file`) is said as by `read_checked_facts`.
"""

from __future__ import annotations

import argparse
from datetime import datetime

import policyengine as pe
from policyengine.cli.common import facts_file, settle_rejected
from policyengine.engine.parallel import Engine, evaluate_file
from policyengine.errors import UsageError
from policyengine.facts.reader import CheckedFacts, FactBatch
from policyengine.wording import line


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=_count, default=None, metavar="N",
                        help="split the cases over N processes (default: 1; with --engine "
                             "dask and no --scheduler: N local Dask workers, default one per "
                             "CPU); the report is the same")
    parser.add_argument("--engine", choices=[e.value for e in Engine], default=Engine.PROCESSES,
                        help="processes: on this machine (default); dask: on a Dask cluster "
                             "(the optional extra policyengine[dask]); the report is the same")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="with --engine dask: the address of a running Dask scheduler, "
                             "e.g. tcp://10.0.0.5:8786 (default: start a local cluster)")
    parser.add_argument("--partitions", type=_count, default=None, metavar="N",
                        help="with --engine dask: how many partitions the cases are split into "
                             "(default: one per worker thread)")
    parser.add_argument("--shared-files", action="store_true",
                        help="with --scheduler: the Dask workers see the facts file at the same "
                             "path (a shared file system): each reads and sorts a part of it "
                             "instead of receiving its lines from this process (a local cluster "
                             "always does)")


def _count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return count


def workers_of(args: argparse.Namespace) -> int:
    """The process count for the one-process path (`evaluate(..., workers=N)`)."""
    return args.workers or 1


def evaluate_split(args: argparse.Namespace, policy: pe.CompiledPolicy, period: pe.Period | None,
                   as_of: datetime | None) -> tuple[FactBatch, pe.EvaluationResult] | None:
    """The result of a file read and evaluated by the workers, with the reader's batch
    (its rejections and counts, no facts); None to read and evaluate here."""
    engine = Engine(args.engine)
    if engine is not Engine.DASK:
        if args.scheduler or args.partitions or args.shared_files:
            option = ("--scheduler" if args.scheduler else
                      "--partitions" if args.partitions else "--shared-files")
            raise UsageError(line("usage.dask_option", option=option))
        if workers_of(args) < 2:
            return None
    else:
        from policyengine.engine.cluster import require_dask

        require_dask()
    path = facts_file(args)
    if path is None:
        return None  # standard input, a pipe, or no such file: read (and said) as ever
    done = evaluate_file(policy, path, period=period, as_of=as_of, engine=engine,
                         workers=args.workers, scheduler=args.scheduler,
                         partitions=args.partitions, shared_files=args.shared_files)
    if done is None:
        return None
    summary = done.summary
    facts = CheckedFacts()
    facts.duplicates = summary.duplicates
    batch = FactBatch(facts, summary.rejected, summary.lines)
    settle_rejected(args, policy, batch, kept=summary.kept)
    return batch, done.result
