"""Report builders: facts and a compiled policy in, a `Document` out, one module per kind.

Pure functions: nothing here reads a file or the clock (`as_of` defaults to the end of the
period, or for the weekly report to that week's report deadline).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from policyengine.engine.compiled import CompiledPolicy
from policyengine.facts.schema import Fact
from policyengine.language import Lang
from policyengine.periods import Period
from policyengine.report.builders import deductions, monthly, registry, rewards, weekly
from policyengine.report.builders.casebook import ReportVocabularyError
from policyengine.report.document import Document, ReportKind


class Builder(Protocol):
    def __call__(self, policy: CompiledPolicy, facts: Sequence[Fact], *, period: Period,
                 as_of: datetime | None, lang: Lang) -> Document: ...


BUILDERS: dict[ReportKind, Builder] = {
    ReportKind.REGISTRY: registry.build,
    ReportKind.WEEKLY: weekly.build,
    ReportKind.MONTHLY: monthly.build,
    ReportKind.DEDUCTIONS: deductions.build,
    ReportKind.REWARDS: rewards.build,
}


def default_as_of(kind: ReportKind, policy: CompiledPolicy, period: Period) -> datetime:
    """The moment report `kind` stands at when no as-of is asked for: its week's report
    deadline for the weekly report (weekly.py `window`), else the end of its period."""
    if kind is ReportKind.WEEKLY:
        return weekly.window(policy, period).due
    return period.end_at(policy.calendar.tz)


def build_document(kind: ReportKind, policy: CompiledPolicy, facts: Sequence[Fact], *,
                   period: Period, as_of: datetime | None, lang: Lang) -> Document:
    """The report `kind` of `facts` under `policy` for `period`, standing at `as_of`."""
    return BUILDERS[ReportKind(kind)](policy, facts, period=period, as_of=as_of, lang=lang)


__all__ = ["BUILDERS", "ReportVocabularyError", "build_document", "default_as_of"]
