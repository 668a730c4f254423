"""`policyengine diff`: the same facts and period under two policies — what would change."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

import policyengine as pe
from policyengine.cli.common import (
    add_fact_options,
    add_pack_option,
    as_of_of,
    evaluate_checked_facts,
    load_policy_ref,
    open_period_warning,
    period_of,
)
from policyengine.compare import compare, comparison_json
from policyengine.engine.evaluate import evaluate_file
from policyengine.facts.reader import FactStream
from policyengine.language import resolve_language
from policyengine.report.comparison import comparison_csv, comparison_table


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "diff", help="what-if: evaluate the same facts under two policies, per-person changes",
        description="OLD and NEW are policy paths, or git:REV[:PATH] for the policy folder as "
                    "it was at a git revision (e.g. git:HEAD, git:main~3:policies).")
    add_fact_options(parser)
    parser.add_argument("--old", required=True, metavar="OLD", help="the policy in force")
    parser.add_argument("--new", default="policies", metavar="NEW",
                        help="the edited policy (default: policies/)")
    add_pack_option(parser)
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    parser.add_argument("--lang", choices=("zh", "en"),
                        help="language of the table and of the CSV (default: the new policy's "
                             "policy.language, else the locale, else zh); --lang en gives the "
                             "CSV with machine keys integrators read")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    old_policy = load_policy_ref(args.old, args.pack)
    new_policy = load_policy_ref(args.new, args.pack)
    period = period_of(args)
    now = datetime.now(UTC)  # the edge reads the clock once: --as-of now, the warning
    as_of = as_of_of(args, new_policy, now)
    # The facts as the new policy reads them, evaluated under both. A file is read as it is
    # replayed, once per policy (engine/stream.py); standard input once, as a list.
    result, batch = evaluate_checked_facts(args, new_policy, period, as_of)
    new = result.to_dict()
    if args.facts == "-" or batch.facts:
        old = pe.evaluate(old_policy, batch.facts, period=period, as_of=as_of).to_dict()
    else:
        old = evaluate_file(old_policy, FactStream(args.facts, new_policy.schema),
                            period=period, as_of=as_of)[0].to_dict()
    comparison = compare(old, new, old_label=args.old, new_label=args.new)
    lang = resolve_language(args.lang, new_policy.model.policy.language)
    warning = open_period_warning(period, bool(args.as_of), new_policy.calendar.tz, lang, now)
    if warning:
        print(f"policyengine: {warning}", file=sys.stderr)
    if args.format == "table":
        sys.stdout.write(comparison_table(comparison, lang))
    elif args.format == "csv":
        sys.stdout.write(comparison_csv(comparison, lang))
    else:
        sys.stdout.write(comparison_json(comparison))
    if args.format == "json":
        sys.stdout.write("\n")
    return 0
