"""Every word the dashboard shows, once, in Chinese and English: `text(key, lang, **values)`.

Templates call `t('key')`; Python code calls `text`. A missing key is a KeyError at render
time, so a typo fails a test instead of showing a raw key to a reader.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from policyengine.language import Lang, worded

# key -> (English, Chinese)
WORDS: dict[str, tuple[str, str]] = {
    # navigation and frame
    "app.title": ("Compliance dashboard", "合规看板"),
    "nav.month": ("Month", "月度总览"),
    "nav.registry": ("Registry", "需求登记反馈表"),
    "nav.policy": ("Policy", "制度版本"),
    "nav.downloads": ("Downloads", "报表下载"),
    "nav.api": ("API docs", "接口文档"),
    "nav.signout": ("Sign out", "退出"),
    "nav.language": ("中文", "English"),
    "frame.as_of": ("as of {as_of}", "截至 {as_of}"),
    # a time with its zone (the policy's calendar zone, which every time on a page is in)
    "frame.zoned": ("{time} ({zone}, UTC{offset})", "{time}（{zone}，UTC{offset}）"),
    "zone.Asia/Shanghai": ("Asia/Shanghai", "北京时间"),
    "frame.policy": ("policy {name} v{version}", "制度 {name} 第 {version} 版"),
    "frame.running": ("{period} has not ended: this is where things stand now. A duty not yet "
                      "due is listed as open, not as a violation; the figures change as facts "
                      "come in.",
                      "{period} 尚未结束：以下是截至现在的情况。尚未到期的职责列为未完成，"
                      "不算违规；随着新的事实录入，数字还会变化。"),
    "frame.not_started": ("{period} has not begun (it starts {start}): no duty in it is due "
                          "yet, so it has no violations or deductions to show.",
                          "{period} 尚未开始（自 {start} 起）：本月还没有到期的职责，"
                          "没有违规或扣款可显示。"),
    # sign-in
    "signin.title": ("Sign in", "登录"),
    "signin.token": ("Access token", "访问令牌"),
    "signin.help": ("Paste the token your administrator gave you (it needs the read scope). "
                    "The browser keeps a session for 8 hours or until you sign out.",
                    "请粘贴管理员发给您的访问令牌（需要 read 读取权限）。登录后浏览器保持会话 "
                    "8 小时，或直到您点击“退出”。"),
    "signin.submit": ("Sign in", "登录"),
    "signin.bad": ("This token is not known to the service.", "令牌无效：服务中没有这个令牌。"),
    "signin.scope": ("Token '{name}' does not hold the read scope.",
                     "令牌“{name}”没有 read 读取权限。"),
    "signin.empty": ("Enter a token.", "请输入令牌。"),
    "signin.out": ("You are signed out.", "您已退出。"),
    # month overview
    "month.title": ("Month overview {period}", "{period} 月度总览"),
    "month.people": ("People", "人员"),
    "month.person": ("Person", "人员"),
    "month.violations": ("Violations", "违规次数"),
    "month.amount": ("Deductions (yuan)", "扣款（元）"),
    "month.forfeit": ("Performance pay", "绩效"),
    "month.forfeited": ("forfeited", "当月无绩效"),
    "month.kept": ("—", "—"),
    "month.total": ("Total", "合计"),
    "month.summary": ("{violations} violations, {amount} yuan in deductions, {forfeits} "
                      "forfeited month(s), {open} open duties ({overdue} overdue)",
                      "共 {violations} 次违规，扣款 {amount} 元，{forfeits} 人当月无绩效；"
                      "未完成职责 {open} 项（其中逾期 {overdue} 项）"),
    "month.none": ("No violation in this month.", "本月没有违规。"),
    "month.trend": ("The last 12 months", "近 12 个月趋势"),
    "month.trend_amount": ("deductions (yuan)", "扣款（元）"),
    "month.trend_count": ("violations", "违规次数"),
    "month.trend_gap": ("no data", "无数据"),
    "month.trend_future": ("not started", "未开始"),
    "month.choose": ("Month", "月份"),
    "month.show": ("Show", "查看"),
    "month.previous": ("← previous month", "← 上个月"),
    "month.next": ("next month →", "下个月 →"),
    "month.unresolved": ("(responsible person not found)", "（未找到责任人）"),
    # person
    "person.title": ("{person} — {period}", "{person} — {period}"),
    "person.total": ("Total: {amount} yuan", "合计扣款 {amount} 元"),
    "person.total_forfeit": ("Total: {amount} yuan; the month's performance pay is forfeited",
                             "合计扣款 {amount} 元；当月无绩效"),
    "person.nothing": ("No violation in {period}.", "{period} 没有违规。"),
    "person.unknown": ("No stored fact names {person}: check the name. People with "
                       "violations in {period}:",
                       "没有任何已存储的事实提到“{person}”，请核对姓名。{period} 有违规的人员："),
    "person.rules": ("Charges by rule", "按罚则汇总"),
    "person.violations": ("Violations and why", "违规明细及原因"),
    "person.open": ("Open duties at {as_of}", "截至 {as_of} 的未完成职责"),
    "person.no_open": ("No open duty.", "没有未完成的职责。"),
    "person.case": ("Case", "案例"),
    # a row without a case: the duty's recurring form, else no case (report/labels.py case.none)
    "person.weekly": ("(weekly)", "（每周）"),
    "person.monthly": ("(monthly)", "（每月）"),
    "person.yearly": ("(yearly)", "（每年）"),
    "person.cron": ("(periodic)", "（定期）"),
    "person.no_case": ("(no case)", "（无编号）"),
    "person.duty": ("Duty", "职责"),
    "person.due": ("Due", "截止时间"),
    "person.done": ("Done", "完成时间"),
    "person.not_done": ("not done", "未完成"),
    "person.late": ("Late by", "迟了"),
    "person.cost": ("Charge", "扣款"),
    "person.left": ("Time left", "剩余时间"),
    "person.overdue_by": ("overdue by {span}", "已逾期 {span}"),
    "person.left_span": ("{span} left", "还剩 {span}"),
    "person.penalty": ("Penalty: {detail}", "罚则：{detail}"),
    # case
    "case.title": ("Case {case}", "案例 {case}"),
    "case.timeline": ("Timeline", "时间线"),
    "case.duties": ("Duties", "职责"),
    "case.when": ("Time", "时间"),
    "case.what": ("Event", "事件"),
    "case.who": ("Who", "人员"),
    "case.details": ("Details", "详情"),
    "case.fact": ("fact", "事实"),
    "case.opened": ("duty opened: {name}", "职责开始：{name}"),
    "case.fulfilled": ("duty fulfilled: {name}", "职责完成：{name}"),
    "case.violated": ("deadline missed: {name}", "截止未完成：{name}"),
    "case.due_open": ("deadline ahead: {name}", "截止时间（尚未到期）：{name}"),
    "case.none": ("No fact for case {case} up to {as_of}.",
                  "截至 {as_of} 没有案例 {case} 的事实。"),
    "status.met": ("on time", "按时"),
    "status.late": ("late", "迟交"),
    "status.missed": ("missed", "未完成"),
    "status.open": ("not yet due", "未到期"),
    "status.pending": ("waiting for calendar data", "待日历数据"),
    "status.prohibited": ("forbidden", "禁止事项"),
    "case.prohibited": ("forbidden: {name}", "禁止事项：{name}"),
    # report documents
    "document.empty": ("(no rows)", "（无数据）"),
    # policy
    "policy.title": ("Policy in force", "现行制度"),
    "policy.identity": ("Identity", "制度标识"),
    "policy.id": ("Id", "编号"),
    "policy.version": ("Version", "版本"),
    "policy.hash": ("Content hash", "内容摘要"),
    "policy.git": ("Git revision", "Git 版本"),
    "policy.loaded": ("Loaded at", "加载时间"),
    "policy.penalties": ("Penalties and their dated versions", "罚则及各版本"),
    "policy.rewards": ("Rewards and their dated versions", "奖励及各版本"),
    "policy.deadlines": ("Deadline rules and their dated versions", "截止规则及各版本"),
    "policy.rule": ("Rule", "规则"),
    "policy.name": ("Name", "名称"),
    "policy.effective": ("Effective", "生效日期"),
    "policy.value": ("Value", "内容"),
    "policy.state": ("State", "状态"),
    "policy.from_start": ("from the start", "最初版本"),
    "policy.in_force": ("in force", "现行"),
    "policy.upcoming": ("upcoming", "待生效"),
    "policy.superseded": ("superseded", "已被取代"),
    "policy.today": ("Versions are judged on {day}.", "以 {day} 判断各版本状态。"),
    "policy.diff": ("Changes since the previous revision", "与上一版本的差异"),
    "policy.diff_against": ("Compared with git revision {revision} ({date}, {subject})",
                            "对比 Git 版本 {revision}（{date}，{subject}）"),
    "policy.diff_none": ("No previous revision of the policy files in git: nothing to compare.",
                         "Git 中没有制度文件的上一版本，无可对比。"),
    "policy.diff_same": ("The policy is the same as in the previous revision.",
                         "制度与上一版本相同。"),
    "policy.diff_path": ("Where", "位置"),
    "policy.diff_old": ("Before", "修改前"),
    "policy.diff_new": ("Now", "修改后"),
    "policy.diff_effect": ("Effect on {period}", "对 {period} 的影响"),
    "policy.diff_no_effect": ("No person's deductions in {period} change.",
                              "{period} 没有人的扣款因此改变。"),
    "policy.absent": ("(absent)", "（无）"),
    "policy.duties": ("Duties", "职责"),
    "policy.opened": ("Opened by", "触发"),
    "policy.fulfilled": ("Fulfilled by", "完成方式"),
    "policy.per": ("Obligations", "义务计数"),
    "policy.responsible": ("Responsible", "责任人"),
    "policy.penalty": ("Penalty", "罚则"),
    "policy.prohibitions": ("Prohibitions", "禁止事项"),
    "policy.forbidden": ("Forbidden fact", "禁止的事实"),
    "policy.decisions": ("Decision tables", "决策表"),
    "decision.on": ("Evaluated on", "判定时点"),
    "decision.on_value": ("each fact {fact}", "每次 {fact}"),
    "decision.sets": ("Sets", "设定"),
    "decision.sets_value": ("the case's {name}, read in conditions as case.{decision}",
                            "案例的“{name}”（条件中写作 case.{decision}）"),
    "decision.hit": ("Hit policy", "命中规则"),
    "decision.inputs": ("Inputs", "输入"),
    "decision.outputs": ("Outputs", "可能结果"),
    "decision.rule_no": ("Rule", "规则序号"),
    "decision.then": ("Result", "结果"),
    "decision.any": ("any", "任意"),
    "decision.open": ("(not listed)", "（未列出）"),
    "hit.first": ("first: the first rule that matches, in the order written, gives the result",
                  "first（首条命中）：按书写顺序，第一条符合的规则给出结果"),
    "hit.unique": ("unique: exactly one rule may match; two that match are noted, not guessed",
                   "unique（唯一命中）：只能有一条规则符合；多条符合时记为注意事项，不作猜测"),
    "hit.priority": ("priority: of the rules that match, the result listed first in the outputs",
                     "priority（优先级）：多条规则符合时，取“可能结果”中排在最前的"),
    "per.case": ("one open obligation per case", "每个案例同时只有一项"),
    "per.period": ("one per period", "每期一项"),
    "per.trigger": ("one per triggering fact", "每次触发各一项"),
    "per.attribute": ("one per case and {attribute}", "每个案例按 {attribute} 各一项"),
    "rule.recurring": ("recurring: {rule}", "定期：{rule}"),
    "rule.or": ("; or ", "；或 "),
    "rule.any_of": ("any of: {matches}", "以下任一：{matches}"),
    "rule.from": ("counted from the latest {fact} with the same {join} (without one, from the "
                  "trigger)", "自同一 {join} 最近一次 {fact} 起算（没有则自触发起算）"),
    "rule.actor": ("whoever made the fact", "作出该事实的人"),
    "rule.no_penalty": ("none", "无"),
    "rule.case_value": ("the case's {name}", "案例的{name}"),
    "role.members": ("{role} ({members})", "{role}（{members}）"),
    "match.where": ("{fact} where {conditions}", "{fact}，且 {conditions}"),
    "match.by": ("{match}, only if made by {who}", "{match}，须由 {who} 作出"),
    "who.or": (" or ", " 或 "),
    "cond.and": (" and ", "，且 "),
    "cond.in": ("one of {values}", "为 {values} 之一"),
    "cond.not_in": ("none of {values}", "不为 {values} 中任何一个"),
    "cond.between": ("from {low} to {high}", "介于 {low} 与 {high} 之间（含）"),
    "measure.calendar_time": ("lateness in calendar time (1 d = 24 hours)",
                              "迟交时长按日历时间计（1 天 = 24 小时）"),
    "measure.working_time": ("lateness in working time (1 d = one working day, 1 h = one "
                             "working hour)", "迟交时长按工作时间计（1 天 = 1 个工作日，"
                             "1 小时 = 1 个工作小时）"),
    "sched.per_instance": ("{amount} yuan each time", "每次 {amount} 元"),
    "sched.capped": ("{amount} yuan each time, at most {cap} yuan a month",
                     "每次 {amount} 元，每月最多 {cap} 元"),
    "sched.count_tier": ("{low}-{high} a month: {outcome}", "每月 {low}-{high} 次：{outcome}"),
    "sched.count_open": ("{low} or more a month: {outcome}", "每月 {low} 次及以上：{outcome}"),
    "sched.late_tier": ("late over {over} up to {up_to}: {outcome}",
                        "迟交超过 {over} 且不超过 {up_to}：{outcome}"),
    "sched.late_open": ("late over {over}: {outcome}", "迟交超过 {over}：{outcome}"),
    "sched.yuan": ("{amount} yuan", "{amount} 元"),
    "sched.forfeit": ("performance pay forfeited", "当月无绩效"),
    "sched.range": ("{min}-{max} yuan", "{min}-{max} 元"),
    "sched.within": ("within {span}", "{span}内"),
    "sched.by": ("by {by}", "按 {by}"),
    "sched.immediately": ("immediately", "即刻"),
    # downloads
    "downloads.title": ("Downloads {period}", "{period} 报表下载"),
    "downloads.reports": ("Reports", "报表"),
    "downloads.evaluation": ("The evaluation (as `policyengine evaluate` writes it)",
                             "评估结果（与 policyengine evaluate 输出相同）"),
    "downloads.report": ("Report", "报表"),
    "downloads.period": ("For", "期间"),
    "downloads.format": ("File", "文件格式"),
    "downloads.note": ("Each report as `policyengine report` writes it: Excel (xlsx), a "
                       "printable page (html), CSV (opens in Excel) or JSON. The weekly "
                       "report is offered for each ISO week whose Thursday falls in the month; "
                       "the reward proposals for the month's quarter.",
                       "与 policyengine report 命令生成的文件相同：Excel（xlsx）、可打印网页"
                       "（html）、CSV（Excel 可直接打开）或 JSON。周报按周四落在本月的每个 ISO "
                       "周提供；季度奖励建议为本月所在季度。"),
    "downloads.unknown": ("No download '{name}': reports are KIND.FORMAT, KIND one of "
                          "{kinds}, FORMAT one of {formats}; or evaluation.json, "
                          "evaluation-TABLE.csv.", "没有“{name}”这个下载：报表为 类型.格式，"
                          "类型为 {kinds} 之一，格式为 {formats} 之一；或 evaluation.json、"
                          "evaluation-表名.csv。"),
    "kind.registry": ("Requirement registry", "需求登记反馈表"),
    "kind.weekly": ("Weekly collection report", "新增需求收集周报"),
    "kind.monthly": ("Monthly summary", "需求收集处理月度总结"),
    "kind.deductions": ("Performance deductions", "绩效扣款表"),
    "kind.rewards": ("Quarterly reward proposals", "季度奖励建议"),
    "eval.json": ("whole evaluation, JSON", "完整评估结果 JSON"),
    "eval.csv": ("{table}, CSV", "{table} CSV"),
    "table.violations": ("violations", "违规明细"),
    "table.people": ("people", "人员汇总"),
    "table.obligations": ("open duties", "未完成职责"),
    "table.rewards": ("rewards", "奖励"),
    "table.merits": ("merits", "提前完成"),
    "table.pending": ("duties pending calendar data", "待日历数据的职责"),
    # errors
    "error.title": ("Cannot show this page", "无法显示此页"),
    "error.period": ("'{period}' is not a month: write YYYY-MM, e.g. 2026-10",
                     "“{period}”不是月份：请写成 YYYY-MM，例如 2026-10"),
    "error.report": ("Cannot build {report} for {period}: {detail}",
                     "无法生成《{report}》（{period}）：{detail}"),
    "error.report_period": ("'{period}' is not a period for {report}: write {form}",
                            "“{period}”不是《{report}》的期间：请写成 {form}"),
    "form.month": ("a month, YYYY-MM (2026-10)", "月份 YYYY-MM（如 2026-10）"),
    "form.week": ("an ISO week, YYYY-Www (2026-W43)", "ISO 周 YYYY-Www（如 2026-W43）"),
    "form.quarter": ("a quarter, YYYY-Qn (2026-Q4)", "季度 YYYY-Qn（如 2026-Q4）"),
    "error.not_found": ("{path}: no such page", "{path}：没有这个页面"),
    "error.back": ("Back to the month overview", "返回月度总览"),
    "error.no_facts": ("No facts are stored yet: send facts to /v1/facts first.",
                       "还没有存储任何事实：请先通过 /v1/facts 提交。"),
    # durations
    "span.days": ("{n} d", "{n} 天"),
    "span.hours": ("{n} h", "{n} 小时"),
    "span.minutes": ("{n} min", "{n} 分钟"),
    "span.zero": ("0 min", "0 分钟"),
}


def text(key: str, lang: Lang, **values: Any) -> str:
    return worded(WORDS[key], lang, **values)


def zone_name(key: str, lang: Lang) -> str:
    """A time zone as a reader knows it: 北京时间 for Asia/Shanghai in Chinese, else its IANA
    name (`Asia/Tokyo`)."""
    return text(f"zone.{key}", lang) if f"zone.{key}" in WORDS else key


def utc_offset(offset: timedelta | None) -> str:
    """`+8`, `+5:30`, `-3:30`, `+0`: an offset from UTC as the header shows it."""
    minutes = int(offset.total_seconds()) // 60 if offset is not None else 0
    sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
    hours, rest = divmod(minutes, 60)
    return f"{sign}{hours}:{rest:02d}" if rest else f"{sign}{hours}"


def span(delta: timedelta, lang: Lang) -> str:
    """A duration a person reads: `2 天 3 小时`, at most two units, minutes dropped past a day."""
    total = abs(int(delta.total_seconds())) // 60
    days, rest = divmod(total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(text("span.days", lang, n=days))
    if hours:
        parts.append(text("span.hours", lang, n=hours))
    if minutes and not days:
        parts.append(text("span.minutes", lang, n=minutes))
    return " ".join(parts) if parts else text("span.zero", lang)
