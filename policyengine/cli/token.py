"""`policyengine token new NAME --scopes ingest,read --file tokens.txt`: make a service token.

The line (name, scopes, a fresh random secret) is appended to the tokens file, which is
created with mode 0600; an existing file the group or others may read is tightened to 0600
first (it is about to hold one more secret, and its other secrets were exposed too). Without
--file the line is printed, for a secret store or $POLICYENGINE_TOKENS.
Needs nothing beyond the base install.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from policyengine.cli.usage import prefix
from policyengine.language import LANGUAGES, resolve_language
from policyengine.service.auth import SCOPES, add_token, new_token_line
from policyengine.wording import line


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "token", help="make bearer tokens for `policyengine serve`",
        description="Make bearer tokens for the HTTP API (see docs/integrators.md).")
    actions = parser.add_subparsers(dest="token_action", required=True, metavar="ACTION")
    new = actions.add_parser(
        "new", help="a new token with a random secret",
        description="Make a token with a fresh random secret. With --file, append it to the "
                    "tokens file (created with mode 0600, readable by you alone); without, "
                    "print its line.")
    new.add_argument("name", metavar="NAME", help="who uses it, e.g. loader or dashboard")
    new.add_argument("--scopes", required=True, metavar="SCOPES",
                     help=f"comma-separated, of {', '.join(SCOPES)} (e.g. ingest,read)")
    new.add_argument("--file", metavar="FILE", type=Path,
                     help="the tokens file to append to (e.g. tokens.txt)")
    new.add_argument("--lang", choices=LANGUAGES, default=None,
                     help="language of the messages (default: the locale, else zh)")
    new.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.file is None:
        print(new_token_line(args.name, args.scopes))
        return 0
    _, tightened = add_token(args.file, args.name, args.scopes)
    lang = resolve_language(args.lang)
    if tightened:
        print(prefix(lang) + line("token.tightened", path=args.file).render(lang),
              file=sys.stderr)
    print(prefix(lang) + line("token.added", name=args.name, scopes=args.scopes,
                              path=args.file).render(lang), file=sys.stderr)
    return 0
