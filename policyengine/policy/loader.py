"""Policy files -> a checked `Policy`, or a `PolicyError` listing every mistake with its place.

Stages: read files -> parse YAML (positions kept) -> merge sections -> validate shapes
(pydantic) -> check references and schedules (`checks.py`). Nothing here evaluates facts.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from policyengine.errors import Diagnostic, Location, PolicyError
from policyengine.policy.checks import WHOLE, check_policy
from policyengine.policy.model import SECTION_NAMES, Policy
from policyengine.policy.source import Path_, SourceDocument, parse_yaml
from policyengine.suggest import closest, did_you_mean
from policyengine.timeparse import AmbiguousUnitError

# Stand-ins for a header section whose errors were reported, so the checks of the
# other sections still run in the same pass.
_PLACEHOLDERS: dict[str, Any] = {
    "policy": {"id": "invalid", "name": "invalid", "version": "invalid"},
    "calendar": {},
}

# Sections whose entries may be spread over several files (one duty per key).
_MERGEABLE = frozenset(
    {"cases", "roles", "urgency_tiers", "fact_types", "duties", "penalties", "rewards"}
)


@dataclass(frozen=True)
class PolicyIdentity:
    """What makes an evaluation reproducible: the exact policy text, and its git revision."""

    content_hash: str
    files: tuple[str, ...]
    git_revision: str | None = None
    # Set only when --allow-history-edit let an edit of a value in force through (history.py).
    history_edit: Mapping[str, object] | None = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "content_hash": self.content_hash,
            "files": list(self.files),
            "git_revision": self.git_revision,
        }
        if self.history_edit is not None:
            out["history_edit"] = dict(self.history_edit)
        return out


@dataclass(frozen=True)
class LoadedPolicy:
    model: Policy
    identity: PolicyIdentity


class _Sources:
    """Where each merged section (or section entry) came from, to locate errors."""

    def __init__(self) -> None:
        self.owner: dict[Path_, SourceDocument] = {}

    def locate(self, path: Sequence[str | int], *, key: bool = False) -> Location:
        path = tuple(path)
        for depth in (2, 1):
            doc = self.owner.get(path[:depth])
            if doc is not None and len(path) >= depth:
                return doc.locate(path, key=key)
        any_doc = next(iter(self.owner.values()), None)
        return Location(any_doc.file if any_doc else "<policy>", 1, 1)


def policy_files(path: str | Path) -> list[Path]:
    root = Path(path)
    if root.is_dir():
        return sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    return [root]


def load_policy_files(path: str | Path = "policies") -> LoadedPolicy:
    """Load and check a policy file, or a directory of them (merged)."""
    files = policy_files(path)
    if not files:
        raise PolicyError([Diagnostic(Location(str(path)), "E-NO-POLICY",
                                      "no .yaml policy files found here")])
    texts: list[tuple[str, str]] = []
    problems: list[Diagnostic] = []
    for file in files:
        try:
            texts.append((str(file), file.read_text(encoding="utf-8")))
        except FileNotFoundError:
            problems.append(Diagnostic(Location(str(file)), "E-NO-POLICY", "file not found"))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Diagnostic(Location(str(file)), "E-READ", f"cannot read: {exc}"))
    if problems:
        raise PolicyError(problems)
    model = load_policy_texts(texts)
    return LoadedPolicy(model, _identity(texts, files))


def load_policy_texts(texts: Iterable[tuple[str, str]]) -> Policy:
    """The pure core of loading: (file name, YAML text) pairs -> Policy."""
    diagnostics: list[Diagnostic] = []
    sources = _Sources()
    merged: dict[str, Any] = {}
    unreadable = False
    misspelt: set[str] = set()
    for file, text in texts:
        doc, found = parse_yaml(text, file)
        diagnostics.extend(found)
        if doc is None:
            unreadable = True
        else:
            _merge(doc, merged, sources, diagnostics, misspelt)
    if unreadable:  # a file that is not YAML: what it defines is unknown, so stop here
        raise PolicyError(diagnostics)
    policy, broken = _validate_sections(merged, sources, diagnostics)
    for section in misspelt:  # its entries were not read: references to it prove nothing
        broken.setdefault(section, set()).add(WHOLE)
    if policy is not None:
        diagnostics.extend(check_policy(policy, sources.locate, broken))
    if diagnostics:
        raise PolicyError(diagnostics)
    assert policy is not None
    return policy


def _validate_sections(
    merged: dict[str, Any], sources: _Sources, out: list[Diagnostic]
) -> tuple[Policy | None, dict[str, set[str]]]:
    """Validate entry by entry, so one broken duty does not hide the checks of the others.

    Returns the policy of the valid entries (None if a required section is broken) and the
    names of the entries that failed, which the reference checks treat as known.
    """
    valid: dict[str, Any] = {}
    broken: dict[str, set[str]] = {}
    for name, field in Policy.model_fields.items():
        if name not in merged:
            continue
        body = merged[name]
        entry_type = _step(field.annotation, "") if name in _MERGEABLE else None
        if entry_type is not None and isinstance(body, dict):
            adapter = TypeAdapter(entry_type)
            kept = {}
            for key, value in body.items():
                try:
                    kept[key] = adapter.validate_python(value)
                except ValidationError as exc:
                    out.extend(_from_pydantic(exc, sources, (name, key)))
                    broken.setdefault(name, set()).add(str(key))
            valid[name] = kept
            continue
        if name in _MERGEABLE:
            broken.setdefault(name, set()).add(WHOLE)
        assert field.annotation is not None
        try:
            valid[name] = TypeAdapter(field.annotation).validate_python(body)
        except ValidationError as exc:
            out.extend(_from_pydantic(exc, sources, (name,)))
            broken.setdefault(name, set())
    for name, placeholder in _PLACEHOLDERS.items():
        if name in broken and name not in valid:
            valid[name] = placeholder  # so the other sections are still checked
    try:
        return Policy.model_validate(valid), broken
    except ValidationError as exc:
        # Sections that failed above are absent here; only report what is really missing.
        out.extend(d for d in _from_pydantic(exc, sources, ())
                   if not any(f"'{name}'" in d.message for name in broken))
        return None, broken


def _merge(doc: SourceDocument, merged: dict[str, Any], sources: _Sources,
           out: list[Diagnostic], misspelt: set[str]) -> None:
    if not isinstance(doc.data, dict):
        sections = ", ".join(SECTION_NAMES)
        out.append(Diagnostic(doc.locate(()), "E-TYPE",
                              f"a policy file is a mapping of sections: {sections}"))
        return
    for section, body in doc.data.items():
        if section not in SECTION_NAMES:
            out.append(Diagnostic(doc.locate((section,), key=True), "E-UNKNOWN-KEY",
                                  f"unknown section '{section}'"
                                  + did_you_mean(str(section), SECTION_NAMES)))
            misspelt.update(closest(str(section), SECTION_NAMES))
            continue
        if section in _MERGEABLE and isinstance(body, dict):
            target = merged.setdefault(section, {})
            if not isinstance(target, dict):
                continue
            sources.owner.setdefault((section,), doc)
            for key, value in body.items():
                if key in target:
                    first = sources.owner[(section, key)]
                    out.append(Diagnostic(
                        doc.locate((section, key), key=True), "E-DUPLICATE-KEY",
                        f"{section}.{key} is defined twice "
                        f"(also in {first.locate((section, key), key=True)})",
                    ))
                    continue
                target[key] = value
                sources.owner[(section, key)] = doc
        elif section in merged:
            first = sources.owner[(section,)]
            out.append(Diagnostic(doc.locate((section,), key=True), "E-DUPLICATE-KEY",
                                  f"section '{section}' is defined twice (also in "
                                  f"{first.locate((section,), key=True)})"))
        else:
            merged[section] = body
            sources.owner[(section,)] = doc


def _from_pydantic(
    exc: ValidationError, sources: _Sources, prefix: tuple[str | int, ...]
) -> list[Diagnostic]:
    errors = exc.errors(include_url=False)
    paths = [prefix + tuple(p for p in e["loc"] if not (isinstance(p, str) and "[" in p))
             for e in errors]
    unknown_keys = {path: str(path[-1]) for path, e in zip(paths, errors, strict=True)
                    if e["type"] == "extra_forbidden"}
    out = []
    for loc, err in zip(paths, errors, strict=True):
        kind = err["type"]
        ctx = err.get("ctx") or {}
        if kind == "extra_forbidden":
            name = str(loc[-1])
            message = f"unknown key '{name}'" + did_you_mean(name, _fields_at(loc[:-1]))
            out.append(Diagnostic(sources.locate(loc, key=True), "E-UNKNOWN-KEY", message))
            continue
        if kind == "missing":
            # A misspelt key is reported once, as unknown with its suggestion.
            siblings = [n for p, n in unknown_keys.items() if p[:-1] == loc[:-1]]
            if any(closest(n, [str(loc[-1])]) for n in siblings):
                continue
            out.append(Diagnostic(sources.locate(loc[:-1]), "E-MISSING-KEY",
                                  f"missing required key '{loc[-1]}'"))
            continue
        if kind == "too_short" and any(p[: len(loc)] == loc and p != loc for p in paths):
            continue  # the items under it were reported; the emptiness is their consequence
        message = str(err["msg"]).removeprefix("Value error, ")
        code = "E-VALUE"
        if isinstance(ctx.get("error"), AmbiguousUnitError):
            code = "E-AMBIGUOUS-UNIT"
        elif kind == "literal_error":
            code = "E-UNKNOWN-VALUE"
            given = err.get("input")
            expected = [s.strip().strip("'") for s in str(ctx.get("expected", "")).replace(
                " or ", ", ").split(",")]
            message = f"'{given}' is not allowed here" + did_you_mean(str(given), expected)
        elif kind.endswith(("_type", "_parsing")):
            code = "E-TYPE"
        where = ".".join(str(p) for p in loc)
        text = f"{where}: {message}" if where else message
        out.append(Diagnostic(sources.locate(loc), code, text))
    return out


def _fields_at(loc: Sequence[str | int]) -> list[str]:
    """The keys the model allows at a data path (for 'did you mean')."""
    annotation: Any = Policy
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    model = _model_in(annotation)
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _step(annotation: Any, part: str | int) -> Any:
    model = _model_in(annotation)
    if model is not None:
        field = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
        return field.annotation if field else None
    inner = _unwrap(annotation)
    origin, args = typing.get_origin(inner), typing.get_args(inner)
    if origin is dict:
        return args[1]
    if origin in (list, tuple):
        return args[0]
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            if arg is not type(None):
                return _step(arg, part)
    return None


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _model_in(annotation: Any) -> type[BaseModel] | None:
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def _identity(texts: list[tuple[str, str]], files: list[Path]) -> PolicyIdentity:
    """Hash of the file names (relative to their folder) and texts, in a fixed order."""
    digest = hashlib.sha256()
    resolved = [Path(f).resolve() for f, _ in texts]
    common = Path(os.path.commonpath([p.parent for p in resolved]))
    names = []
    for path, (_, text) in zip(resolved, texts, strict=True):
        name = path.relative_to(common).as_posix()
        names.append(name)
        digest.update(name.encode() + b"\0" + text.encode() + b"\0")
    return PolicyIdentity("sha256:" + digest.hexdigest(), tuple(names), _git_revision(files[0]))


def _git_revision(file: Path) -> str | None:
    """The commit of the repository holding the policy, with '+dirty' if its files changed."""
    folder = file.resolve().parent
    try:
        head = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"],
                              capture_output=True, text=True, timeout=5)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "-C", str(folder), "status", "--porcelain", "--", "."],
                               capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    revision = head.stdout.strip()
    return revision + ("+dirty" if dirty.stdout.strip() else "")
