"""《需求登记反馈表》: one row per requirement reported, in id order (policy-reading §7)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import policyengine as pe
from policyengine.engine.compiled import CompiledPolicy
from policyengine.facts.schema import Fact
from policyengine.language import Lang
from policyengine.periods import Period
from policyengine.report.builders.casebook import SUMMARY_LIMIT, Casebook, Requirement, casebook
from policyengine.report.builders.common import as_of_for, day_text, stamp_of
from policyengine.report.builders.pending import pending_parts
from policyengine.report.document import Cell, Column, ColumnKind, Document, ReportKind, Table
from policyengine.report.labels import coded, label

KEYS = ("case", "filed_by", "requester", "decision", "tier", "committed", "delivered", "status",
        "summary", "note")
_KINDS = {"committed": ColumnKind.DATE, "delivered": ColumnKind.DATE}
_WIDTHS = {"summary": 40, "note": 40}


def columns(lang: Lang) -> tuple[Column, ...]:
    return tuple(Column(key, label(f"col.{key}", lang), _KINDS.get(key, ColumnKind.TEXT),
                        _WIDTHS.get(key)) for key in KEYS)


def note_of(req: Requirement, lang: Lang) -> str:
    """备注: approved delays (reason, new date), what a 需求转换 became, the report's own note,
    and a flag when the summary is over the limit (kept whole, never cut)."""
    parts = []
    for delay in req.delays:
        reason = label("note.reason", lang, reason=delay.reason) if delay.reason else ""
        parts.append(label("note.delay", lang, day=f"{delay.approved_at:%Y-%m-%d}",
                           commitment=coded("commitment", delay.commitment, lang) or "—",
                           new=delay.new_date.isoformat(), reason=reason))
    if req.transform_note:
        parts.append(label("note.transform", lang, note=req.transform_note))
    if req.report_note:
        parts.append(req.report_note)
    if req.summary_too_long:
        parts.append(label("note.summary_long", lang, count=len(req.summary),
                           limit=SUMMARY_LIMIT))
    return label("note.separator", lang).join(parts)


def row_data(req: Requirement, lang: Lang) -> dict[str, Any]:
    """A registry row for JSON: codes for decision and status, ISO dates, the note in words."""
    return {"case": req.case, "filed_by": req.filed_by, "requester": req.requester,
            "decision": req.decision, "tier": req.tier,
            "committed": req.committed.isoformat() if req.committed else None,
            "delivered": day_text(req.accepted_at), "status": req.status,
            "summary": req.summary, "note": note_of(req, lang)}


def row_cells(req: Requirement, lang: Lang) -> tuple[Cell, ...]:
    return (req.case, req.filed_by or "", req.requester or "",
            coded("decision", req.decision, lang), req.tier or "", req.committed,
            req.accepted_at.date() if req.accepted_at else None,
            coded("status", req.status, lang), req.summary, note_of(req, lang))


def warnings_of(book: Casebook, lang: Lang) -> tuple[str, ...]:
    return tuple(label("warn.summary_long", lang, case=r.case, count=len(r.summary),
                       limit=SUMMARY_LIMIT) for r in book.requirements if r.summary_too_long)


def registry_table(book: Casebook, lang: Lang, highlighted: frozenset[int] = frozenset(),
                   note: str = "") -> Table:
    return Table("registry", label("table.registry", lang), columns(lang),
                 tuple(row_cells(r, lang) for r in book.requirements), highlighted, note)


def build(policy: CompiledPolicy, facts: Sequence[Fact], *, period: Period,
          as_of: datetime | None, lang: Lang) -> Document:
    when = as_of_for(policy, period, as_of)
    book = casebook(policy, facts, when, "registry")
    stamp = stamp_of(policy)
    # The registry lists requirements, not verdicts; it still names the obligations whose
    # deadline waits for a calendar year, so no report over such a month looks complete.
    pending = pending_parts(policy, pe.evaluate(policy, facts, period=period, as_of=when), lang)
    return Document(
        kind=ReportKind.REGISTRY, lang=lang, title=label("doc.registry", lang),
        period=period.label, as_of=when, policy=stamp, heading=(),
        tables=(registry_table(book, lang), *pending.tables),
        data=pending.data_of({"rows": [row_data(r, lang) for r in book.requirements]}),
        warnings=warnings_of(book, lang) + pending.warnings)
