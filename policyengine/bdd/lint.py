"""Reading a .feature file on its own: parse it, check it, expand it into runnable scenarios.

`read_feature(path)` never raises for a problem in the file: a parse error, two scenarios
with one name, an outline without examples, a `<placeholder>` no example column fills or an
example column no `<placeholder>` uses (its values would change nothing) are `Problem`s with
their line, in the file's language. A file that cannot be parsed
yields no scenarios, so it fails alone and the other files still run.

The parser is the official Gherkin parser (the one pytest-bdd uses), fed the text after
`normalize.feature_text`; Scenario Outlines are expanded by its pickle compiler.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from policyengine.bdd.normalize import (
    NOTE_COLUMNS,
    cell_text,
    declared_language,
    feature_text,
    guess_language,
    lang_of,
    say,
)
from policyengine.bdd.vocabulary import Kind
from policyengine.policy.encoding import decode_policy_text


@dataclass(frozen=True)
class TableRow:
    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class StepCall:
    keyword: str            # as written: 假如, 并且, "Given ", "* "
    kind: Kind | None       # given / when / then; None for "*"
    text: str
    line: int
    table: tuple[TableRow, ...] | None = None      # header row first
    docstring: str | None = None
    docstring_line: int = 0

    def shown(self) -> str:
        return f"{self.keyword.strip()} {self.text}".strip()


@dataclass(frozen=True)
class ScenarioCase:
    name: str
    item_name: str
    line: int               # the scenario's line, or its example row's
    scenario_line: int
    steps: tuple[StepCall, ...]
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    line: int
    zh: str
    en: str

    def text(self, lang: str) -> str:
        return say(lang, self.zh, self.en)


@dataclass
class FeatureDoc:
    path: Path
    language: str
    name: str = ""
    cases: list[ScenarioCase] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    parsed: bool = False

    @property
    def lang(self) -> str:
        return lang_of(self.language)

    def line_text(self, number: int) -> str:
        return self.lines[number - 1].rstrip() if 0 < number <= len(self.lines) else ""


_KIND_OF_PICKLE: dict[str, Kind | None] = {"Context": "given", "Action": "when",
                                            "Outcome": "then", "Unknown": None}
_PLACEHOLDER = re.compile(r"<([^<>]+)>")
# Example columns that only explain a row (as the facts table's 备注 / note column).
_NOTE_COLUMNS = frozenset(cell_text(name) for name in NOTE_COLUMNS)


def read_feature(path: Path) -> FeatureDoc:
    """Parse and check one feature file (see the module doc)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        doc = FeatureDoc(path, "zh-CN")
        doc.problems.append(Problem(0, f"无法读取文件：{exc}", f"cannot read the file: {exc}"))
        return doc
    # A file saved as GBK or UTF-16 (Notepad's choice when asked nothing): each line that is
    # not UTF-8, located, and how to save the file again, as for a policy file.
    raw, found = decode_policy_text(data.removeprefix(b"\xef\xbb\xbf"), str(path))
    if raw is None:
        doc = FeatureDoc(path, "zh-CN")
        doc.problems.extend(Problem(d.location.line, d.text("zh"), d.text("en")) for d in found)
        return doc
    return parse_feature(raw, path)


def parse_feature(raw: str, path: Path) -> FeatureDoc:
    language = guess_language(raw)
    doc = FeatureDoc(path, language, lines=raw.replace("\r\n", "\n").split("\n"))
    try:
        from gherkin.errors import CompositeParserException, ParserError
        from gherkin.parser import Parser
        from gherkin.pickles.compiler import Compiler
        from gherkin.token_matcher import TokenMatcher
    except ImportError:
        doc.problems.append(Problem(
            0, "缺少 Gherkin 解析器：请安装 policyengine[bdd]（pip install 'policyengine[bdd]'）",
            "the Gherkin parser is missing: install policyengine[bdd] "
            "(pip install 'policyengine[bdd]')"))
        return doc
    text = feature_text(raw)
    matcher = TokenMatcher("en" if declared_language(raw) else language)
    try:
        gherkin = cast(dict[str, Any], Parser().parse(text, matcher))
    except (CompositeParserException, ParserError) as exc:
        errors = list(getattr(exc, "errors", None) or [exc])
        for error in errors[:5]:
            doc.problems.append(_parse_problem(error, doc))
        return doc
    feature = gherkin.get("feature")
    if not feature:
        doc.problems.append(Problem(
            1, "文件里没有「功能:」：一个 .feature 文件以「功能: 名称」开头",
            "the file has no 'Feature:' line: a .feature file starts with 'Feature: name'"))
        return doc
    doc.parsed = True
    doc.name = feature.get("name", "")
    index = _index(feature)
    _check_scenarios(feature, doc)
    gherkin["uri"] = str(path)
    pickles = cast(list[dict[str, Any]], Compiler().compile(cast(Any, gherkin)))
    doc.cases = _cases(pickles, index, doc)
    return doc


# --- parse errors ------------------------------------------------------------------------

_TOKENS = {
    "#EOF": ("文件结尾", "the end of the file"),
    "#Language": ("语言行（# language: zh-CN）", "a language line (# language: en)"),
    "#TagLine": ("标签（@…）", "a tag (@...)"),
    "#FeatureLine": ("「功能:」行", "a 'Feature:' line"),
    "#RuleLine": ("「规则:」行", "a 'Rule:' line"),
    "#BackgroundLine": ("「背景:」行", "a 'Background:' line"),
    "#ScenarioLine": ("「场景:」或「场景大纲:」行", "a 'Scenario:' or 'Scenario Outline:' line"),
    "#ExamplesLine": ("「例子:」行", "an 'Examples:' line"),
    "#StepLine": ("步骤（假如 / 当 / 那么 / 并且 …）", "a step (Given / When / Then / And ...)"),
    "#DocStringSeparator": ('文档字符串的结束符 """', 'the closing """ of a doc string'),
    "#TableRow": ("表格行（| … |）", "a table row (| ... |)"),
}


def _parse_problem(error: Exception, doc: FeatureDoc) -> Problem:
    location = getattr(error, "location", None) or {}
    line = int(location.get("line") or 0)
    message = str(error)
    content = doc.line_text(line).strip()
    shown_zh = f"：「{content}」" if content else ""
    shown_en = f": '{content}'" if content else ""
    expected = re.search(r"expected: (.*?)(?:, got '|$)", message)
    if "unexpected end of file" in message:
        wanted = [t.strip() for t in (expected.group(1) if expected else "").split(",")]
        zh_list, en_list = _wanted(wanted)
        return Problem(line, f"文件意外结束，还缺少：{zh_list}",
                       f"the file ends too early; still missing: {en_list}")
    if expected:
        wanted = [t.strip() for t in expected.group(1).split(",")]
        zh_list, en_list = _wanted(wanted)
        hint_zh, hint_en = _hint(content, wanted, doc)
        return Problem(line, f"这一行读不懂{shown_zh}。这里应该是：{zh_list}。{hint_zh}".rstrip(),
                       f"this line cannot be read{shown_en}. Expected here: {en_list}. "
                       f"{hint_en}".rstrip())
    if "inconsistent cell count" in message:
        return Problem(line, f"表格各行的格子数不一样{shown_zh}：每一行的 | 数目要相同",
                       f"the table rows have different numbers of cells{shown_en}: "
                       "every row needs the same number of |")
    if "Language not supported" in message:
        return Problem(line, f"不认识的语言{shown_zh}：请写 # language: zh-CN 或 # language: en",
                       f"unknown language{shown_en}: write # language: zh-CN or # language: en")
    detail = re.sub(r"^\(\d+:\d+\): ", "", message)
    return Problem(line, f"这一行读不懂{shown_zh}（{detail}）",
                   f"this line cannot be read{shown_en} ({detail})")


def _wanted(tokens: Iterable[str]) -> tuple[str, str]:
    names = [_TOKENS[t] for t in tokens if t in _TOKENS]
    if not names:
        return "空行或注释", "an empty line or a comment"
    return "、".join(n[0] for n in names), ", ".join(n[1] for n in names)


_BARE_KEYWORD = re.compile(r"^(功能|背景|场景大纲|场景|剧本|例子|规则|Feature|Background|"
                           r"Scenario Outline|Scenario|Examples|Example|Rule)(\s|$)")


def _hint(content: str, wanted: list[str], doc: FeatureDoc) -> tuple[str, str]:
    bare = _BARE_KEYWORD.match(content)
    if bare:
        word = bare.group(1)
        return (f"「{word}」后面要有冒号，例如「{word}: 名称」。",
                f"'{word}' needs a colon after it, e.g. '{word}: name'.")
    if content.startswith("|") and "#TableRow" not in wanted:
        return ("表格要紧跟在一个步骤（比如「假如 以下事实:」）的下一行。",
                "A table goes right under a step (e.g. 'Given these facts:').")
    if "#StepLine" not in wanted and "#ScenarioLine" in wanted:
        return ("步骤要写在「场景:」或「背景:」下面；场景的标题行要以「场景:」开头。",
                "Steps go under a 'Scenario:' or 'Background:' line.")
    if "#FeatureLine" in wanted:
        return ("文件要以「功能: 名称」开头（中文文件第一行可以写 # language: zh-CN）。",
                "The file starts with 'Feature: name' (a Chinese file may start with "
                "# language: zh-CN).")
    return "", ""


# --- checks on a parsed file ---------------------------------------------------------------


def _scenarios(feature: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for child in feature.get("children", []):
        if "scenario" in child:
            yield child["scenario"]
        elif "rule" in child:
            for inner in child["rule"].get("children", []):
                if "scenario" in inner:
                    yield inner["scenario"]


def _sections(feature: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """Every scenario and background (the parts whose lines are steps)."""
    for child in feature.get("children", []):
        for key in ("scenario", "background"):
            if key in child:
                yield child[key]
        if "rule" in child:
            yield from _sections(child["rule"])


def _check_descriptions(feature: dict[str, Any], doc: FeatureDoc) -> None:
    """Text under a Scenario or Background line before its first step: the parser takes it
    for a description and ignores it, so a step whose keyword is misspelt there (`Gvien`,
    `假若`) would silently not run."""
    for section in _sections(feature):
        first = section.get("description", "").strip().splitlines()
        if not first:
            continue
        start = int(section["location"]["line"])
        line = next((n for n in range(start + 1, len(doc.lines) + 1)
                     if doc.line_text(n).strip() == first[0].strip()), start + 1)
        keyword = section.get("keyword", "").strip()
        doc.problems.append(Problem(
            line, f"「{keyword}:」下面的这一行不是步骤，会被当作说明文字而不运行：步骤以"
            "「假如」「当」「那么」「并且」「但是」开头（关键字写错了吗？）；"
            "只作说明的文字请写成以 # 开头的注释",
            f"this line under '{keyword}:' is not a step, so it would be taken for a "
            "description and not run: a step starts with Given, When, Then, And or But (is "
            "the keyword misspelt?); write text that only explains as a comment starting "
            "with #"))


def _check_scenarios(feature: dict[str, Any], doc: FeatureDoc) -> None:
    _check_descriptions(feature, doc)
    seen: dict[str, int] = {}
    for scenario in _scenarios(feature):
        line = scenario["location"]["line"]
        name = scenario.get("name", "").strip()
        if not name:
            doc.problems.append(Problem(line, "这个场景没有名字：在「场景:」后面写上名字",
                                        "this scenario has no name: write one after 'Scenario:'"))
        else:
            key = cell_text(name)
            if key in seen:
                doc.problems.append(Problem(
                    line, f"场景名「{name}」和第 {seen[key]} 行的场景重复：每个场景要有自己的名字"
                    "（两个都会运行，但失败时分不清是哪一个）",
                    f"the scenario name '{name}' is also used on line {seen[key]}: give every "
                    "scenario its own name (both run, but a failure could not say which)"))
            else:
                seen[key] = line
        examples = scenario.get("examples") or []
        uses = _placeholders(scenario)
        if uses and not examples:
            doc.problems.append(Problem(
                line, f"场景用了 <{uses[0]}>，但没有「例子:」表格来填它",
                f"the scenario uses <{uses[0]}> but has no 'Examples:' table to fill it"))
        for block in examples:
            header = block.get("tableHeader")
            body = block.get("tableBody") or []
            where = block["location"]["line"]
            if header is None or not body:
                doc.problems.append(Problem(
                    where, "「例子:」下面没有数据行：这个场景大纲一次也不会运行",
                    "'Examples:' has no rows: this outline would never run"))
                continue
            columns = [cell["value"] for cell in header["cells"]]
            for used in uses:
                if used not in columns:
                    doc.problems.append(Problem(
                        where, f"步骤里用了 <{used}>，但「例子:」表格没有叫「{used}」的列",
                        f"a step uses <{used}> but the 'Examples:' table has no column '{used}'"))
            # A column no <placeholder> refers to: its values change nothing, so a row's
            # expectation written there (a fine, a verdict) would never be checked.
            for column in columns:
                if column in uses or cell_text(column) in _NOTE_COLUMNS:
                    continue
                have_zh = "、".join(f"<{u}>" for u in uses) or "（没有）"
                have_en = ", ".join(f"<{u}>" for u in uses) or "(none)"
                doc.problems.append(Problem(
                    int(header["location"]["line"]),
                    f"「例子:」表格的列「{column}」没有被任何步骤用到（步骤里没有 <{column}>），"
                    f"这一列的值不会起任何作用、也不会被检查。步骤里用到的是：{have_zh}。"
                    f"请在步骤里写上 <{column}>，或删掉这一列（只作说明的列请命名为「备注」）",
                    f"the 'Examples:' column '{column}' is used by no step (no step has "
                    f"<{column}>): its values change nothing and are never checked. The steps "
                    f"use: {have_en}. Write <{column}> in a step, or remove the column (name a "
                    "column that only explains 'note')"))


def _placeholders(scenario: dict[str, Any]) -> list[str]:
    found: list[str] = []
    texts = [scenario.get("name", "")]
    for step in scenario.get("steps", []):
        texts.append(step.get("text", ""))
        for row in (step.get("dataTable") or {}).get("rows", []):
            texts.extend(cell["value"] for cell in row["cells"])
        if step.get("docString"):
            texts.append(step["docString"].get("content", ""))
    for text in texts:
        for name in _PLACEHOLDER.findall(text):
            if name not in found:
                found.append(name)
    return found


# --- expansion into runnable scenarios --------------------------------------------------------


def _index(feature: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """AST nodes by id: steps, scenarios and example rows (to find lines and keywords)."""
    index: dict[str, dict[str, Any]] = {}

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if "id" in node and "location" in node:
                index[str(node["id"])] = node
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(feature)
    return index


def _cases(pickles: list[dict[str, Any]], index: dict[str, dict[str, Any]],
           doc: FeatureDoc) -> list[ScenarioCase]:
    cases: list[ScenarioCase] = []
    names: dict[str, int] = {}
    for pickle in pickles:
        node_ids = pickle["astNodeIds"]
        scenario = index.get(node_ids[0], {})
        scenario_line = int(scenario.get("location", {}).get("line", 0))
        line = int(pickle.get("location", {}).get("line", scenario_line))
        name = pickle["name"].strip() or say(doc.lang, f"第{scenario_line}行的场景",
                                             f"scenario on line {scenario_line}")
        item_name = name
        if len(node_ids) > 1:
            item_name += say(doc.lang, f"[第{line}行]", f"[line {line}]")
        names[item_name] = names.get(item_name, 0) + 1
        if names[item_name] > 1:
            item_name += say(doc.lang, f"[第{line}行]", f"[line {line}]")
        steps = tuple(_step(step, index) for step in pickle["steps"])
        tags = tuple(tag["name"].lstrip("@") for tag in pickle.get("tags", []))
        cases.append(ScenarioCase(name, item_name, line, scenario_line, steps, tags))
    return cases


def _step(step: dict[str, Any], index: dict[str, dict[str, Any]]) -> StepCall:
    node = index.get(step["astNodeIds"][0], {})
    line = int(node.get("location", {}).get("line", 0))
    keyword = str(node.get("keyword", ""))
    argument = step.get("argument") or {}
    table = None
    if "dataTable" in argument:
        ast_rows = (node.get("dataTable") or {}).get("rows", [])
        rows = []
        for number, row in enumerate(argument["dataTable"]["rows"]):
            row_line = (int(ast_rows[number]["location"]["line"]) if number < len(ast_rows)
                        else line + 1 + number)
            rows.append(TableRow(row_line, tuple(cell["value"] for cell in row["cells"])))
        table = tuple(rows)
    docstring = None
    docstring_line = 0
    if "docString" in argument:
        docstring = str(argument["docString"].get("content", ""))
        docstring_line = int((node.get("docString") or {}).get("location", {}).get("line", 0))
    return StepCall(keyword, _KIND_OF_PICKLE.get(step.get("type", "Unknown")), step["text"],
                    line, table, docstring, docstring_line)
