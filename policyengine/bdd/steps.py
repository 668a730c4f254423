"""The step vocabulary, part 1: Given (假如) and When (当), in Chinese and in English.

Given says which policy, who holds which role and what happened; When evaluates a month, a
quarter or as of a moment. The Then (那么) steps are in `expectations` and `verdicts`;
importing this module registers them all in `STEPS`, the registry the runner, the
`policyengine steps` listing and the docs use.
"""

from __future__ import annotations

from datetime import datetime

from policyengine.bdd.facttable import RoleRow, TableProblem, problem_text, read_rows
from policyengine.bdd.failures import ScenarioError
from policyengine.bdd.lint import StepCall
from policyengine.bdd.normalize import unquote
from policyengine.bdd.policies import PolicyProblem, parse_change
from policyengine.bdd.values import BadValue, parse_period, read_moment
from policyengine.bdd.vocabulary import STEPS
from policyengine.bdd.world import World

__all__ = ["SHIPPED_WORDS", "STEPS"]

# What the {fact}, {roles} and {attributes} of the step list say when no pack is named (the
# generated docs): the default pack's, as its HR pages write them. `policyengine steps --pack`
# says the named pack's instead (bdd/catalog.py pack_words).
SHIPPED_WORDS = {
    "zh": {"fact": "requirement.raised",
           "roles": "collector 需求收集人、pm 产品经理、it_lead IT部负责人、tester 测试",
           "attributes": "需求方、决定、等级、关于、承诺日期、新日期、承诺、角色、担任人"},
    "en": {"fact": "requirement.raised", "roles": "collector, pm, it_lead, tester",
           "attributes": "requester, decision, tier, about, due, new_due, commitment, role, "
                         "person"},
}

# --- Given: the policy ---------------------------------------------------------


@STEPS.add("policy-change", "given", [
    ("zh", "制度修改如下：", "制度修改如下："),
    ("en", "the policy is changed as follows:", "the policy is changed as follows:"),
], {"zh": "在当前制度上改动一部分：下面的文档字符串（\"\"\" 之间）写 YAML，与制度文件同样的结构，"
          "逐层合并进去（列表整体替换；写 ~ 删除一项）。例如把 P1 的金额改成 50 元。",
    "en": "Change part of the current policy: the doc string (between \"\"\") is YAML in the "
          "shape of the policy files, deep-merged over it (a list replaces the old one; ~ "
          "removes an entry). E.g. make P1 cost 50 yuan."}, docstring="required")
def _policy_change(world: World, args: dict[str, str], step: StepCall) -> None:
    assert step.docstring is not None
    try:
        change = parse_change(step.docstring, f"{world.source}:{step.docstring_line}",
                              world.lang)
    except PolicyProblem as exc:
        world.error(step.docstring_line, "制度修改的 YAML 有误：" + "；".join(exc.lines),
                    "the policy change is not valid YAML: " + "; ".join(exc.lines))
    world.change_policy(change, step.line)
    world.policy()


@STEPS.add("policy", "given", [
    ("zh", "使用制度 {path}", "使用制度 policies"),
    ("en", "the policy in {path}", "the policy in policies"),
    ("en", "the policy {path}", "the policy policies/"),
], {"zh": "用哪一份制度：一个 .yaml 文件或一个文件夹，相对于项目根目录。不写这一步就用项目的"
          "默认制度（policies/）。",
    "en": "Which policy: a .yaml file or a folder, relative to the project root. Without this "
          "step the project's default policy (policies/) is used."})
def _policy(world: World, args: dict[str, str], step: StepCall) -> None:
    path = world.context.resolve(unquote(args["path"]), world.feature)
    if not path.exists():
        world.error(step.line, f"找不到制度 {path}", f"no policy at {path}")
    world.set_policy(path, step.line)
    world.policy()


@STEPS.add("pack", "given", [
    ("zh", "使用制度包 {pack}", "使用制度包 customer-requirement"),
    ("en", "the rule book {pack}", "the rule book customer-requirement"),
    ("en", "the pack {pack}", "the pack customer-requirement"),
], {"zh": "用项目制度目录（policies/）里的哪一个制度包，写包名（policyengine packs 列出）。"
          "features/<包名>/ 下的场景不写这一步也用那个包；其他场景用默认包（packs.yaml 的 "
          "default）。通常写在「背景」里。",
    "en": "Which pack (rule book) of the project's folder of packs (policies/), by its name "
          "(`policyengine packs` lists them). Scenarios under features/<pack>/ use that pack "
          "without this step; others use the default pack (packs.yaml `default`). Usually "
          "written in the Background."})
def _pack(world: World, args: dict[str, str], step: StepCall) -> None:
    world.set_pack(unquote(args["pack"]), step.line)
    world.policy()


# --- Given: roles and facts ----------------------------------------------------


@STEPS.add("role", "given", [
    ("zh", "[from:从 {at} 起，]{person} 是 {role}", "杨宝珠 是 collector"),
    ("zh", "{person} 担任 {role}[from:，从 {at} 起]", "周敏 担任 产品经理，从 2026-10-19 09:00 起"),
    ("en", "{person} holds the role {role}[from: from {at}]", "杨宝珠 holds the role collector"),
    ("en", "from {at}, {person} holds the role {role}",
     "from 2026-10-19 09:00, 周敏 holds the role pm"),
], {"zh": "谁担任哪个角色（{roles}）。"
          "不写时间就从场景最早的事实起担任；写「从 … 起」就从那一刻起（例如交接）。",
    "en": "Who holds a role ({roles}). Without a time, from the "
          "scenario's first fact on; with 'from ...', from that moment (e.g. a handover)."},
    hints={"zh": ("杨宝珠 是 需求收集人", "周敏 是 产品经理", "杨宝珠 当 收集人",
                  "角色 杨宝珠 收集人"),
           "en": ("杨宝珠 is the collector", "周敏 is pm", "the collector is 杨宝珠")})
def _role(world: World, args: dict[str, str], step: StepCall) -> None:
    at = args.get("at") or None
    world.roles.append(RoleRow(step.line, unquote(args["person"]), unquote(args["role"]), at))


@STEPS.add("facts", "given", [
    ("zh", "以下事实：", "以下事实："),
    ("zh", "发生了以下事实：", "发生了以下事实："),
    ("zh", "事实如下：", "事实如下："),
    ("en", "these facts:", "these facts:"),
    ("en", "the following facts:", "the following facts:"),
], {"zh": "发生了什么：一个表格，每行一个事实。列：时间（2026-10-09 10:30，北京时间；只写 10:45 "
          "表示与上一行同一天）、类型（{fact} 等，或制度里的中文名）、编号、人员，"
          "以及需要的属性列：{attributes}；"
          "「备注」列会被忽略。",
    "en": "What happened: a table, one fact a row. Columns: time (2026-10-09 10:30, "
          "Asia/Shanghai; a bare 10:45 is the same day as the row above), type "
          "({fact} ...), case, actor, and the attributes needed: {attributes}; a "
          "'note' column is ignored."}, table="required",
    hints={"zh": ("事实", "以下是事实", "有以下事实", "发生的事"),
           "en": ("the facts are", "facts", "given facts")})
def _facts(world: World, args: dict[str, str], step: StepCall) -> None:
    assert step.table is not None
    try:
        world.rows.extend(read_rows(step.table, world.policy(), world.lang))
    except TableProblem as exc:
        raise ScenarioError("\n".join(problem_text(exc, world.lang))) from None


@STEPS.add("weekly-on-time", "given", [
    ("zh", "每周的周报都按时提交", "每周的周报都按时提交"),
    ("en", "every weekly report is on time", "every weekly report is on time"),
], {"zh": "每周的报告（《新增需求收集周报》W1、《新增Bug周报》W2、《Bug收集反馈表》W3）都在截止前"
          "2 小时按时提交（从第一个事实那一周到评估时刻）；场景里自己写了事实的那种报告不再补。"
          "不写这一步、也没有这些事实时，每周都会有 W1、W2、W3 违规。",
    "en": "Every weekly report (W1 new-requirement report, W2 new-bug report, W3 bug feedback "
          "form) is submitted on time, two hours before each deadline, from the week of the "
          "first fact to the evaluation time; a kind of report the scenario writes facts of "
          "itself is not filled in. Without this step (or such facts) every week has W1, W2 "
          "and W3 violations."})
def _weekly(world: World, args: dict[str, str], step: StepCall) -> None:
    world.weekly_on_time = True


# --- When ----------------------------------------------------------------------


@STEPS.add("evaluate", "when", [
    ("zh", "评估 {period}[cut:，截至 {as_of}]", "评估 2026年10月"),
    ("zh", "评估截至 {as_of}", "评估截至 2026-10-09 18:00"),
    ("en", "evaluating {period}[cut: as of {as_of}]", "evaluating 2026-10"),
    ("en", "evaluating as of {as_of}", "evaluating as of 2026-10-09 18:00"),
], {"zh": "评估一个月（2026年10月）、一个季度（2026年第四季度，奖励按季度评）或截至某一刻。"
          "月份和季度默认评估到期末；截止时间落在期间内的违规才算。",
    "en": "Evaluate a month (2026-10), a quarter (2026-Q4; rewards are per quarter) or as of a "
          "moment. A month or quarter is evaluated as of its end; a violation counts in the "
          "period its deadline falls in."},
    hints={"zh": ("评估十月", "计算 2026年10月", "评估一下 2026年10月", "统计 10 月"),
           "en": ("evaluate 2026-10", "we evaluate October 2026", "the evaluation of 2026-10")})
def _evaluate(world: World, args: dict[str, str], step: StepCall) -> None:
    period = None
    as_of: datetime | None = None
    tz = world.policy().calendar.tz
    try:
        if args.get("period"):
            period = parse_period(args["period"])
        if args.get("as_of"):
            as_of = read_moment(args["as_of"], tz).at
    except BadValue as exc:
        world.bad_value(step.line, exc)
    world.evaluate(period, as_of, step.line)


# The Then steps live in their own modules; importing them registers them.
from policyengine.bdd import expectations, verdicts  # noqa: E402, F401
