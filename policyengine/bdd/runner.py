"""Running one scenario: match every step first, then run them in order.

All steps are matched before any runs, so a scenario with an unknown step or a wrong
keyword fails at once, naming every such line (第 N 行) with the nearest known steps.
A scenario with no Then step checks nothing: it fails at its line too, never passes.
"""

from __future__ import annotations

from dataclasses import dataclass

from policyengine.bdd.failures import ScenarioError
from policyengine.bdd.lint import FeatureDoc, ScenarioCase, StepCall
from policyengine.bdd.normalize import say
from policyengine.bdd.steps import STEPS
from policyengine.bdd.vocabulary import KEYWORDS, KIND_MEANING, Registry, StepDef
from policyengine.bdd.world import RunContext, World
from policyengine.report.text import pad, width

HELP_ZH = "查看全部步骤：policyengine steps（或 pytest --policyengine-steps）。"
HELP_EN = "List every step with: policyengine steps (or pytest --policyengine-steps)."


@dataclass(frozen=True)
class Planned:
    call: StepCall
    step: StepDef
    args: dict[str, str]


def plan(case: ScenarioCase, lang: str, registry: Registry = STEPS) -> list[Planned]:
    """The step definition of every step, or ScenarioError listing each one that has none."""
    planned: list[Planned] = []
    problems: list[str] = []
    for call in case.steps:
        found = registry.match(call.text)
        right = [(s, a) for s, a in found if call.kind is None or s.kind == call.kind]
        if right:
            step, args = right[0]
            problem = _argument_problem(call, step, lang)
            if problem:
                problems.append(problem)
            planned.append(Planned(call, step, args))
            continue
        if found:
            problems.append(_wrong_keyword(call, found[0][0], lang))
        else:
            problems.append(unknown_step(call, lang, registry))
    if problems:
        raise ScenarioError("\n\n".join(problems))
    if not any(p.step.kind == "then" for p in planned):
        # nothing is checked: the scenario would pass whatever the policy says
        line = case.scenario_line
        raise ScenarioError(say(
            lang, f"第 {line} 行：这个场景没有检查任何结果（没有「那么」步骤），"
            "无论制度算出什么都会通过：请在评估之后写上预期的结果，"
            "例如「那么 没有违规」或「那么 张三 应缴纳 20 元」",
            f"line {line}: this scenario checks nothing (it has no Then step), so it would pass "
            "whatever the policy gives: write the expected result after the evaluation, e.g. "
            "'Then there is no violation' or 'Then 张三 pays 20 yuan'"))
    return planned


def unknown_step(call: StepCall, lang: str, registry: Registry = STEPS) -> str:
    near = registry.nearest(call.text, lang, call.kind)
    keywords = KEYWORDS[lang]
    shown = []
    for step, template in near:
        text = f"{keywords[step.kind]} {template.display()}"
        example = f"{keywords[step.kind]} {template.example}"
        shown.append((text, example))
    size = max((width(t) for t, _ in shown), default=0)
    lines = [say(lang, f"第 {call.line} 行的步骤无法识别：", f"line {call.line}: unknown step:"),
             f"    {call.shown()}",
             say(lang, "  最接近的可用步骤：", "  the nearest known steps:")]
    for text, example in shown:
        lines.append(f"    {pad(text, size)}    " + say(lang, f"例：{example}", f"e.g. {example}"))
    lines.append("  " + say(lang, HELP_ZH, HELP_EN))
    return "\n".join(lines)


def _wrong_keyword(call: StepCall, step: StepDef, lang: str) -> str:
    keywords = KEYWORDS[lang]
    right = keywords[step.kind]
    meaning = KIND_MEANING[lang][step.kind]
    used = call.keyword.strip()
    inherited = call.kind is not None and used != keywords[call.kind]
    after_zh = f"（「{used}」接在「{keywords[call.kind]}」后面，等于「{keywords[call.kind]}」）" \
        if inherited and call.kind else ""
    after_en = f" ('{used}' after '{keywords[call.kind]}' counts as '{keywords[call.kind]}')" \
        if inherited and call.kind else ""
    return say(
        lang,
        f"第 {call.line} 行：「{call.shown()}」用错了关键字{after_zh}：这是{meaning}的步骤，"
        f"要用「{right}」开头。请改成「{right} {call.text.strip()}」，"
        f"或把它放在一个「{right}」步骤之后，用「并且」开头。",
        f"line {call.line}: '{call.shown()}' has the wrong keyword{after_en}: it is a step of "
        f"{meaning}, it starts with '{right}'. Write '{right} {call.text.strip()}', or put it "
        f"after a '{right}' step, starting with 'And'.",
    )


def _argument_problem(call: StepCall, step: StepDef, lang: str) -> str | None:
    if step.table == "required" and not call.table:
        return say(lang, f"第 {call.line} 行：「{call.shown()}」下面需要一个表格（| … |）",
                   f"line {call.line}: '{call.shown()}' needs a table (| ... |) under it")
    if step.table == "none" and call.table:
        return say(lang, f"第 {call.line} 行：「{call.shown()}」下面的表格用不上：这个步骤不读表格",
                   f"line {call.line}: '{call.shown()}' does not read a table; remove the table")
    if step.docstring == "required" and call.docstring is None:
        return say(lang, f"第 {call.line} 行：「{call.shown()}」下面需要用 \"\"\" 括起来的文字",
                   f"line {call.line}: '{call.shown()}' needs a doc string (between \"\"\") "
                   "under it")
    if step.docstring == "none" and call.docstring is not None:
        return say(lang, f"第 {call.line} 行：「{call.shown()}」下面的 \"\"\" 文字用不上",
                   f"line {call.line}: '{call.shown()}' does not read a doc string; remove it")
    return None


def run_case(case: ScenarioCase, doc: FeatureDoc, context: RunContext) -> World:
    """Run one scenario; raises ScenarioFailure / ScenarioError with a readable message."""
    steps = plan(case, doc.lang)
    world = World(context, doc.path, doc.lang)
    for planned in steps:
        planned.step.func(world, planned.args, planned.call)
    return world
