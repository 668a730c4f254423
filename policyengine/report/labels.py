"""Every word a person reads in a report or in the command line's tables, in Chinese and English.

One catalogue, each wording once: the registry's column 需求编号 is the same string in the
registry, the weekly report and the docs. A key maps to (English, Chinese) like the
explanation templates in `policyengine.wording`; `{name}` placeholders are filled by `label`.
Explanation sentences (deadline arithmetic, penalty details) stay in `wording.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from policyengine.kinds import Status
from policyengine.language import Lang, worded
from policyengine.wording import duration_text as duration_text  # one wording, re-exported
from policyengine.wording import weekday_name

if TYPE_CHECKING:
    from policyengine.results import Violation

LABELS: dict[str, tuple[str, str]] = {
    # document titles
    "doc.registry": ("Requirement registry", "需求登记反馈表"),
    "doc.weekly": ("Weekly report of new requirements", "新增需求收集周报"),
    "doc.monthly": ("Monthly summary of requirement collection", "需求收集处理月度总结"),
    "doc.deductions": ("Performance pay deductions", "绩效扣款表"),
    "doc.rewards": ("Quarterly reward proposals", "季度奖励建议"),
    # the title block
    "head.period": ("period", "期间"),
    "head.as_of": ("as of", "截至"),
    "head.policy": ("policy", "制度"),
    "head.policy_hash": ("policy content hash", "制度内容校验值"),
    "head.git": ("policy revision (git)", "制度文件版本"),
    "head.dirty": ("the policy files have uncommitted edits", "制度文件有未提交的修改"),
    "head.clean": ("committed", "已提交"),
    "head.cutoff": ("reports received", "收到报告时间"),
    "head.total": ("Total", "合计"),
    "head.deductions_total": ("{violations} violations, {amount} yuan deducted, performance pay "
                              "forfeited for {forfeits} person-month(s)",
                              "违规 {violations} 次，扣款 {amount} 元，当月无绩效 {forfeits} 人次"),
    "head.window": ("after {start} up to {end}", "{start} 之后至 {end}"),
    # registry / weekly columns (the seed's header of 需求登记反馈表)
    "col.case": ("requirement no.", "需求编号"),
    "col.filed_by": ("filed by", "填表人"),
    "col.requester": ("requester", "需求人"),
    "col.decision": ("decision", "决策结果"),
    "col.tier": ("tier", "需求分级"),
    "col.committed": ("committed delivery date", "预期交付日"),
    "col.delivered": ("actual delivery date", "实际交付日"),
    "col.status": ("status", "需求状态"),
    "col.summary": ("summary", "需求梗概"),
    "col.note": ("note", "备注"),
    "col.reported_at": ("report received", "收到报告时间"),
    "col.marked": ("new this week", "本周新增"),
    # decisions, statuses, commitments (codes of the shipped vocabulary; others shown as is)
    "decision.do": ("do", "做"),
    "decision.dont": ("don't", "不做"),
    "decision.reconsider": ("reconsider", "再议"),
    "decision.transform": ("transform", "需求转换"),
    "status.completed": ("completed", "完成"),
    "status.delayed": ("delayed", "延期"),
    "commitment.plan": ("plan", "策划案"),
    "commitment.acceptance": ("build for acceptance", "交验收"),
    "commitment.completion": ("completion", "交付"),
    # registry notes
    "note.delay": ("delay of {commitment} approved {day}: new date {new}{reason}",
                   "{day} 批准延期（{commitment}）：新日期 {new}{reason}"),
    "note.reason": ("; reason: {reason}", "；原因：{reason}"),
    "note.transform": ("transformed into: {note}", "需求转换为：{note}"),
    "note.summary_long": ("summary has {count} characters (limit {limit})",
                          "需求梗概 {count} 字，超过 {limit} 字上限"),
    "warn.summary_long": ("case {case}: the summary has {count} characters, more than {limit}; "
                          "kept in full and flagged in the note",
                          "需求 {case}：需求梗概 {count} 字，超过 {limit} 字；"
                          "已完整保留并在备注中标出"),
    "note.separator": ("; ", "；"),
    # weekly
    "table.weekly_new": ("New requirements for this week's decision meeting",
                         "本周决策会议待讨论的新需求"),
    "table.registry": ("Requirement registry", "需求登记反馈表"),
    "note.weekly_marked": ("{count} row(s) of this week are marked (yellow in a spreadsheet)",
                           "本周新增 {count} 条，已标出（表格中为黄色）"),
    # monthly
    "table.counts": ("The month in figures", "本月概况"),
    "table.ranking": ("Submissions and adoption rate by employee", "员工需求提交及采纳率排名"),
    "col.measure": ("measure", "项目"),
    "col.count": ("count", "数量"),
    "count.submitted": ("requirements submitted (reported in the month)",
                        "本月提交需求（本月收到需求报告表）"),
    "count.decided": ("decided in the month: {outcome}", "本月决策：{outcome}"),
    "count.decided_total": ("decided in the month, total", "本月决策合计"),
    "count.completed": ("completed (accepted in the month)", "本月完成（验收）"),
    "count.delayed": ("delayed (a delay approved in the month)", "本月延期（批准延期）"),
    "col.rank": ("rank", "排名"),
    "col.person": ("person", "姓名"),
    "col.submitted": ("submitted", "提交数"),
    "col.adopted": ("adopted", "采纳数"),
    "col.pending": ("pending", "待定数"),
    "col.rate": ("adoption rate", "采纳率"),
    "note.rate": ("adoption rate = adopted / submitted; adopted: decided do or transform as of "
                  "{as_of}; pending: reconsider or not yet decided. Ranked by rate, then by "
                  "submissions (more first), then by name; a full tie shares the rank.",
                  "采纳率 = 采纳数 ÷ 提交数；采纳：截至 {as_of} 决策为“做”或“需求转换”；待定："
                  "“再议”或尚未决策。按采纳率排名，相同时提交数多者在前，再按姓名拼音；"
                  "采纳率和提交数都相同者名次并列。"),
    # deductions
    "table.deductions_month": ("Per person and month", "按人按月汇总"),
    "table.deductions_items": ("Each violation", "违规明细"),
    "col.month": ("month", "月份"),
    "col.violations": ("violations", "违规次数"),
    "col.amount": ("deduction (CNY)", "扣款（元）"),
    "col.pay": ("performance pay", "绩效"),
    "col.duty": ("duty", "职责"),
    "col.duty_name": ("what was owed", "职责内容"),
    "col.due": ("due", "截止时间"),
    "col.done": ("done", "完成时间"),
    "col.late_by": ("late by", "迟了"),
    "col.rule": ("rule", "罚则"),
    "col.clause": ("clause", "制度条款"),
    "col.cost": ("cost", "扣款"),
    "pay.forfeit": ("forfeited", "当月无绩效"),
    "pay.kept": ("", ""),
    "cost.count": ("counted in the month's tier", "计入当月档位"),
    "cost.forfeit": ("forfeit", "当月无绩效"),
    "cost.none": ("no penalty", "无罚款"),
    "note.deductions": ("A violation belongs to the month its deadline falls in. Rules charged "
                        "by the month's count show their amount once, on the month's line.",
                        "违规按截止时间所在月份计。按当月次数分档的罚则，金额只在当月汇总行列出一次。"),
    # rewards
    "table.rewards": ("Who qualifies", "符合条件人员"),
    "col.reward_id": ("id", "编号"),
    "col.reward": ("reward", "奖项"),
    "col.min": ("from (CNY)", "最低（元）"),
    "col.max": ("up to (CNY)", "最高（元）"),
    "col.why": ("why", "理由"),
    "note.rewards": ("The decision group fixes each amount within its range.",
                     "具体金额由决策组在范围内确定。"),
    "note.nobody": ("Nobody qualifies for {reward} in {period}.", "{period} 无人符合 {reward}。"),
    # obligations pending calendar data (a year not yet published), in every report
    "table.pending": ("Pending calendar data", "待日历数据"),
    "col.missing_year": ("calendar year needed", "缺少日历的年份"),
    "col.due_not_before": ("due no earlier than", "截止不早于"),
    "note.pending": ("These deadlines need the working days of {years}, which the calendar does "
                     "not have yet: neither violations nor met. Add calendar.years to the policy "
                     "and run the report again (docs/calendar.en.md).",
                     "这些职责的截止时间需要 {years} 年的工作日数据，日历中尚无：既不算违规，也不算"
                     "按时。请在政策文件中补充 calendar.years 后重新生成报告（见 "
                     "docs/calendar.zh.md）。"),
    "warn.pending": ("{count} obligation(s) pending calendar data for {years}: listed in the "
                     "table 'Pending calendar data', neither violations nor met",
                     "{count} 项职责待 {years} 年日历数据：已列于“待日历数据”表，既不算违规，"
                     "也不算按时"),
    "warn.weekly_due": ("the report deadline {due} is as written: it moves to the next working "
                        "day if that day is a holiday, which is known once the {year} calendar "
                        "is added to the policy",
                        "报告截止时间 {due} 按制度原文列出：如当天为节假日将顺延至下一个工作日，"
                        "待 {year} 年日历补充后确定"),
    # the command line's evaluation table (`policyengine evaluate`)
    "eval.title_monthly": ("policyengine — monthly evaluation {period}",
                           "policyengine — 月度评估 {period}"),
    "eval.title_quarterly": ("policyengine — quarterly evaluation {period}",
                             "policyengine — 季度评估 {period}"),
    "eval.title_weekly": ("policyengine — weekly evaluation {period}",
                          "policyengine — 周评估 {period}"),
    "eval.title": ("policyengine — evaluation", "policyengine — 评估"),
    "eval.as_of": ("as of      {as_of} ({tz})", "截至        {as_of}（{tz}）"),
    "eval.policy": ("policy     {policy}", "制度        {policy}"),
    "eval.facts": ("facts      {facts} evaluated, {duplicates} re-sent duplicates counted once, "
                   "{after} after as-of not seen",
                   "事实        已评估 {facts} 条；重复发送 {duplicates} 条只计一次；"
                   "晚于截至时间 {after} 条未计入"),
    "eval.summary": ("SUMMARY: {violations} violations, {people} people, {amount} yuan in "
                     "deductions, {forfeits} person(s) with a forfeited month",
                     "汇总：违规 {violations} 次，涉及 {people} 人，扣款 {amount} 元，"
                     "{forfeits} 人当月无绩效"),
    "eval.person_block": ("■ {person} — {amount} yuan", "■ {person} — {amount} 元"),
    "eval.person_forfeit": (", the month's performance pay is FORFEITED", "，当月无绩效"),
    "eval.forfeit_months": ("FORFEIT {months}", "当月无绩效 {months}"),
    "eval.total": ("TOTAL", "合计"),
    "eval.open": ("OPEN OBLIGATIONS at as-of: {count} ({overdue} overdue)",
                  "截至评估时点的待办职责：{count} 项（{overdue} 项已逾期）"),
    "eval.overdue": ("OVERDUE", "已逾期"),
    "col.overdue": ("overdue?", "是否逾期"),
    "eval.rewards": ("REWARDS (the decision group fixes the amount within the range)",
                     "奖励（具体金额由决策组在范围内确定）"),
    "eval.rewards_quarterly": ("REWARDS are assessed per quarter: run with --quarter.",
                               "奖励按季度评定：请加 --quarter 运行。"),
    "eval.merits": ("MERITS (commitments met early, in working days)",
                    "加分（承诺提前完成，按工作日计）"),
    "eval.notes": ("NOTES", "说明"),
    "eval.codes": ("CODES used above: each duty and penalty by its name",
                   "代号说明：上文各表中的职责与罚则"),
    "col.code": ("code", "代号"),
    "col.name": ("name", "名称"),
    "eval.corrections": ("CORRECTIONS against the saved result", "与已保存结果相比的更正"),
    "eval.rejected": ("{count} rejected fact(s) are listed in {file}",
                      "{count} 条被拒绝的事实已写入 {file}"),
    "col.case_any": ("case", "编号"),
    "col.days_early": ("days early", "提前工作日"),
    "col.opened": ("opened", "开启时间"),
    "col.trigger": ("trigger", "触发事实"),
    "col.year": ("year", "年份"),
    "col.verdict": ("status", "状态"),
    "col.range_short": ("range", "金额范围（元）"),
    "cost.count_short": ("count", "计次"),
    "rule.none": ("none", "无"),
    "who.unresolved": ("(unresolved)", "（未确定）"),
    "case.none": ("(no case)", "（无编号）"),  # weekly and monthly reports, a meeting's mail
    # `policyengine explain`
    "explain.case": ("Case {case} — as of {as_of}", "案例 {case} — 截至 {as_of}"),
    "explain.timeline": ("Timeline", "时间线"),
    "explain.duties": ("Duties", "职责"),
    "explain.penalty": ("penalty: {detail}", "罚则：{detail}"),
    "explain.person": ("{person} — {period} (as of {as_of})",
                       "{person} — {period}（截至 {as_of}）"),
    "explain.no_violation": ("No violation.", "无违规。"),
    "explain.total": ("total: {amount} yuan{forfeit}", "合计：{amount} 元{forfeit}"),
    "explain.forfeit": (", performance pay forfeited", "，当月无绩效"),
    "verdict.met": ("met", "按时"),
    "verdict.late": ("LATE", "迟交"),
    "verdict.missed": ("MISSED", "未完成"),
    "verdict.open": ("open", "未到期"),
    "verdict.pending": ("PENDING calendar data", "待日历数据"),
    "verdict.prohibited": ("PROHIBITED", "禁止事项"),
    # `policyengine diff` and `evaluate --against`
    "diff.title": ("Comparison: {old}  →  {new}", "对比：{old}  →  {new}"),
    "diff.unchanged": ("No change: every person's amount and every violation are the same.",
                       "无变化：每个人的金额和每条违规都相同。"),
    "diff.old": ("old (CNY)", "原金额（元）"),
    "diff.new": ("new (CNY)", "新金额（元）"),
    "diff.change": ("change", "变化"),
    "diff.forfeit": ("forfeit {old} → {new}", "当月无绩效 {old} → {new}"),
    "diff.violations": ("Violations changed: {count}", "变化的违规：{count} 条"),
    "diff.why": ("why", "原因"),
    "diff.added": ("ADDED", "新增"),
    "diff.removed": ("REMOVED", "取消"),
    "diff.changed": ("CHANGED", "改变"),
    # `evaluate --format csv` and `diff --format csv` column headers (English: the machine keys
    # integrators read, byte-identical to before; Chinese: for a person opening it in Excel)
    "csv.period": ("period", "期间"),
    "csv.month": ("month", "月份"),
    "csv.duty": ("duty", "职责"),
    "csv.duty_name": ("duty_name", "职责内容"),
    "csv.case": ("case", "编号"),
    "csv.person": ("person", "姓名"),
    "csv.role": ("role", "角色"),
    "csv.due": ("due", "截止时间"),
    "csv.fulfilled_at": ("fulfilled_at", "完成时间"),
    "csv.late_by": ("late_by", "迟了"),
    "csv.penalty_rule": ("penalty_rule", "罚则"),
    "csv.schedule": ("schedule", "计罚方式"),
    "csv.amount": ("amount", "扣款（元）"),
    "csv.count_in_month": ("count_in_month", "当月第几次"),
    "csv.month_amount": ("month_amount", "当月扣款（元）"),
    "csv.forfeit": ("forfeit", "当月无绩效"),
    "csv.violations": ("violations", "违规次数"),
    "csv.forfeit_months": ("forfeit_months", "无绩效月份"),
    "csv.opened_at": ("opened_at", "开启时间"),
    "csv.overdue": ("overdue", "已逾期"),
    "csv.reward": ("reward", "奖项编号"),
    "csv.reward_name": ("reward_name", "奖项"),
    "csv.min": ("min", "最低（元）"),
    "csv.max": ("max", "最高（元）"),
    "csv.reason": ("reason", "理由"),
    "csv.working_days_early": ("working_days_early", "提前工作日"),
    "csv.trigger": ("trigger", "触发事实"),
    "csv.missing_year": ("missing_year", "缺少日历年份"),
    "csv.due_not_before": ("due_not_before", "最早截止时间"),
    "csv.status": ("status", "状态"),
    "csv.fulfilled_by": ("fulfilled_by", "完成人"),
    "csv.old_amount": ("old_amount", "原金额（元）"),
    "csv.new_amount": ("new_amount", "新金额（元）"),
    "csv.change": ("change", "变化（元）"),
    "csv.old_forfeit": ("old_forfeit", "原当月无绩效"),
    "csv.new_forfeit": ("new_forfeit", "新当月无绩效"),
    # penalty schedules in words (kinds.ScheduleKind)
    "schedule.per_instance": ("per instance", "按次"),
    "schedule.monthly_count": ("by the month's count", "按当月次数分档"),
    "schedule.lateness": ("by lateness", "按迟交时长"),
    "schedule.capped_per_instance": ("per instance, capped", "按次（有上限）"),
    "schedule.none": ("none", "无"),
    # a period not yet ended, as-of defaulted to its end (the command line adds it)
    "warn.period_open": ("the period has not ended: as of {as_of} is after today, so a duty "
                         "due by then and not yet done counts as missed; the results will "
                         "change with new facts (--as-of now: where things stand now)",
                         "本期尚未结束：截至时间 {as_of} 在今天之后，届时之前到期而尚未完成的"
                         "职责都计为违规；结果会随新事实变化（加 --as-of now 查看现在的情况）"),
    "head.attention": ("attention", "注意"),
    # shared words
    "word.none": ("—", "—"),
    "word.yes": ("yes", "是"),
    "word.no": ("no", "否"),
}


def label(key: str, lang: Lang, **values: Any) -> str:
    """The wording of `key` in `lang`, placeholders filled."""
    return worded(LABELS[key], lang, **values)


def when_text(moment: datetime | None, lang: Lang) -> str:
    """`10-16 18:00 Fri` / `10-16 18:00 周五` for a table cell; — for none."""
    if moment is None:
        return "—"
    day = weekday_name(moment.weekday(), lang) if lang == "zh" else f"{moment:%a}"
    return f"{moment:%m-%d %H:%M} {day}"


def late_text(violation: Violation, lang: Lang) -> str:
    """A violation's "late by" cell, or, for a forbidden fact (never late), that it is one."""
    if violation.status is Status.PROHIBITED:
        return label("verdict.prohibited", lang)
    return duration_text(violation.late_by, lang)


def coded(prefix: str, code: str | None, lang: Lang) -> str:
    """A vocabulary code in words (`decision.do` -> 做); an unknown code is shown as is."""
    if not code:
        return ""
    key = f"{prefix}.{code}"
    return label(key, lang) if key in LABELS else code
