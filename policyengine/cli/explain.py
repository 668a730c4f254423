"""`policyengine explain`: why a case's duties were met or missed, or a person's charges."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

import policyengine as pe
from policyengine.cli.common import (
    EXIT_CALENDAR,
    EXIT_OK,
    add_fact_options,
    add_pack_option,
    as_of_of,
    evaluate_checked_facts,
    exit_for_pending,
    facts_file,
    period_of,
    read_checked_facts,
    settle_rejected,
)
from policyengine.engine.casefile import CaseFile, case_file, streamed_case_file
from policyengine.errors import PolicyEngineError, UsageError
from policyengine.facts.reader import FactBatch, FactStream
from policyengine.language import Lang, resolve_language
from policyengine.report.labels import label
from policyengine.report.text import pad
from policyengine.results import EvaluationResult, PendingObligation, money_text
from policyengine.wording import Glossary, Line, line, weekday_name, years_text


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "explain", help="a case's timeline and deadline arithmetic, or a person's charges",
        description="With --case: every duty of the case, how its deadline was computed, what "
                    "fulfilled it, the penalty rule and value in force. With --person and a "
                    "period: that person's violations and charges.")
    add_fact_options(parser, period_required=False)
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--case", help="a requirement or bug id")
    who.add_argument("--person", help="a person's name (needs --month or --quarter)")
    parser.add_argument("--policy", default="policies", metavar="PATH")
    add_pack_option(parser)
    parser.add_argument("--lang", choices=("zh", "en"),
                        help="language (default: the policy's policy.language, else the "
                             "locale, else zh)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    policy = pe.load_policy(args.policy, args.pack)
    period = period_of(args)
    as_of = (as_of_of(args, policy, datetime.now(UTC))
             or (period.end_at(policy.calendar.tz) if period else None))
    if as_of is None:
        raise UsageError(line("usage.explain_when"))
    lang = resolve_language(args.lang, policy.model.policy.language)
    names = Glossary.of(policy.model)
    if args.case:
        found = _case_file(args, policy, args.case, as_of)
        if not found.facts:
            raise UsageError(line("usage.explain_no_case", case=args.case,
                                  as_of=as_of.isoformat()))
        if args.format == "json":
            print(json.dumps(found.to_dict(lang), ensure_ascii=False, indent=2))
        else:
            sys.stdout.write(_case_text(found, lang, names))
        return EXIT_CALENDAR if any(t.missing_year for t in found.duties) else EXIT_OK
    if period is None:
        raise UsageError(line("usage.explain_person"))
    result, _ = evaluate_checked_facts(args, policy, period, as_of)
    if args.format == "json":
        mine = [v.to_dict(names) for v in result.violations if v.person == args.person]
        total = result.person(args.person)
        pending = [p.to_dict() for p in result.pending if p.person == args.person]
        print(json.dumps({"person": args.person, "period": result.period,
                          "as_of": result.as_of.isoformat(),
                          "total": total.to_dict() if total else None, "violations": mine,
                          "pending": pending}, ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(_person_text(result, args.person, lang, names))
    return exit_for_pending(result, lang)


def _case_file(args: argparse.Namespace, policy: pe.CompiledPolicy, case: str,
               as_of: datetime) -> CaseFile:
    """The case's file; a file of facts is read as it is replayed (engine/stream.py), standard
    input as a list. Rejected lines are settled as `read_checked_facts` settles them."""
    if facts_file(args) is None:  # standard input or a pipe: read once, as a list
        return case_file(policy, read_checked_facts(args, policy).facts, case, as_of)
    try:
        found, read = streamed_case_file(policy, FactStream(args.facts, policy.schema), case,
                                         as_of)
    except PolicyEngineError:
        # Said as the list path says it (a rejected line before an engine error, a file not
        # in UTF-8 in the policy's language): read again as a list.
        return case_file(policy, read_checked_facts(args, policy).facts, case, as_of)
    settle_rejected(args, policy, FactBatch(rejected=read.rejected, lines=read.lines),
                    kept=read.kept)
    return found


def _render(lines: tuple[Line, ...] | list[Line], lang: Lang, indent: str,
            names: Glossary) -> list[str]:
    return [f"{indent}{line.render(lang, names)}" for line in lines]


def _case_text(found: CaseFile, lang: Lang, names: Glossary) -> str:
    kinds = names.fact_types if lang == "zh" else {}  # a fact type as its reader knows it
    out = [label("explain.case", lang, case=found.case, as_of=f"{found.as_of:%Y-%m-%d %H:%M}"),
           "", label("explain.timeline", lang)]
    for fact in found.facts:
        attrs = names.attributes(fact.attrs, lang, fact.type)
        day = weekday_name(fact.at.weekday(), lang) if lang == "zh" else f"{fact.at:%a}"
        kind = kinds.get(fact.type, fact.type)
        out.append(f"  {fact.at:%Y-%m-%d %H:%M} {day}  {pad(kind, 24)} {pad(fact.actor or '', 8)} "
                   f"{attrs}  [{fact.ref()}]".rstrip())
    out += ["", label("explain.duties", lang)]
    for trace in found.duties:
        out.append(f"  {trace.steps[0].render(lang, names)} — "
                   f"{label('verdict.' + trace.status, lang)}")
        out += _render(trace.steps[1:], lang, "      ", names)
        if trace.penalty is not None:
            out.append("      " + label("explain.penalty", lang,
                                              detail=trace.penalty.detail.render(lang, names)))
    return "\n".join(out) + "\n"


def _person_text(result: EvaluationResult, person: str, lang: Lang, names: Glossary) -> str:
    total = result.person(person)
    out = [label("explain.person", lang, person=person, period=result.period,
                 as_of=f"{result.as_of:%Y-%m-%d %H:%M}")]
    pending = [p for p in result.pending if p.person == person]
    if total is None:
        return "\n".join([*out, label("explain.no_violation", lang),
                          *_pending_text(pending, lang), ""])
    forfeit = label("explain.forfeit", lang) if total.forfeit else ""
    out.append(label("explain.total", lang, amount=money_text(total.amount), forfeit=forfeit))
    out += _render([line.detail for line in total.lines], lang, "  ", names)
    for violation in result.violations:
        if violation.person != person:
            continue
        out += ["", f"  {violation.duty} {violation.case or ''}"]
        out += _render(violation.explanation, lang, "      ", names)
        out.append(f"      {violation.penalty.detail.render(lang, names)}")
    out += _pending_text(pending, lang)
    return "\n".join(out) + "\n"


def _pending_text(pending: list[PendingObligation], lang: Lang) -> list[str]:
    """A person's obligations pending calendar data, one line each."""
    if not pending:
        return []
    years = years_text(p.missing_year for p in pending)
    out = ["", line("pending.heading", count=len(pending), years=years).render(lang)]
    for p in pending:
        out.append(f"  {p.duty} {p.case or ''} {p.trigger_ref} {p.missing_year}: "
                   f"{p.status.words.render(lang)}")
    return out
