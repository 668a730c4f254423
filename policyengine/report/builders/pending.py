"""Obligations pending calendar data, as every report built from an evaluation shows them.

A deadline that needs the working days of a year the calendar lacks (one not yet published)
is neither a violation nor met (docs/calendar.en.md, D9). A report over such a month still
names each one: a table 待日历数据 / Pending calendar data, `pending` in the JSON data, and a
warning; the command line then exits 3. Nothing is added when nothing is pending, so a
report over published years stays exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from policyengine.engine.compiled import CompiledPolicy
from policyengine.language import Lang
from policyengine.report.builders.common import named
from policyengine.report.document import Column, ColumnKind, Table
from policyengine.report.labels import label
from policyengine.results import EvaluationResult
from policyengine.wording import years_text


@dataclass(frozen=True)
class PendingParts:
    """What a document gains from its evaluation's pending obligations (empty when none)."""

    tables: tuple[Table, ...] = ()
    data: dict[str, Any] | None = None
    warnings: tuple[str, ...] = ()

    def data_of(self, data: dict[str, Any]) -> dict[str, Any]:
        """`data` with the pending obligations added under `pending` (as is when none)."""
        return data if self.data is None else {**data, **self.data}


def pending_parts(policy: CompiledPolicy, result: EvaluationResult, lang: Lang) -> PendingParts:
    if not result.pending:
        return PendingParts()
    tz = policy.calendar.tz
    years = years_text(result.pending_years)
    found = sorted(result.pending, key=lambda p: (p.due_not_before, p.duty, p.case or ""))
    rows = tuple(
        (p.duty, named(policy.model.duties.get(p.duty), p.duty_name, lang),
         p.case or label("case.none", lang), p.person or label("who.unresolved", lang),
         p.trigger_ref, p.missing_year, p.due_not_before.astimezone(tz),
         p.status.words.render(lang))
        for p in found)
    table = Table(
        "pending", label("table.pending", lang),
        (Column("duty", label("col.duty", lang)),
         Column("duty_name", label("col.duty_name", lang), width=30),
         Column("case", label("col.case_any", lang)),
         Column("person", label("col.person", lang)),
         Column("trigger", label("col.trigger", lang)),
         Column("missing_year", label("col.missing_year", lang), ColumnKind.INTEGER),
         Column("due_not_before", label("col.due_not_before", lang), ColumnKind.DATETIME),
         Column("status", label("col.verdict", lang))),
        rows, note=label("note.pending", lang, years=years))
    return PendingParts(
        tables=(table,),
        data={"pending": [p.to_dict() for p in found],
              "pending_years": list(result.pending_years)},
        warnings=(pending_warning(len(result.pending), result.pending_years, lang),))


def pending_warning(count: int, years: tuple[int, ...] | list[int], lang: Lang) -> str:
    """The document's warning line (the command line prints its own exit line instead)."""
    return label("warn.pending", lang, count=count, years=years_text(years))
