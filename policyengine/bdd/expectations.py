"""The step vocabulary, part 2: Then (那么) steps that compare results with what a scenario
expects: violations, amounts and penalty lines, rewards, merits, open duties."""

from __future__ import annotations

from decimal import Decimal

from policyengine.bdd.columns import (
    MERIT_COLUMNS,
    OPEN_COLUMNS,
    PENALTY_LINE_COLUMNS,
    REWARD_COLUMNS,
    VIOLATION_COLUMNS,
)
from policyengine.bdd.compare import compare, render
from policyengine.bdd.failures import ScenarioFailure
from policyengine.bdd.lint import StepCall, TableRow
from policyengine.bdd.normalize import ids, unquote
from policyengine.bdd.values import BadValue, format_amount, format_moment, parse_amount, yes_no
from policyengine.bdd.vocabulary import STEPS
from policyengine.bdd.world import World
from policyengine.results import EvaluationResult, RuleLine, Violation


def _scoped(world: World, result: EvaluationResult, named: str, line: int) -> list[Violation]:
    wanted = world.known_duties(line, ids(named)) if named else set()
    return [v for v in result.violations if not wanted or v.duty.upper() in wanted]


@STEPS.add("violations", "then", [
    ("zh", "[scope:{duties} 的]违规如下：", "违规如下："),
    ("zh", "[scope:{duties} 的]违规记录如下：", "违规记录如下："),
    ("en", "the[scope: {duties}] violations are:", "the violations are:"),
], {"zh": "违规记录逐行核对（只比较写出来的列，顺序不限）。可以只看某些职责：「R1 的违规如下：」。"
          "列：职责、编号、人员、截止、完成、迟了、处罚、金额（P3/P4/P5 写「按月」）、"
          "月份、扣绩效。",
    "en": "The violations, row by row (only the columns written are compared, in any order). "
          "Scope it to duties with 'the R1 violations are:'. Columns: duty, case, person, due, "
          "done, late, penalty, amount ('monthly' for P3/P4/P5), month, forfeit."},
    table="required")
def _violations(world: World, args: dict[str, str], step: StepCall) -> None:
    result = world.need_result(step.line)
    assert step.table is not None
    compare(step.table, _scoped(world, result, args.get("duties", ""), step.line),
            VIOLATION_COLUMNS,
            world.table_context(), step.line, "违规记录", "the violations")


@STEPS.add("no-violation", "then", [
    ("zh", "没有[scope:{duties} ]违规", "没有违规"),
    ("zh", "{duties} 没有违规", "R1 没有违规"),
    ("en", "there is no[scope: {duties}] violation", "there is no violation"),
    ("en", "there are no[scope: {duties}] violations", "there are no violations"),
], {"zh": "一条违规也没有（或：某些职责没有违规，例如「R1 没有违规」）。",
    "en": "No violation at all (or none of some duties: 'there is no R1 violation')."})
def _no_violation(world: World, args: dict[str, str], step: StepCall) -> None:
    result = world.need_result(step.line)
    found = _scoped(world, result, args.get("duties", ""), step.line)
    if found:
        header = TableRow(step.line, ("职责", "编号", "人员", "截止", "迟了") if world.lang == "zh"
                          else ("duty", "case", "person", "due", "late"))
        columns = [VIOLATION_COLUMNS[i] for i in (0, 1, 2, 3, 5)]
        raise ScenarioFailure(render(header, [], [], found, columns, {}, world.table_context(),
                                     step.line, "违规记录", "the violations"))


# --- Then: amounts -------------------------------------------------------------


def _lines_table(world: World, person: str, lines: tuple[RuleLine, ...]) -> str:
    from policyengine.report.text import table

    if not lines:
        return world.t(f"{person} 没有任何处罚。", f"{person} has no penalty.")
    header = (("处罚", "月份", "次数", "金额", "扣绩效") if world.lang == "zh" else
              ("penalty", "month", "count", "amount", "forfeit"))
    rows = [(line.rule, line.month, str(line.count), format_amount(line.amount),
             yes_no(line.forfeit, world.lang)) for line in lines]
    heading = world.t(f"{person} 的处罚明细：", f"{person}'s penalties:")
    return "\n".join([heading, *table(header, rows, right=(2, 3))])


@STEPS.add("amount", "then", [
    ("zh", "{person} 应缴纳 {amount} 元[forfeit:，并扣除当月绩效]", "杨宝珠 应缴纳 70 元"),
    ("zh", "{person} 被罚 {amount} 元[forfeit:，并扣除当月绩效]", "张三 被罚 20 元"),
    ("en", "{person} pays {amount} yuan[forfeit: and forfeits the month's performance pay]",
     "杨宝珠 pays 70 yuan"),
], {"zh": "一个人在评估期间的罚款合计；如果还要扣除当月绩效，加上「，并扣除当月绩效」"
          "（不加就表示不扣）。没有违规的人写 0 元。",
    "en": "A person's total for the period; add 'and forfeits the month's performance pay' "
          "when the pay is forfeited (leaving it out says it is not). No violation: 0 yuan."},
    hints={"zh": ("张三 罚款 50 元", "张三 要交 50 元", "张三 的罚款是 50 元", "张三 扣 50 元"),
           "en": ("张三 is fined 50 yuan", "张三 owes 50 yuan", "the fine of 张三 is 50")})
def _amount(world: World, args: dict[str, str], step: StepCall) -> None:
    result = world.need_result(step.line)
    person = unquote(args["person"])
    world.known_person(step.line, person)
    try:
        amount = parse_amount(args["amount"])
    except BadValue as exc:
        world.bad_value(step.line, exc)
    forfeit = bool(args.get("forfeit"))
    total = result.person(person)
    got_amount = total.amount if total else Decimal(0)
    got_forfeit = total.forfeit if total else False
    if got_amount == amount and got_forfeit == forfeit:
        return
    says_zh = f"{format_amount(got_amount)} 元" + (
        "，并扣除当月绩效" if got_forfeit else "，不扣绩效")
    says_en = f"{format_amount(got_amount)} yuan" + (
        " and forfeits the month's performance pay" if got_forfeit else ", pay not forfeited")
    want_zh = f"{format_amount(amount)} 元" + ("，并扣除当月绩效" if forfeit else "，不扣绩效")
    want_en = f"{format_amount(amount)} yuan" + (
        " and forfeits the month's performance pay" if forfeit else ", pay not forfeited")
    detail = _lines_table(world, person, total.lines if total else ())
    world.fail(step.line, f"{person} 预期应缴纳 {want_zh}；实际是 {says_zh}。\n{detail}",
               f"{person} was expected to pay {want_en}; actually {says_en}.\n{detail}")


@STEPS.add("penalty-lines", "then", [
    ("zh", "处罚明细如下：", "处罚明细如下："),
    ("en", "the penalties are:", "the penalties are:"),
], {"zh": "每人每月每条处罚规则一行：人员、处罚、月份、次数、金额、扣绩效。P3/P4/P5 按当月次数分档"
          "（1-5 次 20 元，6-10 次 50 元，11 次以上扣当月绩效），这里能看到次数和档位。",
    "en": "One row per person, month and penalty rule: person, penalty, month, count, amount, "
          "forfeit. P3/P4/P5 are charged by the month's count (1-5: 20, 6-10: 50, 11+: "
          "forfeit), so the count shows the tier."}, table="required")
def _penalty_lines(world: World, args: dict[str, str], step: StepCall) -> None:
    result = world.need_result(step.line)
    assert step.table is not None
    rows = [(p.person or "?", line) for p in result.people for line in p.lines]
    compare(step.table, rows, PENALTY_LINE_COLUMNS, world.table_context(), step.line, "处罚明细",
            "the penalties")


# --- Then: rewards and merits --------------------------------------------------


@STEPS.add("rewards", "then", [
    ("zh", "奖励如下：", "奖励如下："),
    ("en", "the rewards are:", "the rewards are:"),
], {"zh": "按季度评出的奖励（评估一个季度时才有）：人员、奖励（A1/A2/A3）、范围（如 100-1000）、"
          "原因（写原因里的一段文字即可）。金额由决策组在范围内决定。",
    "en": "The quarter's rewards (only a quarter's evaluation has them): person, reward "
          "(A1/A2/A3), range (e.g. 100-1000), reason (any part of it). The decision group "
          "fixes the amount within the range."}, table="required")
def _rewards(world: World, args: dict[str, str], step: StepCall) -> None:
    result = world.need_result(step.line)
    assert step.table is not None
    compare(step.table, list(result.rewards), REWARD_COLUMNS, world.table_context(), step.line,
            "奖励", "the rewards")


@STEPS.add("no-reward", "then", [
    ("zh", "没有[scope:{rewards} ]奖励", "没有奖励"),
    ("zh", "{person} 没有 {rewards} 奖励", "陈立 没有 A1 奖励"),
    ("en", "there is no[scope: {rewards}] reward", "there is no reward"),
    ("en", "{person} gets no {rewards} reward", "陈立 gets no A1 reward"),
], {"zh": "没有人获得奖励；或没有某种奖励（「没有 A1 奖励」）；或某人没有某种奖励"
          "（「陈立 没有 A1 奖励」）。",
    "en": "Nobody is rewarded; or nobody gets a given reward ('there is no A1 reward'); or one "
          "person does not ('陈立 gets no A1 reward')."})
def _no_reward(world: World, args: dict[str, str], step: StepCall) -> None:
    # (that a month has no reward at all is a fact; that it has no A1 of 陈立's is no check)
    scoped = bool(args.get("rewards") or args.get("person"))
    result = world.need_quarter(step.line) if scoped else world.need_result(step.line)
    wanted = world.known_rewards(step.line, ids(args["rewards"])) if args.get("rewards") \
        else set()
    person = unquote(args["person"]) if args.get("person") else None
    if person is not None:
        world.known_person(step.line, person)
    found = [r for r in result.rewards if (not wanted or r.reward.upper() in wanted)
             and (person is None or r.person == person)]
    if found:
        listing = "\n".join(f"  {r.person}  {r.reward}  {format_amount(r.min)}-"
                            f"{format_amount(r.max)}  {r.reason_in(world.lang)}" for r in found)
        world.fail(step.line, f"预期没有这样的奖励，实际有：\n{listing}",
                   f"no such reward was expected, but there is:\n{listing}")


@STEPS.add("merits", "then", [
    ("zh", "加分如下：", "加分如下："),
    ("zh", "提前交付加分如下：", "提前交付加分如下："),
    ("en", "the merits are:", "the merits are:"),
], {"zh": "提前交付的加分（M1）：每个提前完成的承诺一行，人员、职责（C1/C2/C3）、编号、"
          "提前工作日。",
    "en": "Early-delivery merits (M1): one row per commitment met early: person, duty "
          "(C1/C2/C3), case, days early (working days)."}, table="required")
def _merits(world: World, args: dict[str, str], step: StepCall) -> None:
    result = world.need_result(step.line)
    assert step.table is not None
    compare(step.table, list(result.merits), MERIT_COLUMNS, world.table_context(), step.line,
            "加分", "the merits")


@STEPS.add("no-merit", "then", [
    ("zh", "没有加分", "没有加分"),
    ("en", "there is no merit", "there is no merit"),
], {"zh": "没有提前交付的加分。", "en": "No early-delivery merit."})
def _no_merit(world: World, args: dict[str, str], step: StepCall) -> None:
    result = world.need_result(step.line)
    if result.merits:
        listing = "\n".join(f"  {m.person}  {m.duty}  {m.case}  {m.working_days_early}"
                            for m in result.merits)
        world.fail(step.line, f"预期没有加分，实际有：\n{listing}",
                   f"no merit was expected, but there is:\n{listing}")


# --- Then: open duties -----------------------------------------------------------


@STEPS.add("open-duties", "then", [
    ("zh", "[scope:{duties} 的]未完成的职责如下：", "未完成的职责如下："),
    ("zh", "{duties} 的未完成职责如下：", "C3 的未完成职责如下："),
    ("en", "the open[scope: {duties}] duties are:", "the open duties are:"),
], {"zh": "评估时还没完成的职责：职责、编号、人员、截止、逾期（是：已过截止时间；否：还没到期）。"
          "可以只看某些职责：「C3 的未完成职责如下：」。",
    "en": "The duties not done at the evaluation: duty, case, person, due, overdue (yes: past "
          "the deadline; no: not yet due). Scope it with 'the open C3 duties are:'."},
    table="required")
def _open(world: World, args: dict[str, str], step: StepCall) -> None:
    result = world.need_result(step.line)
    assert step.table is not None
    wanted = world.known_duties(step.line, ids(args["duties"])) if args.get("duties") else set()
    found = [o for o in result.obligations if not wanted or o.duty.upper() in wanted]
    compare(step.table, found, OPEN_COLUMNS, world.table_context(), step.line, "未完成的职责",
            "the open duties")


@STEPS.add("no-open-duty", "then", [
    ("zh", "没有未完成的职责", "没有未完成的职责"),
    ("en", "there is no open duty", "there is no open duty"),
], {"zh": "评估时所有职责都已完成。", "en": "Every duty is done at the evaluation."})
def _no_open(world: World, args: dict[str, str], step: StepCall) -> None:
    result = world.need_result(step.line)
    if result.obligations:
        tz = world.policy().calendar.tz
        listing = "\n".join(f"  {o.duty}  {o.case or '-'}  {o.person or '?'}  "
                            f"{format_moment(o.due, tz)}" for o in result.obligations)
        world.fail(step.line, f"预期没有未完成的职责，实际有：\n{listing}",
                   f"no open duty was expected, but there is:\n{listing}")
