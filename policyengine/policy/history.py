"""Is a closed past being rewritten? Dated values already in force, compared between two policies.

Every number a rule uses lives in a dated version (docs/changing-values.md): a change is a
new version with a later effective date, so months already evaluated keep their results.
This module compares the policy as committed (`old`) with the policy as edited (`new`) and
lists each edit of a version already in force on `today`: a changed value or bound, a removed
version, a version added with a date already past. Versions effective after `today` may be
edited freely. An entry (penalty, reward, duty) new in `new` is a new rule, not an edit.

Pure: two policies, their parsed sources (for lines and for the YAML to suggest) and a date
in; edits and diagnostics out. Reading git and the clock is the caller's job.
"""

from __future__ import annotations

import calendar as monthdays
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

import yaml
from pydantic import BaseModel

from policyengine.engine.penalties import SCHEDULES
from policyengine.errors import Diagnostic, Location
from policyengine.policy.messages import NOTHING, Say, Words
from policyengine.policy.model import Policy
from policyengine.policy.source import Path_, SourceDocument, parse_yaml
from policyengine.timeparse import Span, format_duration

HISTORY_EDIT = "E-HISTORY-EDIT"
HISTORY_EDIT_ALLOWED = "W-HISTORY-EDIT"
SINCE_ALWAYS = date.min  # a duty's base `deadline` has applied from the start


class EditKind(StrEnum):
    CHANGED = "changed"        # a value or bound of a version in force was changed in place
    REMOVED = "removed"        # a version in force was deleted (or its date moved)
    BACKDATED = "backdated"    # a version was added with an effective date already past
    MEASURE = "measure"        # a rule's lateness measure changed while a version is in force


class Sources:
    """Where each section entry of a policy was written: its YAML document."""

    def __init__(self, documents: Iterable[SourceDocument]):
        self.owner: dict[tuple[str, str], SourceDocument] = {}
        for doc in documents:
            if isinstance(doc.data, dict):
                for section, body in doc.data.items():
                    if isinstance(body, dict):
                        for key in body:
                            self.owner.setdefault((str(section), str(key)), doc)

    @classmethod
    def parse(cls, texts: Iterable[tuple[str, str]]) -> Sources:
        """(file name, YAML text) pairs, as given to `load_policy_texts`."""
        return cls(doc for file, text in texts for doc in [parse_yaml(text, file)[0]]
                   if doc is not None)

    def locate(self, path: Path_) -> Location:
        doc = self.owner.get((str(path[0]), str(path[1])))
        return doc.locate(path) if doc is not None else Location("<policy>")

    def raw(self, path: Path_) -> Any:
        """The YAML data at `path`, as written (`1d` stays `1d`), or None."""
        doc = self.owner.get((str(path[0]), str(path[1])))
        node = doc.data if doc is not None else None
        for part in path:
            found = (isinstance(node, dict) and part in node) or (
                isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node))
            if not found:
                return None
            node = node[part]  # type: ignore[index]
        return node


@dataclass(frozen=True)
class HistoryEdit:
    kind: EditKind
    path: Path_                 # the version (or its value) in the edited policy, or the old one
    effective: date
    location: Location
    old: str | None = None
    new: str | None = None
    advice: Words = NOTHING     # the YAML to write instead, with where to write it

    @property
    def where(self) -> str:
        return ".".join(str(p) for p in self.path)

    @property
    def suggestion(self) -> str:
        """The YAML to write instead, introduced in English (JSON, tests)."""
        return self.advice.en

    def words(self, today: date) -> Words:
        """Why the edit is refused, in both languages."""
        since = (Say.HISTORY_SINCE_START() if self.effective == SINCE_ALWAYS
                 else Say.HISTORY_SINCE(date=self.effective))
        owner = _owner(self.path)
        if self.kind is EditKind.CHANGED:
            return Say.HISTORY_CHANGED(where=self.where, old=self.old, new=self.new,
                                       owner=owner, since=since, today=today)
        if self.kind is EditKind.MEASURE:
            return Say.HISTORY_MEASURE(where=self.where, old=self.old, new=self.new, owner=owner,
                                       effective=self.effective, today=today)
        if self.kind is EditKind.REMOVED:
            return Say.HISTORY_REMOVED(owner=owner, since=since, today=today)
        return Say.HISTORY_BACKDATED(where=self.where, owner=owner, effective=self.effective,
                                     today=today)

    def message(self, today: date) -> str:
        return self.words(today).en

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "path": self.where,
                "effective": None if self.effective == SINCE_ALWAYS else str(self.effective),
                "file": self.location.file, "line": self.location.line,
                "old": self.old, "new": self.new}


def history_edits(old: Policy, new: Policy, today: date, new_sources: Sources,
                  old_sources: Sources) -> list[HistoryEdit]:
    """Edits of dated values in force on `today` (effective on or before it), sorted by place."""
    old_series = dict(_series(old))
    new_series = dict(_series(new))
    edits: list[HistoryEdit] = []
    for entry, new_versions in new_series.items():
        old_versions = old_series.get(entry)
        if old_versions is None:
            continue  # a new rule: nothing of it was ever evaluated
        by_date = {v.effective: v for v in new_versions}
        kept = {v.effective for v in old_versions}
        for before in old_versions:
            if before.effective > today:
                continue
            after = by_date.get(before.effective)
            if after is None:
                edits.append(_removed(before, entry, new_sources, old_sources))
                continue
            for field, was, now in _differences(before.values, after.values, ()):
                path = (*after.path, *field)
                edits.append(HistoryEdit(
                    EditKind.CHANGED, path, before.effective, new_sources.locate(path),
                    _show(was), _show(now),
                    _suggest(after, new_sources, _next_effective(after, today))))
        for added in new_versions:
            if added.effective <= today and added.effective not in kept:
                edits.append(HistoryEdit(
                    EditKind.BACKDATED, added.path, added.effective,
                    new_sources.locate((*added.path, "effective")), None, str(added.effective),
                    _suggest(added, new_sources, _next_effective(added, today))))
    edits += _measures(old, new, today, new_sources)
    for entry, old_versions in old_series.items():
        if entry not in new_series:
            edits.extend(_removed(v, entry, new_sources, old_sources)
                         for v in old_versions if v.effective <= today)
    return sorted(edits, key=lambda e: (e.location, e.where))


def _measures(old: Policy, new: Policy, today: date, new_sources: Sources) -> list[HistoryEdit]:
    """A rule's `measure` reads every version's tiers: changed while a version is in force,
    it rewrites the lateness of months already evaluated (from the oldest such version)."""
    edits = []
    for pid, after in new.penalties.items():
        before = old.penalties.get(pid)
        if before is None or before.measure == after.measure:
            continue
        in_force = [v.effective for v in before.versions if v.effective <= today]
        if not in_force:
            continue
        path = ("penalties", pid, "measure")
        located = new_sources.locate(path if new_sources.raw(path) is not None
                                     else ("penalties", pid))
        edits.append(HistoryEdit(EditKind.MEASURE, path, min(in_force), located,
                                 str(before.measure), str(after.measure)))
    return edits


def history_diagnostics(edits: Sequence[HistoryEdit], today: date, *,
                        allowed: bool = False) -> list[Diagnostic]:
    """One located diagnostic per edit: an error, or a warning when the edit was allowed."""
    code = HISTORY_EDIT_ALLOWED if allowed else HISTORY_EDIT
    found = []
    for edit in edits:
        words = edit.words(today)
        if allowed:
            words = Say.HISTORY_ALLOWED(message=words)
        found.append(Diagnostic(edit.location, code, words.en, words.zh))
    return found


# --- the dated series of a policy ----------------------------------------------------------


@dataclass(frozen=True)
class _Version:
    effective: date
    path: Path_                  # where the version is written
    values: dict[str, Any]       # what it says, without its date
    monthly: bool = False        # a schedule charged by the month starts on the 1st of one
    list_path: Path_ = ()        # the list a new version is added to
    base: bool = False           # a duty's undated base deadline


def _series(policy: Policy) -> Iterator[tuple[tuple[str, str], list[_Version]]]:
    for pid, penalty in policy.penalties.items():
        yield ("penalties", pid), [
            _Version(v.effective, ("penalties", pid, "versions", i), _values(v),
                     SCHEDULES[v.schedule[0]].per_month, ("penalties", pid, "versions"))
            for i, v in enumerate(penalty.versions)]
    for rid, reward in policy.rewards.items():
        yield ("rewards", rid), [
            _Version(v.effective, ("rewards", rid, "versions", i), _values(v),
                     list_path=("rewards", rid, "versions"))
            for i, v in enumerate(reward.versions)]
    for did, duty in policy.duties.items():
        if duty.deadline is None:
            continue
        changes = ("duties", did, "deadline_changes")
        yield ("duties", did), [
            _Version(SINCE_ALWAYS, ("duties", did, "deadline"), _values(duty.deadline),
                     list_path=changes, base=True),
            *(_Version(c.effective, (*changes, i), _values(c), list_path=changes)
              for i, c in enumerate(duty.deadline_changes))]


def _values(model: BaseModel) -> dict[str, Any]:
    """What a version says, by YAML key, without its date (a `Span` stays one value)."""
    return {field.alias or name: _plain(getattr(model, name))
            for name, field in type(model).model_fields.items() if name != "effective"}


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return _values(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _differences(old: Any, new: Any, at: Path_) -> Iterator[tuple[Path_, Any, Any]]:
    """(path, old, new) of each leaf that differs; a list of another length differs whole."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            yield from _differences(old.get(key), new.get(key), (*at, key))
    elif (isinstance(old, list | tuple) and isinstance(new, list | tuple)
          and len(old) == len(new)):
        for i, (was, now) in enumerate(zip(old, new, strict=True)):
            yield from _differences(was, now, (*at, i))
    elif old != new:
        yield at, old, new


def _removed(version: _Version, entry: tuple[str, str], new_sources: Sources,
             old_sources: Sources) -> HistoryEdit:
    where = (new_sources.locate(version.list_path) if new_sources.raw(entry) is not None
             else old_sources.locate(version.path))
    raw = old_sources.raw(version.path)
    text = _yaml_item(raw, version.base, version.effective)
    return HistoryEdit(EditKind.REMOVED, version.path, version.effective, where,
                       _show(version.values), None, Words(text, text))


def _next_effective(version: _Version, today: date) -> date:
    """The first date a new version may take: tomorrow, or the next 1st for monthly counts."""
    if version.monthly:
        last = monthdays.monthrange(today.year, today.month)[1]
        return date(today.year, today.month, last) + timedelta(days=1)
    return today + timedelta(days=1)


def _suggest(version: _Version, sources: Sources, effective: date) -> Words:
    """The version to add instead: what the edit says, under a date still to come."""
    raw = sources.raw(version.path)
    where = ".".join(str(p) for p in version.list_path)
    text = _yaml_item(raw, version.base, effective)
    return Say.HISTORY_UNDER(where=where) + Words(text, text)


def _yaml_item(raw: Any, base: bool, effective: date) -> str:
    body = dict(raw) if isinstance(raw, dict) else {}
    body.pop("effective", None)
    item = {"effective": effective, **body} if not base or effective != SINCE_ALWAYS else body
    text = yaml.safe_dump([item], allow_unicode=True, sort_keys=False, default_flow_style=None,
                          width=100)
    return "".join(f"  {line}\n" for line in text.splitlines())


def _owner(path: Path_) -> str:
    return f"{path[0]}.{path[1]}" if len(path) >= 2 else ".".join(map(str, path))


def _show(value: Any) -> str:
    """A value as an author wrote it: 20, 1d, 2 working_days, none."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, Span):
        return str(value)
    if isinstance(value, dict):
        shown = ", ".join(f"{k}: {_show(v)}" for k, v in value.items() if v not in (None, False))
        return "{" + shown + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)
