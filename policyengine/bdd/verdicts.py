"""The step vocabulary, part 3: Then (那么) steps about one duty of one case: its verdict
(on time, late by, still open, not yet due, pending calendar data) and its explanation; and
an evaluation that must fail."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from policyengine.bdd.lint import StepCall
from policyengine.bdd.normalize import cell_text, step_text, unquote
from policyengine.bdd.values import (
    BadValue,
    format_duration,
    format_moment,
    parse_duration,
    read_moment,
)
from policyengine.bdd.vocabulary import STEPS
from policyengine.bdd.world import World
from policyengine.kinds import Status
from policyengine.results import EvaluationResult, OpenObligation, Violation
from policyengine.wording import Glossary

# --- Then: one duty's verdict --------------------------------------------------

_SELECTOR_DUE = re.compile(r"^(?:截止(?:于|时间)?|due(?: at)?)\s*(?P<due>.+)$", re.IGNORECASE)


def _due_at(world: World, selector: str, line: int) -> Callable[[datetime], bool] | None:
    """Of a selector `due 2026-10-16 12:00` (截止 …): whether a deadline is that one (that day,
    without a time); None for a case."""
    tz = world.policy().calendar.tz
    due = _SELECTOR_DUE.match(selector.strip())
    if due is None:
        return None
    try:
        moment = read_moment(due.group("due"), tz)
    except BadValue as exc:
        world.bad_value(line, exc)

    def same(at: datetime) -> bool:
        return at == moment.at if moment.has_time else (
            at.astimezone(tz).date() == moment.at.date())

    return same


def _select(world: World, result: EvaluationResult, duty: str, selector: str,
            line: int) -> tuple[list[Violation], list[OpenObligation], str]:
    due = _SELECTOR_DUE.match(selector.strip())
    same = _due_at(world, selector, line)
    if due and same is not None:
        label = world.t(f"截止 {due.group('due')} 的 {duty}", f"{duty} due {due.group('due')}")
        return ([v for v in result.violations if v.duty.upper() == duty.upper() and same(v.due)],
                [o for o in result.obligations
                 if o.duty.upper() == duty.upper() and same(o.due)], label)
    case = unquote(selector)
    label = world.t(f"{case} 的 {duty}", f"{duty} of {case}")
    _check_triggered(world, duty, case, label, line)
    return ([v for v in result.violations if v.duty.upper() == duty.upper() and v.case == case],
            [o for o in result.obligations if o.duty.upper() == duty.upper() and o.case == case],
            label)


def _check_triggered(world: World, duty: str, case: str, label: str, line: int) -> None:
    """A verdict about a case the facts never opened the duty for is a mistake, not a pass."""
    if not any(f.case == case for f in world.facts):
        world.error(line, f"事实里没有编号为 {case} 的事实（编号写错了吗？）",
                    f"no fact has the case {case} (a typo?)")
    compiled = next((d for name, d in world.policy().duties.items()
                     if name.upper() == duty.upper()), None)
    if compiled is None and any(name.upper() == duty.upper()
                                for name in world.policy().prohibitions):
        return  # a prohibition: each forbidden fact is its own violation, nothing opens it
    if compiled is None:
        world.error(line, f"制度里没有职责 {duty}", f"the policy has no duty {duty}")
    trigger = compiled.trigger
    if trigger is not None and not any(
            f.case == case and f.type == trigger.fact and trigger.matches_attributes(f)
            for f in world.facts):
        world.fail(line, f"{label}：这个编号没有触发 {duty} 的事实（{trigger.describe()}），"
                   "所以谈不上按时或迟了",
                   f"{label}: no fact of this case opens {duty} ({trigger.describe()}), so it "
                   "is neither on time nor late")


def _in_period(world: World, duty: str, selector: str, label: str, line: int) -> None:
    """The duty of the selector falls due up to the evaluation, in its period: a verdict
    counts in the period its deadline falls in, so of a deadline elsewhere (or of none) any
    'on time' would pass."""
    evaluation = world.evaluation
    if evaluation is None or world.failure is not None:
        return
    tz = world.policy().calendar.tz
    same = _due_at(world, selector, line)
    if same is not None:
        dues = [at for _, at in world.deadlines(duty) if same(at)]
    else:
        case = unquote(selector)
        dues = [at for c, at in world.deadlines(duty) if c == case]
    if not dues:
        if same is not None:
            world.error(line, f"{label}：到评估时刻为止，没有在这个时间到期的 {duty}"
                        "（时间写错了吗？）",
                        f"{label}: no {duty} falls due at that time up to the evaluation (is "
                        "the time mistyped?)")
        return  # a case's duty not opened: said by the verdict itself
    period = evaluation.period
    if period is None or any(period.start_at(tz) <= at < period.end_at(tz) for at in dues):
        return
    shown = "、".join(format_moment(at, tz) for at in dues)
    world.error(line, f"{label} 的截止时间是 {shown}，不在评估的 {period.label} 内：违规记在截止"
                "时间所在的期间，请评估那个期间",
                f"{label} falls due {shown}, outside {period.label}, the period evaluated: a "
                "verdict counts in the period its deadline falls in, so evaluate that period")


def _describe(world: World, violation: Violation) -> str:
    tz = world.policy().calendar.tz
    due = format_moment(violation.due, tz)
    if violation.status is Status.PROHIBITED:
        return world.t(f"{due} 的事实是禁止事项", f"the fact at {due} is forbidden")
    if violation.fulfilled_at is None:
        return world.t(f"截止 {due}，评估时仍未完成，迟了 {format_duration(violation.late_by)}",
                       f"due {due}, still open at the evaluation, "
                       f"{format_duration(violation.late_by)} late")
    done = format_moment(violation.fulfilled_at, tz)
    return world.t(f"截止 {due}，{done} 完成，迟了 {format_duration(violation.late_by)}",
                   f"due {due}, done {done}, {format_duration(violation.late_by)} late")


_LATE_BY = r"\d[\w. ]*"
_VERDICT_ZH = (rf"按时(?:完成)?|迟了\s*{_LATE_BY}|(?:逾期)?未完成(?:\s*[,(]?\s*(?:已经?|已)?"
               rf"(?:迟了|逾期)\s*{_LATE_BY}\)?)?|尚未到期|还没到期")
_VERDICT_EN = (rf"(?:is|was) on time|(?:is|was) late by {_LATE_BY}|(?:is missed|is still open)"
               rf"(?:\s*,?\s*late by {_LATE_BY})?|is not yet due")


@STEPS.add("verdict", "then", [
    ("zh", "{selector} 的 {duty} {verdict}", "26100901 的 R1 迟了 15h30m"),
    ("en", "{duty} of {selector} {verdict}", "R1 of 26100901 is late by 15h30m"),
    ("en", "{duty} {due} {verdict}", "W1 due 2026-10-16 12:00 is late by 3h30m"),
], {"zh": "一项职责的结论：「按时」「迟了 15h30m」「未完成，迟了 3d6h」（评估时仍未完成）"
          "或「尚未到期」。编号写需求/Bug 编号；周报写「截止 2026-10-16 12:00 的 W1 …」。",
    "en": "One duty's verdict: 'is on time', 'is late by 15h30m', 'is still open, late by "
          "3d6h' (not done at the evaluation) or 'is not yet due'. Name the case; for the "
          "weekly report write 'W1 due 2026-10-16 12:00 ...'."},
    slots={"verdict": f"(?:{_VERDICT_ZH}|{_VERDICT_EN})", "due": r"due\s.+?",
           "selector": r"(?:截止.+?|[^\s]+?)"})
def _verdict(world: World, args: dict[str, str], step: StepCall) -> None:
    result = world.need_result(step.line)
    duty = args["duty"]
    selector = args.get("selector") or args.get("due", "")
    found, still_open, label = _select(world, result, duty, selector, step.line)
    verdict = step_text(args["verdict"])
    lowered = verdict.lower()
    if duty.upper() not in {d.upper() for d in world.policy().duties}:
        world.error(step.line, f"制度里没有职责 {duty}", f"the policy has no duty {duty}")
    if not lowered.startswith(("尚未到期", "还没到期", "is not yet due")):
        _in_period(world, duty, selector, label, step.line)  # (one not yet due is after it)
    if lowered.startswith(("按时", "is on time", "was on time")):
        if found:
            world.fail(step.line, f"{label} 预期按时，实际违规：" + _describe(world, found[0]),
                       f"{label} was expected on time, but it is a violation: "
                       + _describe(world, found[0]))
        pending = [o for o in still_open if not o.overdue]
        if pending:
            due = format_moment(pending[0].due, world.policy().calendar.tz)
            world.fail(step.line,
                       f"{label} 预期按时完成，实际还没完成（截止 {due}，评估时尚未到期）",
                       f"{label} was expected done on time, but it is not done yet (due {due}, "
                       "not yet due at the evaluation)")
        return
    if lowered.startswith(("尚未到期", "还没到期", "is not yet due")):
        if not [o for o in still_open if not o.overdue]:
            got = _describe(world, found[0]) if found else world.t(
                "没有未到期的这项职责（可能已经完成）", "no such duty is pending (maybe done)")
            world.fail(step.line, f"{label} 预期尚未到期，实际：{got}",
                       f"{label} was expected not yet due; actually: {got}")
        return
    still = lowered.startswith(("未完成", "逾期未完成", "is missed", "is still open"))
    rest = re.sub(r"^(逾期未完成|未完成|迟了|is late by|was late by|is missed|is still open)", "",
                  verdict, flags=re.IGNORECASE)
    rest = re.sub(r"^[\s,，(（]*(已逾期|已迟了?|已经迟了|迟了|逾期|late by|late)?\s*", "", rest,
                  flags=re.IGNORECASE).rstrip(")）")
    late = None
    if rest:
        try:
            late = parse_duration(rest)
        except BadValue as exc:
            world.bad_value(step.line, exc)
    want_zh = ("未完成" if still else "迟了") + (f" {format_duration(late)}" if late is not None
                                               else "")
    want_en = ("still open" if still else "late") + (f" by {format_duration(late)}"
                                                    if late is not None else "")
    for violation in found:
        if (violation.fulfilled_at is None) == still and (
                late is None or violation.late_by == late):
            return
    if found:
        got_zh = "；".join(_describe(world, v) for v in found)
        got_en = "; ".join(_describe(world, v) for v in found)
    else:
        got_zh = "按时完成，没有违规"
        got_en = "on time, no violation"
        if [o for o in still_open if not o.overdue]:
            got_zh, got_en = "还没完成，评估时尚未到期", "not done, not yet due at the evaluation"
    world.fail(step.line, f"{label} 预期{want_zh}，实际：{got_zh}",
               f"{label} was expected {want_en}; actually: {got_en}")


def explanation(violation: Violation, lang: str) -> list[str]:
    """The violation's explanation, one sentence a line, in the reader's language."""
    out = []
    for item in violation.explanation:
        render = getattr(item, "render", None)
        out.append(str(render(lang)) if callable(render) else str(item))
    return out


@STEPS.add("explanation", "then", [
    ("zh", "{selector} 的 {duty} 违规说明包括：", "26100901 的 R1 违规说明包括："),
    ("en", "the explanation of {duty} of {selector} includes:",
     "the explanation of R1 of 26100901 includes:"),
    ("en", "the explanation of {duty} {due} includes:",
     "the explanation of W1 due 2026-10-16 12:00 includes:"),
], {"zh": "一条违规的说明（怎样算出截止时间、用了哪些事实、谁负责）包含下面文档字符串里的每一行"
          "（空格不计）。",
    "en": "The explanation of one violation (how the deadline was worked out, the facts used, "
          "who is responsible) contains every line of the doc string (spacing ignored)."},
    docstring="required", slots={"selector": r"(?:截止.+?|[^\s]+?)", "due": r"due\s.+?"})
def _explanation(world: World, args: dict[str, str], step: StepCall) -> None:
    result = world.need_result(step.line)
    selector = args.get("selector") or args.get("due", "")
    found, _, label = _select(world, result, args["duty"], selector, step.line)
    if len(found) != 1:
        world.fail(step.line, f"{label} 应该正好有一条违规，实际有 {len(found)} 条",
                   f"{label} should have exactly one violation; found {len(found)}")
    explained = explanation(found[0], world.lang)
    flat = cell_text("\n".join(explained)).replace(" ", "")
    assert step.docstring is not None
    missing = [line for line in step.docstring.splitlines()
               if line.strip() and cell_text(line).replace(" ", "") not in flat]
    if missing:
        shown = "\n".join("  " + line for line in explained)
        lost = "\n".join("  " + line.strip() for line in missing)
        world.fail(step.line, f"{label} 的说明里找不到：\n{lost}\n实际的说明是：\n{shown}",
                   f"the explanation of {label} lacks:\n{lost}\nThe explanation is:\n{shown}")


# --- Then: the evaluation's notes -----------------------------------------------


@STEPS.add("notes", "then", [
    ("zh", "评估提示包括：", "评估提示包括："),
    ("en", "the notes include:", "the notes include:"),
], {"zh": "评估时记下的提示（没有改变结果的事实：例如重复的触发、无权人员做出的事实、找不到"
          "对应承诺的延期）中，有一条包含下面文档字符串里的每一行（空格不计）。",
    "en": "One of the evaluation's notes (facts that changed nothing: a repeated trigger, a "
          "fact by someone not allowed to make it, a delay with no commitment) contains every "
          "line of the doc string (spacing ignored)."},
    docstring="required")
def _notes(world: World, args: dict[str, str], step: StepCall) -> None:
    result = world.need_result(step.line)
    assert step.docstring is not None
    wanted = [cell_text(line).replace(" ", "") for line in step.docstring.splitlines()
              if line.strip()]
    names = Glossary.of(world.policy().model)  # roles and fact types as a report names them
    said = [note.render(world.lang, names) for note in result.notes]
    if any(all(w in cell_text(n).replace(" ", "") for w in wanted) for n in said):
        return
    shown = "\n".join("  " + n for n in said) or world.t("  （没有提示）", "  (no note)")
    world.fail(step.line, f"没有一条提示包含：\n{step.docstring}\n实际的提示是：\n{shown}",
               f"no note contains:\n{step.docstring}\nThe notes are:\n{shown}")


# --- Then: a duty pending calendar data ---------------------------------------


@STEPS.add("pending-calendar", "then", [
    ("zh", "{selector} 的 {duty} 待 {year} 年日历数据", "26123001 的 R7 待 2027 年日历数据"),
    ("en", "{duty} of {selector} is pending calendar data for {year}",
     "R7 of 26123001 is pending calendar data for 2027"),
], {"zh": "这项职责的截止时间需要某一年的工作日数据，而日历还没有这一年（例如国务院尚未公布的 "
          "2027 年）：既不算违规也不算按时，等补充日历后再判定。",
    "en": "The duty's deadline needs the working days of a year the calendar lacks (such as "
          "2027 before it is published): neither a violation nor met until the year is added."},
    slots={"selector": r"[^\s]+?", "year": r"\d{4}"})
def _pending_calendar(world: World, args: dict[str, str], step: StepCall) -> None:
    result = world.need_result(step.line)
    duty, case, year = args["duty"], unquote(args["selector"]), int(args["year"])
    label = world.t(f"{case} 的 {duty}", f"{duty} of {case}")
    _check_triggered(world, duty, case, label, step.line)
    found = [p for p in result.pending if p.duty.upper() == duty.upper() and p.case == case]
    if found and found[0].missing_year == year:
        return
    if found:
        got_zh, got_en = f"待 {found[0].missing_year} 年日历数据", \
            f"pending calendar data for {found[0].missing_year}"
    else:
        violations, still_open, _ = _select(world, result, duty, case, step.line)
        got_zh = got_en = ""
        if violations:
            got_zh = got_en = _describe(world, violations[0])
        elif still_open:
            got_zh, got_en = "还没完成，截止时间已知", "not done, its deadline known"
        else:
            got_zh, got_en = ("截止时间已知并已判定（没有违规）",
                              "its deadline is known (no violation)")
    world.fail(step.line, f"{label} 预期待 {year} 年日历数据，实际：{got_zh}",
               f"{label} was expected pending calendar data for {year}; actually: {got_en}")


# --- Then: an evaluation that must fail --------------------------------------


@STEPS.add("evaluation-fails", "then", [
    ("zh", "评估失败，提示包含 {text}", "评估失败，提示包含 E-CAL-YEAR"),
    ("en", "the evaluation fails with {text}", "the evaluation fails with E-CAL-YEAR"),
], {"zh": "评估应当失败（例如事实的年份早于工作日历的第一年），并且提示里有这段文字。",
    "en": "The evaluation must fail (e.g. a fact dated before the working-day calendar's "
          "first year), with a message containing this text."})
def _evaluation_fails(world: World, args: dict[str, str], step: StepCall) -> None:
    if world.evaluation is None:
        world.need_result(step.line)
    if world.failure is None:
        world.fail(step.line, "预期评估失败，但评估成功了", "the evaluation was expected to fail, "
                   "but it succeeded")
    want = unquote(args["text"])
    # the message as shown (Chinese in a Chinese scenario) or its English wording
    if not any(cell_text(want) in cell_text(text) for text in world.failure_texts):
        world.fail(step.line, f"评估失败了，但提示里没有「{want}」：{world.failure}",
                   f"the evaluation failed, but its message lacks '{want}': {world.failure}")
