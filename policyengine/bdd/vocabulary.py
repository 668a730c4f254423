"""The step registry: templates in two languages, tolerant matching, nearest-step suggestions.

A step is written once as a template per language, e.g.

    "{person} 应缴纳 {amount} 元[forfeit:，并扣除当月绩效]"

`{name}` is a value (its regex chosen by name, see `SLOTS`), `[flag:text]` an optional
phrase whose presence is reported as `flag`. The template is matched against the step's
*normalised* text (`normalize.step_text`), so spacing next to Chinese characters and
full-width punctuation never matter, and ASCII letters match in any case.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from policyengine.bdd.normalize import step_text

if TYPE_CHECKING:
    from policyengine.bdd.lint import StepCall
    from policyengine.bdd.world import World

Kind = Literal["given", "when", "then"]
KINDS: tuple[Kind, ...] = ("given", "when", "then")
KEYWORDS: dict[str, dict[Kind, str]] = {
    "zh": {"given": "假如", "when": "当", "then": "那么"},
    "en": {"given": "Given", "when": "When", "then": "Then"},
}
KIND_MEANING: dict[str, dict[Kind, str]] = {
    "zh": {"given": "准备（制度、角色、事实）", "when": "评估", "then": "检查结果"},
    "en": {"given": "set-up (policy, roles, facts)", "when": "evaluation",
           "then": "checking the result"},
}

_ID = r"[A-Za-z][A-Za-z0-9_.-]*"
SLOTS: dict[str, str] = {
    "amount": r"\d+(?:\.\d+)?",
    "duty": _ID,
    "reward": _ID,
    "duties": _ID + r"(?:\s*(?:,|、|和|及|与|and|or|或)\s*" + _ID + r")*",
    "rewards": _ID + r"(?:\s*(?:,|、|和|及|与|and|or|或)\s*" + _ID + r")*",
    "role": r"[A-Za-z][A-Za-z0-9_.-]*|(?:IT|it)?[^\s\d的是,:()]{1,6}",
    "person": r"[^\d的是,:()]+?",
    "period": r"(?:the\s+(?:month|quarter)\s+)?(?:\d{4}.*?|[A-Za-z]+\.?\s*\d{4}|q[1-4]\s*\d{4})",
    "as_of": r"\d.*?",
    "at": r"\d.*?",
    "pack": r"[A-Za-z0-9][A-Za-z0-9_.-]*",
    "path": r"(?!包).+?",  # 使用制度包 NAME is the pack step, not a path starting with 包
}
LABELS: dict[str, dict[str, str]] = {
    "zh": {"person": "人员", "amount": "金额", "duty": "职责", "duties": "职责", "role": "角色",
           "time": "时间", "path": "路径", "pack": "制度包", "period": "月份或季度", "case": "编号",
           "verdict": "结论", "reward": "奖励", "rewards": "奖励", "selector": "编号",
           "at": "时间", "as_of": "时间", "text": "文字"},
    "en": {},
}


@dataclass(frozen=True)
class Template:
    lang: str
    text: str           # as shown to people, e.g. "{person} 应缴纳 {amount} 元[forfeit:，…]"
    example: str
    regex: re.Pattern[str]
    literal: str        # the fixed words only, normalised (for suggestions)

    def display(self) -> str:
        labels = LABELS.get(self.lang, {})

        def slot(match: re.Match[str]) -> str:
            return "{" + labels.get(match.group(1), match.group(1)) + "}"

        shown = re.sub(r"\{(\w+)\}", slot, self.text)
        return re.sub(r"\[\w+:", "[", shown)


def compile_template(text: str, lang: str, example: str,
                     slots: Mapping[str, str] | None = None) -> Template:
    pattern = ""
    literal = ""
    pos = 0
    token = re.compile(r"\{(\w+)\}|\[(\w+):|\]")
    for match in token.finditer(text):
        piece = text[pos:match.start()]
        chunk = step_text(piece, trailing=False) if piece.strip() else ""
        pattern += _literal(chunk)
        literal += chunk
        if match.group(1):
            name = match.group(1)
            sub = (slots or {}).get(name) or SLOTS.get(name, r".+?")
            pattern += rf"\s*(?P<{name}>{sub})\s*"
        elif match.group(2):
            pattern += rf"(?P<{match.group(2)}>"
        else:
            pattern += ")?"
        pos = match.end()
    tail = text[pos:]
    chunk = step_text(tail) if tail.strip() else ""
    pattern += _literal(chunk)
    literal += chunk
    return Template(lang, text, example, re.compile(pattern, re.IGNORECASE), literal)


def _literal(chunk: str) -> str:
    """A fixed phrase: any spacing, commas optional."""
    if not chunk:
        return ""
    out = r"\s*"
    for ch in chunk:
        if ch == " ":
            out += r"\s*"
        elif ch == ",":
            out += r"\s*,?\s*"
        else:
            out += re.escape(ch)
    return out + r"\s*"


StepFunc = Callable[["World", dict[str, str], "StepCall"], None]


def _before_evaluation(func: StepFunc) -> StepFunc:
    """A Given step refused once the When step has evaluated: what it gives would not be
    evaluated, and the Then steps after it would pass or fail on a result without it."""

    def given(world: World, args: dict[str, str], step: StepCall) -> None:
        done = world.evaluation
        if done is not None:
            world.error(step.line,
                        f"这一步写在第 {done.line} 行的评估步骤之后，它给出的内容不会被评估，"
                        "后面的「那么」检查的是没有它的结果：请把它移到「当」步骤之前",
                        f"this Given step comes after the evaluation on line {done.line}: what "
                        "it gives would not be evaluated, and the Then steps would check a "
                        "result without it; move it above the When step")
        func(world, args, step)

    return given


@dataclass(frozen=True)
class StepDef:
    name: str
    kind: Kind
    templates: tuple[Template, ...]
    doc: Mapping[str, str]
    func: StepFunc
    table: Literal["none", "required", "optional"] = "none"
    docstring: Literal["none", "required"] = "none"
    hints: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # other wordings people try

    def templates_in(self, lang: str) -> list[Template]:
        own = [t for t in self.templates if t.lang == lang]
        return own or list(self.templates)


@dataclass
class Registry:
    steps: list[StepDef] = field(default_factory=list)

    def add(self, name: str, kind: Kind, templates: Iterable[tuple[str, str, str]],
            doc: Mapping[str, str], *, table: Literal["none", "required", "optional"] = "none",
            docstring: Literal["none", "required"] = "none",
            slots: Mapping[str, str] | None = None,
            hints: Mapping[str, tuple[str, ...]] | None = None) -> Callable[[StepFunc], StepFunc]:
        """Register a step: templates are (language, template, example) triples; `hints` are
        other wordings people might try, used only to suggest this step for an unknown one."""
        compiled = tuple(compile_template(text, lang, example, slots)
                         for lang, text, example in templates)

        def decorator(func: StepFunc) -> StepFunc:
            run = _before_evaluation(func) if kind == "given" else func
            self.steps.append(StepDef(name, kind, compiled, doc, run, table, docstring,
                                      dict(hints or {})))
            return func

        return decorator

    def match(self, text: str) -> list[tuple[StepDef, dict[str, str]]]:
        """Every step whose template matches the text (any kind), in registration order."""
        normal = step_text(text)
        found = []
        for step in self.steps:
            for template in step.templates:
                matched = template.regex.fullmatch(normal)
                if matched:
                    values = {k: (v.strip() if v is not None else "")
                              for k, v in matched.groupdict().items()}
                    found.append((step, values))
                    break
        return found

    def nearest(self, text: str, lang: str, kind: Kind | None,
                limit: int = 3) -> list[tuple[StepDef, Template]]:
        """The steps most like `text`, best first (for 'did you mean')."""
        normal = step_text(text).lower()
        scored = []
        for step in self.steps:
            best: tuple[float, Template] | None = None
            for template in step.templates_in(lang):
                ratio = max(_ratio(normal, step_text(template.example).lower()),
                            _ratio(normal, template.literal.lower()))
                if best is None or ratio > best[0]:
                    best = (ratio, template)
            if best is None:
                continue
            hinted = max((_ratio(normal, step_text(h).lower()) for h in step.hints.get(lang, ())),
                         default=0.0)
            shown = best[1]
            if hinted > best[0]:
                # a wording people try for the step's main form (评估 十月 for 评估 {period}):
                # show that form, not the template nearest in letters (评估截至 {as_of})
                shown = step.templates_in(lang)[0]
            bonus = 0.15 if kind is not None and step.kind == kind else 0.0
            scored.append((max(best[0], hinted) + bonus, step, shown))
        scored.sort(key=lambda item: -item[0])
        return [(step, template) for _, step, template in scored[:limit]]


STEPS = Registry()  # the vocabulary; the modules steps, expectations, verdicts fill it


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()
