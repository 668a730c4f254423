"""`policyengine evaluate`: a month or quarter of facts -> the compliance report."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import UTC, datetime
from typing import Any

import policyengine as pe
from policyengine.cli.common import (
    add_fact_options,
    add_pack_option,
    as_of_of,
    evaluate_checked_facts,
    exit_for_pending,
    load_json,
    open_period_warning,
    period_of,
    policy_path,
)
from policyengine.cli.engines import add_engine_options, evaluate_split, workers_of
from policyengine.cli.history import add_history_options, record_for_evaluate
from policyengine.compare import compare
from policyengine.errors import UsageError
from policyengine.language import resolve_language
from policyengine.report.comparison import comparison_table
from policyengine.report.formats import CSV_TABLES, role_names, to_csv, to_table
from policyengine.report.labels import label
from policyengine.wording import Glossary, line


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "evaluate", help="evaluate facts for a month or quarter and print the report",
        description="Violations of the period are those whose deadline falls in it; facts "
                    "after --as-of are not seen.")
    add_fact_options(parser)
    parser.add_argument("--policy", default="policies", metavar="PATH",
                        help="policy file or folder (default: policies/)")
    add_pack_option(parser)
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    parser.add_argument("--csv-table", choices=CSV_TABLES, default="violations",
                        help="which table --format csv prints (default: violations)")
    parser.add_argument("--explain", action="store_true",
                        help="table format: show how each deadline was computed")
    parser.add_argument("--lang", choices=("zh", "en"),
                        help="language of the table and of the CSV (default: the policy's "
                             "policy.language, else the locale, else zh); --lang en gives the "
                             "CSV with machine keys integrators read")
    parser.add_argument("--against", metavar="SAVED.json",
                        help="an earlier saved result (--format json) of the same period: list "
                             "the corrections against it")
    add_history_options(parser, against=False)
    add_engine_options(parser)  # --workers, --engine, --scheduler, --partitions
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    args.policy = policy_path(args.policy, args.pack)
    policy = pe.load_policy(args.policy)
    if args.allow_history_edit:  # compare with HEAD, warn, and say so in the result's stamp
        policy = dataclasses.replace(policy, identity=record_for_evaluate(
            args.policy, policy.identity, policy.model, args.lang))
    period = period_of(args)
    now = datetime.now(UTC)  # the edge reads the clock once: --as-of now, the warning
    as_of = as_of_of(args, policy, now)
    split = evaluate_split(args, policy, period, as_of)  # the workers read the file
    if split is not None:
        batch, result = split
    else:
        result, batch = evaluate_checked_facts(args, policy, period, as_of,
                                               workers=workers_of(args))
    names = Glossary.of(policy.model)  # the policy's words for Chinese explanations
    document = result.to_dict(names)
    corrections = None
    if args.against:
        earlier = load_json(args.against)
        if earlier.get("period") != document["period"]:
            raise UsageError(line("usage.saved_period", path=args.against,
                                  old=earlier.get("period"), new=document["period"]))
        corrections = compare(earlier, document, old_label=f"saved {args.against} (as of "
                              f"{earlier.get('as_of')})", new_label=f"now (as of {result.as_of})")
    lang = resolve_language(args.lang, policy.model.policy.language)
    warning = open_period_warning(period, bool(args.as_of), policy.calendar.tz, lang, now)
    if warning and args.format != "table":  # the table says it itself; JSON/CSV stay data
        print(f"policyengine: {warning}", file=sys.stderr)
    if args.format == "json":
        document["rejected"] = len(batch.rejected)
        if corrections is not None:
            document["corrections"] = corrections.to_dict()
        print(json.dumps(document, ensure_ascii=False, indent=2))
    elif args.format == "csv":
        sys.stdout.write(to_csv(result, args.csv_table, lang=lang, roles=role_names(policy, lang)))
    else:
        sys.stdout.write(to_table(result, explain=args.explain, lang=lang, names=names,
                                  warnings=(warning,) if warning else (),
                                  model=policy.model))
        if corrections is not None:
            sys.stdout.write(f"\n{label('eval.corrections', lang)}\n")
            sys.stdout.write(comparison_table(corrections, lang))
        if batch.rejected:
            print("\n" + label("eval.rejected", lang, count=len(batch.rejected),
                                file=args.reject_file))
    return exit_for_pending(result, lang)
