"""`policyengine packs [PATH]`: the rule books (packs) of a folder of packs, and the default."""

from __future__ import annotations

import argparse
import json
from typing import Any

from policyengine.errors import UsageError
from policyengine.language import LANGUAGES, resolve_language
from policyengine.policy.messages import Say
from policyengine.policy.packs import library_at
from policyengine.wording import line


def register(commands: Any) -> None:
    parser = commands.add_parser("packs", help="list the packs (rule books) of a folder of packs")
    parser.add_argument("path", nargs="?", default="policies",
                        help="a folder of packs (default: policies/)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--lang", choices=(*LANGUAGES, "all"), default="all",
                        help="the titles to show (default: both, Chinese then English)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    library = library_at(args.path)
    if library is None:
        raise UsageError(line("usage.not_packs", path=args.path))
    default = library.pick(None).name if library.default or len(library.packs) == 1 else None
    if args.format == "json":
        print(json.dumps({"default": default, "packs": [
            {"name": p.name, "title": p.title, "title_en": p.title_en,
             "default": p.name == default} for p in library.packs]},
            ensure_ascii=False, indent=2))
        return 0
    width = max(len(p.name) for p in library.packs)
    lang = args.lang if args.lang == "all" else resolve_language(args.lang, None)
    for pack in library.packs:
        mark = "*" if pack.name == default else " "
        titles = (f"{pack.title}  {pack.title_en}" if lang == "all"
                  else pack.title_in(lang))
        print(f"{mark} {pack.name:<{width}}  {titles}")
    if default:
        note = Say.PACK_DEFAULT_MARK()
        print("\n" + (f"{note.zh}  {note.en[2:]}" if lang == "all" else note.get(lang)))
    return 0
