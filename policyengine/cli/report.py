"""`policyengine report KIND`: the documents the rule book asks for, for people to open.

KIND is registry (需求登记反馈表), weekly (新增需求收集周报), monthly (需求收集处理月度总结),
deductions (绩效扣款表) or rewards (季度奖励建议). The builders make a `Document`; the
format's renderer turns it into bytes; this module only reads, chooses and writes.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import policyengine as pe
from policyengine.cli.common import (
    add_fact_options,
    add_pack_option,
    as_of_of,
    evaluate_checked_facts,
    exit_for_pending_count,
    open_period_warning,
    read_checked_facts,
)
from policyengine.errors import UsageError
from policyengine.language import Lang, resolve_language
from policyengine.report.builders import build_document, deductions, default_as_of, rewards
from policyengine.report.builders.common import as_of_for
from policyengine.report.builders.pending import pending_warning
from policyengine.report.document import Document, ReportKind
from policyengine.report.labels import label
from policyengine.report.render import BINARY, FORMATS, render_document
from policyengine.wording import line

# The period each kind is for, and the option that gives it.
_PERIOD_OPTION = {ReportKind.REGISTRY: ("month", "week", "quarter"),
                  ReportKind.WEEKLY: ("week",),
                  ReportKind.MONTHLY: ("month",),
                  ReportKind.DEDUCTIONS: ("month", "quarter"),
                  ReportKind.REWARDS: ("quarter",)}
_SUFFIX_FORMAT = {".xlsx": "xlsx", ".html": "html", ".htm": "html", ".csv": "csv",
                  ".json": "json", ".txt": "text"}


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "report", help="the rule book's documents: registry, weekly, monthly, deductions, "
                       "rewards",
        description="registry: 需求登记反馈表 (the whole registry as of the time given); "
                    "weekly: 新增需求收集周报 (--week YYYY-Www); monthly: 需求收集处理月度总结 "
                    "(--month); deductions: 绩效扣款表 (--month or --quarter); rewards: "
                    "季度奖励建议 (--quarter).")
    parser.add_argument("kind", choices=[k.value for k in ReportKind], metavar="KIND",
                        help="registry, weekly, monthly, deductions or rewards")
    add_fact_options(parser, period_required=True, weeks=True)
    parser.add_argument("--policy", default="policies", metavar="PATH",
                        help="policy file or folder (default: policies/)")
    add_pack_option(parser)
    parser.add_argument("--lang", choices=("zh", "en"),
                        help="language of the report (default: the policy's, else the locale)")
    parser.add_argument("--format", choices=FORMATS,
                        help="output format (default: from -o's suffix; text on a terminal)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    parser.set_defaults(run=run)


def _period(args: argparse.Namespace, kind: ReportKind) -> pe.Period:
    given = [(name, getattr(args, name)) for name in ("month", "week", "quarter")
             if getattr(args, name)]
    name, text = given[0]
    allowed = _PERIOD_OPTION[kind]
    if name not in allowed:
        wanted = " or ".join(f"--{a}" for a in allowed)
        raise UsageError(line("usage.report_period", report=kind.value, wanted=wanted,
                              option=name))
    period = pe.Period.parse(text)
    expected = {"month": period.is_quarter or period.is_week, "week": not period.is_week,
                "quarter": not period.is_quarter}[name]
    if expected:
        forms = {"month": "YYYY-MM", "week": "YYYY-Www", "quarter": "YYYY-Qn"}
        raise UsageError(line("usage.period_kind", option=name, value=text, form=forms[name]))
    return period


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    if args.output:
        suffix = Path(args.output).suffix.lower()
        if suffix in _SUFFIX_FORMAT:
            return _SUFFIX_FORMAT[suffix]
        raise UsageError(line("usage.format_unknown_suffix", path=args.output,
                              formats=", ".join(FORMATS), suffix=suffix))
    return "text"


def with_open_period_warning(document: Document, warning: str | None) -> Document:
    """The document with the period-not-ended warning among its warnings (text, JSON, standard
    error) and in its title block, which every format shows (HTML, XLSX, CSV too)."""
    if not warning:
        return document
    attention = (label("head.attention", document.lang), warning)
    return dataclasses.replace(document, warnings=(warning, *document.warnings),
                               heading=(attention, *document.heading))


# Kinds made from the evaluation's result alone: a file is read as it is replayed
# (engine/stream.py). The others list every case of the history (casebook): a list.
_FROM_RESULT = {ReportKind.DEDUCTIONS: deductions.of_result, ReportKind.REWARDS: rewards.of_result}


def _document(args: argparse.Namespace, kind: ReportKind, policy: pe.CompiledPolicy,
              period: pe.Period, as_of: datetime | None, lang: Lang) -> Document:
    of_result = _FROM_RESULT.get(kind)
    if of_result is None or args.facts == "-":
        facts = read_checked_facts(args, policy).facts
        return build_document(kind, policy, facts, period=period, as_of=as_of, lang=lang)
    when = as_of_for(policy, period, as_of)
    result, _ = evaluate_checked_facts(args, policy, period, when)
    return of_result(policy, result, period=period, as_of=when, lang=lang)


def run(args: argparse.Namespace) -> int:
    kind = ReportKind(args.kind)
    fmt = _format(args)
    if fmt in BINARY and not args.output:
        raise UsageError(line("usage.binary_format", format=fmt))
    period = _period(args, kind)
    policy = pe.load_policy(args.policy, args.pack)
    lang = resolve_language(args.lang, policy.model.policy.language)
    now = datetime.now(UTC)  # the edge reads the clock once: --as-of now, the warning
    as_of = as_of_of(args, policy, now)
    document = _document(args, kind, policy, period, as_of, lang)
    document = with_open_period_warning(document, open_period_warning(
        period, bool(args.as_of), policy.calendar.tz, lang, now,
        default_as_of(kind, policy, period)))
    body = render_document(document, fmt)
    pending = document.data.get("pending") or []
    years = document.data.get("pending_years") or []
    # The pending warning is said once on standard error, by the exit line below.
    said_later = pending_warning(len(pending), years, lang) if pending else None
    for warning in document.warnings:
        if warning != said_later:
            print(f"policyengine: {warning}", file=sys.stderr)
    if args.output:
        try:
            Path(args.output).write_bytes(body)
        except OSError as exc:
            raise UsageError(line("usage.cannot_write", option="-o", path=args.output,
                                  reason=exc.strerror)) from None
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    # Obligations waiting for a calendar year: the report is written in full, and the exit
    # code says something is pending (as `evaluate` does).
    return exit_for_pending_count(len(pending), years, lang)
