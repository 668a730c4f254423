"""`policyengine check [PATH]`: validate policy files without evaluating anything."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from policyengine.calendar import WorkCalendar, year_end_warning
from policyengine.cli.common import add_pack_option
from policyengine.cli.history import add_history_options, check_history
from policyengine.errors import PolicyError, UsageError
from policyengine.facts.schema import parse_time
from policyengine.language import LANGUAGES, resolve_language
from policyengine.policy.loader import load_policy_files
from policyengine.policy.messages import NOTHING, Say, Words
from policyengine.policy.model import Penalty, Policy, Reward
from policyengine.policy.packs import library_at, resolve
from policyengine.wording import Line, line

_SHOWN = 200  # diagnostics printed before "... and N more"


def register(commands: Any) -> None:
    parser = commands.add_parser("check", help="validate policy files, report every error")
    parser.add_argument("path", nargs="?", default="policies",
                        help="a policy file or a folder of them, or a folder of packs: every "
                             "pack is checked unless --pack names one (default: policies/)")
    add_pack_option(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--as-of", metavar="TIME",
                        help="now, for this check: the day that counts as today for edits of "
                             "values already in force, and the time of the calendar's year-end "
                             "warning (default: now)")
    parser.add_argument("--lang", choices=LANGUAGES, default=None,
                        help="language of the messages (default: the policy's policy.language, "
                             "else the locale, else zh)")
    add_history_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """One policy, or every pack of a folder of packs (each said on its own, D22)."""
    library = library_at(args.path) if args.pack is None else None
    if library is None:
        code, payload = check_one(args, args.path, args.pack)
        if payload is not None:
            print(json.dumps(payload, ensure_ascii=False, indent=2))
        return code
    failed, payloads = 0, {}
    for pack in library.packs:
        if args.format == "text":
            print(Say.PACK_HEADING(name=pack.name).get(resolve_language(args.lang, None)))
        code, payload = check_one(args, str(Path(args.path) / pack.name), None)
        failed += code != 0
        payloads[pack.name] = payload
    if args.format == "json":
        print(json.dumps({"ok": not failed, "packs": payloads}, ensure_ascii=False, indent=2))
    else:
        print(Say.PACKS_CHECKED(count=len(library.packs), failed=failed).get(
            resolve_language(args.lang, None)))
    return 1 if failed else 0


def check_one(args: argparse.Namespace, path: str, pack: str | None
              ) -> tuple[int, dict[str, Any] | None]:
    """Check one policy (a pack): the exit code, and with --format json what to print."""
    try:
        loaded = load_policy_files(path, pack)
    except PolicyError as exc:
        if args.format == "json":
            return 1, {"ok": False, "errors": [d.to_dict() for d in exc.diagnostics]}
        print_policy_errors(exc, resolve_language(args.lang, exc.language))
        return 1, None
    folder = resolve(path, pack).path
    refused, loaded, refusal = check_history(args, loaded, folder)  # edits of values in force
    if refused:
        return 1, refusal
    model = loaded.model
    found = _warnings(args, model)
    if args.format == "json":
        warnings = [{"code": code, "message": warning.render("en")} for code, warning in found]
        return 0, {"ok": True, "policy": model.policy.id,
                   "identity": loaded.identity.to_dict(), "warnings": warnings}
    lang = resolve_language(args.lang, model.policy.language)
    for _, warning in found:
        print(f"{Say.WARNING().get(lang)}{warning.render(lang)}", file=sys.stderr)
    print(Say.CHECK_OK(path=folder, id=model.policy.id, version=model.policy.version,
                       files=len(loaded.identity.files), facts=len(model.fact_types),
                       duties=len(model.duties), penalties=len(model.penalties),
                       rewards=len(model.rewards), more=_constructs(model),
                       hash=loaded.identity.content_hash).get(lang))
    return 0, None


def _constructs(model: Policy) -> Words:
    """The decision tables and prohibitions a policy has, for the ok line (none: nothing)."""
    more = NOTHING
    if model.decisions:
        more += Say.CHECK_DECISIONS(count=len(model.decisions))
    if model.prohibitions:
        more += Say.CHECK_PROHIBITIONS(count=len(model.prohibitions))
    return more


def _warnings(args: argparse.Namespace, model: Policy) -> list[tuple[str, Line]]:
    """What a valid policy may still get wrong at --as-of, else now (the command line may
    read the clock; the engine never does): the calendar's year end, and penalties and
    rewards with no version in force yet (a year typed 2041 for 2014 charges nothing)."""
    calendar = WorkCalendar(model.calendar)
    if args.as_of:
        try:
            moment = parse_time(args.as_of, calendar.tz)
        except (ValueError, OverflowError):
            raise UsageError(line("usage.as_of_time", value=args.as_of,
                                  example="2026-12-01T09:00+08:00")) from None
    else:
        moment = datetime.now(calendar.tz)
    found: list[tuple[str, Line]] = []
    year_end = year_end_warning(calendar, moment)
    if year_end is not None:
        found.append(("W-CAL-YEAR-END", year_end))
    today = calendar.local(moment).date()
    sections: list[tuple[str, Mapping[str, Penalty | Reward]]] = [
        ("check.not_yet.penalty", model.penalties), ("check.not_yet.reward", model.rewards)]
    for key, section in sections:
        for name, entry in section.items():
            if entry.versions and entry.versions[0].effective > today:
                found.append(("W-NOT-YET-IN-FORCE", line(
                    key, name=name, as_of=today, first=entry.versions[0].effective)))
    return found


def print_policy_errors(exc: PolicyError, lang: str) -> None:
    """Every diagnostic in `lang`, then one summary line, on standard error."""
    for found in exc.diagnostics[:_SHOWN]:
        print(found.render(lang), file=sys.stderr)
    if len(exc.diagnostics) > _SHOWN:
        print(Say.MORE(count=len(exc.diagnostics) - _SHOWN).get(lang), file=sys.stderr)
    places = len({d.location for d in exc.diagnostics})
    print(Say.SUMMARY_ERRORS(count=len(exc.diagnostics), places=places).get(lang),
          file=sys.stderr)
