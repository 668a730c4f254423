"""Options and steps the evaluating commands share: the facts, the period, the as-of time."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import policyengine as pe
from policyengine.engine.evaluate import evaluate_file
from policyengine.errors import FactError, Location, PolicyEngineError, PolicyError, UsageError
from policyengine.facts.messages import FactSay
from policyengine.facts.reader import FactBatch, FactStream
from policyengine.facts.schema import parse_time
from policyengine.language import Lang, resolve_language
from policyengine.policy.loader import is_policy_file, load_policy_texts
from policyengine.policy.messages import Say, diagnostic
from policyengine.policy.packs import PACKS_FILE, layout, resolve
from policyengine.report.labels import label
from policyengine.results import EvaluationResult
from policyengine.wording import line, years_text

# Exit codes (docs/cli.md). 3: a calendar year is missing. Either an evaluation completed with
# obligations pending calendar data (the full report is printed), or a working-day
# computation needed a year before the calendar's first (E-CAL-YEAR: nothing evaluated).
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_CALENDAR, EXIT_INTERNAL = 0, 1, 2, 3, 4


def add_fact_options(parser: argparse.ArgumentParser, *, period_required: bool = True,
                     weeks: bool = False) -> None:
    parser.add_argument("--facts", required=True, metavar="FILE", type=a_path,
                        help="facts as JSON Lines or CSV; '-' reads standard input")
    when = parser.add_mutually_exclusive_group(required=period_required)
    when.add_argument("--month", metavar="YYYY-MM")
    when.add_argument("--quarter", metavar="YYYY-Qn")
    if weeks:
        when.add_argument("--week", metavar="YYYY-Www", help="an ISO week, e.g. 2026-W44")
    parser.add_argument("--as-of", metavar="TIME",
                        help="ISO time the evaluation stands at, or 'now' (default: the end "
                             "of the period)")
    parser.add_argument("--reject-file", metavar="PATH", type=a_path,
                        help="evaluate the valid facts and write each rejected line here")
    parser.add_argument("--progress", choices=("auto", "always", "never"), default="auto",
                        help="progress bar on standard error (auto: on a terminal)")


def period_of(args: argparse.Namespace) -> pe.Period | None:
    text = args.month or args.quarter
    return pe.Period.parse(text) if text else None


# The engine steps a period or a deadline past the as-of (a week, a month, a year): in the
# last year datetime can hold, that step has no date.
LAST_AS_OF_YEAR = 9998


def as_of_of(args: argparse.Namespace, policy: pe.CompiledPolicy,
             now: datetime) -> datetime | None:
    """--as-of: an ISO time (without an offset, in the calendar's zone), or `now`, as the
    API takes it: `now` is the clock the command read once (to the second, in the
    calendar's zone), the same moment its open-period warning is told against."""
    if not args.as_of:
        return None
    if args.as_of.strip().lower() == "now":
        return now.astimezone(policy.calendar.tz).replace(microsecond=0)
    try:
        moment = parse_time(args.as_of, policy.calendar.tz)
    except (ValueError, OverflowError):
        raise UsageError(line("usage.as_of", value=args.as_of,
                              example="2026-10-31T18:00+08:00")) from None
    if moment.year > LAST_AS_OF_YEAR:  # a week or a month after it is past datetime's end
        raise UsageError(line("usage.as_of_late", value=args.as_of, year=LAST_AS_OF_YEAR))
    return moment


def open_period_warning(period: pe.Period | None, as_of_given: bool, tz: ZoneInfo, lang: Lang,
                        now: datetime, stands_at: datetime | None = None) -> str | None:
    """The warning for a result whose as-of defaulted to a moment still to come: `stands_at`
    (a report's own default, report/builders `default_as_of`), else the period's end. Such
    a result reads as final but will change with new facts. None when --as-of was given,
    when there is no period, or when that moment has passed. `now` comes from the caller
    (the command line reads the clock; the engine never does), so a test can say what today
    is."""
    if as_of_given or period is None:
        return None
    end = stands_at if stands_at is not None else period.end_at(tz)
    if end <= now:
        return None
    return label("warn.period_open", lang, as_of=f"{end:%Y-%m-%d %H:%M}")


def a_path(text: str) -> str:
    """A path option's value: an empty one (a shell variable not set, `--facts "$FILE"`) is a
    usage error. As a path it would name the current folder (`Path("")` is `.`), and an empty
    --reject-file would be taken as none given."""
    if not text:
        raise argparse.ArgumentTypeError("an empty path (a shell variable not set?): give "
                                         "a file's path")
    return text


def read_checked_facts(args: argparse.Namespace, policy: pe.CompiledPolicy) -> FactBatch:
    """Read facts; rejected lines stop everything unless --reject-file takes them."""
    if args.facts != "-":
        facts_readable(args.facts)
    bar = _progress_bar(args)
    language = policy.model.policy.language
    try:
        batch = pe.read_facts(args.facts, policy, progress=bar)
    except FactError as exc:  # a file not in UTF-8: told in the policy's language too
        exc.language = language
        raise
    if bar:
        bar.done()
    settle_rejected(args, policy, batch, kept=len(batch.facts))
    return batch


def facts_file(args: argparse.Namespace) -> Path | None:
    """--facts as a regular file, which can be read more than once (streamed, sorted on
    disk, split between workers); None for standard input, a pipe such as /dev/stdin (read
    once, as it comes, as a list) or a path naming nothing (said by `read_checked_facts`)."""
    path = Path(args.facts)
    return path if args.facts != "-" and path.is_file() else None


def _progress_bar(args: argparse.Namespace) -> ProgressBar | None:
    show = args.progress == "always" or (args.progress == "auto" and sys.stderr.isatty())
    return ProgressBar(Path(args.facts)) if show else None


def facts_readable(facts: str) -> None:
    """A usage error for a --facts path that names nothing readable. A pipe is read as it
    comes (`--facts /dev/stdin`, `--facts <(zcat facts.jsonl.gz)`), as `--facts -` is."""
    path = Path(facts)
    if not path.exists():
        raise UsageError(line("usage.facts_missing", path=facts))
    if path.is_dir():
        raise UsageError(line("usage.facts_folder", path=facts))


def settle_rejected(args: argparse.Namespace, policy: pe.CompiledPolicy, batch: FactBatch,
                    *, kept: int) -> None:
    """Rejected lines stop everything (raised, located) unless --reject-file takes them;
    then they are written there and stderr says how many, and how many facts were kept.
    The file is written on every run, empty when none was rejected: a file left from an
    earlier run would tell of lines this run did not reject."""
    language = policy.model.policy.language
    if not args.reject_file:
        batch.raise_if_rejected(language)
        return
    target = Path(args.reject_file)
    if args.facts != "-" and target.exists() and target.samefile(args.facts):
        raise UsageError(line("usage.reject_is_facts", path=args.reject_file))
    write_rejects(target, batch)
    if not batch.rejected:
        return
    lang = resolve_language(getattr(args, "lang", None), language)
    print(FactSay.REJECTED_WRITTEN(count=len(batch.rejected), path=args.reject_file,
                                   kept=kept).get(lang), file=sys.stderr)


def evaluate_checked_facts(args: argparse.Namespace, policy: pe.CompiledPolicy,
                           period: pe.Period | None, as_of: datetime | None, *,
                           workers: int = 1) -> tuple[EvaluationResult, FactBatch]:
    """Read and evaluate the facts, as `read_checked_facts` then `pe.evaluate` do. A file
    is read as it is replayed (engine/stream.py: memory bounded by the open cases); standard
    input and `--workers` take the list path. The batch returned holds the rejected lines
    (its `facts` only when the list path read them)."""
    if workers > 1 or not facts_file(args):
        batch = read_checked_facts(args, policy)
        return pe.evaluate(policy, batch.facts, period=period, as_of=as_of,
                           workers=workers), batch
    bar = _progress_bar(args)
    try:
        result, read = evaluate_file(policy, FactStream(args.facts, policy.schema, progress=bar),
                                     period=period, as_of=as_of)
    except PolicyEngineError:
        # Said as the list path says it: a rejected line before an engine error, a file
        # not in UTF-8 in the policy's language (rare paths, read again).
        if bar:
            sys.stderr.write("\n")
        batch = read_checked_facts(args, policy)
        return pe.evaluate(policy, batch.facts, period=period, as_of=as_of), batch
    if bar:
        bar.done()
    batch = FactBatch(rejected=read.rejected, lines=read.lines)
    settle_rejected(args, policy, batch, kept=read.kept)
    return result, batch


def write_rejects(path: Path, batch: FactBatch) -> None:
    try:
        out = path.open("w", encoding="utf-8", errors="backslashreplace")
    except OSError as exc:
        raise UsageError(line("usage.cannot_write", option="--reject-file", path=path,
                              reason=exc.strerror)) from None
    with out:
        for rejection in batch.rejected:
            out.write(json.dumps({"location": str(rejection.location),
                                  "line": rejection.location.line,
                                  "reasons": list(rejection.reasons),
                                  "reasons_zh": [r.zh for r in rejection.reasons],
                                  "text": rejection.text}, ensure_ascii=False) + "\n")


def add_pack_option(parser: argparse.ArgumentParser, default: str | None = None) -> None:
    parser.add_argument("--pack", metavar="NAME", default=default,
                        help="the pack (rule book) of a folder of packs such as policies/ "
                             "(default: the one packs.yaml names; `policyengine packs` lists "
                             "them)")


def policy_path(path: str, pack: str | None) -> str:
    """The policy folder a --policy PATH [--pack NAME] pair means (a pack, not a library)."""
    return str(resolve(path, pack).path)


def load_policy_ref(ref: str, pack: str | None = None) -> pe.CompiledPolicy:
    """A policy path, or `git:REV` / `git:REV:PATH` for the policy as it was at a revision.
    A folder of packs means its default pack, or `pack`, at that revision too."""
    if not ref.startswith("git:"):
        return pe.load_policy(ref, pack)
    _, _, rest = ref.partition(":")
    revision, _, path = rest.partition(":")
    path = path or "policies"
    texts = git_policy_texts(revision, path, pack=pack)
    return pe.compile_policy(load_policy_texts(texts))


def git_policy_texts(revision: str, path: str, cwd: str | Path | None = None,
                     pack: str | None = None, *, one_policy_ok: bool = False
                     ) -> list[tuple[str, str]]:
    """(REV:file, text) of the policy files under `path` (relative to `cwd`) at `revision`.

    A folder of packs at that revision gives its default pack, or `pack`. `pack` given for a
    folder that is one policy at that revision is an error, unless `one_policy_ok` (the
    history check reading a revision from before the packs layout).
    """
    if revision.startswith("-"):
        # git would read it as an option (`--output=FILE` writes a file), not a revision
        raise UsageError(line("usage.git_revision", revision=revision))

    def git(*words: str) -> str:
        done = subprocess.run(["git", *words], capture_output=True, text=True, cwd=cwd)
        if done.returncode != 0:
            raise UsageError(line("usage.git_failed", command=" ".join(words),
                                  detail=done.stderr.strip()))
        return done.stdout

    prefix = git("rev-parse", "--show-prefix").strip()
    target = f"{prefix}{path}".rstrip("/") if path not in ("", ".") else prefix.rstrip("/")
    # --full-tree: names relative to the repository root, as `git show REV:NAME` wants them
    names = [n for n in git("ls-tree", "-r", "--name-only", "--full-tree", revision, "--",
                            target or ".").splitlines()
             if is_policy_file(n)]
    if not names:
        raise UsageError(line("usage.git_no_policy", path=path, revision=revision))
    inside = len(target) + 1 if target else 0
    library = layout([n[inside:] for n in names],
                     lambda: git("show", f"{revision}:{target}/{PACKS_FILE}".replace(":/", ":")),
                     f"{revision}:{path}")
    if library is not None:
        chosen = f"{target}/{library.pick(pack).name}/".lstrip("/")
        names = [n for n in names if n.startswith(chosen)]
    elif pack is not None and not one_policy_ok:
        raise PolicyError([diagnostic(Location(f"{revision}:{path}"), "E-PACK-NOT-LIBRARY",
                                      Say.PACK_NOT_A_LIBRARY(name=pack, folder=path))])
    return [(f"{revision}:{name}", git("show", f"{revision}:{name}")) for name in names]


class ProgressBar:
    """`reading facts [#####.....] 52% 520000 lines` on standard error."""

    def __init__(self, path: Path):
        self.total = 0
        if path.is_file():
            with path.open("rb") as handle:
                chunks = iter(lambda: handle.read(1 << 20), b"")
                self.total = sum(chunk.count(b"\n") for chunk in chunks)
        self.started = time.monotonic()

    def __call__(self, lines: int) -> None:
        if self.total:
            share = min(lines / self.total, 1.0)
            filled = int(share * 30)
            bar = "#" * filled + "." * (30 - filled)
            sys.stderr.write(f"\rreading facts [{bar}] {share:4.0%} {lines} lines")
        else:
            sys.stderr.write(f"\rreading facts: {lines} lines")
        sys.stderr.flush()

    def done(self) -> None:
        sys.stderr.write(f"  ({time.monotonic() - self.started:.1f}s)\n")


def load_json(path: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(line("usage.saved_not_json", path=path, detail=exc)) from None
    violations = data.get("violations") if isinstance(data, dict) else None
    shaped = isinstance(violations, list) and {"period", "as_of", "people"} <= set(data)
    if not shaped or not all(isinstance(v, dict) and {"key", "penalty", "duty"} <= set(v)
                             for v in violations or ()):
        raise UsageError(line("usage.saved_shape", path=path))
    return data


def exit_for_pending(result: EvaluationResult, lang: str) -> int:
    """EXIT_CALENDAR, with a line on standard error, when obligations wait for a calendar
    year; EXIT_OK otherwise. The report itself was printed in full either way."""
    return exit_for_pending_count(len(result.pending), result.pending_years, lang)


def exit_for_pending_count(count: int, years: Sequence[int], lang: str) -> int:
    """`exit_for_pending` from the count and years alone (a report's JSON data holds them)."""
    if not count:
        return EXIT_OK
    print("policyengine: " + line("pending.exit", count=count,
                                  years=years_text(years)).render(lang),
          file=sys.stderr)
    return EXIT_CALENDAR
