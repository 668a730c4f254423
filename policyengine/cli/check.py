"""`policyengine check [PATH]`: validate policy files without evaluating anything."""

from __future__ import annotations

import argparse
import json
from typing import Any

from policyengine.cli.history import add_history_options, check_history
from policyengine.errors import PolicyError
from policyengine.policy.loader import load_policy_files


def register(commands: Any) -> None:
    parser = commands.add_parser("check", help="validate policy files, report every error")
    parser.add_argument("path", nargs="?", default="policies",
                        help="a policy file or a folder of them (default: policies/)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_history_options(parser)
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
    refused, loaded = check_history(args, loaded)  # edits of values already in force
    if refused:
        return 1
    model = loaded.model
    if args.format == "json":
        print(json.dumps({"ok": True, "policy": model.policy.id,
                          "identity": loaded.identity.to_dict()}, ensure_ascii=False, indent=2))
        return 0
    print(f"ok: {args.path} — policy {model.policy.id} v{model.policy.version}: "
          f"{len(loaded.identity.files)} file(s), {len(model.fact_types)} fact types, "
          f"{len(model.duties)} duties, {len(model.penalties)} penalties, "
          f"{len(model.rewards)} rewards; {loaded.identity.content_hash}")
    return 0
