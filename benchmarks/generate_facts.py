"""Generate a deterministic, realistic stream of workflow facts as JSON Lines.

The stream follows the requirement and bug workflow of the shipped policy
(docs/fact-format.md, shared spec policy-reading.md): role assignments and a few
handovers, then per requirement the chain raised -> reported -> registered ->
decision (Saturday meeting) -> notifications (the head of IT told of do/transform
decisions) -> estimates -> optional delays ->
hand-over -> acceptance -> completion notices; per bug found -> reported ->
reproduced -> filed -> fixed -> user informed; and a weekly report every Friday
morning.  Most duties are met on time, a share (``--late``) is late and a few
(``--missing``) never happen.

Usage::

    python benchmarks/generate_facts.py --cases 50000 --out facts.jsonl
    python benchmarks/generate_facts.py --facts 1000000 --out facts.jsonl --seed 7

``--facts N`` writes exactly N facts: the first N in time of a stream generated
until it is long enough (a snapshot of the workflow at that moment).  The output
is sorted by time; every fact has a unique ``id``.  All times and dates stay in
2004-2026, the years the working-day calendar has official data for.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

DAY = 1440  # minutes
WORK_START = 9 * 60
WORK_END = 18 * 60
MORNING_END = 12 * 60

FIRST_YEAR = 2004  # the calendar's first year with official data
LAST_YEAR = 2026  # ... and its last
LAST_CASE_DAY = dt.date(LAST_YEAR, 9, 30).toordinal()  # no new case after this day
HORIZON = dt.date(LAST_YEAR, 12, 15).toordinal() * DAY  # nothing at or after this instant
LAST_DUE_DAY = dt.date(LAST_YEAR, 12, 31).toordinal()  # no committed date after this day

ROLES = ("collector", "pm", "it_lead", "tester")
DEFAULT_HOLDERS = {
    "collector": ["杨宝珠", "周文静"],
    "pm": ["陈经理", "林晓峰", "陈经理"],
    "it_lead": ["郑国栋", "吴海涛"],
    "tester": ["何敏", "高亮"],
}
# where in the case span each role changes hands (a fraction of the span)
HANDOVER_AT = {"collector": [0.45], "pm": [0.3, 0.8], "it_lead": [0.6], "tester": [0.5]}
DECISION_GROUP = ("刘建国", "孙丽华", "赵志强")

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩"
    "冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志文斌辉鹏飞宇晨欣怡佳琪"
TITLES = ("医生", "主任", "院长", "经理", "老师", "女士", "先生", "药师", "护士长", "总监")


def _fmt_day(d: int) -> str:
    return dt.date.fromordinal(d).isoformat()


def kv(key: str, value: str) -> str:
    """One more attribute of a fact, as JSON text (values never need escaping here)."""
    return f', "{key}": "{value}"'


class Calendar:
    """Working days of the official Chinese calendar, precomputed per day."""

    def __init__(self, first_day: int, last_day: int) -> None:
        try:
            import chinese_calendar
        except ImportError:  # pragma: no cover - depends on the environment
            sys.exit(
                "generate_facts: needs the 'chinesecalendar' package (pip install chinesecalendar)"
            )
        self.base = first_day
        self.last = last_day
        n = last_day - first_day + 1
        work = [
            bool(chinese_calendar.is_workday(dt.date.fromordinal(first_day + i))) for i in range(n)
        ]
        self.work = work
        # index of the first working day at or after each day, into self.days
        self.days: list[int] = [first_day + i for i in range(n) if work[i]]
        nxt: list[int] = [0] * (n + 1)
        k = len(self.days)
        for i in range(n - 1, -1, -1):
            if work[i]:
                k -= 1
            nxt[i] = k
        nxt[n] = len(self.days)
        self.next_idx = nxt

    def is_working(self, d: int) -> bool:
        i = d - self.base
        return 0 <= i < len(self.work) and self.work[i]

    def idx_at_or_after(self, d: int) -> int:
        return self.next_idx[min(max(d - self.base, 0), len(self.work))]

    def nth_after(self, d: int, n: int) -> int:
        """The n-th working day strictly after day d (n >= 1)."""
        i = self.idx_at_or_after(d + 1) + n - 1
        if i >= len(self.days):
            return self.last + n  # beyond the data: callers clamp or drop
        return self.days[i]

    def next_working(self, d: int) -> int:
        i = self.idx_at_or_after(d)
        return self.days[i] if i < len(self.days) else self.last + 1


class Generator:
    """Builds the facts of a stream; ``run`` returns them sorted by time."""

    def __init__(
        self,
        *,
        seed: int,
        start: dt.date,
        per_day: float,
        late: float,
        missing: float,
        bug_share: float,
        delay_share: float,
    ) -> None:
        self.rng = random.Random(seed)
        self.r = self.rng.random
        # The head of IT's notice (R17) draws from numbers of its own: the rest of the
        # stream is what it was before the notice was generated.
        self.r_notice = random.Random(seed + 17).random
        self.start_day = start.toordinal()
        self.per_day = per_day
        self.p_late = late
        self.p_missing = missing
        self.bug_share = bug_share
        self.delay_share = delay_share
        self.cal = Calendar(
            dt.date(start.year - 1, 1, 1).toordinal(), dt.date(LAST_YEAR, 12, 31).toordinal()
        )
        names = random.Random(20040101)  # name pools do not depend on --seed
        self.staff = self._names(names, 60, titles=False)
        self.customers = self._names(names, 800, titles=True)
        self.facts: list[tuple[int, str, str]] = []  # (minute, type, rest-of-object)
        self.holders: dict[str, list[tuple[int, str]]] = {}
        self.n_req = 0
        self.n_bug = 0
        self.duties = 0
        self.late = 0
        self.missed = 0

    # -- names -----------------------------------------------------------------
    @staticmethod
    def _names(rng: random.Random, n: int, *, titles: bool) -> list[str]:
        seen: set[str] = set()
        out: list[str] = []
        while len(out) < n:
            s = rng.choice(SURNAMES)
            name = (
                s + rng.choice(TITLES)
                if titles and rng.random() < 0.6
                else s + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            )
            if name not in seen:
                seen.add(name)
                out.append(name)
        return out

    # -- emitting --------------------------------------------------------------
    def emit(self, t: int, typ: str, rest: str) -> None:
        if t < HORIZON:
            self.facts.append((t, typ, rest))

    def fact(self, t: int, typ: str, case: str, actor: str, extra: str = "") -> None:
        """Emit a case fact; ``extra`` is more attributes, made with kv()."""
        if t < HORIZON:
            self.facts.append((t, typ, f', "case": "{case}", "actor": "{actor}"{extra}'))

    def holder(self, role: str, t: int) -> str:
        person = ""
        for since, who in self.holders[role]:
            if since <= t:
                person = who
            else:
                break
        return person

    # -- time helpers ----------------------------------------------------------
    def work_between(self, lo: int, hi: int) -> int:
        """A minute in (lo, hi], preferably in working hours of a working day."""
        if hi <= lo + 1:
            return lo + 1
        r = self.r
        span = hi - lo
        u = hi
        for _ in range(5):
            u = lo + 1 + int(r() * span)
            d, m = divmod(u, DAY)
            if WORK_START <= m < WORK_END and self.cal.is_working(d):
                return u
        return u

    def same_day(self, t: int) -> int:
        d, m = divmod(t, DAY)
        if m < WORK_END and self.cal.is_working(d):
            return d * DAY + WORK_END
        return self.cal.next_working(d + 1) * DAY + WORK_END

    def working_days(self, t: int, n: int) -> int:
        return self.cal.nth_after(t // DAY, n) * DAY + WORK_END

    @staticmethod
    def thursday(t: int) -> int:
        """The first Thursday 18:00 at or after t."""
        d = t // DAY
        wd = (d - 1) % 7  # ordinal 1 (0001-01-01) is a Monday
        cand = (d + (3 - wd) % 7) * DAY + WORK_END
        return cand if cand >= t else cand + 7 * DAY

    def friday_report(self, t: int) -> int:
        """Friday 12:00 of the weekly report that t falls into (cut-off Thursday 18:00)."""
        return self.thursday(t) + 18 * 60

    def due_day(self, d: int) -> int:
        return min(d, LAST_DUE_DAY)

    # -- duties ----------------------------------------------------------------
    def _outcome(self, draw: Callable[[], float] | None = None) -> int:
        """0 on time, 1 late, 2 missing."""
        self.duties += 1
        x = (draw or self.r)()
        if x < self.p_missing:
            self.missed += 1
            return 2
        if x < self.p_missing + self.p_late:
            self.late += 1
            return 1
        return 0

    def within(self, t: int, deadline: int,
               draw: Callable[[], float] | None = None) -> int | None:
        """Fulfil a duty with a short (minutes to hours) deadline, counted on the wall clock."""
        o = self._outcome(draw)
        if o == 2:
            return None
        r = draw or self.r
        if o == 1:
            return deadline + 1 + int(r() * (180 if r() < 0.8 else 1440))
        return t + 1 + int(r() * max(deadline - t - 1, 1))

    def by(self, t: int, deadline: int, typical: int | None = None) -> int | None:
        """Fulfil a duty whose deadline is days away, in working hours where possible."""
        o = self._outcome()
        if o == 2:
            return None
        if o == 1:
            return self.late_after(deadline)
        hi = deadline if typical is None else min(deadline, t + typical)
        return self.work_between(t, max(hi, t + 1))

    def late_after(self, deadline: int) -> int:
        x = self.r()
        if x < 0.6:
            span = DAY  # up to a day late
        elif x < 0.9:
            span = 7 * DAY
        else:
            span = 20 * DAY
        return self.work_between(deadline, deadline + span)

    def commitment(self, t: int, due: int) -> int | None:
        """Meet a committed date (18:00 of due): mostly on the last day or two, some early."""
        deadline = due * DAY + WORK_END
        if t >= deadline:  # already too late when it can start
            self.duties += 1
            self.late += 1
            return self.work_between(t, t + 3 * DAY)
        o = self._outcome()
        if o == 2:
            return None
        if o == 1:
            return self.late_after(deadline)
        lo = t if self.r() < 0.25 else max(t, deadline - 2 * DAY)
        return self.work_between(lo, deadline)

    # -- the workflow ----------------------------------------------------------
    def notify_pair(self, t: int, about: str, case: str, reporter: str) -> int | None:
        """Collector tells the reporter (1 h), the reporter tells the customer (same day)."""
        tn = self.within(t, t + 60)
        if tn is None:
            return None
        self.fact(tn, "reporter.notified", case, self.holder("collector", tn), kv("about", about))
        ti = self.by(tn, self.same_day(tn))
        if ti is not None:
            self.fact(ti, "requester.informed", case, reporter, kv("about", about))
        return tn

    def decision(self, t: int, case: str, reporter: str, round_: int) -> None:
        r = self.r
        x = r()
        if round_ == 0:
            decision = (
                "do"
                if x < 0.72
                else "transform"
                if x < 0.82
                else "reconsider"
                if x < 0.93
                else "dont"
            )
        else:
            decision = "do" if x < 0.6 else "transform" if x < 0.7 else "dont"
        actor = DECISION_GROUP[int(r() * len(DECISION_GROUP))]
        if decision in ("do", "transform"):
            y = r()
            tier = "A" if y < 0.1 else "B" if y < 0.4 else "C" if y < 0.8 else "D"
            self.fact(t, "decision.made", case, actor, kv("decision", decision) + kv("tier", tier))
        else:
            self.fact(t, "decision.made", case, actor, kv("decision", decision))
        self.notify_pair(t, "decision", case, reporter)
        if decision in ("do", "transform"):  # R17: the collector tells the head of IT
            told = self.within(t, t + 60, self.r_notice)
            if told is not None:
                self.fact(told, "it_lead.notified", case, self.holder("collector", told))
        if decision == "reconsider":
            meeting = (t // DAY + 7 * (1 + int(r() * 2))) * DAY + 10 * 60 + int(r() * 60)
            self.decision(meeting, case, reporter, round_ + 1)
        elif decision in ("do", "transform"):
            self.build(t, case, reporter)

    def delay(
        self, t: int, commitment: str, old_due: int, case: str, reporter: str
    ) -> tuple[int, int]:
        """Request and approve a delay of a commitment; returns (approval time, new due day)."""
        r = self.r
        deadline = old_due * DAY + WORK_END
        t_req = self.work_between(t, max(deadline, t + 1))
        new_due = self.due_day(self.cal.nth_after(old_due, 3 + int(r() * 13)))
        actor = self.holder("it_lead" if commitment == "acceptance" else "pm", t_req)
        self.fact(
            t_req,
            "delay.requested",
            case,
            actor,
            kv("commitment", commitment) + kv("new_due", _fmt_day(new_due)),
        )
        t_ap = self.work_between(t_req, t_req + 2 * DAY)
        approver = DECISION_GROUP[int(r() * len(DECISION_GROUP))]
        explicit = f', "new_due": "{_fmt_day(new_due)}"' if r() < 0.5 else ""
        self.fact(t_ap, "delay.approved", case, approver, kv("commitment", commitment) + explicit)
        self.notify_pair(t_ap, "delay", case, reporter)
        return t_ap, new_due

    def build(self, t_dec: int, case: str, reporter: str) -> None:
        r = self.r
        cal = self.cal
        t_pe = self.by(t_dec, self.working_days(t_dec, 2))  # R4
        if t_pe is None:
            return
        pm = self.holder("pm", t_pe)
        plan_due = self.due_day(cal.nth_after(t_pe // DAY, 3 + int(r() * 8)))
        self.fact(t_pe, "plan.estimated", case, pm, kv("due", _fmt_day(plan_due)))
        base = t_pe
        if r() < self.delay_share / 3:
            base, plan_due = self.delay(t_pe + 240, "plan", plan_due, case, reporter)
        t_pd = self.commitment(base, plan_due)  # C1
        if t_pd is None:
            return
        self.fact(t_pd, "plan.delivered", case, self.holder("pm", t_pd))
        t_ae = self.by(t_pd, self.working_days(t_pd, 2))  # R7
        if t_ae is None:
            return
        acc_due = self.due_day(cal.nth_after(t_ae // DAY, 10 + int(r() * 31)))
        self.fact(
            t_ae,
            "acceptance.estimated",
            case,
            self.holder("it_lead", t_ae),
            kv("due", _fmt_day(acc_due)),
        )
        t_ce = self.within(t_ae, t_ae + 60)  # R8
        if t_ce is None:
            return
        comp_due = self.due_day(cal.nth_after(acc_due, 2 + int(r() * 9)))
        self.fact(
            t_ce,
            "completion.estimated",
            case,
            self.holder("pm", t_ce),
            kv("due", _fmt_day(comp_due)),
        )
        self.notify_pair(t_ce, "estimate", case, reporter)  # R9, R10
        base = t_ce
        if r() < self.delay_share:
            if r() < 0.75:
                base, acc_due = self.delay(t_ce + DAY, "acceptance", acc_due, case, reporter)
                if acc_due >= comp_due:
                    _, comp_due = self.delay(base, "completion", comp_due, case, reporter)
            else:
                base, comp_due = self.delay(t_ce + DAY, "completion", comp_due, case, reporter)
        t_ho = self.commitment(base, acc_due)  # C2
        if t_ho is None:
            return
        self.fact(t_ho, "build.handed_over", case, self.holder("it_lead", t_ho))
        t_ac = self.commitment(t_ho, comp_due)  # C3
        if t_ac is None:
            return
        pm = self.holder("pm", t_ac)
        self.fact(t_ac, "requirement.accepted", case, pm)
        t_cn = self.within(t_ac, t_ac + 30)  # R13
        if t_cn is None:
            return
        self.fact(
            t_cn, "collector.notified", case, self.holder("pm", t_cn), kv("about", "completion")
        )
        t_rn = self.within(t_cn, t_cn + 30)  # R14
        if t_rn is None:
            return
        self.fact(
            t_rn,
            "reporter.notified",
            case,
            self.holder("collector", t_rn),
            kv("about", "completion"),
        )
        t_ri = self.by(t_rn, self.same_day(t_rn))  # R15
        if t_ri is not None:
            self.fact(t_ri, "requester.informed", case, reporter, kv("about", "completion"))

    def requirement(self, t_rep: int, case: str) -> None:
        r = self.r
        reporter = self.staff[int(r() * len(self.staff))]
        requester = self.customers[int(r() * len(self.customers))]
        # raised before it was reported; R1: reported by the first Thursday 18:00 at/after raising
        self.duties += 1
        if r() < self.p_late:
            self.late += 1
            prev_thu = self.thursday(t_rep - 7 * DAY)
            if prev_thu >= t_rep:
                prev_thu -= 7 * DAY
            t_raised = self.work_between(prev_thu - 4 * DAY, prev_thu - 60)
        else:
            t_raised = self.work_between(t_rep - 2 * DAY, t_rep - 5)
            if self.thursday(t_raised) < t_rep:
                t_raised = t_rep - 5 - int(r() * 60)
        self.fact(t_raised, "requirement.raised", case, reporter, kv("requester", requester))
        self.fact(t_rep, "requirement.reported", case, reporter)
        t_reg = self.by(t_rep, self.friday_report(t_rep), typical=2 * DAY)  # R2
        if t_reg is None:
            return
        self.fact(t_reg, "requirement.registered", case, self.holder("collector", t_reg))
        meeting_day = (
            self.friday_report(t_reg) // DAY + 1
        )  # the Saturday after the report it went into
        self.decision(meeting_day * DAY + 10 * 60 + int(r() * 60), case, reporter, 0)

    def bug(self, t_found: int, case: str) -> None:
        r = self.r
        reporter = self.staff[int(r() * len(self.staff))]
        requester = self.customers[int(r() * len(self.customers))]
        self.fact(t_found, "bug.found", case, reporter, kv("requester", requester))
        t_br = self.by(t_found, self.same_day(t_found))  # B1
        if t_br is None:
            return
        self.fact(t_br, "bug.reported", case, reporter)
        t_rp = self.work_between(t_br, t_br + 2 * DAY)
        self.fact(t_rp, "bug.reproduced", case, self.holder("tester", t_rp))
        t_bf = self.within(t_rp, t_rp + 30)  # B2
        if t_bf is None:
            return
        self.fact(t_bf, "bug.filed", case, self.holder("tester", t_bf))
        t_fx = self.work_between(t_bf, t_bf + (1 + int(r() * 10)) * DAY)
        self.fact(t_fx, "bug.fixed", case, self.holder("it_lead", t_fx))
        t_ri = self.by(t_fx, self.same_day(t_fx))  # B4
        if t_ri is not None:
            self.fact(t_ri, "requester.informed", case, reporter, kv("about", "bugfix"))

    # -- the whole stream ------------------------------------------------------
    def plan_days(self, cases: int | None, facts: int | None) -> float:
        """Cases per working day: --per-day, raised if the stream would run past LAST_CASE_DAY."""
        wanted = cases if cases is not None else int((facts or 0) / 17.0) + 1
        available = sum(1 for d in self.cal.days if self.start_day <= d <= LAST_CASE_DAY)
        if available == 0:
            sys.exit(f"generate_facts: --start must be before {_fmt_day(LAST_CASE_DAY)}")
        rate = max(self.per_day, wanted / available * 1.02)
        if rate > 95:
            sys.exit(
                f"generate_facts: {wanted} cases do not fit between {_fmt_day(self.start_day)} and "
                f"{_fmt_day(LAST_CASE_DAY)} at <= 95 a day; choose an earlier --start"
            )
        return rate

    def run(self, cases: int | None, facts: int | None) -> list[tuple[int, str, str]]:
        rate = self.plan_days(cases, facts)
        r = self.r
        days = [d for d in self.cal.days if self.start_day <= d <= LAST_CASE_DAY]
        # role holders and handovers over the span the cases are expected to cover
        expected_days = (cases if cases is not None else (facts or 0) / 17.0) / rate
        span_end = days[min(int(expected_days), len(days) - 1)]
        first = (self.start_day - 7) * DAY + 9 * 60
        for role in ROLES:
            people = DEFAULT_HOLDERS[role]
            changes = [(first, people[0])]
            for i, frac in enumerate(HANDOVER_AT[role]):
                d = self.cal.next_working(self.start_day + int((span_end - self.start_day) * frac))
                changes.append((d * DAY + 9 * 60 + int(r() * 30), people[(i + 1) % len(people)]))
            self.holders[role] = changes
            for t, person in changes:
                self.facts.append((t, "role.assigned", f', "role": "{role}", "person": "{person}"'))
        target = None if facts is None else int(facts * 1.04) + 200
        done = 0
        last_day = self.start_day
        for d in days:
            if (cases is not None and done >= cases) or (
                target is not None and len(self.facts) >= target
            ):
                break
            last_day = d
            yymmdd = dt.date.fromordinal(d).strftime("%y%m%d")
            n = int(rate * (0.5 + r()) + 0.5)
            if cases is not None:
                n = min(n, cases - done)
            n_bug = sum(1 for _ in range(n) if r() < self.bug_share)
            n_req = min(n - n_bug, 99)
            n_bug = min(n_bug, 99)
            done += n_req + n_bug
            base = d * DAY + WORK_START
            for i, m in enumerate(sorted(int(r() * (8 * 60 + 30)) for _ in range(n_req))):
                self.requirement(base + m, f"{yymmdd}{i + 1:02d}")
            for i, m in enumerate(sorted(int(r() * (9 * 60)) for _ in range(n_bug))):
                self.bug(base + m, f"B{yymmdd}{i + 1:02d}")
            self.n_req += n_req
            self.n_bug += n_bug
        # a weekly report every Friday morning, from the first week to the last activity
        end = min(max(t for t, _, _ in self.facts), HORIZON - 1) if self.facts else last_day * DAY
        d = self.start_day + (4 - (self.start_day - 1) % 7) % 7  # first Friday on/after start
        while d * DAY + MORNING_END <= end:
            self.duties += 1
            x = r()
            if x >= self.p_missing * 4:
                if x < self.p_missing * 4 + self.p_late:
                    self.late += 1
                    t = d * DAY + MORNING_END + 1 + int(r() * 5 * 60)
                else:
                    t = d * DAY + 8 * 60 + 30 + int(r() * 3 * 60 + 29)
                self.emit(
                    t, "weekly_report.submitted", f', "actor": "{self.holder("collector", t)}"'
                )
            d += 7
        self.facts.sort(key=lambda f: f[0])  # stable: a case's facts keep their causal order
        if facts is not None:
            if len(self.facts) < facts:
                sys.exit(
                    f"generate_facts: could only generate {len(self.facts)} facts before "
                    f"{_fmt_day(LAST_CASE_DAY)}; choose an earlier --start or a larger --per-day"
                )
            del self.facts[facts:]
        return self.facts


def write_jsonl(facts: list[tuple[int, str, str]], out: Path | None) -> int:
    """Write facts as JSON Lines; returns the number of bytes written."""
    times = [f"T{h:02d}:{m:02d}:00+08:00" for h in range(24) for m in range(60)]
    day_cache: dict[int, str] = {}
    width = max(7, len(str(len(facts))))
    lines: list[str] = []
    nbytes = 0
    if out is None:
        sink: BinaryIO = sys.stdout.buffer
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        sink = tmp.open("wb")
    for i, (t, typ, rest) in enumerate(facts, 1):
        d, m = divmod(t, DAY)
        ds = day_cache.get(d)
        if ds is None:
            ds = day_cache[d] = _fmt_day(d)
        lines.append(f'{{"id": "f{i:0{width}d}", "type": "{typ}", "at": "{ds}{times[m]}"{rest}}}\n')
        if len(lines) >= 20000:
            nbytes += sink.write("".join(lines).encode("utf-8"))
            lines.clear()
    nbytes += sink.write("".join(lines).encode("utf-8"))
    sink.flush()
    if out is not None:
        sink.close()
        tmp.replace(out)
    return nbytes


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = p.add_mutually_exclusive_group(required=True)
    size.add_argument("--cases", type=int, help="number of requirement and bug cases")
    size.add_argument(
        "--facts", type=int, help="exactly this many facts (a time prefix of a longer stream)"
    )
    p.add_argument("--out", required=True, help="output file (JSON Lines), '-' for standard output")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument(
        "--start",
        type=dt.date.fromisoformat,
        default=dt.date(2021, 1, 4),
        help="first day of the stream, YYYY-MM-DD (default 2021-01-04)",
    )
    p.add_argument(
        "--per-day",
        type=float,
        default=40.0,
        help="cases per working day on average (raised if needed to fit in 2026)",
    )
    p.add_argument("--late", type=float, default=0.12, help="share of duties fulfilled late")
    p.add_argument("--missing", type=float, default=0.005, help="share of duties never fulfilled")
    p.add_argument("--bug-share", type=float, default=0.07, help="share of cases that are bugs")
    p.add_argument(
        "--delay-share", type=float, default=0.35, help="share of built requirements with a delay"
    )
    a = p.parse_args(argv)
    if a.start.year < FIRST_YEAR + 1 or a.start.toordinal() > LAST_CASE_DAY:
        p.error(f"--start must be between {FIRST_YEAR + 1}-01-01 and {_fmt_day(LAST_CASE_DAY)}")
    size_arg = a.cases if a.cases is not None else a.facts
    if size_arg is None or size_arg <= 0:
        p.error("--cases/--facts must be positive")
    t0 = time.perf_counter()
    gen = Generator(
        seed=a.seed,
        start=a.start,
        per_day=a.per_day,
        late=a.late,
        missing=a.missing,
        bug_share=a.bug_share,
        delay_share=a.delay_share,
    )
    facts = gen.run(a.cases, a.facts)
    t1 = time.perf_counter()
    out = None if a.out == "-" else Path(a.out)
    nbytes = write_jsonl(facts, out)
    t2 = time.perf_counter()
    first = dt.date.fromordinal(facts[0][0] // DAY) if facts else a.start
    last = dt.date.fromordinal(facts[-1][0] // DAY) if facts else a.start
    print(
        f"generate_facts: {len(facts):,} facts, {gen.n_req:,} requirements + {gen.n_bug:,} bugs, "
        f"{first} .. {last}, {nbytes / 2**20:.1f} MiB; duties {gen.duties:,}: "
        f"{gen.late / max(gen.duties, 1):.1%} late, {gen.missed / max(gen.duties, 1):.1%} missing; "
        f"generated in {t1 - t0:.1f} s, written in {t2 - t1:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
