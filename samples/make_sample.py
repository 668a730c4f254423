#!/usr/bin/env python3
"""Regenerate samples/facts-2026-10.jsonl, the bundled October 2026 sample.

Deterministic: no randomness, no clock, no calendar library. Every time below is
written by hand; samples/README.md is the ledger that says what each case shows and
which deadlines it meets or misses.

    python samples/make_sample.py            # writes samples/facts-2026-10.jsonl
    python samples/make_sample.py -o FILE    # writes FILE instead ("-" = stdout)

Actors are filled in from the fact type: the reporter for the reporter's steps, the
collector for the collector's, the PM holding the role at that moment (陈立 until
2026-10-19 09:00, 周敏 from then on), the IT lead, the tester, or the decision group.
"""

from __future__ import annotations

import sys

import sample_files
from sample_files import YEAR, stamp

COLLECTOR = "杨宝珠"
PM_OLD, PM_NEW = "陈立", "周敏"
PM_HANDOVER = "10-19 09:00"
IT_LEAD = "赵强"
TESTER = "孙婷"
DECIDER = "王总"

# reporters and their departments (departments are only in the ledger)
LI = "李小四"      # 推广部
ZHANG = "张三"     # 资讯部
CHEN = "陈小美"    # 策划部


def pm_at(when: str) -> str:
    # 'MM-DD HH:MM' strings of one year compare in time order
    return PM_NEW if when >= PM_HANDOVER else PM_OLD


REPORTER_TYPES = {"requirement.raised", "requirement.reported", "requester.informed",
                  "bug.found", "bug.reported"}
COLLECTOR_TYPES = {"requirement.registered", "reporter.notified"}
PM_TYPES = {"plan.estimated", "plan.delivered", "completion.estimated",
            "requirement.accepted", "collector.notified"}
IT_TYPES = {"acceptance.estimated", "build.handed_over", "bug.fixed"}
TESTER_TYPES = {"bug.reproduced", "bug.filed"}
DECIDER_TYPES = {"decision.made", "delay.approved"}


def actor_for(ftype: str, when: str, reporter: str, attrs: dict) -> str:
    if ftype in REPORTER_TYPES:
        return reporter
    if ftype in COLLECTOR_TYPES:
        return COLLECTOR
    if ftype in PM_TYPES:
        return pm_at(when)
    if ftype in IT_TYPES:
        return IT_LEAD
    if ftype in TESTER_TYPES:
        return TESTER
    if ftype in DECIDER_TYPES:
        return DECIDER
    if ftype == "delay.requested":
        return IT_LEAD if attrs["commitment"] == "acceptance" else pm_at(when)
    raise ValueError(ftype)


# ---------------------------------------------------------------------------
# Cases. Each step: (fact type, 'MM-DD HH:MM', attributes). The first step of a
# requirement is requirement.raised and names the customer (requester); the first
# step of a bug is bug.found. Short aliases keep the tables readable.
# ---------------------------------------------------------------------------

def raised(t, requester): return ("requirement.raised", t, {"requester": requester})
def reported(t): return ("requirement.reported", t, {})
def registered(t): return ("requirement.registered", t, {})
def decided(t, decision, tier=None):
    a = {"decision": decision}
    if tier:
        a["tier"] = tier
    return ("decision.made", t, a)
def notified(t, about): return ("reporter.notified", t, {"about": about})
def informed(t, about): return ("requester.informed", t, {"about": about})
def plan_est(t, due): return ("plan.estimated", t, {"due": f"{YEAR}-{due}"})
def plan_del(t): return ("plan.delivered", t, {})
def acc_est(t, due): return ("acceptance.estimated", t, {"due": f"{YEAR}-{due}"})
def handed(t): return ("build.handed_over", t, {})
def comp_est(t, due): return ("completion.estimated", t, {"due": f"{YEAR}-{due}"})
def delay_req(t, commitment, new_due):
    return ("delay.requested", t, {"commitment": commitment, "new_due": f"{YEAR}-{new_due}"})
def delay_ok(t, commitment): return ("delay.approved", t, {"commitment": commitment})
def accepted(t): return ("requirement.accepted", t, {})
def told_collector(t): return ("collector.notified", t, {"about": "completion"})
def found(t, requester): return ("bug.found", t, {"requester": requester})
def bug_reported(t): return ("bug.reported", t, {})
def reproduced(t): return ("bug.reproduced", t, {})
def filed(t): return ("bug.filed", t, {})
def fixed(t): return ("bug.fixed", t, {})


CASES: list[tuple[str, str, list]] = [
    # ---- decided at the meeting of Sat 09-19 --------------------------------
    ("26091501", LI, [  # tier A, accepted far ahead of its date (A2), C2 early
        raised("09-14 10:20", "王医生（华康医院）"),
        reported("09-15 09:30"),
        registered("09-16 10:00"),
        decided("09-19 10:10", "do", "A"),
        notified("09-19 10:35", "decision"),
        informed("09-20 09:40", "decision"),
        plan_est("09-21 11:00", "09-30"),
        plan_del("09-29 17:00"),
        acc_est("09-30 10:00", "10-12"),
        comp_est("09-30 10:30", "10-16"),
        notified("09-30 11:00", "estimate"),
        informed("09-30 15:00", "estimate"),
        handed("10-08 17:00"),
        accepted("10-09 16:00"),
        told_collector("10-09 16:15"),
        notified("10-09 16:40", "completion"),
        informed("10-09 17:30", "completion"),
    ]),
    ("26091502", ZHANG, [  # C2 delay asked before its date; C3 met at 18:00:00 sharp
        raised("09-15 14:00", "刘老师（星辰教育）"),
        reported("09-15 16:30"),
        registered("09-16 10:05"),
        decided("09-19 10:20", "do", "B"),
        notified("09-19 10:50", "decision"),
        informed("09-20 11:00", "decision"),
        plan_est("09-20 16:00", "09-30"),
        plan_del("09-30 15:00"),
        acc_est("10-08 10:00", "10-14"),
        comp_est("10-08 10:40", "10-23"),
        notified("10-08 11:10", "estimate"),
        informed("10-08 16:00", "estimate"),
        delay_req("10-12 15:00", "acceptance", "10-21"),
        delay_ok("10-13 09:30", "acceptance"),
        notified("10-13 10:10", "delay"),
        informed("10-13 14:00", "delay"),
        handed("10-21 15:00"),
        accepted("10-23 18:00:00"),
        told_collector("10-23 18:20"),
        notified("10-23 18:45", "completion"),
        informed("10-26 10:00", "completion"),
    ]),
    ("26091503", CHEN, [  # all dates met on the day; PM 陈立 tells the collector late (P5)
        raised("09-15 11:00", "韩老师（阳光幼儿园）"),
        reported("09-15 17:00"),
        registered("09-16 10:10"),
        decided("09-19 10:45", "do", "D"),
        notified("09-19 11:10", "decision"),
        informed("09-20 16:00", "decision"),
        plan_est("09-21 09:30", "09-28"),
        plan_del("09-28 16:00"),
        acc_est("09-29 10:00", "10-13"),
        comp_est("09-29 10:30", "10-15"),
        notified("09-29 11:00", "estimate"),
        informed("09-29 15:00", "estimate"),
        handed("10-13 15:00"),
        accepted("10-15 10:00"),
        told_collector("10-15 11:00"),
        notified("10-15 11:20", "completion"),
        informed("10-15 14:00", "completion"),
    ]),
    ("26091601", CHEN, [  # transform: IT and PM estimate late, build late, customer never told of completion
        raised("09-16 09:30", "赵院长（仁和诊所）"),
        reported("09-16 11:00"),
        registered("09-17 09:40"),
        decided("09-19 10:30", "transform", "C"),
        notified("09-19 11:00", "decision"),
        informed("09-20 14:00", "decision"),
        plan_est("09-21 16:30", "10-09"),
        plan_del("10-09 10:00"),
        acc_est("10-14 10:00", "10-21"),
        comp_est("10-14 11:30", "10-30"),
        notified("10-14 11:50", "estimate"),
        informed("10-14 15:00", "estimate"),
        handed("10-23 16:00"),
        accepted("10-30 16:00"),
        told_collector("10-30 17:10"),
        notified("10-30 17:25", "completion"),
    ]),
    ("26091602", LI, [  # plan early (M1); build and completion each late by under a day
        raised("09-16 15:00", "钱经理（安达物流）"),
        reported("09-16 17:00"),
        registered("09-17 10:00"),
        decided("09-19 10:40", "do", "B"),
        notified("09-19 11:05", "decision"),
        informed("09-20 10:30", "decision"),
        plan_est("09-21 10:00", "10-14"),
        plan_del("10-12 16:00"),
        acc_est("10-13 14:00", "10-20"),
        comp_est("10-13 14:30", "10-27"),
        notified("10-13 16:00", "estimate"),
        informed("10-13 17:00", "estimate"),
        handed("10-21 10:00"),
        accepted("10-28 11:00"),
        told_collector("10-28 11:20"),
        notified("10-28 12:10", "completion"),
        informed("10-28 15:00", "completion"),
    ]),
    ("26091701", ZHANG, [  # dont; customer told a day late, in September
        raised("09-17 10:00", "孙主任（博雅书店）"),
        reported("09-17 11:00"),
        registered("09-17 15:00"),
        decided("09-19 10:50", "dont"),
        notified("09-19 11:20", "decision"),
        informed("09-21 09:30", "decision"),
    ]),
    ("26091702", CHEN, [  # reconsider, then do; plan delay asked in time moves past the handover
        raised("09-17 14:00", "吴店长（鲜果坊）"),
        reported("09-17 16:00"),
        registered("09-18 09:00"),
        decided("09-19 10:55", "reconsider"),
        notified("09-19 11:30", "decision"),
        informed("09-20 15:00", "decision"),
        decided("10-10 10:05", "do", "D"),
        notified("10-10 10:30", "decision"),
        informed("10-10 16:00", "decision"),
        plan_est("10-12 15:00", "10-16"),
        delay_req("10-15 11:00", "plan", "10-22"),
        delay_ok("10-16 10:00", "plan"),
        notified("10-16 11:30", "delay"),
        informed("10-16 14:00", "delay"),
        plan_del("10-22 11:00"),
        acc_est("10-23 10:00", "11-04"),
        comp_est("10-23 10:20", "11-11"),
        notified("10-23 10:50", "estimate"),
        informed("10-23 17:50", "estimate"),
    ]),
    # ---- decided at the meeting of Sat 10-10 (an adjusted working day) ------
    ("26092101", LI, [  # raised on a Saturday; decision notice late; plan late <1 day; completion delay asked in time
        raised("09-19 11:00", "郑总监（远航旅行社）"),
        reported("09-21 10:00"),
        registered("09-22 11:00"),
        decided("10-10 10:20", "do", "B"),
        notified("10-10 11:45", "decision"),
        informed("10-10 15:00", "decision"),
        plan_est("10-13 10:00", "10-21"),
        plan_del("10-22 10:00"),
        acc_est("10-23 11:00", "10-28"),
        comp_est("10-23 11:40", "10-30"),
        notified("10-23 12:05", "estimate"),
        informed("10-26 09:30", "estimate"),
        handed("10-28 17:30"),
        delay_req("10-29 10:00", "completion", "11-06"),
        delay_ok("10-29 16:00", "completion"),
        notified("10-29 16:30", "delay"),
        informed("10-29 17:40", "delay"),
    ]),
    ("26092201", ZHANG, [  # build never handed over (>7 days late at month end); completion delay asked in time
        raised("09-21 09:00", "蒋主任（康宁社区卫生站）"),
        reported("09-22 10:00"),
        registered("09-22 15:00"),
        decided("10-10 10:10", "do", "C"),
        notified("10-10 10:40", "decision"),
        informed("10-10 11:30", "decision"),
        plan_est("10-12 16:00", "10-13"),
        plan_del("10-13 11:00"),
        acc_est("10-14 10:00", "10-16"),
        comp_est("10-14 10:45", "10-23"),
        notified("10-14 11:00", "estimate"),
        informed("10-14 16:00", "estimate"),
        delay_req("10-19 10:05", "completion", "11-13"),
        delay_ok("10-19 15:00", "completion"),
        notified("10-19 16:30", "delay"),
        informed("10-20 11:00", "delay"),
    ]),
    ("26092301", LI, [  # completion 1-7 days late
        raised("09-22 10:00", "秦主管（万家超市）"),
        reported("09-23 09:00"),
        registered("09-23 14:00"),
        decided("10-10 10:25", "do", "D"),
        notified("10-10 10:50", "decision"),
        informed("10-10 11:30", "decision"),
        plan_est("10-12 09:40", "10-14"),
        plan_del("10-14 16:00"),
        acc_est("10-15 10:00", "10-20"),
        comp_est("10-15 10:30", "10-22"),
        notified("10-15 11:10", "estimate"),
        informed("10-15 17:00", "estimate"),
        handed("10-20 16:00"),
        accepted("10-26 15:00"),
        told_collector("10-26 15:20"),
        notified("10-26 15:40", "completion"),
        informed("10-26 16:30", "completion"),
    ]),
    ("26092801", CHEN, [  # raised Thu after 18:00 before National Day; registered late; decision notice at the exact hour; plan 1-7 days late
        raised("09-24 19:30", "冯校长（启明学校）"),
        reported("09-28 09:30"),
        registered("10-08 14:00"),
        decided("10-10 10:35", "transform", "B"),
        notified("10-10 11:35", "decision"),
        informed("10-10 17:00", "decision"),
        plan_est("10-14 09:30", "10-20"),
        plan_del("10-23 15:00"),
        acc_est("10-26 10:00", "11-05"),
        comp_est("10-26 10:30", "11-12"),
        notified("10-26 11:45", "estimate"),
        informed("10-26 14:00", "estimate"),
    ]),
    ("26092901", ZHANG, [  # completion still open at month end (3 days late)
        raised("09-28 15:00", "何校长（育才培训）"),
        reported("09-29 10:00"),
        registered("09-30 09:30"),
        decided("10-10 10:30", "do", "C"),
        notified("10-10 10:55", "decision"),
        informed("10-10 15:30", "decision"),
        plan_est("10-12 14:00", "10-15"),
        plan_del("10-15 11:00"),
        acc_est("10-16 09:30", "10-22"),
        comp_est("10-16 10:00", "10-28"),
        notified("10-16 10:20", "estimate"),
        informed("10-16 15:00", "estimate"),
        handed("10-22 17:00"),
    ]),
    ("26100801", ZHANG, [  # raised before National Day, reported on the first day back; dont; told late on the working Saturday
        raised("09-29 16:00", "褚会计（华信会计师事务所）"),
        reported("10-08 10:00"),
        registered("10-08 15:00"),
        decided("10-10 10:50", "dont"),
        notified("10-10 11:10", "decision"),
        informed("10-12 10:00", "decision"),
    ]),
    ("26100802", CHEN, [  # plan due on the handover day; delay asked after the date does not move it
        raised("10-08 16:00", "杨经理（美家装饰）"),
        reported("10-08 17:30"),
        registered("10-09 09:20"),
        decided("10-10 10:45", "do", "C"),
        notified("10-10 11:15", "decision"),
        informed("10-10 16:30", "decision"),
        plan_est("10-13 10:00", "10-19"),
        delay_req("10-20 09:30", "plan", "10-23"),
        delay_ok("10-20 14:00", "plan"),
        notified("10-20 14:30", "delay"),
        informed("10-20 16:00", "delay"),
        plan_del("10-23 16:00"),
        acc_est("10-27 10:00", "11-06"),
        comp_est("10-27 11:30", "11-13"),
        notified("10-27 11:50", "estimate"),
        informed("10-27 15:00", "estimate"),
    ]),
    ("26100901", LI, [  # raised in the holiday, reported late; tier A; plan 3 working days early (M1)
        raised("10-05 15:00", "卫老板（卫氏五金）"),
        reported("10-09 09:30"),
        registered("10-09 10:00"),
        decided("10-10 11:00", "do", "A"),
        notified("10-10 11:30", "decision"),
        informed("10-10 14:00", "decision"),
        plan_est("10-12 11:00", "10-23"),
        plan_del("10-20 10:00"),
        acc_est("10-21 15:00", "11-13"),
        comp_est("10-21 15:30", "11-27"),
        notified("10-21 16:00", "estimate"),
        informed("10-21 17:00", "estimate"),
    ]),
    # ---- decided at the meeting of Sat 10-17 --------------------------------
    ("26101201", ZHANG, [  # decision notice 25 minutes late; plan on its day
        raised("10-12 09:00", "许总（众诚科技）"),
        reported("10-12 14:00"),
        registered("10-13 10:00"),
        decided("10-17 10:40", "do", "B"),
        notified("10-17 12:05", "decision"),
        informed("10-19 10:00", "decision"),
        plan_est("10-19 15:00", "10-28"),
        plan_del("10-28 17:00"),
        acc_est("10-29 10:00", "11-10"),
        comp_est("10-29 10:30", "11-17"),
        notified("10-29 11:00", "estimate"),
        informed("10-29 16:00", "estimate"),
    ]),
    ("26101301", LI, [  # plan estimate late, due after the handover (周敏's)
        raised("10-13 10:00", "吕医生（德济口腔）"),
        reported("10-13 15:00"),
        registered("10-14 09:30"),
        decided("10-17 10:10", "do", "C"),
        notified("10-17 10:30", "decision"),
        informed("10-19 09:50", "decision"),
        plan_est("10-21 10:00", "10-27"),
        plan_del("10-27 15:00"),
        acc_est("10-28 09:30", "11-06"),
        comp_est("10-28 10:00", "11-12"),
        notified("10-28 10:40", "estimate"),
        informed("10-28 14:00", "estimate"),
    ]),
    ("26101401", LI, [  # transform, tier A
        raised("10-14 10:00", "柏总（柏林家居）"),
        reported("10-14 11:00"),
        registered("10-14 15:00"),
        decided("10-17 10:50", "transform", "A"),
        notified("10-17 11:20", "decision"),
        informed("10-19 11:00", "decision"),
        plan_est("10-20 10:00", "11-02"),
    ]),
    ("26101501", ZHANG, [  # registered late; reconsider, then dont
        raised("10-15 09:00", "孔经理（孔家私房菜）"),
        reported("10-15 10:00"),
        registered("10-16 13:30"),
        decided("10-17 10:30", "reconsider"),
        notified("10-17 11:00", "decision"),
        informed("10-19 10:30", "decision"),
        decided("10-31 10:45", "dont"),
        notified("10-31 11:05", "decision"),
    ]),
    ("26101502", CHEN, [  # reported ten minutes before the Thursday cut-off; dont
        raised("10-14 17:00", "施老师（博文书院）"),
        reported("10-15 17:50"),
        registered("10-16 11:00"),
        decided("10-17 10:20", "dont"),
        notified("10-17 10:45", "decision"),
        informed("10-19 17:30", "decision"),
    ]),
    # ---- decided at the meeting of Sat 10-24 --------------------------------
    ("26101601", CHEN, [  # raised Thu after 18:00: due the next Thursday
        raised("10-15 20:00", "曹主任（惠民药房）"),
        reported("10-16 09:30"),
        registered("10-16 10:00"),
        decided("10-24 10:40", "do", "C"),
        notified("10-24 11:00", "decision"),
        informed("10-26 10:00", "decision"),
        plan_est("10-26 15:00", "11-03"),
    ]),
    ("26102101", ZHANG, [  # transform D, plan on its day
        raised("10-20 14:00", "华经理（通达快递）"),
        reported("10-21 09:00"),
        registered("10-21 10:00"),
        decided("10-24 10:20", "transform", "D"),
        notified("10-24 10:50", "decision"),
        informed("10-26 11:00", "decision"),
        plan_est("10-26 10:00", "10-29"),
        plan_del("10-29 10:00"),
        acc_est("10-30 10:00", "11-05"),
        comp_est("10-30 10:15", "11-09"),
        notified("10-30 10:45", "estimate"),
        informed("10-30 15:00", "estimate"),
    ]),
    ("26102301", LI, [  # reported a day late
        raised("10-16 10:00", "严总（天宇传媒）"),
        reported("10-23 09:00"),
        registered("10-23 10:00"),
        decided("10-24 10:50", "do", "B"),
        notified("10-24 11:15", "decision"),
        informed("10-26 16:00", "decision"),
        plan_est("10-27 10:00", "11-04"),
    ]),
    # ---- decided at the meeting of Sat 10-31 --------------------------------
    ("26102201", CHEN, [  # registered late, missed the 10-23 weekly report
        raised("10-22 10:00", "金老板（金记餐饮）"),
        reported("10-22 16:00"),
        registered("10-23 14:00"),
        decided("10-31 10:15", "do", "C"),
        notified("10-31 10:40", "decision"),
    ]),
    ("26102701", ZHANG, [  # dont; decision notice 15 minutes late
        raised("10-26 10:00", "陶院长（福寿养老院）"),
        reported("10-27 10:00"),
        registered("10-27 15:00"),
        decided("10-31 10:30", "dont"),
        notified("10-31 11:45", "decision"),
    ]),
    ("26103001", LI, [  # raised Thu 10-29 after 18:00: nothing due before November
        raised("10-29 19:00", "姜老师（新苗书法）"),
        reported("10-30 09:30"),
        registered("10-30 10:00"),
    ]),
    # ---- bugs -------------------------------------------------------------
    ("B26100401", ZHANG, [  # found in the National Day holiday; filed 15 minutes late
        found("10-04 11:00", "刘老师（星辰教育）"),
        bug_reported("10-08 09:30"),
        reproduced("10-08 11:00"),
        filed("10-08 11:45"),
        fixed("10-09 15:00"),
        informed("10-09 16:00", "bugfix"),
    ]),
    ("B26100901", LI, [  # all on time
        found("10-09 10:00", "王医生（华康医院）"),
        bug_reported("10-09 10:20"),
        reproduced("10-09 14:00"),
        filed("10-09 14:20"),
        fixed("10-12 16:00"),
        informed("10-12 17:00", "bugfix"),
    ]),
    ("B26101301", CHEN, [  # found after 18:00; user told of the fix a day late
        found("10-13 19:30", "赵院长（仁和诊所）"),
        bug_reported("10-14 09:10"),
        reproduced("10-14 10:00"),
        filed("10-14 10:20"),
        fixed("10-15 11:00"),
        informed("10-16 10:00", "bugfix"),
    ]),
    ("B26101801", LI, [  # found on a Sunday; filed at the 30th minute; fixed after 18:00
        found("10-18 15:00", "钱经理（安达物流）"),
        bug_reported("10-19 09:40"),
        reproduced("10-19 11:00"),
        filed("10-19 11:30"),
        fixed("10-21 18:30"),
        informed("10-22 10:00", "bugfix"),
    ]),
    ("B26102001", ZHANG, [  # posted to the group a day late; user told of the fix late
        found("10-20 10:00", "许总（众诚科技）"),
        bug_reported("10-21 09:00"),
        reproduced("10-21 10:00"),
        filed("10-21 10:15"),
        fixed("10-23 15:00"),
        informed("10-26 10:00", "bugfix"),
    ]),
    ("B26102701", CHEN, [  # posted late; filed 30 minutes late
        found("10-27 14:00", "施老师（博文书院）"),
        bug_reported("10-28 09:00"),
        reproduced("10-28 10:00"),
        filed("10-28 11:00"),
        fixed("10-30 17:00"),
        informed("10-30 17:40", "bugfix"),
    ]),
]

ROLES = [  # (when, role, person); the appointments are made by the decision group
    ("09-01 09:00", "collector", COLLECTOR),
    ("09-01 09:00", "pm", PM_OLD),
    ("09-01 09:00", "it_lead", IT_LEAD),
    ("09-01 09:00", "tester", TESTER),
    (PM_HANDOVER, "pm", PM_NEW),
]

# The collector's weekly new-requirement report: one per week, the Friday-12:00
# deadline moved to the next working day when Friday is a holiday.
WEEKLY_REPORTS = [
    "09-04 10:00",
    "09-11 10:00",
    "09-18 10:30",
    "09-24 16:00",  # week of Fri 09-25 (Mid-Autumn holiday): due Mon 09-28 12:00, sent before the break
    "09-30 16:00",  # week of Fri 10-02 (National Day): due Thu 10-08 12:00, sent before the break
    "10-09 10:30",
    "10-16 15:30",  # late: due 10-16 12:00
    "10-23 11:00",
    "10-30 11:00",
]

CASE_ORDER = {case: n for n, (case, _, _) in enumerate(CASES)}


# ---------------------------------------------------------------------------
# Facts added for issue 11 (the seed's duties the first pack lacked, and the meeting's
# end that 会后 runs from). They follow the original facts in the file, in time order of
# their own, so every original fact keeps its id and its line; facts may come in any
# order (the engine sorts them by time).
# ---------------------------------------------------------------------------

# Decision meetings (Saturdays 10:00-11:00) by date: their ids, carried by the decisions
# made there (decision.made `meeting`), and the recorded end (meeting.ended), if any. The
# 09-19 meeting's end was not recorded (its deadlines run from each decision); the 10-31
# decisions carry no meeting id at all.
MEETINGS = {
    "09-19": ("M20260919", None),
    "10-10": ("M20261010", "10-10 11:00"),
    "10-17": ("M20261017", "10-17 11:00"),
    "10-24": ("M20261024", "10-24 11:00"),
}

# R16 (决策下发2): the collector mails each recorded meeting's results to the decision group.
RESULTS_MAILED = {"M20261010": "10-10 11:50", "M20261017": "10-17 12:30",  # 10-17: 30 min late
                  "M20261024": "10-24 11:45"}

# R17 (决策下发4): the collector tells the head of IT of each do / transform decision.
IT_LEAD_TOLD = {
    "26091501": "09-19 10:40", "26091502": "09-19 10:50", "26091503": "09-19 11:15",
    "26091601": "09-19 11:00", "26091602": "09-19 11:10",
    "26091702": "10-10 11:40", "26092101": "10-10 11:40", "26092201": "10-10 11:40",
    "26092301": "10-10 11:40", "26092801": "10-10 11:40", "26092901": "10-10 11:40",
    "26100802": "10-10 11:40",
    "26100901": "10-10 12:20",  # 20 minutes after 12:00 (meeting end + 1 h)
    "26101201": "10-17 11:30", "26101301": "10-17 11:30", "26101401": "10-17 11:30",
    "26101601": "10-24 11:30", "26102101": "10-24 11:30",
    # 26102301 (do, 10-24): never told
    "26102201": "10-31 11:10",  # no meeting id: due 10:15 + 1 h = 11:15
}

# W2: IT's weekly new-bug report (分工·IT部5), by the IT lead.
BUG_WEEKLY_REPORTS = [
    "09-04 16:00", "09-11 16:00", "09-18 16:00",
    "09-24 17:00",  # week of Fri 09-25 (Mid-Autumn holiday): due Mon 09-28 18:00
    "09-30 17:00",  # week of Fri 10-02 (National Day): due Thu 10-08 18:00
    "10-09 16:00",
    "10-17 09:30",  # Saturday: still the week of Fri 10-16, 15 h 30 min late
    "10-23 16:00", "10-30 16:00",
]

# W3: the tester's bug feedback form to the decision group (BUG反馈流程·收集和汇总3).
BUG_FEEDBACK_FORMS = [
    "09-04 15:00", "09-11 15:00", "09-18 15:00", "09-24 15:00", "09-30 15:00",
    "10-09 15:00", "10-16 15:00",
    # week of Fri 10-23: none sent
    "10-30 15:00",
]

# W4: the collector's month-end summary (分工·资讯部6), due the month's last working day.
MONTHLY_SUMMARIES = [
    "09-30 16:00",  # September: last working day Wed 09-30
    "10-31 10:00",  # October: last working day Fri 10-30, sent Saturday: 16 h late
]


def meeting_of(ftype: str, when: str) -> dict:
    """The meeting id a decision carries (decision.made `meeting`), if its meeting has one."""
    if ftype != "decision.made" or when.split()[0] not in MEETINGS:
        return {}
    return {"meeting": MEETINGS[when.split()[0]][0]}


def added_facts() -> list[tuple[str, dict]]:
    """(time, fact without id) of the issue-11 facts."""
    out: list[tuple[str, dict]] = []
    for _day, (meeting, ended) in MEETINGS.items():
        if ended is not None:
            out.append((ended, {"type": "meeting.ended", "actor": DECIDER, "meeting": meeting}))
    for meeting, when in RESULTS_MAILED.items():
        out.append((when, {"type": "decision_results.mailed", "actor": COLLECTOR,
                           "meeting": meeting}))
    for case, when in IT_LEAD_TOLD.items():
        out.append((when, {"type": "it_lead.notified", "case": case, "actor": COLLECTOR}))
    for when in BUG_WEEKLY_REPORTS:
        out.append((when, {"type": "bug_weekly_report.submitted", "actor": IT_LEAD}))
    for when in BUG_FEEDBACK_FORMS:
        out.append((when, {"type": "bug_feedback_form.submitted", "actor": TESTER}))
    for when in MONTHLY_SUMMARIES:
        out.append((when, {"type": "monthly_summary.submitted", "actor": COLLECTOR}))
    return out


# The registry's words (需求梗概, 备注): a summary on each requirement's report, what each
# 需求转换 became on its decision, a reason on some delay requests. They are attributes only:
# no time, id or order changes, so every evaluation result stays the same.
SUMMARIES = {
    "26091501": "预约挂号 短信提醒 就诊前一天",
    "26091502": "考勤记录 导出Excel 按月",
    "26091503": "家长通知 一键群发 已读回执",
    "26091601": "自定义报表 医生工作量统计",
    "26091602": "物流单 状态跟踪页 客户自助查询",
    "26091701": "会员积分 兑换实体书",
    "26091702": "库存预警 临期水果 提醒",
    "26092101": "行程单 导出PDF 带公司抬头",
    "26092201": "慢病随访 电话记录 到期提醒",
    "26092301": "收银小票 增加二维码",
    "26092801": "学生成绩 家长端查看 排名",
    "26092901": "课程表 冲突检测 教师排课",
    "26100801": "发票 自动识别 记账凭证",
    "26100802": "装修进度 照片上传 业主确认",
    "26100901": "进销存 多仓库 调拨单 扫码出入库",
    "26101201": "工单 超时自动升级 短信通知负责人",
    "26101301": "预约 牙椅排班 复诊提醒",
    "26101401": "客户管理 定制字段 销售漏斗",
    "26101501": "菜单 扫码点餐 后厨打印",
    "26101502": "课程 视频回放 倍速播放",
    "26101601": "处方 电子化 医保结算接口",
    "26102101": "快递 批量下单 地址簿导入",
    "26102301": "广告排期 日历视图 冲突提示",
    "26102201": "外卖订单 合并打印",
    "26102701": "老人 健康档案 家属查看",
    "26103001": "书法作业 拍照上传 老师点评",
}
TRANSFORMED = {  # decision.made note for 需求转换: what the requirement became
    "26091601": "改为标准报表模板，不做自定义报表",
    "26092801": "改为只显示本人成绩，不显示排名",
    "26101401": "改为标准CRM模块加自定义字段",
    "26102101": "改为CSV模板导入地址簿",
}
DELAY_REASONS = {  # (case, commitment) -> reason on the delay request
    ("26091502", "acceptance"): "导出模块依赖的报表组件升级",
    ("26091702", "plan"): "供应商库存接口文档未到",
    ("26092201", "completion"): "随访流程需卫生站重新确认",
}


def words_for(case: str, ftype: str, attrs: dict) -> dict:
    """The registry attributes a fact carries (summary, note, reason), if any."""
    if ftype == "requirement.reported" and case in SUMMARIES:
        return {"summary": SUMMARIES[case]}
    if ftype == "decision.made" and attrs.get("decision") == "transform" and case in TRANSFORMED:
        return {"note": TRANSFORMED[case]}
    if ftype == "delay.requested" and (case, attrs["commitment"]) in DELAY_REASONS:
        return {"reason": DELAY_REASONS[(case, attrs["commitment"])]}
    return {}




def build() -> list[dict]:
    rows = []  # (sort key, fact without id)
    for when, role, person in ROLES:
        rows.append(((stamp(when), -1, 0), {"type": "role.assigned", "at": stamp(when),
                                           "actor": DECIDER, "role": role, "person": person}))
    for when in WEEKLY_REPORTS:
        rows.append(((stamp(when), -1, 1), {"type": "weekly_report.submitted", "at": stamp(when),
                                           "actor": COLLECTOR}))
    for case, reporter, steps in CASES:
        for step_no, (ftype, when, attrs) in enumerate(steps):
            fact = {"type": ftype, "at": stamp(when), "case": case,
                    "actor": actor_for(ftype, when, reporter, attrs)}
            fact.update(attrs)
            fact.update(words_for(case, ftype, attrs))
            fact.update(meeting_of(ftype, when))
            rows.append(((stamp(when), CASE_ORDER[case], step_no), fact))
    rows.sort(key=lambda r: r[0])
    facts = []
    for n, (_, fact) in enumerate(rows, 1):
        facts.append({"id": f"s-{n:04d}", **fact})
    # The issue-11 facts after them (see `added_facts`), numbered on.
    added = sorted(added_facts(), key=lambda a: (stamp(a[0]), a[1]["type"], a[1].get("case", "")))
    for n, (when, fact) in enumerate(added, len(facts) + 1):
        facts.append({"id": f"s-{n:04d}", "type": fact["type"], "at": stamp(when),
                      **{k: v for k, v in fact.items() if k != "type"}})
    return facts


if __name__ == "__main__":
    sys.exit(sample_files.main(build, __doc__, __file__))
