"""`policyengine steps`: list every scenario step (Chinese and English) with its meaning."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "steps", help="list the steps .feature scenarios can use, with their meaning")
    parser.add_argument("--lang", choices=("zh", "en", "all"), default="all",
                        help="the language of the steps (default: both)")
    parser.add_argument("--format", choices=("text", "markdown"), default="text")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        from policyengine.bdd.catalog import render
    except ImportError as exc:  # pragma: no cover - the bdd extra is missing
        print(f"policyengine steps needs the bdd extra: pip install 'policyengine[bdd]' ({exc})")
        return 2
    print(render(args.lang, markdown=args.format == "markdown"), end="")
    return 0
