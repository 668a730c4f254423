"""`policyengine calendar show YEAR`: what the policy's calendar knows of a year.

For HR checking a year they have just typed in from the State Council's notice: where the
year's working days come from, its holidays and adjusted working days (调休) by date, and
the working days per month; for a year nobody has added yet, that plainly, and how to add it.
"""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import version
from typing import Any

import policyengine as pe
from policyengine.calendar import CalendarSource, NamedDay, WorkCalendar, official_years
from policyengine.cli.common import EXIT_CALENDAR, EXIT_OK, add_pack_option
from policyengine.errors import UsageError
from policyengine.language import resolve_language
from policyengine.wording import Line, line


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "calendar", help="show what the calendar knows of a year (holidays, 调休, working days)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = actions.add_parser(
        "show", help="a year's source, holidays, adjusted working days and working days per month")
    show.add_argument("year", help="a year, e.g. 2027")
    show.add_argument("--policy", default="policies", metavar="PATH",
                      help="policy file or folder (default: policies/)")
    add_pack_option(show)
    show.add_argument("--lang", choices=("zh", "en"), default=None,
                      help="language (default: the policy's language, else the locale, else zh)")
    show.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not (args.year.isascii() and args.year.isdigit() and 1900 <= int(args.year) <= 2999):
        raise UsageError(line("usage.calendar_year", year=args.year))
    policy = pe.load_policy(args.policy, args.pack)
    lang = resolve_language(args.lang, policy.model.policy.language)
    sys.stdout.write(show_year(policy.calendar, int(args.year), lang))
    known = policy.calendar.source_of(int(args.year)) is not CalendarSource.NONE
    return EXIT_OK if known else EXIT_CALENDAR


def show_year(calendar: WorkCalendar, year: int, lang: str) -> str:
    """The text of `calendar show YEAR` in `lang`."""
    info = calendar.year_info(year)
    if info.source is CalendarSource.NONE:
        return line("cal.unknown", year=year, official=_span(calendar, True),
                    listed=_span(calendar, False)).render(lang) + "\n"
    library = version("chinesecalendar")
    source = {CalendarSource.OFFICIAL: line("cal.official", version=library),
              CalendarSource.OFFICIAL_AND_POLICY: line("cal.official_and_policy",
                                                       version=library, year=year),
              CalendarSource.POLICY: line("cal.policy", year=year)}[info.source]
    out = [line("cal.title", year=year).render(lang), "=" * 40,
           line("cal.source", source=source).render(lang), "",
           line("cal.holidays", count=len(info.holidays)).render(lang)]
    out += _days(info.holidays, lang)
    out += ["", line("cal.working_days", count=len(info.working_days)).render(lang)]
    out += _days(info.working_days, lang)
    out += ["", line("cal.per_month", total=sum(info.per_month)).render(lang)]
    months = [f"{m:02d}" if lang != "zh" else f"{m}月" for m in range(1, 13)]
    out.append("  " + "  ".join(f"{m:>4}" for m in months))
    out.append("  " + "  ".join(f"{n:>4}" for n in info.per_month))
    return "\n".join(out) + "\n"


def _days(days: tuple[NamedDay, ...], lang: str) -> list[str]:
    if not days:
        return [line("cal.none_listed").render(lang)]
    return ["  " + line("cal.day", day=d.day, name=_name(d, lang)).render(lang) for d in days]


def _name(named: NamedDay, lang: str) -> str:
    """An official holiday by its name in the reader's language; the policy's text as given."""
    return line(f"holiday.{named.name}").render(lang) if named.official else named.name


def _span(calendar: WorkCalendar, official: bool) -> str | Line:
    """The years of one source, as ranges: `2004-2026`, or `2025, 2027`."""
    if official:
        years = list(official_years()) if calendar.spec.official == "cn" else []
    else:
        years = sorted(calendar.spec.years)
    if not years:
        return line("cal.nothing")
    ranges, start = [], years[0]
    for previous, current in zip(years, [*years[1:], None], strict=True):
        if current is None or current != previous + 1:
            ranges.append(f"{start}-{previous}" if previous != start else str(start))
            start = current if current is not None else start
    return ", ".join(ranges)
