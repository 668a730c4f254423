"""Report documents for the dashboard: the registry page and the report downloads.

Both go through the report module (`build_document`, `render_document`), so a page, a
download and `policyengine report` show the same document for the same period and as-of.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from policyengine.engine.compiled import CompiledPolicy
from policyengine.facts.schema import Fact
from policyengine.language import Lang
from policyengine.periods import Period
from policyengine.report.builders import build_document
from policyengine.report.document import Document, ReportKind
from policyengine.report.render import render_document

FORMATS = ("xlsx", "html", "csv", "json")
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}

# The period each report kind is for, as the download page offers it (the command line's
# `report` takes the same kinds of period).
PERIOD_KINDS: dict[ReportKind, str] = {
    ReportKind.REGISTRY: "month", ReportKind.WEEKLY: "week", ReportKind.MONTHLY: "month",
    ReportKind.DEDUCTIONS: "month", ReportKind.REWARDS: "quarter",
}


def registry_document(policy: CompiledPolicy, facts: Sequence[Fact], period: Period,
                      as_of: datetime, lang: Lang) -> Document:
    """《需求登记反馈表》 for the period, standing at as-of."""
    return build_document(ReportKind.REGISTRY, policy, facts, period=period, as_of=as_of,
                          lang=lang)


def render_report(kind: ReportKind, fmt: str, policy: CompiledPolicy, facts: Sequence[Fact],
                  period: Period, as_of: datetime | None, lang: Lang) -> bytes:
    """The report file, as `policyengine report KIND --format FMT` writes it."""
    document = build_document(kind, policy, facts, period=period, as_of=as_of, lang=lang)
    return render_document(document, fmt)


def weeks_of(month: Period) -> list[Period]:
    """The ISO weeks whose Thursday falls in the month (ISO's own rule for which year a week
    belongs to, applied to months): each week is offered under exactly one month."""
    days = (month.start + timedelta(days=n) for n in range((month.end - month.start).days))
    return [Period.week(*day.isocalendar()[:2]) for day in days if day.isoweekday() == 4]


def quarter_of(month: Period) -> Period:
    return Period.quarter(month.start.year, (month.start.month - 1) // 3 + 1)
