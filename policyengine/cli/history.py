"""The git edge of the history check: the policy as committed, the clock, the options.

`policyengine check` compares the policy folder with a git revision (HEAD unless
`--against REV`) and refuses edits of dated values already in force
(policyengine/policy/history.py); `--allow-history-edit` lets a correction through as a
warning, and `evaluate --allow-history-edit` records the same comparison in every result's
policy stamp (docs/decisions.md D15).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from policyengine.cli.common import git_policy_texts
from policyengine.errors import PolicyError, UsageError
from policyengine.facts.schema import parse_time
from policyengine.language import resolve_language
from policyengine.policy.history import (
    HistoryEdit,
    Sources,
    history_diagnostics,
    history_edits,
)
from policyengine.policy.loader import LoadedPolicy, PolicyIdentity, load_policy_texts, policy_files
from policyengine.policy.messages import Say, Words
from policyengine.policy.model import Policy
from policyengine.policy.packs import library_at
from policyengine.wording import line


def add_history_options(parser: argparse.ArgumentParser, *, against: bool = True) -> None:
    if against:
        parser.add_argument("--against", metavar="REV",
                            help="git revision the policy is compared with for edits of values "
                                 "already in force (default: HEAD, when the folder is in git)")
        # `check --as-of` may be defined by another of its options, with the same meaning
        with contextlib.suppress(argparse.ArgumentError):
            parser.add_argument("--as-of", metavar="DATE",
                                help="the day that counts as today for that comparison, "
                                     "YYYY-MM-DD (default: today)")
    parser.add_argument("--allow-history-edit", action="store_true",
                        help="let an edit of a value already in force through (a correction): "
                             "a warning, recorded in the result's policy stamp")


@dataclasses.dataclass(frozen=True)
class HistoryCheck:
    against: str
    today: date
    edits: tuple[HistoryEdit, ...]
    allowed: bool

    def record(self) -> dict[str, Any]:
        """What the policy stamp of a result says about it."""
        return {"against": self.against, "as_of": str(self.today), "allowed": self.allowed,
                "changes": [e.to_dict() for e in self.edits]}


def compare_with_git(path: str | Path, policy: Policy, revision: str | None, today: date,
                     allowed: bool) -> HistoryCheck | Words:
    """The comparison, or a note saying why there is none (not in git, not in REV)."""
    root = Path(path)
    folder = root if root.is_dir() else root.parent
    relative = "." if root.is_dir() else root.name
    if not _in_git(folder):
        if revision:
            raise UsageError(line("usage.not_in_git", revision=revision, path=path))
        return Say.HISTORY_NOT_IN_GIT(path=path)
    try:
        old_texts = git_policy_texts(revision or "HEAD", relative, cwd=folder)
    except UsageError as exc:
        before = _before_packs(root, revision or "HEAD")
        if before is None:
            if revision:
                raise
            return Say.HISTORY_NOTHING_COMMITTED(revision=revision or "HEAD", problem=exc)
        old_texts = before
    try:
        old = load_policy_texts(old_texts)
    except PolicyError as exc:
        return Say.HISTORY_OLD_DOES_NOT_LOAD(revision=revision or "HEAD",
                                             count=len(exc.diagnostics))
    if old.policy.id != policy.policy.id:  # the library held another rule book then
        return Say.HISTORY_NOTHING_COMMITTED(
            revision=revision or "HEAD",
            problem=f"{root.parent} held policy {old.policy.id}, not {policy.policy.id}")
    new_texts = [(str(f), f.read_text(encoding="utf-8")) for f in policy_files(path)]
    edits = history_edits(old, policy, today, Sources.parse(new_texts), Sources.parse(old_texts))
    return HistoryCheck(revision or "HEAD", today, tuple(edits), allowed)


def _before_packs(root: Path, revision: str) -> list[tuple[str, str]] | None:
    """A pack folder absent at `revision`: its library's folder as it was then, a policy of
    its own (the flat layout before D22) or a folder of packs holding a pack of this name.
    The caller checks that it is the same rule book (its policy id). None when there is none.
    """
    if not root.is_dir() or library_at(root.parent) is None:
        return None
    try:
        return git_policy_texts(revision, ".", cwd=root.parent, pack=root.name,
                                one_policy_ok=True)
    except (UsageError, PolicyError):
        return None


def today_of(args: argparse.Namespace, policy: Policy) -> date:
    """--as-of (a date, or a time: its day in the policy's zone), else today."""
    tz = ZoneInfo(policy.calendar.timezone)
    text = getattr(args, "as_of", None)
    if not text:
        return datetime.now(tz).date()  # the edge may read the clock; the engine never does
    try:
        return date.fromisoformat(text) if len(text) == 10 else parse_time(text, tz).date()
    except (ValueError, OverflowError):
        raise UsageError(line("usage.as_of_date", value=text)) from None


def check_history(args: argparse.Namespace, loaded: LoadedPolicy, path: str | Path
                  ) -> tuple[bool, LoadedPolicy, dict[str, Any] | None]:
    """`check` of the policy at `path`: print the edits (errors, or warnings if allowed);
    True when refused. With --format json a refusal is returned as the JSON to print.

    The returned policy's identity records an allowed edit.
    """
    found = compare_with_git(path, loaded.model, args.against,
                             today_of(args, loaded.model), args.allow_history_edit)
    lang = resolve_language(getattr(args, "lang", None), loaded.model.policy.language)
    if isinstance(found, Words):
        print((Say.NOTE() + found).get(lang), file=sys.stderr)
        return False, loaded, None
    if not found.edits:
        return False, loaded, None
    if args.format == "json" and not found.allowed:
        diagnostics = history_diagnostics(found.edits, found.today)
        return True, loaded, {"ok": False, "errors": [
            {**d.to_dict(), "suggestion": e.advice.en, "suggestion_zh": e.advice.zh}
            for d, e in zip(diagnostics, found.edits, strict=True)]}
    show(found, lang)
    return (not found.allowed, with_record(loaded, found) if found.allowed else loaded, None)


def record_for_evaluate(path: str, loaded_identity: PolicyIdentity | None, policy: Policy,
                        lang: str | None = None) -> PolicyIdentity | None:
    """`evaluate --allow-history-edit`: compare with HEAD, warn, and stamp the result.
    `lang` is the command's --lang (else the policy's language, else the locale)."""
    found = compare_with_git(path, policy, None, today_of(argparse.Namespace(), policy), True)
    language = resolve_language(lang, policy.policy.language)
    if isinstance(found, Words):
        print((Say.NOTE() + found).get(language), file=sys.stderr)
        return loaded_identity
    show(found, language)
    if loaded_identity is None:
        return None
    return dataclasses.replace(loaded_identity, history_edit=found.record())


def with_record(loaded: LoadedPolicy, found: HistoryCheck) -> LoadedPolicy:
    return dataclasses.replace(
        loaded, identity=dataclasses.replace(loaded.identity, history_edit=found.record()))


def show(found: HistoryCheck, lang: str = "en") -> None:
    """Each edit (an error, or a warning when allowed) with the YAML to write instead, then
    one summary line, on standard error in `lang`."""
    diagnostics = history_diagnostics(found.edits, found.today, allowed=found.allowed)
    kind = Say.WARNING() if found.allowed else Say.ERROR()
    shown: set[str] = set()
    for diagnostic, edit in zip(diagnostics, found.edits, strict=True):
        print(f"{kind.get(lang)}{diagnostic.location}: {diagnostic.code}: "
              f"{diagnostic.text(lang)}", file=sys.stderr)
        advice = edit.advice.get(lang)
        if advice and advice not in shown:  # once per version
            shown.add(advice)
            print(advice, end="", file=sys.stderr)
    summary = Say.HISTORY_ALLOWED_SUMMARY if found.allowed else Say.HISTORY_REFUSED_SUMMARY
    print(summary(count=len(found.edits), against=found.against).get(lang), file=sys.stderr)


def _in_git(folder: Path) -> bool:
    try:
        done = subprocess.run(["git", "-C", str(folder), "rev-parse", "--is-inside-work-tree"],
                              capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0 and done.stdout.strip() == "true"
