"""The policy page's content: each dated version (penalties, rewards, deadline rules) with its
state on a day, and what changed since the previous git revision of the policy files.

The diff is structural: both revisions are loaded into the checked model and compared field
by field, so a moved comment or re-indented file is no change, and a changed amount is shown
where it sits (penalties.P1.versions[1].per_instance).
"""

from __future__ import annotations

import subprocess
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from policyengine.compare import Comparison, compare
from policyengine.engine.compiled import CompiledPolicy, compile_policy
from policyengine.engine.deadlines import Versioned
from policyengine.engine.evaluate import evaluate
from policyengine.errors import PolicyEngineError
from policyengine.facts.schema import Fact
from policyengine.kinds import LatenessMeasure, ScheduleKind
from policyengine.language import Lang
from policyengine.periods import Period
from policyengine.policy.loader import load_policy_texts, policy_files
from policyengine.policy.model import Penalty, PenaltyVersion, Policy, Reward
from policyengine.results import money_text
from policyengine.service.dashboard.catalogue import span, text
from policyengine.service.dashboard.rulebook import Namer, anchor_text
from policyengine.service.reads import Results


class VersionState(StrEnum):
    SUPERSEDED = "superseded"
    IN_FORCE = "in_force"
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class VersionRow:
    rule: str
    name: str
    effective: date | None       # None: from the start (a duty's base deadline)
    value: str
    state: VersionState


def _states(effectives: list[date | None], day: date) -> list[VersionState]:
    """Oldest first: the last one on or before `day` is in force, later ones upcoming."""
    current = None
    for index, effective in enumerate(effectives):
        if effective is None or effective <= day:
            current = index
    return [VersionState.IN_FORCE if i == current
            else VersionState.UPCOMING if current is None or i > current
            else VersionState.SUPERSEDED for i in range(len(effectives))]


def _yuan(amount: Any, forfeit: bool, lang: Lang) -> str:
    if forfeit:
        return text("sched.forfeit", lang)
    return text("sched.yuan", lang, amount=money_text(amount))


def schedule_text(version: PenaltyVersion, lang: Lang) -> str:
    """A version's schedule in words. Read from the version's fields by name, so a schedule
    kind this page does not know yet is still shown (as its terms) rather than hidden."""
    terms = version.model_dump(by_alias=True, exclude_none=True)
    terms.pop("effective", None)
    parts: list[str] = []
    for kind, value in terms.items():
        if kind == ScheduleKind.PER_INSTANCE:
            parts.append(text("sched.per_instance", lang, amount=money_text(value)))
        elif kind == ScheduleKind.CAPPED_PER_INSTANCE:
            parts.append(text("sched.capped", lang, amount=money_text(value["each"]),
                              cap=money_text(value["monthly_cap"])))
        elif kind == ScheduleKind.MONTHLY_COUNT:
            for tier in value:
                outcome = _yuan(tier.get("amount"), tier.get("forfeit", False), lang)
                parts.append(text("sched.count_tier", lang, low=tier["from"], high=tier["to"],
                                  outcome=outcome) if tier.get("to") is not None else
                             text("sched.count_open", lang, low=tier["from"], outcome=outcome))
        elif kind == ScheduleKind.LATENESS:
            for tier in value:
                outcome = _yuan(tier.get("amount"), tier.get("forfeit", False), lang)
                over = span(tier["over"], lang)
                parts.append(text("sched.late_tier", lang, over=over,
                                  up_to=span(tier["up_to"], lang), outcome=outcome)
                             if tier.get("up_to") is not None else
                             text("sched.late_open", lang, over=over, outcome=outcome))
        else:
            parts.append(f"{kind}: {value}")
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


def _name(item: Penalty | Reward, key: str, lang: Lang) -> str:
    return (item.name_en if lang == "en" and item.name_en else item.name) or key


def _with_measure(version: PenaltyVersion, measure: LatenessMeasure, lang: Lang) -> str:
    """A lateness schedule says how its lateness is measured (`measure`, D20): 1 d on the
    clock or one working day; the other schedules do not read lateness."""
    said = schedule_text(version, lang)
    if version.schedule[0] != ScheduleKind.LATENESS:
        return said
    return f"{text(f'measure.{measure}', lang)}{'：' if lang == 'zh' else ': '}{said}"


def penalty_rows(model: Policy, day: date, lang: Lang) -> list[VersionRow]:
    rows = []
    for key, penalty in model.penalties.items():
        states = _states([v.effective for v in penalty.versions], day)
        rows += [VersionRow(key, _name(penalty, key, lang), v.effective,
                            _with_measure(v, penalty.measure, lang), state)
                 for v, state in zip(penalty.versions, states, strict=True)]
    return rows


def reward_rows(model: Policy, day: date, lang: Lang) -> list[VersionRow]:
    rows = []
    for key, reward in model.rewards.items():
        states = _states([v.effective for v in reward.versions], day)
        rows += [VersionRow(key, _name(reward, key, lang), v.effective,
                            text("sched.range", lang, min=money_text(v.min),
                                 max=money_text(v.max)), state)
                 for v, state in zip(reward.versions, states, strict=True)]
    return rows


def deadline_rows(policy: CompiledPolicy, day: date, lang: Lang) -> list[VersionRow]:
    """Each duty's deadline rules, dated; a `from:` anchor is said after its rule."""
    namer = Namer.of(policy.model, lang)
    names = namer.glossary
    rows = []
    for key, duty in policy.duties.items():
        rule = duty.deadline if duty.deadline is not None else duty.recurring
        if rule is None:
            continue
        dated = ([(None, rule.base), *rule.changes] if isinstance(rule, Versioned)
                 else [(None, rule)])
        written = [duty.spec.deadline, *duty.spec.deadline_changes]  # the same order
        states = _states([effective for effective, _ in dated], day)
        name = duty.spec.name_en if lang == "en" and duty.spec.name_en else duty.title
        rows += [VersionRow(key, name, effective, _with_anchor(
                     each.describe().render(lang, names),
                     anchor_text(written[i] if i < len(written) else None, namer), lang), state)
                 for i, ((effective, each), state) in enumerate(zip(dated, states,
                                                                    strict=True))]
    return rows


def _with_anchor(rule: str, anchor: str | None, lang: Lang) -> str:
    if anchor is None:
        return rule
    return f"{rule}{'；' if lang == 'zh' else '; '}{anchor}"


# --- the previous revision --------------------------------------------------------------


@dataclass(frozen=True)
class Revision:
    commit: str
    day: str
    subject: str
    model: Policy


@dataclass(frozen=True)
class Change:
    path: str
    old: Any
    new: Any


def _git(folder: Path, *words: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(folder), *words], capture_output=True,
                              text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


_previous: dict[tuple[str, str], Revision | None] = {}
_previous_lock = threading.Lock()


def previous_revision(policy_path: Path, current: Policy, content_hash: str,
                      depth: int = 30) -> Revision | None:
    """The latest git revision of the policy files whose model differs from `current`
    (cached per policy content: git is asked once per loaded policy)."""
    key = (str(policy_path.resolve()), content_hash)
    with _previous_lock:
        if key in _previous:
            return _previous[key]
    found = _find_previous(policy_path.resolve(), current, depth)
    with _previous_lock:
        _previous[key] = found
    return found


def _find_previous(path: Path, current: Policy, depth: int) -> Revision | None:
    folder = path if path.is_dir() else path.parent
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top is None:
        return None
    root = Path(top.strip())
    files = [str(f.resolve().relative_to(root)) for f in policy_files(path)]
    log = _git(root, "log", f"-n{depth}", "--format=%H%x09%ad%x09%s", "--date=short", "--",
               *files)
    for entry in (log or "").splitlines():
        commit, day, subject = [*entry.split("\t", 2), "", ""][:3]
        texts = []
        for name in files:
            content = _git(root, "show", f"{commit}:{name}")
            if content is not None:
                texts.append((f"{commit[:12]}:{name}", content))
        if not texts:
            continue
        try:
            model = load_policy_texts(texts)
        except PolicyEngineError:
            continue  # a revision that did not load is no useful comparison
        if model != current:
            return Revision(commit, day, subject, model)
    return None


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _flatten(item, f"{prefix}[{index}]", out)
    else:
        out[prefix] = value


def model_changes(old: Policy, new: Policy, limit: int = 300) -> list[Change]:
    """Field-by-field differences of two checked models, in path order."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    _flatten(old.model_dump(mode="json", by_alias=True, exclude_none=True), "", before)
    _flatten(new.model_dump(mode="json", by_alias=True, exclude_none=True), "", after)
    paths = sorted(set(before) | set(after))
    return [Change(p, before.get(p), after.get(p)) for p in paths
            if before.get(p) != after.get(p)][:limit]


_effects: OrderedDict[tuple[str, str, int, int], Comparison | None] = OrderedDict()


def effect_on_month(previous: Revision, results: Results, facts: list[Fact], count: int,
                    period: Period) -> Comparison | None:
    """How the month's charges under the previous revision compare with those in force
    (`compare`, as `policyengine diff` does); None when the old policy cannot evaluate the
    month. Cached per revision, month and number of facts read."""
    key = (previous.commit, period.label, count, id(results))
    with _previous_lock:
        if key in _effects:
            return _effects[key]
    try:
        old = evaluate(compile_policy(previous.model), facts, period=period)
        new = results.get(period, None)
        found: Comparison | None = compare(old.to_dict(), new.to_dict(),
                                           old_label=previous.commit[:12], new_label="in force")
    except PolicyEngineError:
        found = None
    with _previous_lock:
        _effects[key] = found
        while len(_effects) > 32:
            _effects.popitem(last=False)
    return found
