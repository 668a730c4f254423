"""`policyengine` command line: one subcommand per module, errors without tracebacks."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence

from policyengine import __version__, native, scratch
from policyengine.cli import (
    calendar,
    check,
    diff,
    evaluate,
    explain,
    packs,
    report,
    schema,
    serve,
    steps,
    token,
    usage,
)
from policyengine.cli.check import print_policy_errors
from policyengine.cli.common import (
    EXIT_CALENDAR,
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
)
from policyengine.errors import (
    CalendarDataMissing,
    FactError,
    PolicyEngineError,
    PolicyError,
    UsageError,
)
from policyengine.facts.messages import FactSay
from policyengine.facts.schema import ENCODING_ERROR
from policyengine.language import Lang, resolve_language
from policyengine.policy.messages import Say

__all__ = ["EXIT_CALENDAR", "EXIT_FINDINGS", "EXIT_INTERNAL", "EXIT_OK", "EXIT_USAGE", "main"]


def build_parser(lang: Lang | None = None) -> argparse.ArgumentParser:
    """The command line; its own errors (a missing option, a bad choice) read in `lang`,
    by default that of `--lang` in the process's arguments, else the locale's, else Chinese."""
    parser = usage.parser_class(lang or usage.argv_language(None))(
        prog="policyengine",
        description="Evaluate YAML compliance policies over timestamped workflow facts.",
    )
    # the version, and whether the engine runs compiled (mypyc) or pure Python
    parser.add_argument("--version", action="version",
                        version=f"policyengine {__version__} ({native.describe()})")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (check, evaluate, diff, explain, report, schema, serve, steps, token, calendar,
                   packs):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(usage.argv_language(argv))
    args = parser.parse_args(argv)
    # A batch stopped by `kill` or a timeout removes its temporary folders (the on-disk
    # sort of a streamed file) and ends. `serve` keeps its own shutdown.
    terminated = (signal.signal(signal.SIGTERM, _terminate)
                  if args.command != "serve" and _in_main_thread() else None)
    try:
        code: int = args.run(args)
        return code
    except PolicyError as exc:
        # In the reader's language: --lang of the command, else the policy's own, else locale.
        print_policy_errors(exc, resolve_language(getattr(args, "lang", None), exc.language))
        return EXIT_FINDINGS if args.command == "check" else EXIT_USAGE
    except FactError as exc:
        print_rejected_facts(exc, resolve_language(getattr(args, "lang", None), exc.language),
                             getattr(args, "reject_file", None))
        return EXIT_FINDINGS
    except UsageError as exc:
        lang = resolve_language(getattr(args, "lang", None))
        print(f"{usage.prefix(lang)}{exc.text(lang)}", file=sys.stderr)
        return EXIT_USAGE
    except CalendarDataMissing as exc:
        # At the fact's `file:line` when one is known, as a rejected fact is said
        lang = resolve_language(getattr(args, "lang", None))
        said = exc.text(lang)
        print(said if exc.where else f"{usage.prefix(lang)}{said}", file=sys.stderr)
        return EXIT_CALENDAR
    except PolicyEngineError as exc:
        print(f"policyengine: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug of ours: say so plainly, no traceback for the user
        if os.environ.get("POLICYENGINE_DEBUG"):
            raise
        print(f"policyengine: internal error ({type(exc).__name__}: {exc}). This is a bug in "
              "policyengine, not in your input; please report it with the command you ran. "
              "Set POLICYENGINE_DEBUG=1 to see the traceback.", file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        if terminated is not None:
            signal.signal(signal.SIGTERM, terminated)


def _terminate(signum: int, frame: object) -> None:
    # Not an exception: one raised where the signal lands can be swallowed (in a generator
    # being finalised) or stop a folder's removal half way.
    scratch.remove_own()
    os._exit(128 + signum)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def print_rejected_facts(exc: FactError, lang: str, reject_file: str | None = None) -> None:
    """`FILE:LINE: CODE: reason` for each rejected fact in `lang`, then one summary line.
    With a --reject-file the facts reach here only when none could be read (a file not in
    UTF-8): the summary says nothing went there, not to use it."""
    shown = exc.diagnostics[:200]
    for found in shown:
        print(f"{found.location}: {found.code}: {found.text(lang)}", file=sys.stderr)
    if len(exc.diagnostics) > len(shown):
        print(Say.MORE(count=len(exc.diagnostics) - len(shown)).get(lang), file=sys.stderr)
    places = len({d.location for d in exc.diagnostics})
    summary = (FactSay.NOTHING_WRITTEN(count=len(exc.diagnostics), places=places,
                                       path=reject_file)
               if reject_file and all(d.code == ENCODING_ERROR for d in exc.diagnostics) else
               FactSay.REJECTED_SUMMARY(count=len(exc.diagnostics), places=places))
    print(summary.get(lang), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
