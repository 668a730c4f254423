"""`policyengine steps`: list every scenario step (Chinese and English) with its meaning."""

from __future__ import annotations

import argparse
from typing import Any

from policyengine.cli.common import add_pack_option
from policyengine.policy.loader import load_policy_files


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "steps", help="list the steps .feature scenarios can use, with their meaning")
    parser.add_argument("--lang", choices=("zh", "en", "all"), default="all",
                        help="the language of the steps (default: both)")
    parser.add_argument("--format", choices=("text", "markdown"), default="text")
    parser.add_argument("--policy", default="policies", metavar="PATH",
                        help="policy file or folder whose roles and attributes the steps name "
                             "(default: policies/)")
    add_pack_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        from policyengine.bdd.catalog import pack_words, render
    except ImportError as exc:  # pragma: no cover - the bdd extra is missing
        print(f"policyengine steps needs the bdd extra: pip install 'policyengine[bdd]' ({exc})")
        return 2
    policy = load_policy_files(args.policy, args.pack).model
    print(render(args.lang, markdown=args.format == "markdown", words=pack_words(policy)),
          end="")
    return 0
