"""Report documents for the dashboard: the registry page and the report downloads.

`registry_document` is the one place the registry page gets its `Document`. Until the report
builders are merged it builds a small interim registry itself; the lead replaces its body
with one call:

    return build_document(ReportKind.REGISTRY, policy, facts, period=period, as_of=as_of,
                          lang=lang)

Downloads import the builder and the renderer inside `render_report`, so the dashboard runs
(and answers 501 for those links) before they exist.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from policyengine.engine.compiled import CompiledPolicy
from policyengine.facts.schema import Fact
from policyengine.language import Lang
from policyengine.periods import Period
from policyengine.report.document import Cell, Column, ColumnKind, Document, ReportKind, Table
from policyengine.results import EvaluationResult
from policyengine.service.dashboard.catalogue import text

FORMATS = ("xlsx", "html", "csv", "json")
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


def registry_document(policy: CompiledPolicy, facts: Sequence[Fact], result: EvaluationResult,
                      period: Period, as_of: datetime, lang: Lang) -> Document:
    """《需求登记反馈表》 for the period (interim: see the module's note)."""
    return _interim_registry(policy, facts, result, period, as_of, lang)


def _interim_registry(policy: CompiledPolicy, facts: Sequence[Fact],
                      result: EvaluationResult, period: Period, as_of: datetime,
                      lang: Lang) -> Document:
    """One row per case with a fact in the period up to as-of; its first and last steps."""
    tz = policy.calendar.tz
    start = period.start_at(tz)
    by_case: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        if fact.case is not None and fact.at <= as_of:
            by_case[fact.case].append(fact)
    missed = Counter(v.case for v in result.violations if v.case is not None)
    types = policy.model.fact_types
    kinds = policy.model.cases
    rows: list[tuple[Cell, ...]] = []
    highlighted = set()
    for case, history in sorted(by_case.items(), key=lambda item: min(f.at for f in item[1])):
        history.sort(key=lambda f: f.at)
        if not any(f.at >= start for f in history):
            continue
        first, last = history[0], history[-1]
        kind_key = first.type.split(".")[0]
        kind = kinds.get(kind_key)
        kind_name = ((kind.name_en if lang == "en" and kind.name_en else kind.name) or kind_key
                     if kind is not None else kind_key)
        requester = next((str(f.attrs["requester"]) for f in history
                          if "requester" in f.attrs), "")
        reporter = next((f.actor for f in history if f.type.endswith(".reported")),
                        first.actor) or ""
        spec = types.get(last.type)
        step = ((spec.name_en if lang == "en" and spec.name_en else spec.name) or last.type
                if spec is not None else last.type)
        if missed[case]:
            highlighted.add(len(rows))
        rows.append((case, kind_name, first.at.astimezone(tz), requester, reporter, step,
                     last.at.astimezone(tz), missed[case]))
    columns = (
        Column("case", text("registry.case", lang)),
        Column("kind", text("registry.kind", lang)),
        Column("raised_at", text("registry.raised", lang), ColumnKind.DATETIME),
        Column("requester", text("registry.requester", lang)),
        Column("reporter", text("registry.reporter", lang)),
        Column("last_step", text("registry.last", lang)),
        Column("last_at", text("registry.last_at", lang), ColumnKind.DATETIME),
        Column("violations", text("registry.violations", lang), ColumnKind.INTEGER),
    )
    table = Table("registry", text("registry.interim", lang), columns, tuple(rows),
                  frozenset(highlighted), text("registry.note", lang))
    return Document(
        kind=ReportKind.REGISTRY, lang=lang,
        title=text("kind.registry", lang), period=period.label, as_of=as_of,
        policy=result.policy,
        heading=((text("registry.heading_period", lang), period.label),
                 (text("registry.heading_as_of", lang), f"{as_of.astimezone(tz):%Y-%m-%d %H:%M}"),
                 (text("registry.heading_cases", lang), str(len(rows)))),
        tables=(table,),
        data={"cases": [dict(zip([c.key for c in columns], _json_row(r), strict=True))
                        for r in rows]},
    )


def _json_row(row: tuple[Cell, ...]) -> list[object]:
    return [v.isoformat() if isinstance(v, datetime) else v for v in row]


@dataclass(frozen=True)
class Unavailable(Exception):
    """The report module is not installed yet: the download answers 501 (the import error
    is the reason)."""

    reason: str


def render_report(kind: ReportKind, fmt: str, policy: CompiledPolicy, facts: Sequence[Fact],
                  period: Period, as_of: datetime, lang: Lang) -> bytes:
    """The report file: the report builders' `build_document`, drawn by `render_document`."""
    try:
        from policyengine.report.builders import build_document  # type: ignore[import-not-found,unused-ignore]
        from policyengine.report.render import render_document  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        raise Unavailable(str(exc)) from None
    document = build_document(kind, policy, list(facts), period=period, as_of=as_of, lang=lang)
    rendered = render_document(document, fmt)
    return rendered if isinstance(rendered, bytes) else str(rendered).encode("utf-8")
