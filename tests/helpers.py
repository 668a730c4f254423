"""Small builders for hand-written test facts.

Expected values in the tests are always worked out by hand (each test says how);
these helpers only build the input: facts, role assignments, weekly reports.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import policyengine as pe
from policyengine import CompiledPolicy, EvaluationResult, Fact, Violation

REPO = Path(__file__).resolve().parents[1]
POLICY_DIR = REPO / "policies" / "customer-requirement"  # the default pack (packs.yaml)
POLICY_LIBRARY = REPO / "policies"                          # the folder of packs
SAMPLE_FACTS = REPO / "samples" / "facts-2026-10.jsonl"
# P1's only version in the shipped penalties.yaml, followed by the next rule (a patch anchor)
P1_VERSION = "      - effective: 2014-07-01\n        per_instance: 20\n  P2:"
TZ = ZoneInfo("Asia/Shanghai")

# The cast of the tests (same people as the sample month).
COLLECTOR, PM, IT_LEAD, TESTER = "杨宝珠", "陈立", "赵强", "孙婷"
REPORTER, REPORTER_2, BOSS = "李小四", "张三", "王总"


def sample_with_a_2003_fact(folder: Path) -> Path:
    """The sample month plus one requirement raised in 2003, before the calendar's first
    year (E-CAL-YEAR, exit 3): an engine error met while evaluating."""
    lines = SAMPLE_FACTS.read_text(encoding="utf-8").splitlines()
    early = json.loads(next(t for t in lines if '"requirement.raised"' in t))
    early["id"], early["case"], early["at"] = "early-one", "03010101", "2003-01-06T10:00:00+08:00"
    path = folder / "early.jsonl"
    path.write_text("\n".join([*lines, json.dumps(early, ensure_ascii=False)]) + "\n",
                    encoding="utf-8")
    return path


@lru_cache(maxsize=1)
def shipped() -> CompiledPolicy:
    """The shipped policy, loaded once."""
    return pe.load_policy(POLICY_DIR)


def pack_october(policy: CompiledPolicy, facts: Path, count: int) -> EvaluationResult:
    """A pack's sample month (`facts`, which must hold `count` facts, none refused) evaluated
    for October 2026 as of 1 November."""
    batch = pe.read_facts(facts, policy)
    assert (len(batch.facts), batch.rejected, batch.duplicates) == (count, [], 0)
    return pe.evaluate(policy, batch.facts, period="2026-10", as_of=at("2026-11-01 00:00"))


def at(text: str) -> datetime:
    """'2026-10-17 10:40' -> that local time in Asia/Shanghai."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=TZ)


def fact(kind: str, when: str, *, case: str | None = None, actor: str | None = None,
         id: str | None = None, policy: CompiledPolicy | None = None, **attrs: Any) -> Fact:
    """One fact, checked against the policy's fact types (a typo in a test fails loudly)."""
    raw: dict[str, Any] = {"type": kind, "at": when}
    if case is not None:
        raw["case"] = case
    if actor is not None:
        raw["actor"] = actor
    if id is not None:
        raw["id"] = id
    raw.update(attrs)
    built = (policy or shipped()).schema.build(raw)
    if isinstance(built, list):
        raise AssertionError(f"test fact {raw} is invalid: {built}")
    return built


def roles(when: str = "2026-09-01 09:00", *, collector: str = COLLECTOR, pm: str = PM,
          it_lead: str = IT_LEAD, tester: str = TESTER,
          policy: CompiledPolicy | None = None) -> list[Fact]:
    """role.assigned facts for the four assigned roles."""
    return [fact("role.assigned", when, actor=BOSS, role=role, person=person, policy=policy)
            for role, person in (("collector", collector), ("pm", pm), ("it_lead", it_lead),
                                 ("tester", tester))]


# The shipped pack's other weekly duties and who sends each: W2 IT's new-bug report, W3 the
# tester's bug feedback form (both due Friday 18:00).
OTHER_WEEKLY = (("bug_weekly_report.submitted", IT_LEAD), ("bug_feedback_form.submitted", TESTER))


def weekly_reports(first_friday: str, last_friday: str, *, actor: str = COLLECTOR,
                   clock: str = "10:00", others: bool = True) -> list[Fact]:
    """One weekly_report.submitted (W1) every Friday at `clock` (10:00 is before every W1
    deadline, including a Friday holiday whose deadline moves later), and with `others` the
    W2 and W3 reports at 10:00 (before their Friday 18:00 deadlines) and the W4 month-end
    summary on the last Friday of each month, so a test about something else has no
    weekly or monthly violation."""
    day, last = date.fromisoformat(first_friday), date.fromisoformat(last_friday)
    assert day.weekday() == 4 and last.weekday() == 4, "give Fridays"
    out = []
    while day <= last:
        out.append(fact("weekly_report.submitted", f"{day} {clock}", actor=actor))
        if others:
            out += [fact(kind, f"{day} 10:00", actor=who) for kind, who in OTHER_WEEKLY]
            if day.month != (day + timedelta(days=7)).month or day == last:
                # W4: the month's summary, on its last Friday given (any time of the month
                # closes it; before its last working day's 18:00, it is on time)
                out.append(fact("monthly_summary.submitted", f"{day} 10:00", actor=COLLECTOR))
        day += timedelta(days=7)
    return out


def october_base() -> list[Fact]:
    """Roles from 2026-10-01 and every October weekly report on time.

    W1 obligations start from the week of the first fact (Thu 10-01): the weeks due
    Thu 10-08 12:00 (Fri 10-02 is a holiday), Fri 10-09, 10-16, 10-23 and 10-30 12:00 are all
    closed by the Friday 10:00 reports 10-02 ... 10-30, so a test using this base has no W1
    violation in October.
    """
    return roles("2026-10-01 09:00") + weekly_reports("2026-10-02", "2026-10-30")


def run(facts: Iterable[Fact], period: str = "2026-10", as_of: str | None = None,
        policy: CompiledPolicy | None = None) -> EvaluationResult:
    return pe.evaluate(policy or shipped(), list(facts), period=period,
                       as_of=at(as_of) if as_of else None)


def of(result: EvaluationResult, duty: str, case: str | None = None) -> list[Violation]:
    """The violations of one duty (and case)."""
    return [v for v in result.violations
            if v.duty == duty and (case is None or v.case == case)]


def amount(result: EvaluationResult, person: str) -> Decimal:
    total = result.person(person)
    return total.amount if total is not None else Decimal(0)


def forfeit(result: EvaluationResult, person: str) -> bool:
    total = result.person(person)
    return total.forfeit if total is not None else False


def case_id(day: str, n: int) -> str:
    """'2026-10-12', 3 -> '26101203' (requirement id of the n-th report of that day)."""
    d = date.fromisoformat(day)
    return f"{d:%y%m%d}{n:02d}"


def copy_policy(target: Path, patches: Sequence[tuple[str, str, str]] = ()) -> Path:
    """Copy the shipped policy folder to `target`, applying (file, old, new) text patches.

    Each `old` must occur exactly once in its file, so a patch never silently misses.
    """
    shutil.copytree(POLICY_DIR, target)
    for name, old, new in patches:
        path = target / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {name}"
        path.write_text(text.replace(old, new), encoding="utf-8")
    return target


SECOND_PACK = REPO / "tests" / "fixtures" / "packs" / "equipment-loan"
PACKS_YAML = """\
default: customer-requirement
packs:
  customer-requirement:
    title: 客户需求反馈及跟进制度
    title_en: Customer requirement feedback and follow-up policy
  equipment-loan:
    title: 设备借用管理制度
    title_en: Equipment loan policy
"""


def pack_library(target: Path, packs_yaml: str | None = PACKS_YAML) -> Path:
    """A folder of two packs at `target`: the shipped pack and the small test pack
    equipment-loan (tests/fixtures/packs/), with `packs_yaml` as its packs.yaml."""
    shutil.copytree(POLICY_DIR, target / "customer-requirement")
    shutil.copytree(SECOND_PACK, target / "equipment-loan")
    if packs_yaml is not None:
        (target / "packs.yaml").write_text(packs_yaml, encoding="utf-8")
    return target


def line_of(path: Path, needle: str) -> int:
    """The 1-based line number of the only line of `path` containing `needle`."""
    found = [i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if needle in text]
    assert len(found) == 1, f"{needle!r} is on lines {found} of {path}"
    return found[0]


def moments_around_national_day(every: timedelta, clocks: Sequence[time]) -> list[datetime]:
    """Three weeks around National Day 2026 (holidays moving deadlines) every `every`, and
    each day's `clocks` exactly, a microsecond and a second either side: where a remembered
    deadline answer's span begins and ends."""
    out, moment = [], datetime(2026, 9, 21, 0, 0, tzinfo=TZ)
    while moment < datetime(2026, 10, 19, tzinfo=TZ):
        out.append(moment)
        moment += every
    day = date(2026, 9, 21)
    while day < date(2026, 10, 19):
        for clock in clocks:
            exact = datetime.combine(day, clock, tzinfo=TZ)
            out += [exact + timedelta(microseconds=d) for d in (-1_000_000, -1, 0, 1, 1_000_000)]
        day += timedelta(days=1)
    return out
