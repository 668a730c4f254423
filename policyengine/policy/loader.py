"""Policy files -> a checked `Policy`, or a `PolicyError` listing every mistake with its place.

Stages: read files -> parse YAML (positions kept) -> merge sections -> validate shapes
(pydantic) -> check references and schedules (`checks.py`). Nothing here evaluates facts.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from policyengine.errors import Diagnostic, Location, PolicyError
from policyengine.policy.checks import WHOLE, check_policy
from policyengine.policy.encoding import decode_policy_text
from policyengine.policy.messages import Say, diagnostic, hint
from policyengine.policy.model import SECTION_NAMES, Policy
from policyengine.policy.packs import resolve
from policyengine.policy.source import Path_, SourceDocument, parse_yaml
from policyengine.policy.syntax import AnchorFinder, anchors_in
from policyengine.policy.validation import from_pydantic, step
from policyengine.suggest import closest

# Stand-ins for a header section whose errors were reported, so the checks of the
# other sections still run in the same pass.
_PLACEHOLDERS: dict[str, Any] = {
    "policy": {"id": "invalid", "name": "invalid", "version": "invalid"},
    "calendar": {},
}

# Sections whose entries may be spread over several files (one duty per key).
_MERGEABLE = frozenset(
    {"cases", "roles", "urgency_tiers", "fact_types", "duties", "penalties", "rewards",
     "decisions", "prohibitions"}
)


@dataclass(frozen=True)
class PolicyIdentity:
    """What makes an evaluation reproducible: the exact policy text, and its git revision."""

    content_hash: str
    files: tuple[str, ...]
    git_revision: str | None = None
    # Set only when --allow-history-edit let an edit of a value in force through (history.py).
    history_edit: Mapping[str, object] | None = None
    # The pack's name when the policy is one pack of a folder of packs (packs.py, D22).
    pack: str | None = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "content_hash": self.content_hash,
            "files": list(self.files),
            "git_revision": self.git_revision,
        }
        if self.history_edit is not None:
            out["history_edit"] = dict(self.history_edit)
        if self.pack is not None:
            out["pack"] = self.pack
        return out


@dataclass(frozen=True)
class LoadedPolicy:
    model: Policy
    identity: PolicyIdentity


class _Sources:
    """Where each merged section (or section entry) came from, to locate errors."""

    def __init__(self) -> None:
        self.owner: dict[Path_, SourceDocument] = {}
        self.docs: list[SourceDocument] = []  # every file read, an empty one too

    def locate(self, path: Sequence[str | int], *, key: bool = False) -> Location:
        path = tuple(path)
        for depth in (2, 1):
            doc = self.owner.get(path[:depth])
            if doc is not None and len(path) >= depth:
                return doc.locate(path, key=key)
        any_doc = self.docs[0] if self.docs else None
        return Location(any_doc.file if any_doc else "<policy>", 1, 1)

    def home_of(self, section: str) -> SourceDocument | None:
        """The file a missing section was likely emptied out of: the one named for it
        (`duties.yaml`), else the only file that holds nothing."""
        for doc in self.docs:
            if Path(doc.file).stem.lower() == section:
                return doc
        empty = [doc for doc in self.docs if doc.data == {}]
        return empty[0] if len(empty) == 1 else None


POLICY_SUFFIXES = (".yaml", ".yml")


def is_policy_file(name: str) -> bool:
    """Whether a file of a policy folder is read: its name ends in .yaml or .yml, in any case
    (`rewards.YAML`, as some Windows tools save it)."""
    return name.lower().endswith(POLICY_SUFFIXES)


def policy_files(path: str | Path) -> list[Path]:
    root = Path(path)
    if root.is_dir():
        return sorted(p for p in root.rglob("*") if is_policy_file(p.name) and p.is_file())
    return [root]


def misnamed_files(path: str | Path) -> list[tuple[Path, str]]:
    """Files of a policy folder named as a policy file with more after it, and the name
    they were likely meant to have: `rewards.yaml.txt` (Notepad's "Text Documents"),
    `duties.yaml.bak`. Not read, so said rather than skipped: a rule book missing its
    rewards file evaluates without rewards. Hidden files (an editor's swap file) are left."""
    root = Path(path)
    if not root.is_dir():
        return []
    found = []
    for file in sorted(root.rglob("*")):
        name = file.name
        lower = name.lower()
        if name.startswith(".") or is_policy_file(name) or not file.is_file():
            continue
        for suffix in POLICY_SUFFIXES:
            at = lower.find(suffix + ".")
            if at > 0:
                found.append((file, name[:at + len(suffix)]))
                break
    return found


def load_policy_files(path: str | Path = "policies", pack: str | None = None) -> LoadedPolicy:
    """Load and check a policy file, or a directory of them (merged).

    A folder of packs (packs.py) means its default pack, or the one named `pack`.
    """
    resolved = resolve(path, pack)
    path = resolved.path
    files = policy_files(path)
    if not files:
        raise PolicyError([diagnostic(Location(str(path)), "E-NO-POLICY", Say.NO_POLICY())])
    texts: list[tuple[str, str]] = []
    problems = [diagnostic(Location(str(file)), "E-POLICY-FILE-NAME",
                           Say.NOT_A_POLICY_FILE_NAME(name=file.name, meant=meant))
                for file, meant in misnamed_files(path)]
    for file in files:
        try:
            raw = file.read_bytes()
        except FileNotFoundError:
            problems.append(diagnostic(Location(str(file)), "E-NO-POLICY", Say.FILE_NOT_FOUND()))
            continue
        except PermissionError:
            problems.append(diagnostic(Location(str(file)), "E-READ", Say.NO_PERMISSION()))
            continue
        except OSError as exc:
            problems.append(diagnostic(Location(str(file)), "E-READ",
                                       Say.CANNOT_READ(reason=exc.strerror or exc)))
            continue
        text, found = decode_policy_text(raw, str(file))
        problems.extend(found)
        if text is not None:
            texts.append((str(file), text))
    model = _load(texts, problems)
    identity = _identity(texts, files)
    return LoadedPolicy(model, dataclasses.replace(identity, pack=resolved.pack))


def load_policy_texts(texts: Iterable[tuple[str, str]]) -> Policy:
    """The pure core of loading: (file name, YAML text) pairs -> Policy."""
    return _load(texts, [])


def _load(texts: Iterable[tuple[str, str]], unread: list[Diagnostic]) -> Policy:
    """`unread`: why some files could not be read at all (then only syntax is checked)."""
    diagnostics: list[Diagnostic] = list(unread)
    sources = _Sources()
    merged: dict[str, Any] = {}
    unreadable = bool(unread)
    misspelt: set[str] = set()
    texts = list(texts)
    for file, text in texts:
        doc, found = parse_yaml(text, file, _anchor_finder(texts, file))
        diagnostics.extend(found)
        if doc is None:
            unreadable = True
        else:
            sources.docs.append(doc)
            _merge(doc, merged, sources, diagnostics, misspelt)
    language = _language_of(merged)
    if unreadable:
        # A file that is not YAML: what it defines is unknown, so what is missing and what
        # refers across files cannot be told yet. Each entry of the other files is still
        # checked on its own (a negative amount, an unknown key, a reversed range).
        _validate_sections(merged, sources, diagnostics, whole=False)
        raise PolicyError(shared_once(diagnostics), language=language)
    parts: dict[str, dict[str, dict[str, Any]]] = {}
    policy, broken = _validate_sections(merged, sources, diagnostics, misspelt=misspelt,
                                        parts=parts)
    for section in misspelt:  # its entries were not read: references to it prove nothing
        broken.setdefault(section, set()).add(WHOLE)
    if policy is not None:
        diagnostics.extend(check_policy(policy, sources.locate, broken, parts))
    if diagnostics:
        raise PolicyError(shared_once(diagnostics), language=language)
    assert policy is not None
    return policy


def shared_once(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """One diagnostic per place and problem: lines an alias shares (`*monthly_tiers`, read by
    P3, P4 and P5) are checked once per entry that reads them, and a slip there was told
    once per entry, at the same line. The others that read it are named in the first."""
    groups: dict[tuple[Location, str], list[Diagnostic]] = {}
    for d in diagnostics:
        groups.setdefault((d.location, d.code), []).append(d)
    out = []
    for group in groups.values():
        split = [(_at(d.message, ": "), _at(d.message_zh, "：")) for d in group]
        wheres = [en[0] for en, _ in split]
        if (len(group) == 1 or len({(en[1], zh[1]) for en, zh in split}) != 1
                or not all(wheres) or len(set(wheres)) != len(wheres)):
            out.extend(group)  # (the same message twice is told once by PolicyError)
            continue
        also = Say.ALSO_READ_AS(others=", ".join(wheres[1:]))
        first = group[0]
        out.append(Diagnostic(first.location, first.code, first.message + also.en,
                              first.message_zh + also.zh if first.message_zh else ""))
    return out


def _at(message: str, colon: str) -> tuple[str, str]:
    """(where, text) of a message `Say.AT` made; ("", message) for another."""
    where, found, text = message.partition(colon)
    return (where, text) if found and " " not in where else ("", message)


def _anchor_finder(texts: list[tuple[str, str]], file: str) -> AnchorFinder:
    """Which other file defines an anchor: asked only when an alias of `file` names none."""
    def anchored_in(name: str) -> Location | None:
        for other, text in texts:
            at = anchors_in(text).get(name) if other != file else None
            if at is not None:
                return Location(other, *at)
        return None
    return anchored_in


def _language_of(merged: dict[str, Any]) -> str | None:
    """`policy.language` as written, even when the policy has errors (to word them)."""
    header = merged.get("policy")
    language = header.get("language") if isinstance(header, dict) else None
    return language if language in ("zh", "en") else None


def _validate_sections(
    merged: dict[str, Any], sources: _Sources, out: list[Diagnostic], *, whole: bool = True,
    misspelt: set[str] | None = None, parts: dict[str, dict[str, dict[str, Any]]] | None = None
) -> tuple[Policy | None, dict[str, set[str]]]:
    """Validate entry by entry, so one broken duty does not hide the checks of the others.
    A section `misspelt` (`casez:`, told as unknown with its suggestion) is not told missing
    too. Of a broken entry, the fields valid on their own go into `parts` (section -> entry
    -> fields), so that the names they refer to are still checked.

    Returns the policy of the valid entries (None if a required section is broken, or when
    not `whole`: the sections of a file that could not be read are missing) and the names
    of the entries that failed, which the reference checks treat as known.
    """
    valid: dict[str, Any] = {}
    broken: dict[str, set[str]] = {}
    for name, field in Policy.model_fields.items():
        if name not in merged:
            continue
        body = merged[name]
        entry_type = step(field.annotation, "") if name in _MERGEABLE else None
        if entry_type is not None and isinstance(body, dict):
            adapter = TypeAdapter(entry_type)
            kept = {}
            for key, value in body.items():
                try:
                    kept[key] = adapter.validate_python(value)
                except ValidationError as exc:
                    out.extend(from_pydantic(exc, sources.locate, (name, key)))
                    broken.setdefault(name, set()).add(str(key))
                    if parts is not None:
                        parts.setdefault(name, {})[str(key)] = _valid_fields(
                            entry_type, value, exc)
            valid[name] = kept
            continue
        if name in _MERGEABLE:
            broken.setdefault(name, set()).add(WHOLE)
        assert field.annotation is not None
        try:
            valid[name] = TypeAdapter(field.annotation).validate_python(body)
        except ValidationError as exc:
            out.extend(from_pydantic(exc, sources.locate, (name,)))
            broken.setdefault(name, set())
    if not whole:
        return None, broken
    misspelt = misspelt or set()
    missing = _missing_sections(merged, sources, broken, misspelt)
    out.extend(missing.values())
    for name, placeholder in _PLACEHOLDERS.items():
        if name in broken and name not in valid:
            valid[name] = placeholder  # so the other sections are still checked
    try:
        return Policy.model_validate(valid), broken
    except ValidationError as exc:
        # Sections that failed above are absent here; only report what is really missing.
        said = set(broken) | set(missing) | misspelt
        out.extend(d for d in from_pydantic(exc, sources.locate, ())
                   if not any(f"'{name}'" in d.message for name in said))
        return None, broken


def _valid_fields(entry_type: Any, value: Any, exc: ValidationError) -> dict[str, Any]:
    """The fields of a broken entry that no error was found in and that are valid on
    their own (a duty's role when only its deadline is wrong)."""
    if not (isinstance(value, dict) and isinstance(entry_type, type)
            and issubclass(entry_type, BaseModel)):
        return {}
    failed = {error["loc"][0] for error in exc.errors() if error["loc"]}
    fields = {}
    for name, raw in value.items():
        field = entry_type.model_fields.get(name) if isinstance(name, str) else None
        if field is None or name in failed or field.annotation is None:
            continue
        try:
            fields[name] = TypeAdapter(field.rebuild_annotation()).validate_python(raw)
        except ValidationError:
            continue  # wrong only here: not a mistake of its own (none was found in it)
    return fields


def _missing_sections(merged: dict[str, Any], sources: _Sources, broken: dict[str, set[str]],
                      misspelt: set[str]) -> dict[str, Diagnostic]:
    """A required section no file has, said in the file it was likely emptied out of (an
    emptied `duties.yaml`): elsewhere it would point at an unrelated file's first line."""
    found = {}
    for name, field in Policy.model_fields.items():
        if not field.is_required() or name in merged or name in broken or name in misspelt:
            continue
        home = sources.home_of(name)
        if home is None:
            continue  # pydantic's own 'missing' error, at the first file, says it
        words = (Say.SECTION_FILE_EMPTY(name=name) if home.data == {}
                 else Say.SECTION_NOT_IN_FILE(name=name))
        found[name] = diagnostic(Location(home.file, 1, 1), "E-MISSING-KEY", words)
    return found


def _merge(doc: SourceDocument, merged: dict[str, Any], sources: _Sources,
           out: list[Diagnostic], misspelt: set[str]) -> None:
    if not isinstance(doc.data, dict):
        out.append(diagnostic(doc.locate(()), "E-TYPE", Say.NOT_A_MAPPING_OF_SECTIONS(
            sections=", ".join(SECTION_NAMES))))
        return
    for section, body in doc.data.items():
        if section not in SECTION_NAMES:
            out.append(diagnostic(doc.locate((section,), key=True), "E-UNKNOWN-KEY",
                                  Say.UNKNOWN_SECTION(name=section,
                                                      hint=hint(str(section), SECTION_NAMES))))
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
                    out.append(diagnostic(
                        doc.locate((section, key), key=True), "E-DUPLICATE-KEY",
                        Say.DEFINED_TWICE(name=f"{section}.{key}",
                                          other=first.locate((section, key), key=True))))
                    continue
                target[key] = value
                sources.owner[(section, key)] = doc
        elif section in merged:
            first = sources.owner[(section,)]
            out.append(diagnostic(doc.locate((section,), key=True), "E-DUPLICATE-KEY",
                                  Say.SECTION_TWICE(name=section,
                                                    other=first.locate((section,), key=True))))
        else:
            merged[section] = body
            sources.owner[(section,)] = doc


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
