"""`policyengine check [PATH]`: validate policy files without evaluating anything."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from policyengine.calendar import WorkCalendar, year_end_warning
from policyengine.errors import PolicyError, UsageError
from policyengine.facts.schema import parse_time
from policyengine.language import resolve_language
from policyengine.policy.loader import load_policy_files
from policyengine.policy.model import Policy
from policyengine.wording import Line


def register(commands: Any) -> None:
    parser = commands.add_parser("check", help="validate policy files, report every error")
    parser.add_argument("path", nargs="?", default="policies",
                        help="a policy file or a folder of them (default: policies/)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--as-of", metavar="TIME",
                        help="when the policy will be used, for the calendar's year-end warning "
                             "(default: now)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        loaded = load_policy_files(args.path)
    except PolicyError as exc:
        if args.format == "json":
            print(json.dumps({"ok": False, "errors": [d.to_dict() for d in exc.diagnostics]},
                             ensure_ascii=False, indent=2))
            return 1
        raise
    model = loaded.model
    warning = _year_end(args, model)
    if args.format == "json":
        warnings = [] if warning is None else [{"code": "W-CAL-YEAR-END",
                                                "message": warning.render("en")}]
        print(json.dumps({"ok": True, "policy": model.policy.id,
                          "identity": loaded.identity.to_dict(), "warnings": warnings},
                         ensure_ascii=False, indent=2))
        return 0
    if warning is not None:
        lang = resolve_language(None, model.policy.language)
        print(f"warning: {warning.render(lang)}", file=sys.stderr)
    print(f"ok: {args.path} — policy {model.policy.id} v{model.policy.version}: "
          f"{len(loaded.identity.files)} file(s), {len(model.fact_types)} fact types, "
          f"{len(model.duties)} duties, {len(model.penalties)} penalties, "
          f"{len(model.rewards)} rewards; {loaded.identity.content_hash}")
    return 0


def _year_end(args: argparse.Namespace, model: Policy) -> Line | None:
    """The calendar's year-end warning at --as-of, else now (the command line may read the
    clock; the engine never does)."""
    calendar = WorkCalendar(model.calendar)
    if args.as_of:
        try:
            moment = parse_time(args.as_of, calendar.tz)
        except (ValueError, OverflowError):
            raise UsageError(f"--as-of '{args.as_of}' is not an ISO time; "
                             "e.g. 2026-12-01T09:00+08:00") from None
    else:
        moment = datetime.now(calendar.tz)
    return year_end_warning(calendar, moment)
