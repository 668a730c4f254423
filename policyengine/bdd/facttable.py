"""A facts table as HR writes it -> engine facts, every mistake located by its table row.

Columns (Chinese or English, any order): time, type, case, actor, then any fact attribute
(requester, role, person, decision, tier, about, due, new_due, commitment) by its name or a
Chinese alias; a 备注 / note column is ignored. Values may be the policy's ids (`do`,
`requirement.raised`, `collector`) or their Chinese names (`做`, `客户提出需求`, `需求收集人`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from policyengine.bdd.lint import TableRow
from policyengine.bdd.normalize import NOTE_COLUMNS, cell_text, say
from policyengine.bdd.values import BadValue, parse_date, parse_number, read_moment
from policyengine.engine.compiled import CompiledPolicy
from policyengine.facts.schema import Fact
from policyengine.suggest import closest

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "at": ("时间", "发生时间", "时刻", "time", "at", "when"),
    "type": ("类型", "事实", "事件", "事实类型", "type", "fact", "event"),
    "case": ("编号", "需求编号", "单号", "case", "case id"),
    "actor": ("人员", "执行人", "经办人", "操作人", "actor", "by", "who"),
    "id": ("事实编号", "id", "fact id"),
    "requester": ("需求方", "客户", "用户", "requester", "customer"),
    "role": ("角色", "role"),
    "person": ("担任人", "任职人", "person"),
    "decision": ("决定", "决策", "决策结果", "decision"),
    "tier": ("等级", "级别", "紧急程度", "tier"),
    "about": ("关于", "事项", "通知内容", "about"),
    "due": ("承诺日期", "承诺日", "预估日期", "due", "due date"),
    "new_due": ("新日期", "新承诺日期", "延期至", "new due", "new_due"),
    "commitment": ("承诺", "承诺类型", "延期项目", "commitment"),
    "meeting": ("会议", "决策会议", "会议编号", "meeting"),
}
_FIELDS = ("at", "type", "case", "actor", "id")
IGNORED = NOTE_COLUMNS
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "decision": {"做": "do", "不做": "dont", "再议": "reconsider", "需求转换": "transform",
                 "转换": "transform"},
    "about": {"决策": "decision", "决策结果": "decision", "预估": "estimate",
              "预估完成时间": "estimate", "延期": "delay", "完成": "completion",
              "bug修复": "bugfix", "修复": "bugfix"},
    "commitment": {"策划": "plan", "策划案": "plan", "验收": "acceptance", "完成": "completion"},
    "role": {"收集人": "collector", "产品经理": "pm", "it负责人": "it_lead", "测试": "tester"},
}


@dataclass(frozen=True)
class FactRow:
    line: int
    cells: Mapping[str, str]          # field -> text as written


@dataclass(frozen=True)
class RoleRow:
    line: int
    person: str
    role: str
    at: str | None                    # None: from the start of the scenario


class TableProblem(Exception):
    def __init__(self, problems: Sequence[tuple[int, str, str]]):
        super().__init__("; ".join(en for _, _, en in problems))
        self.problems = list(problems)


def known_columns(policy: CompiledPolicy | None) -> dict[str, str]:
    """Normalised header -> field: a fact's own fields, and the attributes of the pack's fact
    types by their names. The Chinese titles above apply to the attributes of those names a
    pack has (the shipped pack's words); another pack's columns are its attribute names."""
    attributes = None if policy is None else {
        a for spec in policy.model.fact_types.values() for a in spec.attributes}
    columns = {cell_text(alias): name for name, aliases in FIELD_ALIASES.items()
               if attributes is None or name in _FIELDS or name in attributes
               for alias in aliases}
    for attribute in sorted(attributes or ()):
        columns.setdefault(cell_text(attribute), attribute)
    return columns


def read_rows(table: Sequence[TableRow], policy: CompiledPolicy | None,
              lang: str) -> list[FactRow]:
    if not table:
        return []
    header, *body = table
    columns = known_columns(policy)
    fields: list[str | None] = []
    problems: list[tuple[int, str, str]] = []
    for title in header.cells:
        key = cell_text(title)
        if key in (cell_text(i) for i in IGNORED):
            fields.append(None)
            continue
        found = columns.get(key)
        if found is None:
            near = closest(title, list(columns))
            hint_zh = f"（是不是「{near[0]}」？）" if near else ""
            hint_en = f" (did you mean '{near[0]}'?)" if near else ""
            problems.append((header.line, f"事实表格的列「{title}」不认识{hint_zh}",
                             f"the facts table has an unknown column '{title}'{hint_en}"))
        fields.append(found)
    if "at" not in fields or "type" not in fields:
        problems.append((header.line, "事实表格至少要有「时间」和「类型」两列",
                         "a facts table needs at least the columns 'time' and 'type'"))
    if problems:
        raise TableProblem(problems)
    rows = []
    for row in body:
        cells = {f: c.strip() for f, c in zip(fields, row.cells, strict=False)
                 if f is not None and c.strip() not in ("", "-", "—")}
        rows.append(FactRow(row.line, cells))
    return rows


def _shown(field: str, lang: str) -> str:
    """A column's name as a reader writes it (the first Chinese alias, or the id)."""
    aliases = FIELD_ALIASES.get(field, ())
    return aliases[0] if lang == "zh" and aliases else field


def type_names_shown(policy: CompiledPolicy) -> list[str]:
    return [spec.name for spec in policy.model.fact_types.values() if spec.name]


def _resolve(value: str, choices: Iterable[str], names: Mapping[str, str]) -> str:
    pool = list(choices)
    if value in pool:
        return value
    lowered = {cell_text(c): c for c in pool}
    key = cell_text(value)
    if key in lowered:
        return lowered[key]
    return names.get(key, value)


def build_facts(rows: Sequence[FactRow], policy: CompiledPolicy, source: str,
                lang: str) -> list[Fact]:
    """Rows -> facts, or TableProblem listing every row that is not a valid fact."""
    tz = policy.calendar.tz
    type_names = {cell_text(n): t for t, spec in policy.model.fact_types.items()
                  for n in (spec.name, spec.name_en) if n}
    facts: list[Fact] = []
    problems: list[tuple[int, str, str]] = []
    previous: datetime | None = None
    previous_bad = False  # a bare time after a row whose time was wrong is that row's error
    for row in rows:
        raw: dict[str, Any] = {}
        try:
            moment = read_moment(row.cells.get("at", ""), tz, previous)
            if not moment.has_time:
                raise BadValue(f"「{row.cells.get('at')}」只有日期：请写上时刻，例如 10:30",
                               f"'{row.cells.get('at')}' has no time of day: add one, e.g. 10:30")
        except BadValue as exc:
            if not previous_bad:
                problems.append((row.line, exc.zh, exc.en))
            previous_bad = True
            continue
        previous, previous_bad = moment.at, False
        raw["at"] = moment.at.isoformat()
        kind = _resolve(row.cells.get("type", ""), policy.model.fact_types, type_names)
        raw["type"] = kind
        spec = policy.model.fact_types.get(kind)
        if spec is None:
            near = closest(kind, [*policy.model.fact_types, *type_names_shown(policy)])
            hint_zh = f"（是不是「{near[0]}」？）" if near else ""
            hint_en = f" (did you mean '{near[0]}'?)" if near else ""
            problems.append((row.line, f"不认识的事实类型「{kind}」{hint_zh}",
                             f"unknown fact type '{kind}'{hint_en}"))
            continue
        stray = [f for f in row.cells if f not in _FIELDS and f not in spec.attributes]
        if stray:
            allowed_zh = "、".join(_shown(a, "zh") for a in spec.attributes) or "无"
            allowed_en = ", ".join(spec.attributes) or "none"
            problems.append((row.line,
                             f"{kind} 这种事实没有「{'、'.join(_shown(f, 'zh') for f in stray)}」"
                             f"（它可以有的属性：{allowed_zh}）；把这一格留空",
                             f"a {kind} fact has no {', '.join(stray)} (its attributes: "
                             f"{allowed_en}); leave that cell empty"))
            continue
        for field, text in row.cells.items():
            if field in ("at", "type"):
                continue
            if spec is not None and field in spec.attributes:
                attribute = spec.attributes[field]
                try:
                    raw[field] = _attribute(field, text, attribute.type, attribute.values, policy,
                                            moment.at.year)
                except BadValue as exc:
                    problems.append((row.line, exc.zh, exc.en))
                continue
            raw[field] = text
        built = policy.schema.build(raw, line=row.line, origin=source)
        if isinstance(built, list):
            problems.append((row.line, "这一行不是有效的事实：" + "；".join(r.zh for r in built),
                             "this row is not a valid fact: " + "; ".join(built)))
            continue
        facts.append(built)
    if problems:
        raise TableProblem(problems)
    return facts


def _attribute(field: str, text: str, kind: str, values: Sequence[str] | None,
               policy: CompiledPolicy, year: int) -> str:
    if kind == "date":
        return parse_date(text, year).isoformat()
    if kind in ("number", "money"):
        return parse_number(text)
    aliases = {cell_text(k): v for k, v in VALUE_ALIASES.get(field, {}).items()}
    if kind == "enum" and values:
        return _resolve(text, values, aliases)
    if kind == "tier":
        tiers = policy.model.urgency_tiers
        names = {cell_text(spec.name): t for t, spec in tiers.items() if spec.name}
        return _resolve(text.removesuffix("级"), tiers, names) if text not in tiers else text
    if kind == "role":
        return resolve_role(text, policy)
    return text


def resolve_role(text: str, policy: CompiledPolicy) -> str:
    roles = policy.model.roles
    names = {cell_text(n): r for r, spec in roles.items() for n in (spec.name, spec.name_en)
             if n}
    names.update({cell_text(k): v for k, v in VALUE_ALIASES["role"].items() if v in roles})
    return _resolve(text, roles, names)


def problem_text(problem: TableProblem, lang: str) -> list[str]:
    return [say(lang, f"第 {line} 行：{zh}", f"line {line}: {en}")
            for line, zh, en in problem.problems]
