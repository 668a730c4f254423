"""《需求收集处理月度总结》: the month's requirements submitted, decided, completed, delayed,
and each submitting employee's submissions and adoption rate, ranked (policy-reading §7).

Readings: a requirement is *submitted* in the month its report (需求报告表) was received;
*decided* counts each requirement once, by its latest decision made in the month; *completed*
counts requirements accepted in the month; *delayed* counts requirements with a delay
approved in the month that moved a committed date. Adoption is judged as of the report's
time: 做 or 需求转换 is adopted; 再议 or no decision yet is pending; 不做 is neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import policyengine as pe
from policyengine.engine.compiled import CompiledPolicy
from policyengine.facts.schema import Fact
from policyengine.language import Lang
from policyengine.periods import Period
from policyengine.report.builders.casebook import DECIDED, DECISION, Casebook, casebook
from policyengine.report.builders.common import as_of_for, stamp_of
from policyengine.report.builders.pending import pending_parts
from policyengine.report.document import Column, ColumnKind, Document, ReportKind, Table
from policyengine.report.labels import coded, label
from policyengine.report.names import person_sort_key

RATE_PLACES = Decimal("0.0001")  # the JSON rate: a fraction to four places (66.67%)


@dataclass(frozen=True)
class Standing:
    person: str
    submitted: int
    adopted: int
    pending: int
    rank: int = 0

    @property
    def rate(self) -> Decimal:
        return Decimal(self.adopted) / Decimal(self.submitted)

    def to_dict(self) -> dict[str, Any]:
        return {"person": self.person, "submitted": self.submitted, "adopted": self.adopted,
                "pending": self.pending,
                "rate": float(self.rate.quantize(RATE_PLACES, ROUND_HALF_UP)), "rank": self.rank}


def ranking(book: Casebook, period: Period, tz: Any, lang: Lang) -> list[Standing]:
    """Rate first, then submissions (more first), then name; a full tie shares the rank."""
    mine: dict[str, list[bool | None]] = {}
    for req in book.requirements:
        if period.contains(req.reported_at, tz) and req.filed_by:
            # True: adopted; None: pending (reconsider or undecided); False: not adopted.
            verdict = (True if req.adopted else None if req.decision in (None, "reconsider")
                       else False)
            mine.setdefault(req.filed_by, []).append(verdict)
    standings = [Standing(person, len(v), sum(1 for x in v if x is True),
                          sum(1 for x in v if x is None)) for person, v in mine.items()]
    standings.sort(key=lambda s: (-s.rate, -s.submitted, person_sort_key(s.person, lang)))
    ranked: list[Standing] = []
    for place, standing in enumerate(standings, 1):
        before = ranked[-1] if ranked else None
        tie = before is not None and (before.rate, before.submitted) == (standing.rate,
                                                                         standing.submitted)
        ranked.append(Standing(standing.person, standing.submitted, standing.adopted,
                               standing.pending, before.rank if tie and before else place))
    return ranked


def counts(policy: CompiledPolicy, book: Casebook, period: Period) -> dict[str, Any]:
    tz = policy.calendar.tz
    inside = book.requirements
    cases = {r.case for r in inside}
    latest: dict[str, str] = {}
    for fact in book.facts:  # time order: the last decision of the month wins
        if (fact.type == DECIDED and fact.case in cases and period.contains(fact.at, tz)):
            latest[fact.case] = str(fact.attrs.get(DECISION))
    outcomes = policy.model.fact_types[DECIDED].attributes[DECISION].values or ()
    decided = {code: 0 for code in outcomes}
    for code in latest.values():
        decided[code] = decided.get(code, 0) + 1
    return {
        "submitted": sum(1 for r in inside if period.contains(r.reported_at, tz)),
        "decided": decided,
        "completed": sum(1 for r in inside
                         if r.accepted_at is not None and period.contains(r.accepted_at, tz)),
        "delayed": sum(1 for r in inside
                       if any(period.contains(d.approved_at, tz) for d in r.delays)),
    }


def build(policy: CompiledPolicy, facts: Sequence[Fact], *, period: Period,
          as_of: datetime | None, lang: Lang) -> Document:
    when = as_of_for(policy, period, as_of)
    book = casebook(policy, facts, when, "monthly")
    figures = counts(policy, book, period)
    standings = ranking(book, period, policy.calendar.tz, lang)
    count_rows = [(label("count.submitted", lang), figures["submitted"])]
    count_rows += [(label("count.decided", lang, outcome=coded("decision", code, lang)), n)
                   for code, n in figures["decided"].items()]
    count_rows += [(label("count.decided_total", lang), sum(figures["decided"].values())),
                   (label("count.completed", lang), figures["completed"]),
                   (label("count.delayed", lang), figures["delayed"])]
    count_table = Table("counts", label("table.counts", lang),
                        (Column("measure", label("col.measure", lang)),
                         Column("count", label("col.count", lang), ColumnKind.INTEGER)),
                        tuple(count_rows))
    rank_table = Table(
        "ranking", label("table.ranking", lang),
        (Column("rank", label("col.rank", lang), ColumnKind.INTEGER),
         Column("person", label("col.person", lang)),
         Column("submitted", label("col.submitted", lang), ColumnKind.INTEGER),
         Column("adopted", label("col.adopted", lang), ColumnKind.INTEGER),
         Column("pending", label("col.pending", lang), ColumnKind.INTEGER),
         Column("rate", label("col.rate", lang), ColumnKind.PERCENT)),
        tuple((s.rank, s.person, s.submitted, s.adopted, s.pending, s.rate) for s in standings),
        note=label("note.rate", lang, as_of=f"{when:%Y-%m-%d %H:%M}"))
    stamp = stamp_of(policy)
    # The summary counts facts, not verdicts; it still names the obligations whose deadline
    # waits for a calendar year, so a December summary does not look complete without them.
    pending = pending_parts(policy, pe.evaluate(policy, facts, period=period, as_of=when), lang)
    return Document(
        kind=ReportKind.MONTHLY, lang=lang, title=label("doc.monthly", lang),
        period=period.label, as_of=when, policy=stamp, heading=(),
        tables=(count_table, rank_table, *pending.tables),
        data=pending.data_of({"counts": figures,
                              "ranking": [s.to_dict() for s in standings]}),
        warnings=pending.warnings)
