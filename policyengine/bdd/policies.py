"""Which policy a scenario runs under: a path, plus YAML changes deep-merged over it.

Loading is cached per run on (files, their modification times, the changes), so the
shipped policy is loaded and compiled once for all scenarios that use it.

>>> deep_merge({"a": {"b": 1, "c": [1]}, "d": 1}, {"a": {"c": [2]}, "d": None})
{'a': {'b': 1, 'c': [2]}}
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from policyengine.bdd.normalize import say
from policyengine.engine.compiled import CompiledPolicy, compile_policy
from policyengine.errors import PolicyError
from policyengine.policy.loader import load_policy_files, load_policy_texts, policy_files
from policyengine.policy.packs import resolve
from policyengine.policy.source import parse_yaml


class PolicyProblem(Exception):
    """The policy (or a scenario's change to it) does not load: the loader's messages."""

    def __init__(self, lines: Sequence[str]):
        super().__init__("\n".join(lines))
        self.lines = list(lines)


def deep_merge(base: Any, change: Any, *, nulls_remove: bool = True) -> Any:
    """Mappings merge key by key (a `null` value removes the key); anything else replaces."""
    if not isinstance(base, dict) or not isinstance(change, dict):
        return copy.deepcopy(change)
    merged = dict(base)
    for key, value in change.items():
        if value is None and nulls_remove:
            merged.pop(key, None)
        elif key in merged:
            merged[key] = deep_merge(merged[key], value, nulls_remove=nulls_remove)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def parse_change(text: str, name: str, lang: str = "en") -> Any:
    """A YAML doc string of changes; raises PolicyProblem with the line inside the doc string
    (in `lang`, zh or en)."""
    doc, problems = parse_yaml(text, name)
    if problems or doc is None:
        raise PolicyProblem([f"{d.location.line}: {d.text(lang)}" for d in problems])
    if not isinstance(doc.data, dict):
        raise PolicyProblem([say(lang, "修改的内容要按制度的各节来写，例如「penalties: {P1: ...}」",
                                 "the change is a mapping of policy sections, e.g. "
                                 "'penalties: {P1: ...}'")])
    return doc.data


def load(path: Path, changes: Sequence[Any], cache: dict[tuple[Any, ...], CompiledPolicy],
         pack: str | None = None, lang: str = "en") -> CompiledPolicy:
    """The policy at `path` (a folder of packs: its default pack, or `pack`) with `changes`;
    a policy that does not load says why in `lang` (zh or en), as the scenario is written."""
    try:
        path = resolve(path, pack).path
    except PolicyError as exc:
        raise PolicyProblem([d.render(lang) for d in exc.diagnostics]) from None
    files = policy_files(path)
    stamp = tuple((str(f), f.stat().st_mtime_ns) for f in files if f.exists())
    key = (str(path), stamp, yaml.safe_dump(list(changes), allow_unicode=True, sort_keys=True))
    found = cache.get(key)
    if found is not None:
        return found
    try:
        if not changes:
            compiled = compile_policy(load_policy_files(path))
        else:
            merged: Any = {}
            for file in files:
                doc, problems = parse_yaml(file.read_text(encoding="utf-8"), str(file))
                if problems or doc is None:
                    raise PolicyError(problems)
                merged = deep_merge(merged, doc.data, nulls_remove=False)
            for change in changes:
                merged = deep_merge(merged, change)
            text = yaml.safe_dump(merged, allow_unicode=True, sort_keys=False)
            compiled = compile_policy(load_policy_texts([(f"{path} (changed)", text)]))
    except PolicyError as exc:
        if changes:
            shown = [f"{d.code}: {d.text(lang)}" for d in exc.diagnostics]
        else:
            shown = [d.render(lang) if lang == "zh" else str(d) for d in exc.diagnostics]
        raise PolicyProblem(shown[:20]) from None
    except OSError as exc:
        raise PolicyProblem([f"{path}: {exc}"]) from None
    cache[key] = compiled
    return compiled
