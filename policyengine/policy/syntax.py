"""A YAML syntax error, explained in the words of the person who typed it.

PyYAML says "expected <block end>, but found '?'"; the person needs "line 12 is indented
wrongly: align it with line 11". When the reader stops, the text up to that line is looked at
for the usual causes, most specific first: full-width colons, tabs, a missing space after a
colon, a wrong indentation. Only when none fits is the reader's own problem given, rephrased.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import yaml

from policyengine.errors import Diagnostic, Location
from policyengine.policy.messages import (
    NOTHING,
    ODD_CHARACTERS,
    ODD_SPACE,
    ZERO_WIDTH,
    Say,
    Words,
    diagnostic,
    odd_character,
)

# A key followed by a full-width colon (Chinese input methods type "：" for ":").
_FULL_WIDTH_KEY = re.compile(r"^(\s*(?:-\s+)?[^\s:#'\"{}\[\],][^:#'\"{}\[\],]*?)\s*：")
# `key:value` in block context: a key, a colon, then no space (and not `http://`, `18:00`).
_NO_SPACE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w.-]*):([^\s/:#'\"][^#]*?)\s*$")
# A line's indentation as a reader sees it: spaces, tabs and the characters that only look
# like a space or like nothing (ODD_CHARACTERS, policy/messages.py), where the line then
# means something other than what it shows.
_LEAD = re.compile(f"[ \t{ODD_CHARACTERS}]*")
# `key:` followed by one of them, where YAML wants a space (`responsible:\u00a0reporter`).
_ODD_AFTER_COLON = re.compile(
    r"(?:^\s*(?:-\s+)?|[{,]\s*)[A-Za-z_][\w.-]*:(" + ODD_SPACE.pattern + ")")
_BLOCK_SCALAR = re.compile(r":\s*[|>][-+0-9]*$")
# The reader's words for an indentation mistake.
_KEY = re.compile(r"^[^\s#'\"{\[][^:#]*:(\s|$)")
_INDENT_PROBLEMS = ("expected <block end>", "did not find expected key",
                    "mapping values are not allowed here", "could not find expected ':'",
                    "did not find expected '-' indicator", "expected '<document start>'")


# PyYAML's words for `*name` with no `&name` before it in the file.
_UNDEFINED_ALIAS = re.compile(r"^found undefined alias '(.+)'$")
AnchorFinder = Callable[[str], Location | None]


def anchors_in(text: str) -> dict[str, tuple[int, int]]:
    """The anchors (`&name`) a YAML text defines, as far as it can be read: their line and
    column."""
    found: dict[str, tuple[int, int]] = {}
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.AnchorToken):
                mark = token.start_mark
                found.setdefault(token.value, (mark.line + 1, mark.column + 1))
    except yaml.YAMLError:
        pass  # the anchors before the file's own error still count
    return found


@dataclass(frozen=True)
class _Line:
    number: int
    indent: int          # leading spaces
    inner: int           # where the content of a `- item` starts (else == indent)
    text: str
    keyed_item: bool = False  # `- key: ...`: the item's keys continue at `inner`

    @property
    def opens_block(self) -> bool:
        return self.text.endswith(":") or self.text in ("-", "- ")


def explain_syntax_error(text: str, file: str, exc: yaml.MarkedYAMLError,
                         anchored_in: AnchorFinder | None = None) -> list[Diagnostic]:
    """`anchored_in(name)`: where another file of the policy defines the anchor `&name`."""
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    alias = _UNDEFINED_ALIAS.match(exc.problem or "")
    if alias is not None:
        name = alias.group(1)
        other = anchored_in(name) if anchored_in and name not in anchors_in(text) else None
        words = (Say.ALIAS_OTHER_FILE(name=name, other=other) if other
                 else Say.ALIAS_UNDEFINED(name=name))
        return [diagnostic(Location(file, line, column), "E-YAML-ALIAS", words)]
    lines = text.split("\n")
    for explain in (_odd_spaces, _full_width_colons, _tabs, _missing_spaces):
        found = explain(lines, line, file)
        if found:
            return found
    problem = exc.problem or ""
    if any(problem.startswith(p) for p in _INDENT_PROBLEMS):
        found = _indentation(lines, line, file)
        if found:
            return found
    return [diagnostic(Location(file, line, column), "E-YAML",
                       Say.YAML_SYNTAX(what=_what(exc), problem=_reader_words(exc)))]


def odd_space_words(char: str, align: Words = NOTHING) -> Words:
    """Where a space belongs: one that shows is replaced by spaces, one that does not goes."""
    if char in ZERO_WIDTH:
        return Say.INVISIBLE_HERE(char=odd_character(char))
    return Say.ODD_SPACE_INDENT(char=odd_character(char), align=align)


def _odd_spaces(lines: list[str], up_to: int, file: str) -> list[Diagnostic]:
    """Each line up to the error indented, or separated after its key, with a character that
    only looks like a space: the reader sees it as text, and stops a line or two later."""
    found = []
    for number, line in enumerate(lines[:up_to], start=1):
        match = _LEAD.match(line)
        lead = match.end() if match else 0
        odd = ODD_SPACE.search(line, 0, lead)
        if odd is not None and number == 1 and odd.start() == 0 and odd.group() == "\ufeff":
            odd = ODD_SPACE.search(line, 1, lead)  # a byte order mark opening the file is fine
        if odd is not None and _in_block_scalar(lines, number):
            odd = None  # `note: |` text may start with full-width spaces, as Chinese prose does
        if odd is None:
            after_colon = _ODD_AFTER_COLON.search(_strip_comment(line))
            if after_colon is None:
                continue
            # a space is wanted there, even for a character that shows as nothing
            char = odd_character(after_colon.group(1))
            found.append(diagnostic(Location(file, number, after_colon.start(1) + 1),
                                    "E-YAML-SPACE", Say.ODD_SPACE_INDENT(char=char,
                                                                         align=NOTHING)))
            continue
        found.append(diagnostic(Location(file, number, odd.start() + 1), "E-YAML-SPACE",
                                odd_space_words(odd.group(), _align_with_above(lines, number))))
    return found


def _in_block_scalar(lines: list[str], number: int) -> bool:
    """Whether the line is text of a `key: |` or `key: >` block above it (rough, for hints)."""
    line = lines[number - 1]
    indent = len(line) - len(line.lstrip(" "))
    for above in _content_lines_above(lines, number):
        if above.indent < indent:
            return _BLOCK_SCALAR.search(above.text) is not None
    return False


def _full_width_colons(lines: list[str], up_to: int, file: str) -> list[Diagnostic]:
    found = []
    for number, line in enumerate(lines[:up_to], start=1):
        match = _FULL_WIDTH_KEY.match(line)
        if match:
            key = match.group(1).strip().lstrip("- ")
            found.append(diagnostic(Location(file, number, line.index("：") + 1), "E-YAML",
                                    Say.FULL_WIDTH_COLON(key=key)))
    return found


def _tabs(lines: list[str], up_to: int, file: str) -> list[Diagnostic]:
    """Each line up to the error whose indentation has a tab in it."""
    found = []
    for number, line in enumerate(lines[:up_to], start=1):
        lead = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" not in lead or not line.strip():
            continue
        found.append(diagnostic(Location(file, number, lead.index("\t") + 1), "E-YAML-TAB",
                                Say.TAB_INDENT(align=_align_with_above(lines, number))))
    return found


def _align_with_above(lines: list[str], number: int) -> Words:
    """'align it with line N' for a line indented with something else than spaces: the line
    above, unless that one opens a block (then the right indentation is not known)."""
    above = _previous(lines, number)
    if above is None or above.opens_block:
        return NOTHING
    return Say.ALIGN_WITH(line=above.number, text=_short(above.text), column=above.indent + 1)


def _missing_spaces(lines: list[str], up_to: int, file: str) -> list[Diagnostic]:
    found = []
    for number, line in enumerate(lines[:up_to], start=1):
        match = _NO_SPACE.match(line)
        if match and not _in_flow(lines, number):
            lead, key, value = match.groups()
            found.append(diagnostic(Location(file, number, len(lead) + len(key) + 1),
                                    "E-YAML-COLON",
                                    Say.NO_SPACE_AFTER_COLON(key=key, value=value)))
    return found


def _indentation(lines: list[str], number: int, file: str) -> list[Diagnostic]:
    """The error line's indentation fits no open block above it: say which line to align with.

    The open blocks are the lines above with less indentation than everything after them
    (the chain of parents); a line may sit at one of their levels, or deeper than the line
    just above when that line opens a block (`key:`).
    """
    if number > len(lines):
        return []
    here = _parse_line(lines[number - 1], number)
    if here is None:
        return []
    parents: list[_Line] = []
    deepest = None
    for above in _content_lines_above(lines, number):
        if deepest is None or above.indent < deepest:
            parents.append(above)
            deepest = above.indent
        if above.indent == 0:
            break
    if not parents:
        return []
    if parents[0].opens_block and here.indent > parents[0].indent:
        return []  # a child of the line above: the indentation is not the problem
    item = next((p for p in parents if p.keyed_item), None)
    if item is not None and here.inner == here.indent and here.indent == item.indent:
        # a key written under `- key: value` at the dash's column: it belongs to the item
        target, expected = item, item.inner
    else:
        levels = {p.indent for p in parents} | {p.inner for p in parents if p.keyed_item}
        if here.indent in levels:
            return []
        target = min(parents, key=lambda p: (abs(_nearest(p, here) - here.indent), -p.number))
        expected = _nearest(target, here)
    return [diagnostic(Location(file, number, here.indent + 1), "E-YAML-INDENT",
                       Say.BAD_INDENT(column=here.indent + 1, line=target.number,
                                      text=_short(target.text), expected=expected + 1))]


def _nearest(parent: _Line, here: _Line) -> int:
    """The level of `parent` closest to where `here` is: its own, or its item's content."""
    if parent.keyed_item and abs(parent.inner - here.indent) < abs(parent.indent - here.indent):
        return parent.inner
    return parent.indent


def _parse_line(raw: str, number: int) -> _Line | None:
    stripped = raw.strip()
    if not stripped or stripped.startswith("#") or "\t" in raw[: len(raw) - len(raw.lstrip())]:
        return None
    indent = len(raw) - len(raw.lstrip(" "))
    inner = indent  # where the content starts after any `- ` dashes
    rest = raw[indent:]
    while rest.startswith("- "):
        after = rest[1:].lstrip(" ")
        inner += len(rest) - len(after)
        rest = after
    keyed = inner != indent and _KEY.match(rest) is not None
    return _Line(number, indent, inner, _strip_comment(stripped), keyed)


def _content_lines_above(lines: list[str], number: int) -> list[_Line]:
    found = []
    for index in range(number - 2, -1, -1):
        parsed = _parse_line(lines[index], index + 1)
        if parsed is not None:
            found.append(parsed)
    return found


def _previous(lines: list[str], number: int) -> _Line | None:
    above = _content_lines_above(lines, number)
    return above[0] if above else None


def _in_flow(lines: list[str], number: int) -> bool:
    """Whether the line is inside brackets opened on an earlier line (rough, for hints)."""
    depth = 0
    for line in lines[: number - 1]:
        code = _strip_comment(line)
        depth += code.count("[") + code.count("{") - code.count("]") - code.count("}")
    return depth > 0


def _strip_comment(text: str) -> str:
    cut = text.find(" #")
    return (text[:cut] if cut >= 0 else text).rstrip()


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _what(exc: yaml.MarkedYAMLError) -> Words:
    problem = exc.problem or ""
    context = exc.context or ""
    if "end of stream" in problem:
        return Say.YAML_UNCLOSED()
    if "that cannot start any token" in problem:
        char = re.search(r"character '(.+?)'", problem)
        return Say.YAML_BAD_START(char=char.group(1) if char else "?")
    if "quoted scalar" in context or "escape" in problem:
        return Say.YAML_QUOTE()
    if "flow" in context:
        return Say.YAML_FLOW()
    if "anchor" in problem:
        return Say.YAML_ANCHOR()
    return Say.YAML_NOT_VALID()


def _reader_words(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or "invalid YAML"
    return f"{problem} ({exc.context})" if exc.context else problem
