"""《新增需求收集周报》: the requirements received since the last cut-off, waiting for the
decision meeting, and the whole registry with this week's rows marked (the seed: 标黄).

The cut-off is the policy's own: the weekly deadline of the duty opened by the report fact
(R2: reports received up to Thursday 18:00 go into that week's Friday-morning report). The
report of ISO week W covers reports received after the cut-off of week W-1 up to the
cut-off of week W, and by default stands at that report's deadline (Friday 12:00, moved to
the next working day like the duty's). When that Friday lies in a year the calendar lacks
(2026-W53: Friday 2027-01-01), the report is still made: the deadline is the one as written,
with a warning that it may move once the year is added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import policyengine as pe
from policyengine.engine.compiled import CompiledPolicy
from policyengine.engine.deadlines import Versioned, Weekly
from policyengine.errors import CalendarDataMissing, UsageError
from policyengine.facts.schema import Fact
from policyengine.language import Lang
from policyengine.periods import Period
from policyengine.report.builders.casebook import REPORTED, ReportVocabularyError, casebook
from policyengine.report.builders.common import as_of_for, stamp_of
from policyengine.report.builders.pending import pending_parts
from policyengine.report.builders.registry import (
    columns,
    registry_table,
    row_cells,
    row_data,
    warnings_of,
)
from policyengine.report.document import Column, ColumnKind, Document, ReportKind, Table
from policyengine.report.labels import label
from policyengine.wording import line


def weekly_rule(policy: CompiledPolicy, period: Period) -> Weekly:
    """The weekly deadline with a cut-off of the duty the report fact opens."""
    for duty in policy.duties.values():
        if duty.trigger is None or duty.trigger.fact != REPORTED:
            continue
        rule = duty.deadline
        if isinstance(rule, Versioned):
            rule = rule.pick(period.start)[1]
        if isinstance(rule, Weekly) and rule.cutoff is not None:
            return rule
    raise ReportVocabularyError(
        f"E-REPORT-VOCABULARY: the weekly report needs the cut-off of the duty opened by "
        f"{REPORTED} (a weekly deadline with a cut-off, like R2's Friday 12:00 after Thursday "
        f"18:00); policy '{policy.model.policy.id}' has no such duty")


@dataclass(frozen=True)
class Window:
    after: datetime              # the previous week's cut-off
    up_to: datetime              # this week's cut-off
    due: datetime                # this week's report deadline
    # The year whose working days would say whether `due` moves off a holiday, when the
    # calendar lacks it: `due` is then the deadline as written (Friday 12:00), not final.
    due_missing_year: int | None = None


def window(policy: CompiledPolicy, period: Period) -> Window:
    """The week's cut-offs and report deadline. The cut-off (Thursday 18:00) needs no
    working-day data; the deadline does only to move off a holiday, so a week whose Friday
    falls in a year the calendar lacks still has a report, its deadline as written."""
    rule = weekly_rule(policy, period)
    assert rule.cutoff is not None
    cut = rule.cutoff.first_at_or_after(policy.calendar.at(period.start, time(0)))
    raw = rule.first_at_or_after(cut + timedelta(seconds=1))
    try:
        return Window(cut - timedelta(days=7), cut, rule.shifted(raw, None))
    except CalendarDataMissing as missing:
        return Window(cut - timedelta(days=7), cut, raw, missing.year)


def build(policy: CompiledPolicy, facts: Sequence[Fact], *, period: Period,
          as_of: datetime | None, lang: Lang) -> Document:
    if not period.is_week:
        raise UsageError(line("usage.weekly_period", period=period.label))
    span_of = window(policy, period)
    after, up_to, due = span_of.after, span_of.up_to, span_of.due
    when = as_of_for(policy, period, as_of if as_of is not None else due)
    book = casebook(policy, facts, when, "weekly")
    new = [i for i, r in enumerate(book.requirements) if after < r.reported_at <= up_to]
    fresh = [book.requirements[i] for i in new]
    received = Column("reported_at", label("col.reported_at", lang), ColumnKind.DATETIME)
    new_table = Table(
        "new", label("table.weekly_new", lang), (columns(lang)[0], received, *columns(lang)[1:]),
        tuple((r.case, policy.calendar.local(r.reported_at), *row_cells(r, lang)[1:])
              for r in fresh))
    # A week with nothing new marks nothing: no note saying rows are marked in yellow
    registry = registry_table(book, lang, frozenset(new),
                              label("note.weekly_marked", lang, count=len(new)) if new else "")
    stamp = stamp_of(policy)
    span = label("head.window", lang, start=f"{after:%Y-%m-%d %H:%M}",
                 end=f"{up_to:%Y-%m-%d %H:%M}")
    pending = pending_parts(policy, pe.evaluate(policy, facts, period=period, as_of=when), lang)
    frame: dict[str, object] = {"after": after.isoformat(), "up_to": up_to.isoformat(),
                                "report_due": due.isoformat()}
    due_warning: tuple[str, ...] = ()
    if span_of.due_missing_year is not None:
        frame["report_due_missing_year"] = span_of.due_missing_year
        due_warning = (label("warn.weekly_due", lang, due=f"{due:%Y-%m-%d %H:%M}",
                             year=span_of.due_missing_year),)
    return Document(
        kind=ReportKind.WEEKLY, lang=lang, title=label("doc.weekly", lang),
        period=period.label, as_of=when, policy=stamp,
        heading=((label("head.cutoff", lang), span),),
        tables=(new_table, registry, *pending.tables),
        data=pending.data_of({"window": frame, "this_week": [r.case for r in fresh],
                              "rows": [row_data(r, lang) for r in book.requirements]}),
        warnings=warnings_of(book, lang) + due_warning + pending.warnings)
