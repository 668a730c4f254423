"""YAML text -> plain data plus a map from data paths to file positions.

The loader is PyYAML's safe loader with changes that matter to HR typing YAML:
- a duplicate key is an error, not a silent overwrite;
- `18:00` stays the string "18:00" (YAML 1.1 would read it as the base-60 number 1080);
- only `true`/`false` are booleans (YAML 1.1 reads `no`, `on`, `off` as booleans too);
- what it may cost is bounded: nesting depth, number of aliases, and the number of values
  the aliases expand to are checked while the file is read, before anything is built
  (a 400-byte "billion laughs" file would otherwise expand to 387 million values).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from policyengine.errors import Diagnostic, Location
from policyengine.policy.messages import NOTHING, ODD_SPACE, Say, diagnostic, odd_character
from policyengine.policy.syntax import (
    AnchorFinder,
    explain_syntax_error,
    odd_space_words,
)

Path_ = tuple[str | int, ...]

# Bounds on what a policy file may make the reader do. The shipped policy uses 2 aliases,
# nests 8 levels deep and has about 1,300 values; see docs/decisions.md, D12.
MAX_DEPTH = 100
MAX_ALIASES = 1_000
MAX_EXPANDED_VALUES = 100_000

# What PyYAML's reader refuses (its Reader.NON_PRINTABLE); checked first so it is located.
_CONTROL = re.compile(
    "[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")
_MAX_CONTROL_REPORTED = 20


class _ScalarLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-like scalars (see module doc)."""


_ScalarLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool",
                                                            "tag:yaml.org,2002:int",
                                                            "tag:yaml.org,2002:float")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ScalarLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_ScalarLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789")
)
_ScalarLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789"),
)


class _Refused(Exception):
    """The reader stopped on purpose (too deep, too many aliases, too large an expansion)."""

    def __init__(self, found: Diagnostic):
        super().__init__(found.message)
        self.diagnostic = found


class _Bounded(Composer):
    """Composition bounded in depth and in aliases; the parser class comes after it."""

    file: str = "<policy>"
    depth: int = 0
    aliases: list[tuple[yaml.Mark, yaml.Node]]

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[attr-defined]
        mark: yaml.Mark = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            if len(self.aliases) >= MAX_ALIASES:
                raise _Refused(diagnostic(_at(self.file, mark), "E-YAML-ALIAS",
                                          Say.TOO_MANY_ALIASES(limit=MAX_ALIASES)))
            node = self.anchors.get(event.anchor) if event.anchor is not None else None
            if node is not None:
                self.aliases.append((mark, node))
            return super().compose_node(parent, index)
        if self.depth >= MAX_DEPTH:
            raise _Refused(diagnostic(_at(self.file, mark), "E-YAML-DEPTH",
                                      Say.TOO_DEEP(limit=MAX_DEPTH)))
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Loader(_Bounded, _ScalarLoader):
    """The scalar rules above, composition bounded; PyYAML's own (pure Python) parser."""

    def __init__(self, stream: str, file: str = "<policy>") -> None:
        _ScalarLoader.__init__(self, stream)
        self.file = file
        self.aliases = []


_FAST = yaml.__with_libyaml__
if _FAST:
    from yaml._yaml import CParser

    class _FastLoader(_Bounded, CParser, SafeConstructor, Resolver):
        """The same composition over libyaml's parser: about 7 times faster to read a policy.

        Only the events come from C (the Composer comes first in the MRO, so nodes are
        composed in Python, with the bounds); the scalar rules are the ones above. A file
        libyaml refuses is read again by `_Loader`, whose messages and positions the syntax
        explanations are written for.
        """

        yaml_implicit_resolvers = _ScalarLoader.yaml_implicit_resolvers

        def __init__(self, stream: str, file: str = "<policy>") -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self.file = file
            self.aliases = []


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
        probe = self._as_written(tuple(path))
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


    def _as_written(self, path: Path_) -> Path_:
        """`path` without the index 0 the model adds where one value stands for a list of one
        (`fulfilled_by: {fact: ...}` is checked as `fulfilled_by.0`): so that a value inside
        it is found where it is written, not at the list's parent."""
        written: Path_ = ()
        for part in path:
            if part == 0 and not isinstance(part, bool) and (*written, 0) not in self.positions \
                    and written in self.positions:
                continue
            written = (*written, part)
        return written


def parse_yaml(text: str, file: str, anchored_in: AnchorFinder | None = None,
               ) -> tuple[SourceDocument | None, list[Diagnostic]]:
    """Parse one file. Returns the document, or None and the reasons it cannot be read.

    `anchored_in(name)`: which other file defines `&name`, to explain an alias that refers
    to it (each file is parsed on its own)."""
    controls = control_characters(text, file)
    if controls:
        return None, controls
    try:
        root = _bounded_compose(text, file)
    except _Refused as exc:
        return None, [exc.diagnostic]
    except yaml.MarkedYAMLError as exc:
        return None, explain_syntax_error(text, file, exc, anchored_in)
    except yaml.YAMLError as exc:  # unmarked: the reader's own refusals
        return None, [diagnostic(Location(file, 1, 1), "E-YAML",
                                 Say.YAML_SYNTAX(what=Say.YAML_NOT_VALID(), problem=str(exc)))]
    except RecursionError:  # a last guard; MAX_DEPTH stops nesting well before this
        return None, [diagnostic(Location(file, 1, 1), "E-YAML-DEPTH",
                                 Say.TOO_DEEP(limit=MAX_DEPTH))]
    doc = SourceDocument(file, None)
    diagnostics: list[Diagnostic] = []
    if root is None:
        doc.data = {}
        return doc, diagnostics
    constructor = _Loader(text, file)
    doc.data = _build(root, (), doc, diagnostics, constructor)
    return doc, diagnostics


def control_characters(text: str, file: str) -> list[Diagnostic]:
    """Each invisible control character (NUL, escape, ...) the YAML reader would refuse."""
    found: list[Diagnostic] = []
    extra = 0
    for number, line in enumerate(text.split("\n"), start=1):
        for match in _CONTROL.finditer(line):
            if len(found) >= _MAX_CONTROL_REPORTED:
                extra += 1
                continue
            char = f"U+{ord(match.group()):04X}"
            found.append(diagnostic(Location(file, number, match.start() + 1),
                                    "E-YAML-CONTROL", Say.CONTROL_CHARACTER(char=char)))
    if extra:
        last = found[-1].location
        found.append(diagnostic(last, "E-YAML-CONTROL", Say.MORE_CONTROL(count=extra)))
    return found


def _bounded_compose(text: str, file: str) -> yaml.Node | None:
    root = None
    loader: _Bounded | None = None
    if _FAST:
        loader = _FastLoader(text, file)
        try:
            root = loader.get_single_node()
        except yaml.YAMLError:
            loader = None  # read again below, for PyYAML's words and positions
    if loader is None:
        slow = _Loader(text, file)
        try:
            root = slow.get_single_node()
        finally:
            slow.dispose()
        loader = slow
    if root is not None and loader.aliases:
        _check_expansion(root, loader.aliases, file)
    return root


def _check_expansion(root: yaml.Node, aliases: list[tuple[yaml.Mark, yaml.Node]],
                     file: str) -> None:
    """Refuse a file whose aliases would expand to more than MAX_EXPANDED_VALUES values.

    Each node's size is computed once (memo), so counting costs the size of the text, not
    the size of the expansion. The error points at the alias that expands the most.
    """
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, active: frozenset[int]) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:  # an alias inside what it names: `_build` reports it
            return 1
        inside = active | {key}
        total = 1
        if isinstance(node, yaml.MappingNode):
            total += sum(size(k, inside) + size(v, inside) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total += sum(size(item, inside) for item in node.value)
        sizes[key] = total
        return total

    total = size(root, frozenset())
    if total <= MAX_EXPANDED_VALUES:
        return
    mark, _ = max(aliases, key=lambda found: (size(found[1], frozenset()),
                                               -found[0].line, -found[0].column))
    raise _Refused(diagnostic(_at(file, mark), "E-YAML-ALIAS",
                              Say.ALIAS_BOMB(limit=f"{MAX_EXPANDED_VALUES:,}",
                                             size=f"{total:,}")))


# Full-width forms (U+FF01-U+FF5E) and the ASCII characters they stand for.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH_DIGIT = re.compile("[\uff10-\uff19]")
_STARTS_AS_NUMBER = re.compile(r"^\s*[+-]?\d")
# What splits a key from its value in `{about： decision}` and `{about:\u00a0decision}`.
_FLOW_SEPARATOR = re.compile("：|:(?=" + ODD_SPACE.pattern + ")")
_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"


def _at(file: str, mark: yaml.Mark) -> Location:
    return Location(file, mark.line + 1, mark.column + 1)


def _build(
    node: yaml.Node,
    path: Path_,
    doc: SourceDocument,
    diagnostics: list[Diagnostic],
    constructor: _Loader,
    active: frozenset[int] = frozenset(),
) -> Any:
    here = _at(doc.file, node.start_mark)
    doc.positions.setdefault(path, (here.line, here.column))
    if id(node) in active:  # an alias inside what it names: `a: &x {b: *x}`
        diagnostics.append(diagnostic(here, "E-YAML", Say.SELF_ALIAS()))
        return None
    inside = active | {id(node)}
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        try:
            constructor.flatten_mapping(node)  # resolves `<<: *anchor` merges
        except yaml.constructor.ConstructorError as exc:
            mark = exc.problem_mark or node.start_mark
            diagnostics.append(diagnostic(_at(doc.file, mark), "E-YAML",
                                          Say.CANNOT_READ_VALUE(problem=exc.problem or "?")))
            return None
        for key_node, value_node in node.value:
            key_node, value_node = _misread_pair(key_node, value_node, doc.file, diagnostics,
                                                 constructor)
            key = _scalar(key_node, doc, diagnostics, constructor)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                key = str(key)
            at = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if isinstance(key, str) and ODD_SPACE.search(key):
                key = _odd_key(key, key_node, doc.file, diagnostics)
            child = (*path, key)
            if key in result:
                first = doc.key_positions.get(child, at)
                diagnostics.append(diagnostic(Location(doc.file, *at), "E-DUPLICATE-KEY",
                                              Say.DUPLICATE_KEY(key=key, first=first[0])))
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


def _misread_pair(key_node: yaml.Node, value_node: yaml.Node, file: str,
                  diagnostics: list[Diagnostic],
                  constructor: _Loader) -> tuple[yaml.Node, yaml.Node]:
    """`{about： decision}`, `{about:\u00a0decision}`: a full-width colon, or a colon followed
    by a space that only looks like one, makes one key with no value inside a flow mapping,
    which YAML takes without a word. Said at the character, and read as the author meant, so
    the checks after do not call it an unknown key."""
    if not (isinstance(key_node, yaml.ScalarNode) and not key_node.style  # plain
            and isinstance(value_node, yaml.ScalarNode)
            and value_node.tag == _NULL and value_node.value == ""):
        return key_node, value_node
    separator = _FLOW_SEPARATOR.search(key_node.value)
    name = key_node.value[: separator.start()].strip() if separator else ""
    if separator is None or not name or any(c.isspace() for c in name):
        return key_node, value_node
    rest = key_node.value[separator.end():]
    start = key_node.start_mark
    one_line = start.line == key_node.end_mark.line
    where = start.column + separator.start() if one_line else start.column
    if separator.group() == "：":
        words = Say.FULL_WIDTH_COLON(key=name)
        code = "E-YAML"
    else:  # the colon is ASCII; the space after it is not
        where += 1 if one_line else 0
        words = Say.ODD_SPACE_INDENT(char=odd_character(rest[0]), align=NOTHING)
        code = "E-YAML-SPACE"
    diagnostics.append(diagnostic(Location(file, start.line + 1, where + 1), code, words))
    text = ODD_SPACE.sub("", rest).strip()
    at = start.column + len(key_node.value) - len(rest.lstrip()) if one_line else start.column
    mark = yaml.Mark(start.name, start.index, start.line, at, None, 0)
    tag = constructor.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return (yaml.ScalarNode(_STR, name, start, start), yaml.ScalarNode(tag, text, mark, mark))


def _odd_key(key: str, node: yaml.Node, file: str, diagnostics: list[Diagnostic]) -> str:
    """Report a character in a key that only looks like a space (or like nothing), and read
    the key without it, so the checks after do not also call it unknown."""
    odd = ODD_SPACE.search(key)
    assert odd is not None
    clean = ODD_SPACE.sub("", key).strip()
    quote = 1 if getattr(node, "style", None) in ("'", "\"") else 0
    where = Location(file, node.start_mark.line + 1, node.start_mark.column + 1 + quote
                     + odd.start())
    if key[: odd.start()].strip():
        words = Say.INVISIBLE_IN_KEY(key=clean, char=odd_character(odd.group()))
    else:  # before the key: where its indentation is
        words = odd_space_words(odd.group())
    diagnostics.append(diagnostic(where, "E-YAML-SPACE", words))
    return clean


def _scalar(node: yaml.Node, doc: SourceDocument, diagnostics: list[Diagnostic],
            constructor: _Loader) -> Any:
    """A scalar's value; text the YAML reader cannot convert stays text for the checks."""
    if not isinstance(node, yaml.ScalarNode):
        # a mapping or list used as a key (`? [a, b]: 1`): named by its place for the checks
        return _node_text(node)
    node = _half_width(node, constructor)
    try:
        return constructor.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as exc:
        diagnostics.append(diagnostic(_at(doc.file, node.start_mark), "E-YAML",
                                      Say.CANNOT_READ_VALUE(problem=exc.problem or "?")))
    except (ValueError, TypeError, OverflowError):
        pass  # e.g. 2026-02-30: the model's check then says what is wrong with it
    return node.value


def _half_width(node: yaml.ScalarNode, constructor: _Loader) -> yaml.ScalarNode:
    """`５０`, `２０１４-07-01`, `"１８:００"`: a number, date, time or duration typed with a
    Chinese input method's full-width digits is read as the same value in ASCII, wherever a
    number is read (an amount, a count, a tier bound, a date, a clock time). Text that holds
    Chinese (`第５版`) is left as written."""
    if not _FULL_WIDTH_DIGIT.search(node.value):
        return node
    text = node.value.translate(_HALF_WIDTH)
    if not text.isascii() or not _STARTS_AS_NUMBER.match(text):
        return node
    tag = node.tag
    if not node.style:  # plain: what it is (a number, a date) is told by the ASCII form
        tag = constructor.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return yaml.ScalarNode(tag, text, node.start_mark, node.end_mark, style=node.style)


def _node_text(node: yaml.Node) -> str:
    return f"<{node.tag} at line {node.start_mark.line + 1}>"
