"""The reader's fast path: a JSON Lines fact decoded and checked in one msgspec pass.

The policy's fact types become msgspec Structs, one per type, in a union tagged on `type`.
msgspec parses a line and checks in C most of what `_TypeCheck.fast` (facts/schema.py)
checks in Python: the JSON, the fact type, that every value is text (or null), the allowed
values of enum, tier and role attributes, the form of dates, unknown attributes. What is
left is checked here, by a small function generated per fact type: the time (msgspec's
datetime takes other forms than `fromisoformat`, see `_moment`), the case id's form, empty
values, missing attributes, and the attributes' order in the line.

This path only ever answers "this `Fact`" or "not sure" (None). A line it is not sure of goes
through the slow path (`json` + `FactSchema.build`), which words the reasons, so a rejection
reads exactly as before, and an accepted fact is the one the slow path builds
(tests/facts/test_fastpath.py compares both on thousands of generated lines).
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from itertools import count, islice, repeat
from operator import attrgetter
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Union
from zoneinfo import ZoneInfo

import msgspec
from mypy_extensions import mypyc_attr

from policyengine.facts.schema import FIELDS, Fact, FactSchema

if TYPE_CHECKING:
    from policyengine.facts.schema import _TypeCheck

# -- the attribute types of the vocabulary ------------------------------------------------


class AttributeKind(NamedTuple):
    """How an attribute of one vocabulary type is decoded, and kept in the `Fact`.

    `decoded_as(choices)` is the msgspec type of a present, non-null value (`choices`: the
    values the slow path allows, for enum, tier and role; else None). `keep` turns a decoded
    value into the fact's (None: as decoded). An empty text is never kept: the slow path
    reads it as absent. `shared`: facts whose value is equal may share one `attrs` dict
    (False for a kind whose equal values differ, as Decimal("1.0") and Decimal("1.00")).
    """

    decoded_as: Callable[[frozenset[str] | None], Any]
    keep: Callable[[Any], Any] | None
    shared: bool = True


def _text(_: frozenset[str] | None) -> Any:
    return str


def _one_of(choices: frozenset[str] | None) -> Any:
    # msgspec hands back the Literal's own string object: one per value, shared by facts.
    # No allowed value at all (no role held by assignment): only null decodes.
    return Literal[tuple(sorted(choices))] if choices else type(None)


def _date(_: frozenset[str] | None) -> Any:
    return date  # msgspec takes YYYY-MM-DD only: a subset of what the slow path takes


# One entry per attribute type. A type missing here (say one added to schema.py first) is no
# error: the fact types that use it are left out of the union and take the slow path.
ATTRIBUTE_KINDS: dict[str, AttributeKind] = {
    "text": AttributeKind(_text, sys.intern),
    "person": AttributeKind(_text, sys.intern),
    "enum": AttributeKind(_one_of, None),
    "tier": AttributeKind(_one_of, None),
    "role": AttributeKind(_one_of, None),
    "date": AttributeKind(_date, None),
}


# -- one fact type -------------------------------------------------------------------------

_NO_ATTRS: Mapping[str, Any] = MappingProxyType({})

# id, at, case and actor of every fact; `type` is the union's tag.
_COMMON: list[tuple[Any, ...]] = [
    ("at", str), ("id", Union[str, None], None),  # noqa: UP007 (a type object at run time)
    ("case", Union[str, None], None), ("actor", Union[str, None], None)]  # noqa: UP007

# (decoded record, its time, line, file, the line's text) -> the Fact, or None
Convert = Callable[[Any, datetime, int, "str | None", "str | bytes"], "Fact | None"]


class FactType(NamedTuple):
    """One fact type on the fast path: its Struct, its check, and that check's source."""

    record: type
    convert: Convert
    source: str


def _fact_type(name: str, check: _TypeCheck, first_case: Callable[[Any], str | None],
               known: dict[str, str]) -> FactType | None:
    """The Struct and check of one fact type; None when an attribute of it is of a type not
    in `ATTRIBUTE_KINDS` (or named so that its place in a line cannot be found)."""
    specs = check.attributes
    if any(a in FIELDS or '"' in a or "\\" in a or spec.type not in ATTRIBUTE_KINDS
           for a, spec in specs.items()):
        return None
    names = list(specs)
    fields = list(_COMMON)
    for i, (attr, spec) in enumerate(specs.items()):  # a0, a1 ...: any attribute name is safe
        decoded = ATTRIBUTE_KINDS[spec.type].decoded_as(check.choices.get(attr))
        fields.append((f"a{i}", Union[decoded, None], None))  # noqa: UP007
    record = msgspec.defstruct(
        f"{name} fact", fields, tag_field="type", tag=name, forbid_unknown_fields=True,
        rename={f"a{i}": attr for i, attr in enumerate(names)},
        gc=False)  # short-lived: never tracked by the garbage collector
    source = _check_source(check, names)
    namespace: dict[str, Any] = {
        "NAME": name, "NAMES": tuple(names), "KEYS": tuple(f'"{a}":' for a in names),
        "BYTE_KEYS": tuple(f'"{a}":'.encode() for a in names),
        "NO_ATTRS": _NO_ATTRS, "Fact": Fact, "new": tuple.__new__, "intern": sys.intern,
        "known": known, "first_case": first_case, "in_line_order": _in_line_order,
        **dict(zip(("SHARED", "share"), _sharing(), strict=True)),
        **{f"K{i}": attr for i, attr in enumerate(names)},
        **{f"KEEP{i}": ATTRIBUTE_KINDS[spec.type].keep for i, spec in enumerate(specs.values())},
        **{f"WHEN{i}": tuple(when.items()) for i, (_, when) in enumerate(check.conditional)},
    }
    exec(compile(source, f"<fast path of {name}>", "exec"), namespace)
    return FactType(record, namespace["convert"], source)


# Values of one attribute whose dicts are shared (then forgotten, all at once): a bound for
# a long-running service reading many files.
SHARED_VALUES = 4096


def _sharing() -> tuple[dict[Any, dict[str, Any]], Callable[[Any, dict[str, Any]],
                                                              dict[str, Any]]]:
    """The shared `attrs` of one fact type with one attribute, by value, and how one is added.
    A `Fact`'s attrs are never changed, so facts may share them (as they share strings)."""
    shared: dict[Any, dict[str, Any]] = {}

    def share(value: Any, attrs: dict[str, Any]) -> dict[str, Any]:
        if len(shared) >= SHARED_VALUES:
            shared.clear()
        shared[value] = attrs
        return attrs

    return shared, share


def _check_source(check: _TypeCheck, names: list[str]) -> str:
    """`_TypeCheck.fast`'s checks left after msgspec, written out for one fact type.

    Generated rather than a loop over the attributes: a loop cost 0.7 µs more a fact (1.3
    against 0.6 µs, measured on a `requester.informed` line), as much as msgspec's decode.
    Every name in the text is one of this module's (K0, a0 ...), never the policy's.
    """
    out = ["def convert(rec, moment, line, origin, text):"]
    say = out.append
    if check.checks_case:
        say("    case = known.get(rec.case)")
        say("    if case is None:")
        say("        case = first_case(rec.case)")
        say("        if case is None:")
        say("            return None")
    else:
        say("    case = rec.case")
        say("    if case is not None and case != '':")
        say("        return None")
    say("    actor = rec.actor")
    say("    if actor:")
    say("        actor = intern(actor)")
    say("    else:")
    say("        return None" if check.actor_required else "        actor = None")
    if not names:
        say("    return new(Fact, (NAME, moment, case, actor, NO_ATTRS, rec.id, line, origin))")
        return "\n".join(out) + "\n"
    kinds = [ATTRIBUTE_KINDS[check.attributes[attr].type] for attr in names]
    keeps = ["value" if kind.keep is None else f"KEEP{i}(value)" for i, kind in enumerate(kinds)]
    # Facts with equal values share one `attrs` dict (a dict is 184 bytes or more; a million
    # facts hold a few thousand sets of values).
    shared = all(kind.shared for kind in kinds)
    if shared and len(names) == 1:
        say("    value = rec.a0")
        say("    if value:")  # None and "" are absent (a date is always true)
        say("        attrs = SHARED.get(value)")
        say("        if attrs is None:")
        say(f"            attrs = share(value, {{K0: {keeps[0]}}})")
        say("    else:")
        say("        return None" if names[0] in check.required else "        attrs = NO_ATTRS")
        for i, (attr, _) in enumerate(check.conditional):
            say(f"    if K{names.index(attr)} not in attrs and any(")
            say(f"            attrs.get(other) in values for other, values in WHEN{i}):")
            say("        return None")
        say("    return new(Fact, (NAME, moment, case, actor, attrs, rec.id, line, origin))")
        return "\n".join(out) + "\n"
    # Checks of the values alone: for shared values, made once
    indent = "    "
    if shared:
        say("    key = (" + "".join(f"rec.a{i}, " for i in range(len(names))) + ")")
        say("    attrs = SHARED.get(key)")
        say("    fresh = attrs is None")
        say("    if fresh:")
        indent = "        "
    say(indent + "attrs = {}")
    for i, attr in enumerate(names):
        say(f"{indent}value = rec.a{i}")
        say(f"{indent}if value:")  # None and "" are absent (a date is always true)
        say(f"{indent}    attrs[K{i}] = {keeps[i]}")
        if attr in check.required:
            say(f"{indent}else:")
            say(f"{indent}    return None")
    for i, (attr, _) in enumerate(check.conditional):
        say(f"{indent}if K{names.index(attr)} not in attrs and any(")
        say(f"{indent}        attrs.get(other) in values for other, values in WHEN{i}):")
        say(f"{indent}    return None")
    if len(names) > 1:
        # Most lines write their attributes in the declared order, the order `attrs` was
        # filled in: that is checked here, inline (a call to `in_line_order` costs 1 µs).
        say("    if len(attrs) > 1:")
        say("        find, keys = text.find, BYTE_KEYS if type(text) is bytes else KEYS")
        say("        last = -1")
        for i in range(len(names)):
            say(f"        if K{i} in attrs:")
            say(f"            place = find(keys[{i}])")
            say("            if place <= last:")
            say("                attrs = in_line_order(attrs, NAMES, KEYS, BYTE_KEYS, text)")
            say("                if not attrs:")
            say("                    return None")
            say("                return new(Fact, (NAME, moment, case, actor, attrs, rec.id, "
                "line, origin))")
            say("            last = place")
    if shared:  # in the declared order, the order of any line with these values
        say("    if fresh:")
        say("        share(key, attrs)")
    say("    return new(Fact, (NAME, moment, case, actor, attrs or NO_ATTRS, rec.id, line, "
        "origin))")
    return "\n".join(out) + "\n"


def _in_line_order(attrs: dict[str, Any], names: tuple[str, ...], keys: tuple[str, ...],
                   byte_keys: tuple[bytes, ...], text: str | bytes) -> dict[str, Any]:
    """The attributes in the order the line writes them, as `json` gives them (reports and
    explanations list them in that order); {} when that order cannot be told here.

    In JSON that msgspec accepted with only known keys, `"name":` can only be that key (in a
    string a quote is escaped; no known name holds a quote): its first place is where `json`
    puts it, repeated keys included. A key written with an escape or with a space before its
    colon is not found: the slow path reads that line.
    """
    places = []
    rising, last = True, -1
    find: Callable[[Any], int] = text.find
    for name, key in zip(names, byte_keys if type(text) is bytes else keys, strict=True):
        if name in attrs:
            place = find(key)
            if place < 0:
                return {}
            places.append((place, name))
            rising, last = rising and place > last, place
    if rising:  # written in the declared order, the order `attrs` was filled in: most lines
        return attrs
    places.sort()
    return {name: attrs[name] for _, name in places}


# Case ids remembered per case rule; then forgotten all at once (memory bounded by the cases
# of recent facts: a case's facts are near each other in time; a forgotten id is checked again).
KNOWN_CASES = 16_384


def _case_memo(check: _TypeCheck, known: dict[str, str]) -> Callable[[Any], str | None]:
    """A case id not met before for this case rule: checked against its patterns, then
    remembered (one shared string per case id: a case has many facts of many types)."""
    patterns, intern = check.case_patterns, sys.intern

    def first_case(case: Any) -> str | None:
        if case is None or not any(p.fullmatch(case) for p in patterns):
            return None
        if len(known) >= KNOWN_CASES:  # bounded: a long history must not grow the reader
            known.clear()
        seen: str = known.setdefault(case, intern(case))
        return seen

    return first_case


def _moment(at: str, tz: ZoneInfo) -> datetime | None:
    """`at` in the policy's zone, read as `_TypeCheck.fast` reads it; None if it is not a time.

    Not msgspec's own datetime: it also takes a lower-case `t` or `z`, which the slow path
    refuses, and rounds a seventh digit of a second where `fromisoformat` cuts it.
    """
    # is_time_form(at), inlined: this runs once per fact
    if (len(at) < 16 or at[10] not in "T " or at[4] != "-" or at[7] != "-"
            or at[13] != ":"):
        return None
    try:
        moment = datetime.fromisoformat(at)
        # One zone object for every time: comparisons then skip offset look-ups.
        return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)
    except (ValueError, OverflowError):  # e.g. year 1 at +05:00 has no local time
        return None


# -- the whole policy ----------------------------------------------------------------------


# A second member for a union of one type: msgspec takes a lone tagged Struct even without
# its tag. No fact type is named "" (the slow path says 'missing type'). It forbids unknown
# fields, as every member does: no member then holds a list or an object (see
# `FastPath.records`). Its one field `at` is read before the type's check: every member has
# it. Made by `defstruct`, not a class statement: a compiled module (mypyc) would drop the
# class keywords.
_Never = msgspec.defstruct("_Never", [("at", str)], tag_field="type", tag="",
                           forbid_unknown_fields=True, gc=False)


def _not_sure(*_: Any) -> None:
    return None


# Lines decoded by one msgspec call: large enough that the call's own cost vanishes, small
# enough that a block with a line msgspec refuses costs little to read again in pieces.
BLOCK = 1024
PIECE = 32

# A decode that failed (the line goes the slow way)
_FAILED = (msgspec.DecodeError, msgspec.ValidationError, RecursionError,
           UnicodeEncodeError)  # the last: a lone surrogate (text not from a UTF-8 file)


@mypyc_attr(native_class=False)
class Blank:
    """The value of a blank line in `FastPath.values` (no row: a blank line is no fact)."""


BLANK = Blank()

_OPEN: dict[type, Any] = {str: "{", bytes: b"{"}
_AT = attrgetter("at")

# A block of lines: text, or the UTF-8 bytes of a file (typed loosely: either kind of list)
Lines = list[Any]


@mypyc_attr(native_class=False)
class FastPath:
    """The fast path for the fact types of one policy (its `FactSchema`)."""

    def __init__(self, schema: FactSchema):
        self.tz = schema.tz
        self.types: dict[str, FactType] = {}
        memos: dict[str, tuple[dict[str, str], Callable[[Any], str | None]]] = {}
        for name, check in schema.types.items():
            if check.case_rule not in memos:
                known: dict[str, str] = {}
                memos[check.case_rule] = (known, _case_memo(check, known))
            known, first_case = memos[check.case_rule]
            built = _fact_type(name, check, first_case, known)
            if built is not None:
                self.types[name] = built
        self.convert: dict[type, Convert] = {t.record: t.convert for t in self.types.values()}
        self.convert[_Never] = _not_sure
        decoder = msgspec.json.Decoder(Union[tuple(self.convert)])  # noqa: UP007
        self.decode = decoder.decode
        self.decode_lines = decoder.decode_lines

    def records(self, lines: Lines) -> tuple[list[Any], bool]:
        """The decoded record of each line (text or UTF-8 bytes, without its `\\n`), None
        where msgspec refuses the line; and whether every line was decoded in one call.

        Many lines are decoded in one call, joined by `\\n` (msgspec's `decode_lines`). That
        reads each line exactly as decoding it alone would when every line starts with `{`
        and as many records come back as there are lines. Why: every record is a flat object
        (only text or null values: a list or an object anywhere fails), no text crosses a
        line's end (JSON text holds no raw line break), and after a value inside an object a
        `{` cannot follow; so an object begun at a line's `{` ends in that line. Each line
        then begins at least one record, and with as many records as lines exactly one, with
        nothing after it but JSON's whitespace. Otherwise, or if msgspec refuses one of the
        lines, they are decoded in smaller pieces, then one by one.
        """
        if lines and all(map(type(lines[0]).startswith, lines, repeat(_OPEN[type(lines[0])]))):
            try:
                records: list[Any] = self.decode_lines(
                    (b"\n" if type(lines[0]) is bytes else "\n").join(lines))
                if len(records) == len(lines):
                    return records, True
            except _FAILED:
                pass
        if len(lines) > PIECE:
            out: list[Any] = []
            for start in range(0, len(lines), PIECE):
                out += self.records(lines[start:start + PIECE])[0]
            return out, False
        return [self._record(line) for line in lines], False

    def _record(self, line: str | bytes) -> Any:
        try:
            return self.decode(line)
        except _FAILED:
            return None

    def values(self, lines: Lines, first: int, origin: str | None,
               slow: Callable[[str], Any]) -> tuple[list[Any], bool]:
        """For each of `lines` (the first numbered `first`): its `Fact` if read here, else
        `slow(stripped text)` (the JSON value the slow path checks), `BLANK` for a blank
        line; and whether every value is a `Fact`. Lines given as bytes are UTF-8 (a line
        that is not raises UnicodeDecodeError: msgspec accepts only UTF-8)."""
        records, whole = self.records(lines)
        if whole:  # most blocks: every line decoded, so far in C
            ats = list(map(_AT, records))
            # One datetime per instant: in a file sorted by time a third of the facts share
            # the instant of the one before.
            moments: dict[str, Any] = dict.fromkeys(ats)
            tz = self.tz
            for at in moments:
                moments[at] = _moment(at, tz)
            if None not in moments.values():
                convert = self.convert
                out = [convert[type(record)](record, moments[at], number, origin, line)
                       for number, line, record, at in zip(count(first), lines, records, ats)]
                if all(out):  # every value a Fact (a non-empty tuple): no None
                    return out, True
                for place, fact in enumerate(out):
                    if fact is None:
                        out[place] = self._other(lines[place], slow)
                return out, False
        return self._values(lines, records, first, origin, slow), False

    def _values(self, lines: Lines, records: list[Any], first: int, origin: str | None,
                slow: Callable[[str], Any]) -> list[Any]:
        convert, tz = self.convert, self.tz
        last_at, moment = "", None
        out: list[Any] = []
        append = out.append
        for number, line, record in zip(count(first), lines, records):
            if record is not None:
                at = record.at
                if at != last_at:
                    last_at, moment = at, _moment(at, tz)
                if moment is not None:
                    fact = convert[type(record)](record, moment, number, origin, line)
                    if fact is not None:
                        append(fact)
                        continue
            append(self._other(line, slow))
        return out

    @staticmethod
    def _other(line: str | bytes, slow: Callable[[str], Any]) -> Any:
        """A line not read here: `slow(stripped text)`, or `BLANK`."""
        text = (line.decode("utf-8") if isinstance(line, bytes) else line).strip()
        return slow(text) if text else BLANK

    def rows(self, stream: Iterable[str], origin: str | None,
             slow: Callable[[str], Any]) -> Iterator[tuple[int, str, Any]]:
        """(line number, the line as read, `Fact`) for each line read here, and (number,
        stripped text, `slow(text)`) for each other non-blank line: the JSON value the slow
        path checks. A `Fact`'s line is not stripped (a copy of each line costs 0.3 µs, as
        much as a third of msgspec's decode): strip it before showing it."""
        first = 1
        for lines in blocks(stream):
            values, _ = self.values(lines, first, origin, slow)
            for number, line, value in zip(count(first), lines, values):
                if type(value) is Fact:
                    yield number, line, value
                elif value is not BLANK:
                    yield number, line.strip(), value
            first += len(lines)


def blocks(lines: Iterable[str]) -> Iterator[list[str]]:
    """`lines` in lists of `BLOCK`."""
    it = iter(lines)
    while block := list(islice(it, BLOCK)):
        yield block


# Built once per schema (a few ms) and kept as long as it is.
_BUILT: weakref.WeakKeyDictionary[FactSchema, FastPath] = weakref.WeakKeyDictionary()


# False: every line goes the slow way (the tests that compare both paths set it). A module
# global, read at each call: compiled callers (mypyc) do not see a patched function.
IN_USE = True


def fast_path(schema: FactSchema) -> FastPath | None:
    """The fast path of `schema`; None when no fact type of the policy can use it."""
    if not IN_USE:
        return None
    path = _BUILT.get(schema)
    if path is None:
        path = _BUILT[schema] = FastPath(schema)
    return path if path.types else None
