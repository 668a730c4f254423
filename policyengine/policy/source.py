"""YAML text -> plain data plus a map from data paths to file positions.

The loader is PyYAML's safe loader with three changes that matter to HR typing YAML:
- a duplicate key is an error, not a silent overwrite;
- `18:00` stays the string "18:00" (YAML 1.1 would read it as the base-60 number 1080);
- only `true`/`false` are booleans (YAML 1.1 reads `no`, `on`, `off` as booleans too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from policyengine.errors import Diagnostic, Location

Path_ = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-like scalars (see module doc)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool",
                                                            "tag:yaml.org,2002:int",
                                                            "tag:yaml.org,2002:float")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789"),
)


@dataclass
class SourceDocument:
    """The data of one YAML file and where each value of it was written."""

    file: str
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: Path_, *, key: bool = False) -> Location:
        """The position of the value at `path` (or of its key), else of the nearest parent."""
        table = self.key_positions if key else self.positions
        probe = tuple(path)
        while True:
            if probe in table:
                line, col = table[probe]
                return Location(self.file, line, col)
            if probe in self.positions:
                line, col = self.positions[probe]
                return Location(self.file, line, col)
            if not probe:
                return Location(self.file, 1, 1)
            probe = probe[:-1]


def parse_yaml(text: str, file: str) -> tuple[SourceDocument | None, list[Diagnostic]]:
    """Parse one file. Returns the document, or None and the syntax error."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        full_width = _full_width_colons(text, line, file)
        if full_width:
            return None, full_width
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        return None, [
            Diagnostic(Location(file, line, col), "E-YAML", f"{problem}{context}")
        ]
    doc = SourceDocument(file, None)
    diagnostics: list[Diagnostic] = []
    if root is None:
        doc.data = {}
        return doc, diagnostics
    constructor = _Loader(text)
    doc.data = _build(root, (), doc, diagnostics, constructor)
    return doc, diagnostics


# A key followed by a full-width colon (Chinese input methods type "：" for ":").
_FULL_WIDTH_KEY = re.compile(r"^(\s*(?:-\s+)?[^\s:#'\"{}\[\],][^:#'\"{}\[\],]*?)\s*：")


def _full_width_colons(text: str, up_to: int, file: str) -> list[Diagnostic]:
    """Where a YAML error is explained by full-width colons after keys, say that instead."""
    found = []
    for number, line in enumerate(text.splitlines()[:up_to], start=1):
        match = _FULL_WIDTH_KEY.match(line)
        if match:
            key = match.group(1).strip().lstrip("- ")
            found.append(Diagnostic(
                Location(file, number, line.index("：") + 1), "E-YAML",
                f"full-width colon '：' after '{key}': write an ASCII colon, '{key}: ...'"))
    return found


def _build(
    node: yaml.Node,
    path: Path_,
    doc: SourceDocument,
    diagnostics: list[Diagnostic],
    constructor: _Loader,
    active: frozenset[int] = frozenset(),
) -> Any:
    here = (node.start_mark.line + 1, node.start_mark.column + 1)
    doc.positions.setdefault(path, here)
    if id(node) in active:  # an alias inside what it names: `a: &x {b: *x}`
        diagnostics.append(Diagnostic(Location(doc.file, *here), "E-YAML",
                                      "this alias refers to a mapping or list that contains it"))
        return None
    inside = active | {id(node)}
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        constructor.flatten_mapping(node)  # resolves `<<: *anchor` merges
        for key_node, value_node in node.value:
            key = _scalar(key_node, doc, diagnostics, constructor)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                key = str(key)
            child = (*path, key)
            at = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in result:
                first = doc.key_positions.get(child, at)
                diagnostics.append(Diagnostic(
                    Location(doc.file, *at), "E-DUPLICATE-KEY",
                    f"key '{key}' appears twice in this mapping (first at line {first[0]}); "
                    "remove one of them",
                ))
                continue
            doc.key_positions[child] = at
            result[key] = _build(value_node, child, doc, diagnostics, constructor, inside)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*path, i), doc, diagnostics, constructor, inside)
            for i, item in enumerate(node.value)
        ]
    return _scalar(node, doc, diagnostics, constructor)


def _scalar(node: yaml.Node, doc: SourceDocument, diagnostics: list[Diagnostic],
            constructor: _Loader) -> Any:
    """A scalar's value; text the YAML reader cannot convert stays text for the checks."""
    try:
        return constructor.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as exc:
        mark = node.start_mark
        diagnostics.append(Diagnostic(Location(doc.file, mark.line + 1, mark.column + 1),
                                      "E-YAML", exc.problem or "cannot read this value"))
    except (ValueError, TypeError, OverflowError):
        pass  # e.g. 2026-02-30: the model's check then says what is wrong with it
    return node.value if isinstance(node, yaml.ScalarNode) else None
