"""One scenario's state: its policy, its facts, its evaluation; and how a step fails.

Steps only add to the world (policy path, changes, fact rows, role holders) until the
When step evaluates; Then steps read `world.result`. Nothing here reads the clock: a
scenario's time is the time its facts and its evaluation say.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

from policyengine.bdd.compare import Context
from policyengine.bdd.facttable import (
    FactRow,
    RoleRow,
    TableProblem,
    build_facts,
    problem_text,
    resolve_role,
)
from policyengine.bdd.failures import ScenarioError, ScenarioFailure
from policyengine.bdd.normalize import say
from policyengine.bdd.policies import PolicyProblem, load
from policyengine.bdd.values import BadValue, read_moment
from policyengine.engine.compiled import CompiledPolicy
from policyengine.engine.evaluate import evaluate
from policyengine.engine.replay import Replay, replay
from policyengine.errors import (
    CalendarDataMissing,
    DiagnosticsError,
    PolicyEngineError,
    PolicyError,
)
from policyengine.facts.schema import Fact
from policyengine.periods import Period
from policyengine.policy.checks import ROLE_FACT
from policyengine.policy.packs import Library, library_at
from policyengine.results import EvaluationResult
from policyengine.suggest import closest


@dataclass
class RunContext:
    """What all scenarios of a run share: the project folder, the default policy, the
    scenario folders, a cache."""

    rootdir: Path
    policy: str = "policies"
    cache: dict[tuple[Any, ...], CompiledPolicy] = field(default_factory=dict)
    features: tuple[Path, ...] = ()   # the policyengine_features folders
    _library: list[Library | None] = field(default_factory=list)  # read once per run

    def library(self) -> Library | None:
        """The default policy as a folder of packs, or None when it is one policy (or its
        packs.yaml is broken: loading the policy then says where)."""
        if not self._library:
            try:
                self._library.append(library_at(self.resolve(self.policy)))
            except PolicyError:
                self._library.append(None)
        return self._library[0]

    def pack_of(self, feature: Path) -> str | None:
        """The pack a feature file runs under by default: `features/<pack>/...` when <pack>
        is a pack of the default policy's folder of packs (docs/writing-scenarios.en.md)."""
        library = self.library()
        if library is None:
            return None
        where = feature.resolve()
        for root in self.features:
            top = root.resolve()
            if top in where.parents:
                first = where.relative_to(top).parts[0]
                if first in library.names() and len(where.relative_to(top).parts) > 1:
                    return first
        return None

    def resolve(self, text: str, near: Path | None = None) -> Path:
        path = Path(text).expanduser()
        if path.is_absolute():
            return path
        candidates = [self.rootdir / path]
        if near is not None:
            candidates.append(near.parent / path)
        return next((c for c in candidates if c.exists()), candidates[0])


# Letters typed for the digits they look like, in an id (upper-cased): I and L for 1, O for 0.
_LOOKALIKES = str.maketrans("ILO", "110")


def engine_error_text(exc: PolicyEngineError, lang: str) -> str:
    """An error of the engine as a scenario in `lang` (zh or en) shows it: its Chinese
    wording in a Chinese scenario where it has one (E-CAL-YEAR, a policy's or a fact's
    diagnostics), its code kept."""
    if isinstance(exc, CalendarDataMissing):
        return exc.text(lang)
    if isinstance(exc, DiagnosticsError) and lang == "zh":
        return "\n".join(d.render(lang) for d in exc.diagnostics)
    return str(exc)


@dataclass
class Evaluation:
    period: Period | None
    as_of: datetime
    line: int


class World:
    def __init__(self, context: RunContext, feature: Path, lang: str):
        self.context = context
        self.feature = feature
        self.lang = lang
        self.policy_path: Path | None = None
        self.policy_line = 0
        self.pack: str | None = context.pack_of(feature)  # its folder's pack, else the default
        self.changes: list[tuple[int, Any]] = []
        self.rows: list[FactRow] = []
        self.roles: list[RoleRow] = []
        self.weekly_on_time = False
        self.result: EvaluationResult | None = None
        self.evaluation: Evaluation | None = None
        self.failure: str | None = None          # why the evaluation failed, if it did
        self.failure_texts: tuple[str, ...] = ()  # that, in the scenario's language and English
        self.facts: list[Fact] = []
        self._policy: CompiledPolicy | None = None
        self._replay: Replay | None = None   # the evaluation's replay, when a step asks

    # -- messages ---------------------------------------------------------------------------

    def t(self, zh: str, en: str) -> str:
        return say(self.lang, zh, en)

    def at_line(self, line: int) -> str:
        return self.t(f"第 {line} 行：", f"line {line}: ") if line else ""

    def fail(self, line: int, zh: str, en: str) -> NoReturn:
        raise ScenarioFailure(self.at_line(line) + self.t(zh, en))

    def error(self, line: int, zh: str, en: str) -> NoReturn:
        raise ScenarioError(self.at_line(line) + self.t(zh, en))

    def bad_value(self, line: int, exc: BadValue) -> NoReturn:
        raise ScenarioError(self.at_line(line) + exc.text(self.lang))

    @property
    def source(self) -> str:
        try:
            return str(self.feature.relative_to(self.context.rootdir))
        except ValueError:
            return str(self.feature)

    # -- policy -----------------------------------------------------------------------------

    def policy(self) -> CompiledPolicy:
        if self._policy is None:
            path = self.policy_path or self.context.resolve(self.context.policy)
            pack = None if self.policy_path else self.pack
            if not path.exists():
                self.error(self.policy_line, f"找不到制度 {path}：用「假如 使用制度 <路径>」指定，"
                           "或在 pytest 配置里设置 policyengine_policy",
                           f"no policy at {path}: name one with 'Given the policy <path>', or "
                           "set policyengine_policy in the pytest configuration")
            try:
                self._policy = load(path, [c for _, c in self.changes], self.context.cache,
                                    pack, self.lang)
            except PolicyProblem as exc:
                line = self.changes[-1][0] if self.changes else self.policy_line
                detail = "\n".join("  " + text for text in exc.lines)
                raise ScenarioError(self.at_line(line) + self.t(
                    f"制度 {path} 无法加载：\n{detail}",
                    f"the policy {path} does not load:\n{detail}")) from None
        return self._policy

    def set_policy(self, path: Path, line: int) -> None:
        self.policy_path, self.policy_line, self._policy = path, line, None

    def set_pack(self, name: str, line: int) -> None:
        """`Given the rule book NAME`: a pack of the project's folder of packs."""
        library = self.context.library()
        if library is None:
            self.error(line, f"项目的制度 {self.context.policy} 不是制度包目录"
                       "（每个子文件夹各有一个 policy.yaml），没有制度包可选",
                       f"the project's policy {self.context.policy} is not a folder of packs "
                       "(sub-folders with a policy.yaml each): there is no pack to choose")
        if name not in library.names():
            listed = "、".join(library.names())
            self.error(line, f"没有名为「{name}」的制度包；现有的制度包：{listed}",
                       f"there is no pack '{name}'; the packs: {', '.join(library.names())}")
        self.pack, self.policy_path, self.policy_line, self._policy = name, None, line, None

    def change_policy(self, change: Any, line: int) -> None:
        self.changes.append((line, change))
        self._policy = None

    def table_context(self) -> Context:
        """What expectation tables need to read and show values."""
        return Context(self.lang, self.policy().calendar.tz)

    # -- evaluation -------------------------------------------------------------------------

    def evaluate(self, period: Period | None, as_of: datetime | None, line: int) -> None:
        policy = self.policy()
        tz = policy.calendar.tz
        if as_of is None:
            assert period is not None
            as_of = period.end_at(tz)
        try:
            facts = build_facts(self.rows, policy, self.source, self.lang)
        except TableProblem as exc:
            raise ScenarioError("\n".join(problem_text(exc, self.lang))) from None
        start = min((f.at for f in facts), default=period.start_at(tz) if period else as_of)
        facts = self._role_facts(policy, start) + facts
        if self.weekly_on_time:
            facts += self._weekly_reports(policy, facts, as_of)
        self.facts = facts
        self.evaluation = Evaluation(period, as_of, line)
        self.result, self.failure, self._replay = None, None, None
        self.failure_texts = ()
        try:
            self.result = evaluate(policy, facts, period=period, as_of=as_of)
        except PolicyEngineError as exc:
            self.failure = engine_error_text(exc, self.lang)
            self.failure_texts = (self.failure, str(exc))

    def need_result(self, line: int) -> EvaluationResult:
        if self.failure is not None and self.evaluation is not None:
            self.error(self.evaluation.line, f"评估无法进行：{self.failure}",
                       f"the evaluation failed: {self.failure}")
        if self.result is None:
            self.error(line, "还没有评估：先写「当 评估 2026年10月」这样的步骤",
                       "nothing was evaluated yet: add a step such as 'When evaluating 2026-10'")
        return self.result

    # -- names a Then step reads ------------------------------------------------------------

    def known_duties(self, line: int, named: Iterable[str]) -> set[str]:
        """`named` (upper-cased ids), each a duty or prohibition of the policy: a misspelt
        id would make 'there is no R1X violation' true of any result."""
        model = self.policy().model
        return self._known(line, named, [*model.duties, *model.prohibitions], "职责", "duty",
                           "duties")

    def known_rewards(self, line: int, named: Iterable[str]) -> set[str]:
        return self._known(line, named, self.policy().model.rewards, "奖励", "reward",
                           "rewards")

    def _known(self, line: int, named: Iterable[str], pool: Iterable[str], what_zh: str,
               what: str, whats: str) -> set[str]:
        names = {name.upper(): name for name in pool}
        wanted = set(named)
        for name in sorted(wanted - set(names)):
            # a letter typed for the digit it looks like (Bl, AI, R1O) first
            alike = name.translate(_LOOKALIKES)
            near = [alike] if alike in names else closest(name, names)
            listed = ", ".join(sorted(names))
            self.error(line, f"制度里没有编号为「{name}」的{what_zh}"
                       + (f"（是不是「{near[0]}」？）" if near else "") + f"；现有的：{listed}",
                       f"the policy has no {what} '{name}'"
                       + (f" (did you mean '{near[0]}'?)" if near else "")
                       + f"; its {whats}: {listed}")
        return wanted

    def known_person(self, line: int, person: str) -> None:
        """`person` appears in the scenario (an actor, a role holder, an attribute) or in its
        result: '李晓四 pays 0 yuan' of a name that is nowhere is true of any result."""
        result = self.need_result(line)
        seen = {f.actor for f in self.facts} | {str(value) for f in self.facts
                                               for value in f.attrs.values()}
        seen |= {v.person for v in result.violations} | {p.person for p in result.people}
        seen |= {o.person for o in result.obligations} | {r.person for r in result.rewards}
        if person in seen:
            return
        people = sorted({f.actor for f in self.facts if f.actor}
                        | {p.person for p in result.people if p.person})
        near = closest(person, people)
        self.error(line, f"「{person}」没有出现在这个场景的事实、角色和结果里"
                   + (f"（是不是「{near[0]}」？）" if near else "（名字写错了吗？）"),
                   f"'{person}' appears nowhere in this scenario's facts, roles or results"
                   + (f" (did you mean '{near[0]}'?)" if near else " (is the name mistyped?)"))

    def deadlines(self, duty: str) -> list[tuple[str | None, datetime]]:
        """(case, deadline) of every obligation of `duty` up to the evaluation's as-of, met
        ones too (a result lists only violations and open obligations)."""
        if self.evaluation is None or self.failure is not None:
            return []
        if self._replay is None:
            self._replay = replay(self.policy(), self.facts, self.evaluation.as_of)
        return [(o.case, o.due) for o in self._replay.obligations
                if o.duty.id.upper() == duty.upper()]

    def need_quarter(self, line: int) -> EvaluationResult:
        """The result, for a step about one reward or one person's: only a quarter's
        evaluation assesses them, so of a month's every such check would pass."""
        result = self.need_result(line)
        period = self.evaluation.period if self.evaluation is not None else None
        if period is None or "-Q" not in period.label:
            shown = period.label if period is not None else self.t("某一刻", "a moment")
            self.error(line, f"奖励按季度评定，而这个场景评估的是 {shown}：请评估一个季度"
                       "（例如「当 评估 2026年第三季度」）",
                       f"rewards are assessed per quarter, and this scenario evaluates {shown}: "
                       "evaluate a quarter (e.g. 'When evaluating 2026-Q3')")
        return result

    def _role_facts(self, policy: CompiledPolicy, start: datetime) -> list[Fact]:
        facts = []
        previous: datetime | None = None
        for row in self.roles:
            try:
                at = read_moment(row.at, policy.calendar.tz, previous).at if row.at else start
            except BadValue as exc:
                self.bad_value(row.line, exc)
            role = resolve_role(row.role, policy)
            built = policy.schema.build({"type": ROLE_FACT, "at": at.isoformat(), "role": role,
                                         "person": row.person},
                                        line=row.line, origin=self.source)
            if isinstance(built, list):
                self.error(row.line, "角色无法指派：" + "；".join(r.zh for r in built),
                           "the role cannot be assigned: " + "; ".join(built))
            facts.append(built)
        return facts

    def _weekly_reports(self, policy: CompiledPolicy, facts: list[Fact],
                        as_of: datetime) -> list[Fact]:
        """One on-time report (two hours before each deadline) for every week a recurring
        duty is owed, for the duties the scenario writes no report of itself (a scenario about
        late W1 reports still has its W2 and W3 reports filled in)."""
        if not facts:
            return []
        first = min(f.at for f in facts)
        written = {f.type for f in facts}
        made = []
        for duty in policy.recurring:
            if duty.fulfil.fact in written:
                continue
            rule = duty.recurring
            assert rule is not None
            raw = rule.first_at_or_after(rule.calendar.local(first))
            attrs = {key: sorted(values)[0] for key, values in duty.fulfil.where}
            while raw - timedelta(hours=2) <= as_of:
                # two hours before the deadline (a last working day may be before the raw
                # month-end; a year without data keeps the raw time)
                try:
                    due = rule.due_of(raw, None)
                except CalendarDataMissing:
                    due = raw
                at = min(raw, due) - timedelta(hours=2)
                built = policy.schema.build({"type": duty.fulfil.fact, "at": at.isoformat(),
                                             **attrs}, origin=f"{self.source} (weekly, on time)")
                if isinstance(built, Fact):
                    made.append(built)
                raw = rule.following(raw)
        return made
