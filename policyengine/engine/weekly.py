"""Recurring weekly duties (the weekly report): one obligation per calendar week.

A week runs Monday 00:00 to the next Monday 00:00; when its deadline moves past that (a
holiday Friday moved to the next working day), the week lasts until the deadline.
A report belongs to the week it is submitted in and closes that week's duty if it is
still open; otherwise it closes the oldest week still owed (a late catch-up report);
otherwise it is an extra report and changes nothing. So one missed week is one violation,
not a late mark on every week after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from policyengine.engine.compiled import CompiledDuty
from policyengine.engine.deadlines import Weekly
from policyengine.engine.obligation import Obligation
from policyengine.errors import CalendarDataMissing
from policyengine.facts.schema import Fact


@dataclass
class Week:
    start: datetime
    end: datetime        # the window's end: next Monday, or the moved deadline if later
    obligation: Obligation


def week_start(rule: Weekly, moment: datetime) -> datetime:
    local = rule.calendar.local(moment)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, time(0), tzinfo=rule.calendar.tz)


def weeks(duty: CompiledDuty, first: Fact,
          as_of: datetime) -> list[tuple[datetime, datetime, datetime, int | None]]:
    """(week start, window end, deadline, missing year) for each week owed from the first
    fact's on. A week whose deadline needs working days of a year the calendar lacks is owed
    all the same: its deadline is then only the earliest it can be (the unmoved weekly time)
    and the missing year is given."""
    rule = duty.recurring
    assert rule is not None
    raw = rule.first_at_or_after(rule.calendar.local(first.at))
    found: list[tuple[datetime, datetime, datetime, int | None]] = []
    start = week_start(rule, raw)
    while start <= as_of:
        try:
            due = rule.shifted(raw, None)
        except CalendarDataMissing as exc:
            if rule.calendar.is_before_data(exc.year):
                since = first.at.date().isoformat()
                raise exc.with_context(f"weekly duty {duty.id}, owed every week from the "
                                       f"earliest fact, {first.ref()} on {since}") from None
            found.append((start, start + timedelta(days=7), raw, exc.year))
        else:
            found.append((start, max(start + timedelta(days=7), due), due, None))
        raw += timedelta(days=7)
        start = week_start(rule, raw)
    return found


def match(ledger: list[Week], moment: datetime) -> Week | None:
    """The week a report submitted at `moment` closes, or None for an extra report."""
    still_owed = [w for w in ledger if w.start <= moment and w.obligation.fulfilled_by is None]
    for week in still_owed:
        if moment < week.end or moment <= week.obligation.due:  # at the deadline is in time
            return week
    return still_owed[0] if still_owed else None
