"""What every report builder shares: the policy stamp a document carries, the as-of default.

The title block's period, as-of and policy lines are drawn by the renderers from the
document's own fields (report/render/display.py), the same in every format; a builder's
`heading` holds only what is particular to its report (the weekly cut-off window)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from policyengine.engine.compiled import CompiledPolicy
from policyengine.engine.evaluate import _policy_stamp as policy_stamp
from policyengine.language import Lang
from policyengine.periods import Period
from policyengine.report.labels import label


def as_of_for(policy: CompiledPolicy, period: Period, as_of: datetime | None) -> datetime:
    """The time a report stands at: given, else the end of its period."""
    tz = policy.calendar.tz
    if as_of is None:
        return period.end_at(tz)
    return as_of.replace(tzinfo=tz) if as_of.tzinfo is None else as_of.astimezone(tz)


def stamp_of(policy: CompiledPolicy) -> dict[str, Any]:
    """The policy identity a report carries, with `dirty` said outright (git's `+dirty`)."""
    stamp = policy_stamp(policy)
    revision = stamp.get("git_revision")
    stamp["dirty"] = bool(revision and str(revision).endswith("+dirty"))
    return stamp


def policy_words(stamp: dict[str, Any], lang: Lang) -> list[tuple[str, str]]:
    """The policy lines of the command line's evaluation table: name and version, content
    hash, git revision in words (uncommitted edits said as such, not left to '+dirty')."""
    out = [(label("head.policy", lang), f"{stamp.get('id')} v{stamp.get('version')}")]
    if stamp.get("content_hash"):
        out.append((label("head.policy_hash", lang), str(stamp["content_hash"])[:19] + "…"))
    revision = stamp.get("git_revision")
    if revision:
        commit = str(revision).removesuffix("+dirty")[:12]
        state = label("head.dirty" if stamp.get("dirty") else "head.clean", lang)
        out.append((label("head.git", lang), f"{commit}（{state}）" if lang == "zh"
                    else f"{commit} ({state})"))
    return out


def day_text(moment: datetime | None) -> str | None:
    return moment.date().isoformat() if moment is not None else None


def named(spec: Any, fallback: str, lang: Lang) -> str:
    """A policy entry's name in the reader's language (`name_en` in English when given)."""
    if spec is None:
        return fallback
    if lang == "en" and getattr(spec, "name_en", None):
        return str(spec.name_en)
    return str(getattr(spec, "name", None) or fallback)
