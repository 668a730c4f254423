"""Explanations in English and Chinese: a `Line` is a message key and its values.

The engine records Lines; a report renders them in the reader's language. Keeping the words
here, apart from the logic, lets compliance correct a phrase without touching the engine.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar

from policyengine.timeparse import format_duration, month_text

LANGUAGES = ("en", "zh")
_WEEKDAY_ZH = "一二三四五六日"

# key -> (English, Chinese). Values are formatted per language by `_value`.
TEMPLATES: dict[str, tuple[str, str]] = {
    # deadline rules
    "rule.clock": ("within {span} on the clock", "{span}内（按钟点计算，不分工作日）"),
    "rule.grace": ("immediately: within a grace of {span}", "即刻：宽限 {span}"),
    "rule.working_days": ("18:00 of the working day no. {count} after the trigger's date",
                          "触发日期之后第 {count} 个工作日的下班时间"),
    "rule.same_day": ("the same day by end of work (next working day if not a working day or "
                      "after end of work)", "当天下班前（非工作日或下班后则顺延至下一工作日）"),
    "rule.weekly": ("the first {weekday} {clock} at or after the trigger",
                    "触发时间当时或之后的第一个{weekday} {clock}"),
    "rule.weekly_cutoff": ("{weekday} {clock} of the week whose cut-off ({cutoff_weekday} "
                           "{cutoff_clock}) is the first at or after the trigger",
                           "以{cutoff_weekday} {cutoff_clock}为截止，截止后的{weekday} {clock}"),
    "rule.recurring": ("every week, {weekday} {clock} (the next working day if that day is not "
                       "one)", "每周{weekday} {clock}（非工作日则顺延至下一工作日）"),
    "rule.monthly": ("every month, day {day} at {clock} (a shorter month: its last day; the next "
                     "working day if that day is not one)",
                     "每月 {day} 日 {clock}（当月没有这一天则取月末；非工作日则顺延至下一工作日）"),
    "rule.monthly_keep": ("every month, day {day} at {clock} (a shorter month: its last day; "
                          "kept even on a non-working day)",
                          "每月 {day} 日 {clock}（当月没有这一天则取月末；非工作日也不顺延）"),
    "rule.monthly_last": ("every month, the last working day at {clock}",
                          "每月最后一个工作日 {clock}"),
    "rule.yearly": ("every year, the window {start} to {end}, due {end} {clock} (the next working "
                    "day if that day is not one)",
                    "每年 {start} 至 {end}，{end} {clock} 截止（非工作日则顺延至下一工作日）"),
    "rule.yearly_keep": ("every year, the window {start} to {end}, due {end} {clock} (kept even "
                         "on a non-working day)",
                         "每年 {start} 至 {end}，{end} {clock} 截止（非工作日也不顺延）"),
    "rule.recurring_cron": ("every time matching cron '{expression}' (kept as written)",
                            "每个符合 cron '{expression}' 的时间（按原样，不顺延）"),
    "rule.first_of": ("the first at or after the trigger of: {rule}",
                      "触发时间当时或之后最近的一次：{rule}"),
    "rule.months": ("{span} later on the calendar (the same day of the month, or the month's "
                    "last day if it has none; the same clock time)",
                    "按日历 {span}后（同一日，当月没有这一天则取月末；同一时刻）"),
    "rule.date_field": ("{clock} of the committed date in '{field}'",
                        "承诺日期（{field}）当天 {clock}"),
    "rule.cron": ("the first time at or after the trigger matching cron '{expression}'",
                  "触发后第一个符合 cron '{expression}' 的时间"),
    # deadline arithmetic
    "step.clock": ("{at} + {span} = {due}", "{at} 加 {span} = {due}"),
    "step.grace": ("{at} + grace {span} for 'immediately' = {due}",
                   "{at} 加“即刻”宽限 {span} = {due}"),
    "step.working_days": ("trigger date {day}; working day no. {count} after it is {due_day}"
                          "{skipped}; due at end of work {due}",
                          "触发日期 {day}；其后第 {count} 个工作日是 {due_day}{skipped}；"
                          "截止于下班时间 {due}"),
    "step.skipped": ("; skipped non-working days {days}", "（跳过非工作日 {days}）"),
    "step.same_day_ok": ("same day: {day} is a working day and {clock} is before end of work; "
                         "due {due}", "当天：{day} 是工作日且 {clock} 在下班前；截止 {due}"),
    "step.same_day_holiday": ("same day: {day} is not a working day, so the next working day "
                              "{next}{skipped}; due {due}",
                              "当天：{day} 不是工作日，顺延至下一工作日 {next}{skipped}；截止 {due}"),
    "step.same_day_late": ("same day: {day} is a working day but {clock} is not before end of "
                           "work, so the next working day {next}{skipped}; due {due}",
                           "当天：{day} 是工作日但 {clock} 已到下班时间，顺延至下一工作日 "
                           "{next}{skipped}；截止 {due}"),
    "step.weekly": ("first {weekday} {clock} at or after {at}: {raw}",
                    "{at} 当时或之后的第一个{weekday} {clock}：{raw}"),
    "step.weekly_cutoff": ("cut-off: first {cutoff_weekday} {cutoff_clock} at or after {at} is "
                           "{cut}; the report after it is {raw}",
                           "截止点：{at} 之后第一个{cutoff_weekday} {cutoff_clock} 是 {cut}；"
                           "其后的报告时间是 {raw}"),
    "step.weekly_week": ("the week's deadline: {raw}", "本周截止：{raw}"),
    "step.moved": ("{day} is not a working day: moved to the next working day, {due}{skipped}",
                   "{day} 不是工作日：顺延至下一工作日 {due}{skipped}"),
    "step.month_day": ("the month's deadline: {raw}", "本月截止：{raw}"),
    "step.month_last_day": ("the month {month}: its last working day", "{month}：当月最后一个工作日"),
    "step.last_working_day": ("the last working day of {month}: due {due}",
                              "{month} 的最后一个工作日：截止 {due}"),
    "step.year_window": ("the window opens {start}; its deadline: {raw}",
                         "时段自 {start} 开始；截止：{raw}"),
    "step.cron_period": ("the period's time matching '{expression}': {raw}",
                         "本期符合 '{expression}' 的时间：{raw}"),
    "step.months": ("{at} + {span} on the calendar = {due}", "{at} 按日历加 {span} = {due}"),
    "step.months_clamped": ("{at} + {span} on the calendar: that month is shorter, so its last "
                            "day: {due}", "{at} 按日历加 {span}：该月没有这一天，取月末：{due}"),
    "step.date_field": ("committed date {field} = {day}; due at {clock} that day: {due}",
                        "承诺日期（{field}）为 {day}；当天 {clock} 截止：{due}"),
    "step.cron": ("first time at or after {at} matching '{expression}': {due}",
                  "{at} 之后第一个符合 '{expression}' 的时间：{due}"),
    "step.version": ("deadline rule in force on {day}: the version effective {effective}",
                     "{day} 生效的截止规则：{effective} 起的版本"),
    # delays
    "delay.requested": ("delay requested at {at} (before the deadline {due}), new date {new}",
                        "{at} 申请延期（在截止 {due} 之前），新日期 {new}"),
    "delay.too_late": ("delay requested at {at}, after the deadline {due}: too late, the "
                       "deadline stands", "{at} 申请延期，已过截止时间 {due}：申请过晚，截止不变"),
    "delay.unrequested": ("delay approval at {at} without a request made before the deadline: "
                          "the deadline stands", "{at} 批准延期，但截止前没有延期申请：截止不变"),
    "delay.approved": ("delay approved at {at}{by}: deadline moved from {old} to {new}",
                       "{at} 批准延期{by}：截止时间由 {old} 改为 {new}"),
    "delay.orphan": ("{where}: delay {word} for {duty} of case {case} at {at} found no open "
                     "commitment; it changed nothing",
                     "{where}：{at} 对案例 {case} 的 {duty} 的延期{word}没有对应的未完成承诺，未产生影响"),
    # deadlines that run from another fact (`deadline: {from: ...}`)
    "anchor.moved": ("{type} {ref} at {at} ({join} = {value}): the deadline runs from it, "
                     "moved from {old} to {new}",
                     "{at} 的 {type} {ref}（{join}：{value}）：期限从它起算，截止时间由 {old} "
                     "改为 {new}"),
    "why.from": ("the deadline runs from {type} {ref} at {at} ({join} = {value}), not from the "
                 "trigger", "期限从 {at} 的 {type} {ref}（{join}：{value}）起算，而不是从触发事实起算"),
    "why.from_trigger": ("no {type} with {join} = {value} was known: the deadline runs from the "
                         "trigger", "没有 {join}为 {value} 的 {type}：期限从触发事实起算"),
    "why.from_no_join": ("the trigger has no {join}, so no {type} can time it: the deadline runs "
                         "from the trigger",
                         "触发事实没有 {join}，无法对应 {type}：期限从触发事实起算"),
    # the verdict
    "why.duty": ("duty {duty} {name}{clause}", "职责 {duty} {name}{clause}"),
    "why.opened": ("opened by {type} {ref} at {at}{by}", "由 {type} {ref} 于 {at} 触发{by}"),
    "why.rule": ("deadline rule: {rule}", "截止规则：{rule}"),
    "why.weekly": ("weekly duty, for the week starting {at}", "每周职责：{at} 开始的一周"),
    "why.monthly": ("monthly duty, for the month {month}", "每月职责：{month} 这个月"),
    "why.yearly": ("yearly duty, for the window opening {at}", "每年职责：{at} 开始的时段"),
    "why.cron": ("recurring duty, for the period starting {at}", "定期职责：{at} 开始的一期"),
    "why.final": ("final deadline {due}", "最终截止时间 {due}"),
    "why.fulfilled": ("fulfilled by {type} {ref} at {at}: {late} late",
                      "由 {type} {ref} 于 {at} 完成：迟了 {late}"),
    "why.open": ("no {fulfil} by {as_of} (as of): {late} late and still open",
                 "截至 {as_of} 仍无 {fulfil}：已迟 {late}，仍未完成"),
    "why.met": ("fulfilled by {type} {ref} at {at}: on time", "由 {type} {ref} 于 {at} 完成：按时"),
    "why.pending": ("not fulfilled yet; the deadline is after {as_of} (as of)",
                    "尚未完成；截止时间在 {as_of}（评估时点）之后"),
    "why.responsible": ("responsible: {person}, {how}", "责任人：{person}（{how}）"),
    "how.holder": ("holder of role {role} at the deadline", "截止时担任 {role} 的人"),
    "how.actor": ("actor of {type} of case {case}", "案例 {case} 的 {type} 的执行人"),
    "how.holder_at_fact": ("holder of role {role} at the fact's time", "该事实发生时担任 {role} 的人"),
    "how.latest_actor": ("actor of the latest {types} of case {case} at its opening",
                         "开启时案例 {case} 最近一次 {types} 的执行人"),
    "how.fact_actor": ("who made the forbidden fact", "做出被禁止事实的人"),
    "how.members": ("the only member of {role}", "{role} 的唯一成员"),
    "how.no_member": ("{role} is a group of {count}: no one person answers",
                      "{role} 是 {count} 人的小组：无法确定一个责任人"),
    "why.prohibition": ("prohibition {id} {name}{clause}", "禁止事项 {id} {name}{clause}"),
    "why.forbidden": ("the fact {type} {ref} at {at}{by} is forbidden by {id}: a violation of "
                      "its own, at the fact's time", "{at} 的 {type} {ref}{by} 是 {id} 禁止的："
                      "本身即为一次违规，时间为该事实的时间"),
    "how.unknown": ("no {role} found: no {types} fact for this case",
                    "找不到 {role}：本案例没有 {types} 事实"),
    # penalties
    "pen.none": ("this duty carries no penalty", "本职责无罚则"),
    "pen.not_in_force": ("no version of {rule} was in force on {day}", "{day} 时 {rule} 没有生效版本"),
    "pen.per_instance": ("{rule} as in force from {effective}: {amount} yuan each time",
                         "{rule}（{effective} 起生效）：每次 {amount} 元"),
    "pen.lateness": ("{rule} as in force from {effective}: {late} late is {bounds}: {outcome}",
                     "{rule}（{effective} 起生效）：迟了 {late}，属于 {bounds}：{outcome}"),
    "pen.lateness_working": ("{rule} as in force from {effective}, lateness in working time: "
                             "fulfilled {late} after the deadline, {bounds} working time "
                             "(the deadline moved to {low}{high}): {outcome}",
                             "{rule}（{effective} 起生效，按工作时间计迟延）：截止后 {late} 完成，"
                             "属于工作时间 {bounds}（截止时间顺延到 {low}{high}）：{outcome}"),
    "pen.lateness_working_none": ("{rule} as in force from {effective}, lateness in working "
                                  "time: no tier matches {late}",
                                  "{rule}（{effective} 起生效，按工作时间计迟延）："
                                  "迟了 {late}，无匹配档位"),
    "pen.lateness_pending": ("{rule}: lateness in working time needs the working days of {year}, "
                             "which the calendar does not have yet: no charge until "
                             "calendar.years.{year} is added",
                             "{rule}：按工作时间计算迟延需要 {year} 年的工作日数据，日历中尚无："
                             "补充 calendar.years.{year} 之前暂不计罚"),
    "bounds.to": (" to {at}", " 至 {at}"),
    "pen.lateness_none": ("{rule} as in force from {effective}: no lateness tier matches {late}",
                          "{rule}（{effective} 起生效）：迟了 {late}，无匹配档位"),
    "pen.monthly": ("{rule} as in force from {effective}: charged per month by the count of "
                    "{rule} violations", "{rule}（{effective} 起生效）：按当月 {rule} 违规次数计"),
    "pen.month_tier": ("{rule} as in force from {effective}: {count} in {month}, tier {bounds}: "
                       "{outcome}", "{rule}（{effective} 起生效）：{month} 共 {count} 次，"
                       "属于 {bounds} 档：{outcome}"),
    "pen.month_none": ("no monthly schedule of {rule} in force in {month}",
                       "{month} 时 {rule} 没有生效的按月档位"),
    "pen.month_no_tier": ("no tier of {rule} matches a count of {count}",
                          "{rule} 没有与 {count} 次匹配的档位"),
    "pen.instances": ("{rule} {month}: {count} × {rule}: {amount} yuan{forfeit}",
                      "{rule} {month}：{count} 次，共 {amount} 元{forfeit}"),
    "pen.capped": ("{rule} as in force from {effective}: {amount} yuan each time, at most {cap} "
                   "yuan a month", "{rule}（{effective} 起生效）：每次 {amount} 元，每月最多 {cap} 元"),
    "pen.capped_under": ("{rule} {month}: {count} × {rule}: {amount} yuan (at most {cap} yuan a "
                         "month)", "{rule} {month}：{count} 次，共 {amount} 元（每月最多 {cap} 元）"),
    "pen.capped_month": ("{rule} {month}: {count} × {rule} come to {total} yuan, over the cap: "
                         "{cap} yuan for the month", "{rule} {month}：{count} 次，合计 {total} 元，"
                         "超过每月上限：当月扣 {cap} 元"),
    "out.forfeit": ("the month's performance pay is forfeited", "当月无绩效"),
    "out.and_forfeit": (", and the month's performance pay is forfeited", "，且当月无绩效"),
    "out.yuan": ("{amount} yuan", "{amount} 元"),
    "out.yuan_month": ("{amount} yuan for the month", "当月扣 {amount} 元"),
    "bounds.over": ("over {over}", "超过 {over}"),
    "bounds.over_up_to": ("over {over} and up to {up_to}", "超过 {over} 且不超过 {up_to}"),
    "bounds.count": ("{low}-{high}", "{low}-{high} 次"),
    "bounds.count_open": ("{low} or more", "{low} 次及以上"),
    "note.not_allowed": ("{where}: {type} at {at} by {actor} does not count for {duty}: only "
                         "{who} may", "{where}：{at} 的 {type} 由 {actor} 做出，不计入 {duty}："
                         "只有 {who} 可以"),
    "who.members": ("the members of role {role} ({people})", "{role} 的成员 {people}"),
    "who.holder": ("the holder of role {role} then ({people})", "当时担任 {role} 的 {people}"),
    "who.people": ("{people}", "{people}"),
    "who.either": ("{first} or {second}", "{first}或{second}"),
    "note.already_open": ("{where}: {type} at {at} would open {duty} of case {case}, which is "
                          "already open (since {opened}); the duty is owed once",
                          "{where}：{at} 的 {type} 本应开启案例 {case} 的 {duty}，但该职责自 {opened} "
                          "起已在进行中；只计一次"),
    "note.keyed_case": ("{case} ({attribute} {value})", "{case}（{attribute} {value}）"),
    "note.extra_report": ("{where}: report at {at} for {duty}: every week up to then already has "
                          "its report; an extra report changes nothing",
                          "{where}：{at} 的 {duty} 报告：此前每周都已提交，多出的报告不产生影响"),
    # --- decision tables (engine/decisions.py) ---
    "decision.used": ("case value {decision} = {value}, set by rule {rule} of decision "
                      "{decision} (inputs {inputs}) from {type} {ref} at {at}",
                      "案件取值 {decision} = {value}：由决策表 {decision} 的第 {rule} 条规则"
                      "（输入 {inputs}）根据 {at} 的 {type} {ref} 得出"),
    "decision.no_hit": ("{where}: decision {decision} for case {case} at {at}: no rule matches "
                        "(inputs {inputs}); the case value stays as it was",
                        "{where}：{at} 案例 {case} 的决策表 {decision} 没有任何规则符合"
                        "（输入 {inputs}）；案件取值保持不变"),
    "decision.not_unique": ("{where}: decision {decision} for case {case} at {at}: rules "
                            "{rules} all match (inputs {inputs}), but its hit policy is "
                            "unique; the case value stays as it was",
                            "{where}：{at} 案例 {case} 的决策表 {decision} 有多条规则（第 "
                            "{rules} 条）同时符合（输入 {inputs}），而命中策略是 unique"
                            "（只能有一条符合）；案件取值保持不变"),
    "note.extra_period": ("{where}: {at} for {duty}: every period up to then is already "
                          "fulfilled; an extra one changes nothing",
                          "{where}：{at} 的 {duty}：此前每一期都已完成，多出的这次不产生影响"),
    # --- calendar years not yet published: pending obligations, `calendar show`, check ---
    "pending.why": ("the deadline needs the working days of {year}, which the calendar does not "
                    "have yet: pending calendar data (due no earlier than {earliest}); add "
                    "calendar.years.{year} to the policy",
                    "截止时间需要 {year} 年的工作日数据，日历中尚无：待日历数据（截止不早于 "
                    "{earliest}）；请在政策文件 calendar.years.{year} 中补充"),
    "pending.fulfilled": ("fulfilled by {type} {ref} at {at}: on time or late is known once {year} "
                          "is in the calendar", "由 {type} {ref} 于 {at} 完成：是否按时，待 {year} "
                          "年日历补充后判定"),
    "pending.waiting": ("not fulfilled by {as_of} (as of): no verdict until {year} is in the "
                        "calendar", "截至 {as_of}（评估时点）尚未完成：待 {year} 年日历补充后判定"),
    "pending.heading": ("PENDING CALENDAR DATA: {count} obligation(s) whose deadline needs the "
                        "working days of {years}, which the calendar lacks: neither violations "
                        "nor met. Add calendar.years.YEAR to the policy (docs/calendar.en.md)",
                        "待日历数据：{count} 项职责的截止时间需要 {years} 年的工作日数据，日历中"
                        "尚无：既不算违规，也不算按时。请在政策文件中补充 calendar.years（见 "
                        "docs/calendar.zh.md）"),
    "pending.exit": ("{count} obligation(s) pending calendar data for {years}: the report is "
                     "complete otherwise; add calendar.years to the policy (exit code 3)",
                     "{count} 项职责待 {years} 年日历数据：其余结果已完整；请在政策文件中补充 "
                     "calendar.years（退出码 3）"),
    "pending.waiting_status": ("waiting", "待完成"),
    "pending.fulfilled_status": ("fulfilled, verdict pending", "已完成，待判定"),
    "pending.status": ("PENDING calendar data", "待日历数据"),
    "delay.request_undecided": ("delay requested at {at}: whether that is before the deadline is "
                                "known once {year} is in the calendar; the deadline stays pending",
                                "{at} 申请延期：是否在截止前，待 {year} 年日历补充后判定；截止"
                                "时间仍待定"),
    "delay.approval_undecided": ("delay approval at {at}: no request known to be in time; the "
                                 "deadline stays pending until {year} is in the calendar",
                                 "{at} 批准延期：没有可确认在截止前的申请；截止时间待 {year} "
                                 "年日历补充"),
    "delay.approved_pending": ("delay approved at {at}{by}: the deadline, pending the calendar of "
                               "{year}, is now {new}", "{at} 批准延期{by}：原待 {year} 年日历的"
                               "截止时间改为 {new}"),
    "pending.merit": ("{duty} {case}: met before its day, but the working days early need the "
                      "calendar of {year}: no merit counted until it is added",
                      "{duty} {case}：提前完成，但提前的工作日数需要 {year} 年日历：补充前不计"),
    "pending.reward": ("{reward} case {case}: not assessed, the working days need the calendar "
                       "of {year}", "{reward} 案例 {case}：未评定，工作日数需要 {year} 年日历"),
    "cal.title": ("Calendar {year}", "{year} 年工作日历"),
    "cal.source": ("source: {source}", "来源：{source}"),
    "cal.official": ("official data (State Council notice, via chinesecalendar {version})",
                     "官方数据（国务院办公厅通知，经 chinesecalendar {version}）"),
    "cal.official_and_policy": ("official data (chinesecalendar {version}), amended by the policy "
                                "file (calendar.years.{year})", "官方数据（chinesecalendar "
                                "{version}），并由政策文件 calendar.years.{year} 调整"),
    "cal.policy": ("the policy file (calendar.years.{year}): Monday to Friday, then its holidays "
                   "and adjusted working days", "政策文件（calendar.years.{year}）：周一至周五，"
                   "再按其中的节假日与调休调整"),
    "cal.holidays": ("Holidays ({count} days)", "节假日（{count} 天）"),
    "cal.working_days": ("Adjusted working days, 调休 ({count})", "调休上班日（{count} 天）"),
    "cal.day": ("{day}  {name}", "{day}  {name}"),
    "cal.none_listed": ("  (none)", "  （无）"),
    "cal.per_month": ("Working days per month (total {total})", "每月工作日数（全年 {total} 天）"),
    "cal.unknown": ("{year}: not in the calendar (source: none). The official data covers "
                    "{official}; the policy file's calendar.years: {listed}. Deadlines "
                    "that need working days of {year} are reported as pending calendar data. To "
                    "add it: copy the State Council's notice (国务院办公厅关于{year}年部分节假日"
                    "安排的通知) into calendar.years.{year} of the pack's policy file (policies/"
                    "<pack>/policy.yaml), see docs/calendar.en.md, then run `policyengine calendar "
                    "show {year}` to check it.",
                    "{year} 年：日历中没有（来源：无）。官方数据覆盖 {official}；政策文件的 "
                    "calendar.years：{listed}。需要 {year} 年工作日的截止时间将显示为“待日历"
                    "数据”。补充方法：按国务院办公厅关于{year}年部分节假日安排的通知，在政策文件"
                    "（policies/<制度包>/policy.yaml）的 calendar.years.{year} 中填写节假日与调休（见 "
                    "docs/calendar.zh.md），再运行 `policyengine calendar show {year}` 核对。"),
    "cal.nothing": ("no year", "无"),
    "check.year_end": ("W-CAL-YEAR-END: the calendar's last known year, {year}, ends on {end}, "
                       "{days} day(s) after {as_of}: deadlines that need {next} will be pending "
                       "calendar data until calendar.years.{next} is added to the policy "
                       "(docs/calendar.en.md)",
                       "W-CAL-YEAR-END：日历已知的最后一年 {year} 年于 {end} 结束，距 {as_of} "
                       "还有 {days} 天：在政策文件中补充 calendar.years.{next} 之前，需要 "
                       "{next} 年工作日的截止时间都将“待日历数据”（见 docs/calendar.zh.md）"),
    "check.year_ended": ("W-CAL-YEAR-END: the calendar's last known year, {year}, ended on {end}, "
                         "before {as_of}: deadlines that need {next} are pending calendar data "
                         "until calendar.years.{next} is added to the policy (docs/calendar.en.md)",
                         "W-CAL-YEAR-END：日历已知的最后一年 {year} 年已于 {end} 结束（早于 "
                         "{as_of}）：在政策文件中补充 calendar.years.{next} 之前，需要 {next} "
                         "年工作日的截止时间都“待日历数据”（见 docs/calendar.zh.md）"),
    "check.not_yet.penalty": ("W-NOT-YET-IN-FORCE: penalty {name} has no version in force on "
                              "{as_of}: its first version begins on {first}, so until then a "
                              "violation of its duties costs nothing (is the year mistyped?)",
                              "W-NOT-YET-IN-FORCE：处罚 {name} 在 {as_of} 没有生效的版本：它的第一个"
                              "版本 {first} 才生效，在此之前违反其职责不扣款（年份是否写错了？）"),
    "check.not_yet.reward": ("W-NOT-YET-IN-FORCE: reward {name} has no version in force on "
                             "{as_of}: its first version begins on {first}, so until then no one "
                             "is granted it (is the year mistyped?)",
                             "W-NOT-YET-IN-FORCE：奖励 {name} 在 {as_of} 没有生效的版本：它的第一个"
                             "版本 {first} 才生效，在此之前不会发放这项奖励（年份是否写错了？）"),
    # the command line's usage errors (errors.UsageError), told in the reader's language
    "usage.as_of": ("--as-of '{value}' is not an ISO time nor 'now'; e.g. {example}",
                    "--as-of 的值“{value}”不是 ISO 时间，也不是 now；应写作如 {example}"),
    "usage.as_of_time": ("--as-of '{value}' is not an ISO time; e.g. {example}",
                         "--as-of 的值“{value}”不是 ISO 时间；应写作如 {example}"),
    "usage.as_of_date": ("--as-of '{value}' is not a date; write YYYY-MM-DD",
                         "--as-of 的值“{value}”不是日期；应写作 YYYY-MM-DD"),
    "usage.as_of_late": ("--as-of '{value}' is too late: the latest year an evaluation can "
                         "stand in is {year}; is the year mistyped?",
                         "--as-of 的值“{value}”太晚了：评估最晚只能在 {year} 年；年份是否写错了？"),
    "usage.facts_missing": ("--facts {path}: no such file", "--facts {path}：没有这个文件"),
    "usage.facts_folder": ("--facts {path}: a folder, not a facts file",
                           "--facts {path}：这是一个文件夹，不是事实文件"),
    "usage.reject_is_facts": ("--reject-file {path} is the facts file itself: the rejected "
                              "lines would overwrite your facts; give another path",
                              "--reject-file {path} 就是事实文件本身：被拒收的行会覆盖您的事实；"
                              "请换一个路径"),
    "usage.cannot_write": ("{option} {path}: cannot write there ({reason})",
                           "{option} {path}：无法写入（{reason}）"),
    "usage.git_revision": ("'{revision}' is not a git revision: a revision never starts with '-'",
                           "“{revision}”不是 Git 版本：版本号不会以“-”开头"),
    "usage.git_failed": ("git {command}: {detail}", "git {command} 出错：{detail}"),
    "usage.git_no_policy": ("no policy files under '{path}' at git revision {revision}",
                            "Git 版本 {revision} 中“{path}”下没有制度文件"),
    "usage.not_in_git": ("--against {revision}: {path} is not in a git repository",
                         "--against {revision}：{path} 不在 Git 仓库中"),
    "usage.saved_not_json": ("{path}: not a saved evaluation (JSON): {detail}",
                             "{path}：不是保存的评估结果（JSON）：{detail}"),
    "usage.saved_shape": ("{path}: not a saved evaluation: write one with "
                          "`policyengine evaluate ... --format json > FILE`",
                          "{path}：不是保存的评估结果：请用 "
                          "`policyengine evaluate ... --format json > 文件` 保存"),
    "usage.saved_period": ("--against {path} holds the result of {old}, not of {new}: compare a "
                           "period with an earlier result of the same period",
                           "--against {path} 保存的是 {old} 的结果，不是 {new} 的：请与同一期间"
                           "较早的结果比较"),
    "usage.calendar_year": ("calendar show {year}: give a year from 1900 to 2999, e.g. 2027",
                            "calendar show {year}：请给出 1900 至 2999 之间的年份，如 2027"),
    "usage.report_period": ("report {report} is for {wanted}, not --{option}",
                            "report {report} 用于 {wanted}，不接受 --{option}"),
    "usage.period_kind": ("--{option} '{value}' is not a {option}: write {form}",
                          "--{option} 的值“{value}”不符合 --{option} 的写法：应写作 {form}"),
    "usage.format_unknown_suffix": ("-o {path}: say the format with --format ({formats}); the "
                                    "suffix '{suffix}' does not tell",
                                    "-o {path}：请用 --format 指明格式（{formats}）；"
                                    "从后缀“{suffix}”看不出格式"),
    "usage.binary_format": ("--format {format} is a binary file: write it with -o FILE.{format}, "
                            "not to the terminal",
                            "--format {format} 是二进制文件：请用 -o 文件名.{format} 写入文件，"
                            "不要输出到屏幕"),
    "usage.format_unknown": ("unknown report format '{format}' (one of: {known})",
                             "未知的报表格式“{format}”（可用：{known}）"),
    "usage.dask_option": ("{option} is an option of --engine dask; add --engine dask",
                          "{option} 是 --engine dask 的选项；请加上 --engine dask"),
    "usage.explain_when": ("say when: --as-of TIME, --month YYYY-MM or --quarter YYYY-Qn",
                           "请指明时间：--as-of 时间、--month YYYY-MM 或 --quarter YYYY-Qn"),
    "usage.explain_no_case": ("no facts for case '{case}' up to {as_of}",
                              "截至 {as_of}，编号“{case}”没有任何事实"),
    "usage.explain_person": ("--person needs --month YYYY-MM or --quarter YYYY-Qn",
                             "--person 需要同时给出 --month YYYY-MM 或 --quarter YYYY-Qn"),
    "usage.not_packs": ("{path} is not a folder of packs (sub-folders with a policy.yaml each); "
                        "a policy folder is given to --policy as it is",
                        "{path} 不是制度包文件夹（其中每个子文件夹各有一个 policy.yaml）；"
                        "单个制度文件夹请直接交给 --policy"),
    "usage.period": ("'{value}' is not a period: write a month as YYYY-MM (2026-10), a quarter "
                     "as YYYY-Qn (2026-Q4) or an ISO week as YYYY-Www (2026-W44)",
                     "“{value}”不是期间：月份写作 YYYY-MM（2026-10），季度写作 YYYY-Qn"
                     "（2026-Q4），ISO 周写作 YYYY-Www（2026-W44）"),
    "usage.period_year": ("'{value}': the year must be between 0001 and 9998",
                          "“{value}”：年份必须在 0001 至 9998 之间"),
    "usage.no_week": ("'{value}': ISO year {year} has no week {week}",
                      "“{value}”：ISO 年 {year} 没有第 {week} 周"),
    "usage.weekly_period": ("the weekly report is for an ISO week (--week YYYY-Www), not {period}",
                            "周报按 ISO 周生成（--week YYYY-Www），不接受 {period}"),
    "usage.rewards_period": ("rewards are assessed per quarter (--quarter YYYY-Qn), not {period}",
                             "奖励按季度评定（--quarter YYYY-Qn），不接受 {period}"),
    # `policyengine serve` (cli/serve.py) refusing to start, and its tokens (service/auth.py)
    # and webhooks (service/webhooks.py), which the API also answers with
    "usage.serve_no_tokens": ("no tokens: every request needs one. Make a tokens file with "
                              "`policyengine token new NAME --scopes ingest,read --file "
                              "tokens.txt` and start with --tokens tokens.txt (see "
                              "docs/integrators.md)",
                              "没有令牌：每个请求都要带令牌。请先用 `policyengine token new 名称 "
                              "--scopes ingest,read --file tokens.txt` 生成令牌文件，再加上 "
                              "--tokens tokens.txt 启动（见 docs/integrators.md）"),
    "usage.serve_body_batch": ("--max-body-bytes must be at least 1024 and --max-batch at least 1",
                               "--max-body-bytes 至少为 1024，--max-batch 至少为 1"),
    "usage.serve_timeouts": ("--header-timeout and --body-timeout must be above 0 seconds, and "
                             "--max-connections at least 1",
                             "--header-timeout 和 --body-timeout 必须大于 0 秒，"
                             "--max-connections 至少为 1"),
    "usage.serve_webhook_figures": ("--webhook-timeout and --webhook-scan-interval must be above "
                                    "0 seconds, --webhook-backoff at least 0, --webhook-attempts "
                                    "at least 1",
                                    "--webhook-timeout 和 --webhook-scan-interval 必须大于 0 秒，"
                                    "--webhook-backoff 不能小于 0，--webhook-attempts 至少为 1"),
    "usage.serve_webhook_no_secret": ("--webhook needs --webhook-secret-file FILE: the secret that "
                                      "signs every delivery (at least 16 characters)",
                                      "--webhook 需要同时给出 --webhook-secret-file 文件：文件里的"
                                      "密钥用来给每次推送签名（至少 16 个字符）"),
    "usage.serve_secret_unreadable": ("cannot read the webhook secret file {path}: {reason}",
                                      "无法读取 webhook 密钥文件 {path}：{reason}"),
    "usage.serve_secret_alone": ("--webhook-secret-file is given without --webhook URL",
                                 "给了 --webhook-secret-file，却没有给 --webhook 地址"),
    "usage.serve_open_files": ("not serving: files open to others (--strict-permissions):\n"
                               "  {files}",
                               "未启动服务：以下文件其他用户也能读取（--strict-permissions）：\n"
                               "  {files}"),
    "usage.db_no_file": ("'{url}' names no file: write sqlite:///policyengine.db",
                         "“{url}”没有给出文件名：应写作 sqlite:///policyengine.db"),
    "usage.db_unknown": ("'{url}' is not a database this service knows: give a file path, "
                         "sqlite:///FILE or postgresql://USER:PASSWORD@HOST:PORT/DB",
                         "本服务不认识数据库“{url}”：请给出文件路径、sqlite:///文件 或 "
                         "postgresql://用户:密码@主机:端口/数据库"),
    "usage.db_no_folder": ("cannot create the database {path}: folder {folder} does not exist",
                           "无法创建数据库 {path}：文件夹 {folder} 不存在"),
    "usage.db_sqlite": ("cannot open the SQLite database {path}: {reason}",
                        "无法打开 SQLite 数据库 {path}：{reason}"),
    "usage.db_psycopg": ("a PostgreSQL store needs psycopg: pip install 'policyengine[serve]'",
                         "使用 PostgreSQL 数据库需要 psycopg：请执行 "
                         "pip install 'policyengine[serve]'"),
    "usage.db_postgres": ("cannot use the PostgreSQL database {url}: {reason}",
                          "无法使用 PostgreSQL 数据库 {url}：{reason}"),
    "usage.tokens_unreadable": ("cannot read the tokens file {path}: {reason}",
                                "无法读取令牌文件 {path}：{reason}"),
    "usage.tokens_cannot_write": ("cannot write the tokens file {path}: {reason}",
                                  "无法写入令牌文件 {path}：{reason}"),
    "usage.tokens_unusable": ("the tokens are not usable:\n  {problems}",
                              "令牌不可用：\n  {problems}"),
    "usage.tokens_entry": ("{origin} entry {number}", "{origin} 第 {number} 项"),
    "usage.tokens_new": ("the new token", "新令牌"),
    "usage.tokens_fields": ("{where}: write NAME SCOPES SECRET (3 fields), found {count}",
                            "{where}：应写作“名称 权限 密钥”3 项，这里有 {count} 项"),
    "usage.tokens_name": ("{where}: the name '{name}' may hold only letters, digits and _ . @ -",
                          "{where}：名称“{name}”只能由字母、数字和 _ . @ - 组成"),
    "usage.tokens_twice": ("{where}: the name '{name}' is used twice",
                           "{where}：名称“{name}”重复了"),
    "usage.tokens_scope": ("{where}: unknown scope(s) {unknown}; the scopes are {scopes}",
                           "{where}：未知的权限 {unknown}；可用的权限有 {scopes}"),
    "usage.tokens_no_scope": ("(none)", "（无）"),
    "usage.tokens_short": ("{where}: the secret of '{name}' is {length} characters; use at least "
                           "{least} (`policyengine token new` makes one)",
                           "{where}：“{name}”的密钥只有 {length} 个字符，至少要 {least} 个"
                           "（可用 `policyengine token new` 生成）"),
    "usage.token_exists": ("{path} already has a token named '{name}': choose another name, or "
                           "delete its line first",
                           "{path} 中已有名为“{name}”的令牌：请换一个名称，或先删掉那一行"),
    "usage.webhook_url": ("'{url}' is not an http:// or https:// URL with a host",
                          "“{url}”不是带主机名的 http:// 或 https:// 地址"),
    "usage.webhook_userinfo": ("'{scheme}://{host}...' holds a user or password: the signature "
                               "proves who sends; give the URL without them",
                               "“{scheme}://{host}...”里含有用户名或密码：谁在发送由签名证明，"
                               "请去掉用户名和密码"),
    "usage.webhook_secret": ("a webhook secret needs at least {least} characters; it has {length}",
                             "webhook 密钥至少要 {least} 个字符，这里只有 {length} 个"),
    "usage.webhook_exists": ("a webhook subscription '{id}' exists already",
                             "webhook 订阅“{id}”已经存在"),
    # why a file could not be read or written (an OSError), in the reader's language
    "os.ENOENT": ("No such file or directory", "没有这个文件或文件夹"),
    "os.EACCES": ("Permission denied", "没有权限"),
    "os.EISDIR": ("Is a directory", "这是文件夹，不是文件"),
    "os.ENOTDIR": ("Not a directory", "路径中有一段不是文件夹"),
    # what `policyengine token new --file FILE` prints (cli/token.py)
    "token.tightened": ("{path} was readable by others; its mode is now 0600 (owner only), as "
                        "it holds secrets",
                        "{path} 原先其他用户也能读取；它存有密钥，现已改为 0600（仅所有者可读写）"),
    "token.added": ("token '{name}' ({scopes}) added to {path}; start the service with --tokens "
                    "{path}, and give the secret (the line's third field) to its user",
                    "令牌“{name}”（{scopes}）已加入 {path}；请用 --tokens {path} 启动服务，"
                    "并把密钥（该行第三项）交给使用者"),
    # what `policyengine serve` prints as it starts (standard error)
    "serve.redirect": ("a file written with `>` can be read by others; `policyengine token new "
                       "NAME --scopes SCOPES --file FILE` writes it with mode 0600",
                       "用 `>` 写出的文件其他用户也能读取；`policyengine token new 名称 --scopes "
                       "权限 --file 文件` 写出的文件权限为 0600"),
    "serve.open_files": ("the limit on open files is {soft}: at most {cap} connections instead of "
                         "{wanted} (raise it with `ulimit -n`)",
                         "打开文件数的上限是 {soft}：最多只能有 {cap} 个连接，而不是 {wanted} 个"
                         "（可用 `ulimit -n` 调高）"),
    "serve.open_to_others": ("{path} can be read by the group or others (mode {mode}); it holds "
                             "secrets or facts: chmod 600 {path}",
                             "{path} 同组或其他用户也能读取（权限 {mode}）；它存有密钥或事实数据："
                             "请执行 chmod 600 {path}"),
    "serve.install": ("policyengine serve needs the HTTP packages of the 'serve' extra: "
                      "pip install 'policyengine[serve]'\n(missing: {missing})",
                      "policyengine serve 需要 serve 扩展中的 HTTP 组件：请执行 "
                      "pip install 'policyengine[serve]'\n（缺少：{missing}）"),
    "serve.pack": ("pack {pack}, ", "制度包 {pack}，"),
    "serve.no_identity": ("no identity", "无版本标识"),
    "serve.started": ("{pack}policy {id} v{version} ({identity}); {count} facts in {store}; "
                      "{tokens} token(s); http://{host}:{port} (OpenAPI: /docs, /openapi.json)",
                      "{pack}策略 {id} 第 {version} 版（{identity}）；{store} 中有 {count} 条事实；"
                      "{tokens} 个令牌；http://{host}:{port}（OpenAPI：/docs、/openapi.json）"),
    "holiday.new_years_day": ("New Year's Day", "元旦"),
    "holiday.spring_festival": ("Spring Festival", "春节"),
    "holiday.tomb_sweeping_day": ("Tomb-sweeping Day", "清明节"),
    "holiday.labour_day": ("Labour Day", "劳动节"),
    "holiday.dragon_boat_festival": ("Dragon Boat Festival", "端午节"),
    "holiday.national_day": ("National Day", "国庆节"),
    "holiday.mid_autumn_festival": ("Mid-autumn Festival", "中秋节"),
    "holiday.anti_fascist_70th_day": ("Victory Day (70th anniversary)",
                                      "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"),
    # rewards: why a person qualifies
    "reward.on_time": ("{count} commitment(s) due in {period} ({listing}), none late",
                       "{period} 到期的承诺 {count} 项（{listing}），无一延误"),
    "reward.early_major": ("case {case} (tier {tier}) accepted {day} after {used} of {available} "
                           "working days from the estimate on {start} to the committed "
                           "{promised} (at most {fraction} allowed)",
                           "需求 {case}（{tier} 级）于 {day} 验收：从 {start} 预估到承诺日期 "
                           "{promised} 共 {available} 个工作日，只用了 {used} 个（上限 {fraction}）"),
    "reward.no_omission": ("no {rules} violation in {period} as {role}; handled {count} "
                           "requirement(s) and bug(s)",
                           "{period} 担任 {role} 期间无 {rules} 违规；经手需求和Bug {count} 项"),
    # the calendar feed of open duties (report/icalendar.py)
    "ical.name": ("open duties of {person}", "{person} 的待办职责"),
    "ical.summary": ("{name}: {case}", "{name}：{case}"),
    "ical.overdue": ("overdue: {summary}", "已逾期：{summary}"),
    "ical.pending": ("pending calendar data: {summary}", "待日历数据：{summary}"),
    "ical.due": ("deadline {due}", "截止时间 {due}"),
    "ical.pending_due": ("the deadline needs the working days of {year}, not yet in the "
                         "calendar; it is no earlier than {earliest}",
                         "截止时间需要 {year} 年的工作日数据（日历尚未补充），不早于 {earliest}"),
    # a rule id named for the reader (`Glossary.with_rules`: the dashboard's pages)
    "named.rule": ('"{name}" ({rule})', "“{name}”（{rule}）"),
    "word.request": ("request", "申请"),
    "word.approval": ("approval", "批准"),
    "empty": ("", ""),
}


# The slots whose values are policy ids a Chinese reader knows by the policy's names: the
# engine records ids (it does not know the reader); `Glossary` names them at render time.
_FACT_TYPE_SLOTS = frozenset({"type", "fulfil", "types"})
_ROLE_SLOTS = frozenset({"role"})
# The slots whose values are rule ids, by the policy section the id is from: a penalty's
# (`pen.*`) and a reward's are named where they stand (`“未及时…”（P1）`); a duty's and a
# prohibition's Line carries the rule's name beside the id (`why.duty`), given in the
# reader's language. `Glossary.with_rules` names them; an empty glossary leaves the ids.
_RULE_SLOTS = {"rule": "penalties", "reward": "rewards"}
_NAMED_ID_SLOTS = {"duty": "duties", "id": "prohibitions"}
_DECISION_SLOTS = frozenset({"decision"})
# An attribute of the fact type in the Line's `type` slot (an anchor's `join`, the attribute a
# duty is owed per).
_ATTRIBUTE_SLOTS = frozenset({"join", "attribute"})
# A fact type id, and the conditions a fulfilment's description puts after it:
# `plan.delivered (about = decision)`.
_FACT_MATCH = re.compile(r"([a-z_]+(?:\.[a-z_]+)+)(?: \(([^()]*)\))?")
_CONDITION = re.compile(r"\b([a-z_]+) = ([a-z_]+)\b")  # a fulfilment's `about = decision`


@dataclass(frozen=True)
class Glossary:
    """The policy's Chinese names, for Chinese sentences. Fact types, roles and decision tables:
    a name followed by the raw id in parentheses (`交付可供开发的策划案（plan.delivered）`), the id
    alone when the policy names none. Attributes and their values (`决策：做`): the name alone,
    the key or value as written when the policy names none. English sentences keep the ids.
    `with_rules` adds the names of the policy's rules, in both languages (the dashboard's
    pages)."""

    fact_types: Mapping[str, str] = field(default_factory=dict)
    roles: Mapping[str, str] = field(default_factory=dict)
    tiers: Mapping[str, str] = field(default_factory=dict)
    decisions: Mapping[str, str] = field(default_factory=dict)
    # fact type -> attribute -> its `name`
    attribute_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # fact type -> attribute -> value -> how it is said: an enum's `value_names`, a tier's
    # name, a role named as roles are
    value_names: Mapping[str, Mapping[str, Mapping[str, str]]] = field(default_factory=dict)
    # policy section (duties, prohibitions, penalties, rewards) -> rule id -> (English name,
    # Chinese name). Empty unless asked for (`with_rules`): reports and the command line
    # print a penalty's id alone (their tables name it); the dashboard's sentences name it.
    rules: Mapping[str, Mapping[str, tuple[str, str]]] = field(default_factory=dict)

    @classmethod
    def of(cls, model: Any) -> Glossary:
        """From a checked policy model (`policyengine.policy.model.Policy`)."""
        roles = {k: s.name for k, s in model.roles.items() if s.name}
        tiers = {k: s.name for k, s in model.urgency_tiers.items() if s.name}
        said_roles = {k: _named(roles, k) for k in model.roles}
        attribute_names: dict[str, dict[str, str]] = {}
        value_names: dict[str, dict[str, Mapping[str, str]]] = {}
        for kind, spec in model.fact_types.items():
            for key, attr in spec.attributes.items():
                if attr.name:
                    attribute_names.setdefault(kind, {})[key] = attr.name
                said = (attr.value_names if attr.value_names else tiers if attr.type == "tier"
                        else said_roles if attr.type == "role" else None)
                if said:
                    value_names.setdefault(kind, {})[key] = said
        return cls({k: s.name for k, s in model.fact_types.items() if s.name}, roles, tiers,
                   decisions={k: s.name for k, s in model.decisions.items() if s.name},
                   attribute_names=attribute_names, value_names=value_names)

    def with_rules(self, model: Any) -> Glossary:
        """This glossary naming the model's duties, prohibitions, penalties and rewards too,
        in both languages (`name_en` in English when the policy gives one, else `name`): a
        sentence's penalty id reads `“未及时提交用户反馈的需求或bug”（P1）`, a duty's name
        beside its id is in the reader's language."""
        return replace(self, rules={
            section: {key: (spec.name_en or spec.name or key, spec.name or spec.name_en or key)
                      for key, spec in getattr(model, section).items()}
            for section in ("duties", "prohibitions", "penalties", "rewards")})

    def rule_name(self, section: str, key: str, lang: str) -> str | None:
        """The name of rule `key` of the policy's `section` (`duties`, `penalties`, ...) in
        the reader's language; None when this glossary does not name it."""
        names = self.rules.get(section, {}).get(key)
        return None if names is None else names[1 if lang == "zh" else 0]

    def named_rule(self, section: str, key: str, lang: str) -> str:
        """Rule `key` by its name and id, `“未及时提交用户反馈的需求或bug”（P1）`; the id
        alone when this glossary does not name it."""
        name = self.rule_name(section, key, lang)
        if name is None or name == key:
            return key
        english, chinese = TEMPLATES["named.rule"]
        return (chinese if lang == "zh" else english).format(name=name, rule=key)

    def named_args(self, args: Mapping[str, Any], lang: str) -> Mapping[str, Any]:
        """A Line's values with its rule ids named: a penalty's or reward's id in its slot
        (`_RULE_SLOTS`), a duty's or prohibition's name beside its id (`_NAMED_ID_SLOTS`)."""
        if not self.rules:
            return args
        out = dict(args)
        for slot, section in _RULE_SLOTS.items():
            value = args.get(slot)
            if type(value) is str:
                out[slot] = self.named_rule(section, value, lang)
        for slot, section in _NAMED_ID_SLOTS.items():
            value = args.get(slot)
            name = self.rule_name(section, value, lang) if type(value) is str else None
            if name is not None and "name" in args:
                out["name"] = name
        return out

    def attribute(self, key: str, fact_type: str | None = None) -> str:
        """An attribute by its name: as `fact_type` names it, else (no type given, or that
        type names it not) as the first fact type that names it does; the key otherwise."""
        found = _found(self.attribute_names, fact_type, key)
        return found if found is not None else key

    def value(self, key: str, value: Any, fact_type: str | None = None) -> str:
        """An attribute's value as the policy says it (`do` -> 做), as written otherwise."""
        said = _found(self.value_names, fact_type, key)
        text = str(value)
        return said.get(text, text) if said is not None else text

    def attributes(self, attrs: Mapping[str, Any], lang: str,
                   fact_type: str | None = None) -> str:
        """A fact's attributes for a timeline: `decision=do tier=B` in English; in Chinese
        `决策：做；分级：B级`, names and coded values in words, other values as written."""
        if lang != "zh":
            return " ".join(f"{k}={v}" for k, v in attrs.items())
        return "；".join(f"{self.attribute(k, fact_type)}：{self.value(k, v, fact_type)}"
                        for k, v in attrs.items())

    def fact_types_in(self, text: str) -> str:
        """`text` with every known fact type id named, and the conditions written after one
        (`plan.delivered (about = decision)`) in words (`事由：决策结果`)."""
        def named(match: re.Match[str]) -> str:
            kind, conditions = match[1], match[2]
            if conditions is None:
                return _named(self.fact_types, kind)
            said = _CONDITION.sub(lambda m: f"{self.attribute(m[1], kind)}："
                                            f"{self.value(m[1], m[2], kind)}", conditions)
            return f"{_named(self.fact_types, kind)} ({said})"
        return _FACT_MATCH.sub(named, text)

    def role(self, role: str) -> str:
        return _named(self.roles, role)

    def decision(self, decision: str) -> str:
        return _named(self.decisions, decision)


_Found = TypeVar("_Found")


def _found(table: Mapping[str, Mapping[str, _Found]], fact_type: str | None,
           key: str) -> _Found | None:
    """`table[fact_type][key]`, else the first fact type's entry for `key`."""
    if fact_type is not None:
        own = table.get(fact_type, {}).get(key)
        if own is not None:
            return own
    return next((named[key] for named in table.values() if key in named), None)


def _named(names: Mapping[str, str], key: str) -> str:
    name = names.get(key)
    return f"{name}（{key}）" if name else key


class Line(NamedTuple):
    """A message key and its values; `render(lang)` gives the sentence. Cheap to make: the
    engine records many and renders only those a reader asks for. In Chinese, `names` (the
    policy's glossary) turns fact type and role ids into the words the reader knows."""

    key: str
    args: Mapping[str, Any] = MappingProxyType({})

    def render(self, lang: str = "en", names: Glossary | None = None) -> str:
        english, chinese = TEMPLATES[self.key]
        args = self.args
        if names is not None and names.rules:  # the rules named too (the dashboard's pages)
            args = names.named_args(args, lang)
            if lang != "zh":
                return english.format(**{k: v.render(lang, names) if isinstance(v, Line)
                                         else _value(v, lang) for k, v in args.items()})
        elif lang != "zh":
            return english.format(**{k: _value(v, lang) for k, v in args.items()})
        return chinese.format(**{k: _value_zh(k, v, names, args) for k, v in args.items()})

    def __str__(self) -> str:
        return self.render("en")


def line(key: str, **args: Any) -> Line:
    """A Line; `args` is not copied (callers pass fresh keywords)."""
    return Line(key, args)


class Attributes(NamedTuple):
    """Some attributes of a fact of `fact_type` inside a Line (a decision table's inputs):
    `annual_sales=6800000, price_ratio=0.97` in English, by the policy's names in Chinese
    (`年度销售额：6800000；销售价格：0.97`); `-` for none."""

    fact_type: str
    pairs: tuple[tuple[str, Any], ...]

    def text(self, lang: str, names: Glossary | None = None) -> str:
        if not self.pairs:
            return "-"
        if lang != "zh":
            return ", ".join(f"{k}={v}" for k, v in self.pairs)
        return (names or _NO_NAMES).attributes(dict(self.pairs), "zh", self.fact_type)


_NO_NAMES = Glossary()


class Joined(NamedTuple):
    """Lines said one after another with `separator` between them (a list of problems)."""

    parts: tuple[Line, ...]
    separator: str = "\n  "

    def render(self, lang: str = "en", names: Glossary | None = None) -> str:
        return self.separator.join(part.render(lang, names) for part in self.parts)

    def __str__(self) -> str:
        return self.render("en")


def os_reason(exc: OSError) -> Line | str:
    """Why a file could not be read or written, in words the reader's language has for the
    common reasons (no such file, no permission); others as the system says them."""
    name = errno.errorcode.get(exc.errno or 0, "")
    if f"os.{name}" in TEMPLATES:
        return line(f"os.{name}")
    return exc.strerror or str(exc)


def _value_zh(slot: str, value: Any, names: Glossary | None, args: Mapping[str, Any]) -> str:
    if isinstance(value, (Line, Joined)):
        return value.render("zh", names)
    if isinstance(value, Attributes):
        return value.text("zh", names)
    if names is not None and type(value) is str:
        if slot in _FACT_TYPE_SLOTS:
            return names.fact_types_in(value)
        if slot in _ROLE_SLOTS:
            return names.role(value)
        if slot in _DECISION_SLOTS:
            return names.decision(value)
        if slot in _ATTRIBUTE_SLOTS:
            return names.attribute(value, args.get("type"))
    return _value(value, "zh")


def _value(value: Any, lang: str) -> str:
    if isinstance(value, Weekday):
        return weekday_name(int(value), lang)
    if isinstance(value, Months):
        return value.text(lang)
    if isinstance(value, (Line, Joined)):
        return value.render(lang)
    if isinstance(value, Attributes):
        return value.text(lang)
    if isinstance(value, datetime):
        if lang == "zh":
            return f"{value:%Y-%m-%d %H:%M}（周{_WEEKDAY_ZH[value.weekday()]}）"
        return value.strftime("%Y-%m-%d %H:%M (%a)")
    if isinstance(value, date):
        if lang == "zh":
            return f"{value:%Y-%m-%d}（周{_WEEKDAY_ZH[value.weekday()]}）"
        return value.strftime("%Y-%m-%d (%a)")
    if isinstance(value, timedelta):
        return duration_text(value, lang)
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else str(value)
    if value is None:
        return ""
    return str(value)


_UNITS_ZH = {"d": "天", "h": "小时", "m": "分", "s": "秒"}


def years_text(years: Iterable[int]) -> str:
    """Years in words, each run of consecutive years as one range: `2027, 2029-2031`
    (a fact dated 9999 has every year from the calendar's last on pending)."""
    found = sorted(set(years))
    runs: list[list[int]] = []
    for year in found:
        if runs and year == runs[-1][1] + 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}, {b}" if b == a + 1 else f"{a}-{b}"
                     for a, b in runs)


def duration_text(delta: timedelta, lang: str = "en") -> str:
    """`1d2h30m` in English (the policy files' own form), `1天2小时30分` in Chinese."""
    if lang != "zh":
        return format_duration(delta)
    total = int(delta.total_seconds())
    sign, total = ("-" if total < 0 else ""), abs(total)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        amount, total = divmod(total, size)
        if amount:
            parts.append(f"{amount}{_UNITS_ZH[unit]}")
    return sign + ("".join(parts) or "0分")


def weekday_name(index: int, lang: str = "en") -> str:
    return f"周{_WEEKDAY_ZH[index]}" if lang == "zh" else (
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][index])


class Weekday(int):
    """A weekday index that renders in the reader's language inside a Line."""



class Months(int):
    """A count of calendar months (12 a year) that renders in the reader's language."""

    def text(self, lang: str = "en") -> str:
        years, months = divmod(int(self), 12)
        if lang == "zh":
            return f"{years} 年" if not months else f"{int(self)} 个月"
        return month_text(int(self))
