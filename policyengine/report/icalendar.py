"""A person's open duties as an iCalendar feed (RFC 5545) any calendar app can subscribe to.

Pure: open obligations in, text out. One VEVENT per open duty, at its deadline (UTC, so no
VTIMEZONE is needed); its UID is the obligation's key, which names the same duty on every
read, so a calendar app updates the event instead of adding another. A duty whose deadline
waits for a calendar year not yet published is an all-day event on the earliest day the
deadline can be, marked 待日历数据 / pending calendar data. Lines end with CRLF and are
folded at 75 octets without splitting a UTF-8 character.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, tzinfo

from policyengine import __version__
from policyengine.facts.schema import Fact
from policyengine.results import OpenObligation, PendingObligation, PendingStatus
from policyengine.wording import Glossary, Line, line

MEDIA_TYPE = "text/calendar; charset=utf-8"
LIMIT = 75  # octets a line may hold, CRLF not counted (RFC 5545 3.1)

# The deadline rule of a duty opened by `trigger` (None: a weekly duty) at `opened_at`.
RuleOf = Callable[[str, Fact | None, datetime], Line | None]


def escape(text: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped (RFC 5545 3.3.11)."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n"))


def fold(content: str) -> str:
    """One content line folded: at most 75 octets a line, the next ones starting with a
    space; a multi-byte character is never split."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in content:
        width = len(char.encode("utf-8"))
        if size + width > LIMIT:
            parts.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n".join(parts)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _opener(fact: Fact | None, tz: tzinfo) -> Line | None:
    if fact is None:
        return None
    return line("why.opened", type=fact.type, ref=fact.ref(),
                at=fact.at.astimezone(tz), by=f" ({fact.actor})" if fact.actor else "")


def _event(uid: str, stamp: str, start: str, summary: str, description: Sequence[str]
           ) -> list[str]:
    return ["BEGIN:VEVENT", f"UID:{escape(uid)}", f"DTSTAMP:{stamp}", start,
            f"SUMMARY:{escape(summary)}", f"DESCRIPTION:{escape(chr(10).join(description))}",
            "TRANSP:TRANSPARENT", "END:VEVENT"]


def duties_calendar(person: str, obligations: Sequence[OpenObligation],
                    pending: Sequence[PendingObligation], *, as_of: datetime, tz: tzinfo,
                    lang: str, domain: str, rule_of: RuleOf,
                    names: Glossary | None = None) -> str:
    """The feed of `person`'s open duties at `as_of` (DTSTAMP); the others' are left out.

    `domain` ends every UID (`KEY@DOMAIN`); `rule_of` says a duty's deadline rule in words;
    `names` (the policy's Glossary) names fact types and roles in Chinese, as reports do.
    """
    stamp = _utc(as_of)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0",
             f"PRODID:-//policyengine//policyengine {__version__}//{lang.upper()}",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{escape(line('ical.name', person=person).render(lang))}"]
    for duty in obligations:
        if duty.person != person:
            continue
        summary = _title(duty.duty_name, duty.case, lang)
        if duty.overdue:
            summary = line("ical.overdue", summary=summary).render(lang)
        steps = [line("why.duty", duty=duty.duty, name=duty.duty_name, clause=""),
                 _opener(duty.trigger_fact, tz),
                 rule_of(duty.duty, duty.trigger_fact, duty.opened_at),
                 line("ical.due", due=duty.due.astimezone(tz))]
        lines += _event(f"{duty.key}@{domain}", stamp, f"DTSTART:{_utc(duty.due)}", summary,
                        [step.render(lang, names) for step in steps if step is not None])
    for waiting in pending:
        if waiting.person != person or waiting.status is not PendingStatus.WAITING:
            continue
        summary = line("ical.pending",
                       summary=_title(waiting.duty_name, waiting.case, lang)).render(lang)
        earliest = waiting.due_not_before.astimezone(tz)
        steps = [line("why.duty", duty=waiting.duty, name=waiting.duty_name, clause=""),
                 _opener(waiting.trigger_fact, tz),
                 rule_of(waiting.duty, waiting.trigger_fact, waiting.opened_at),
                 line("ical.pending_due", year=waiting.missing_year, earliest=earliest)]
        lines += _event(f"{waiting.key}@{domain}", stamp,
                        f"DTSTART;VALUE=DATE:{earliest:%Y%m%d}", summary,
                        [step.render(lang, names) for step in steps if step is not None])
    lines.append("END:VCALENDAR")
    return "".join(fold(content) + "\r\n" for content in lines)


def _title(name: str, case: str | None, lang: str) -> str:
    """The duty's name and, for a case's duty, the case."""
    return line("ical.summary", name=name, case=case).render(lang) if case else name
