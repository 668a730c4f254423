"""The reader's fast path: a JSON Lines fact decoded and checked in one msgspec pass.

The policy's fact types become msgspec Structs, one per type, in a union tagged on `type`.
msgspec parses a line and checks in C most of what `_TypeCheck.fast` (facts/schema.py)
checks in Python: the JSON, the fact type, that every value is text (or null), the allowed
values of enum, tier and role attributes, the form of dates, unknown attributes. What is
left is checked here, by one `TypeReader` per fact type (tables made from the vocabulary,
compiled with this module): the time (msgspec's datetime takes other forms than
`fromisoformat`, see facts/moments.py), the case id's form, empty values, missing attributes, and
the attributes' order in the line.

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
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple, Union

import msgspec
from mypy_extensions import mypyc_attr

from policyengine.facts.moments import Moments
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

_NO_ATTRS: Final[Mapping[str, Any]] = MappingProxyType({})

# id, at, case and actor of every fact; `type` is the union's tag. A record's fields come
# in this order (`astuple`), its attributes after them.
_COMMON: list[tuple[Any, ...]] = [
    ("at", str), ("id", Union[str, None], None),  # noqa: UP007 (a type object at run time)
    ("case", Union[str, None], None), ("actor", Union[str, None], None)]  # noqa: UP007
# Final: compiled code (mypyc) then reads them as constants, not from the module's dict
# once per fact (D42, second pass).
_AT: Final = 0
_ID: Final = 1
_CASE: Final = 2
_ACTOR: Final = 3
_ATTRS: Final = 4

_astuple: Final = msgspec.structs.astuple


def _commas(line: str | bytes) -> int:
    return line.count(b",") if type(line) is bytes else line.count(",")  # type: ignore[arg-type]


def _present(fields: tuple[Any, ...]) -> int:
    """The fields not None (compiled: `tuple.count(None)` compares each with ==, several
    times the cost)."""
    found = 0
    for value in fields:
        if value is not None:
            found += 1
    return found


def _keys_add_up(fields: tuple[Any, ...], line: str | bytes) -> bool:
    """Whether `line`'s commas are its record's keys less one, its fields present (`type`
    aside). Not so when a key is written twice (msgspec keeps the last value), a value is
    null (a null then a value under one key would add up otherwise) or holds a comma: the
    slow path then reads the line."""
    return _commas(line) == _present(fields)


# Values of one attribute whose dicts are shared (then forgotten, all at once): a bound for
# a long-running service reading many files.
SHARED_VALUES = 4096

# Names and text values remembered (one shared string each), then forgotten all at once:
# the people of a file are few, but text attributes (notes) are many, and this table keeps
# its strings alive (the interpreter's table of interned strings does not).
KNOWN_NAMES = 4096


class Interned:
    """`sys.intern` for the names of facts, remembered: a look-up in this small table costs
    less than one in the interpreter's table of every interned string (46 against 67 ns for
    71 names, measured alone: D42)."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def get(self, text: str) -> str:
        seen = self.seen.get(text)
        if seen is None:
            if len(self.seen) >= KNOWN_NAMES:
                self.seen.clear()
            seen = self.seen[text] = sys.intern(text)
        return seen


# Case ids remembered per case rule, in two generations: when the newer one holds this
# many, it becomes the older one (the one before is forgotten). Memory stays bounded by the
# cases of recent facts (a case's facts are near each other in time), and an id met in the
# older generation is moved back without being checked again: clearing all at once had every
# open case checked again (0.27 s more at 1M facts, D42). Each look-up waits on memory (the
# slot, the entry, the stored id): a generation of 4,096 ids keeps more of them in cache
# than one of 16,384 (about 0.07 s less at 1M, where 3.8 % of the look-ups then reach the
# older generation and no id is checked twice: D48).
KNOWN_CASES = 4096


def _table() -> dict[str, str]:
    """An empty table of case ids whose entries keep each key's hash.

    A dict holding only strings keeps no hashes: each slot a look-up probes has it read the
    hash from the key string itself, an object made when the case was first met and now far
    from everything else in memory. The look-up (of a freshly decoded id: never the same
    object) waited on those reads: 11 % of reading at 1M facts, about three times the cost
    of the same look-ups measured alone (D42). A dict that has once held a key of
    another type keeps every key's hash beside it (CPython 3.11: the kind stays when the key
    is deleted, resizes included): a slot of another id is then passed over by its hash.
    """
    table: dict[Any, str] = {0: ""}
    del table[0]
    return table


class CaseMemo:
    """The case ids of one case rule met so far, each checked against its patterns once
    (one shared string per case id: a case has many facts of many types)."""

    def __init__(self, check: _TypeCheck) -> None:
        self.patterns = list(check.case_patterns)
        self.known: dict[str, str] = _table()
        self.older: dict[str, str] = _table()

    def get(self, case: str | None) -> str | None:
        """The shared string of `case`, or None when it is no case id of the rule."""
        if case is None:
            return None
        seen = self.known.get(case)
        if seen is not None:
            return seen
        seen = self.older.get(case)
        if seen is None:
            if not any(p.fullmatch(case) for p in self.patterns):
                return None
            seen = case
        if len(self.known) >= KNOWN_CASES:  # bounded: a long history must not grow it
            self.older = self.known
            self.known = _table()
        self.known[case] = seen
        return seen

    def tables(self) -> list[dict[str, str]]:
        return [self.known, self.older]


class TypeReader:
    """`_TypeCheck.fast`'s checks left after msgspec, for one fact type: the case id's form,
    the actor, empty values, missing attributes, and the attributes' order in the line.

    Driven by tables made from the vocabulary (compiled with the module: mypyc compiles
    no code generated at run time, and the generated code ran interpreted, about 1 µs a
    fact: D42).
    """

    def __init__(self, name: str, check: _TypeCheck, cases: CaseMemo | None,
                 names: Interned) -> None:
        specs = check.attributes
        attributes = list(specs)
        kinds = [ATTRIBUTE_KINDS[spec.type] for spec in specs.values()]
        self.name = name
        self.cases = cases  # None: a type without case (any case id refused here)
        self.names = names
        self.actor_required = check.actor_required
        self.attributes = tuple(attributes)
        self.count = len(attributes)
        self.keys = tuple(f'"{a}":' for a in attributes)
        self.byte_keys = tuple(f'"{a}":'.encode() for a in attributes)
        self.interned = tuple(kind.keep is sys.intern for kind in kinds)
        self.kept_as_decoded = tuple(kind.keep is None for kind in kinds)
        self.keeps: tuple[Any, ...] = tuple(kind.keep for kind in kinds)
        self.required = tuple(a in check.required for a in attributes)
        # (attribute, ((other, values that make it required) ...)) per conditional one
        self.conditional: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = tuple(
            (attr, tuple(when.items())) for attr, when in check.conditional)
        # Facts with equal values share one `attrs` dict (a dict is 184 bytes or more; a
        # million facts hold a few thousand sets of values).
        self.shared = all(kind.shared for kind in kinds)
        self.by_values: dict[Any, dict[str, Any]] = {}

    def convert(self, fields: tuple[Any, ...], moment: datetime, line: int,
                origin: str | None, text: str | bytes, start: int, end: int) -> Fact | None:
        """The `Fact` of a decoded record's fields (`astuple`; its time already read), or
        None: not sure. `text[start:end]` is its line (in a text of many lines: no copy of it
        is made)."""
        case = fields[_CASE]
        if self.cases is not None:
            case = self.cases.get(case)
            if case is None:
                return None
        elif case is not None and case != "":
            return None
        actor = fields[_ACTOR]
        if actor:
            actor = self.names.get(actor)
        elif self.actor_required:
            return None
        else:
            actor = None
        count = self.count
        if count == 0:
            return _new(Fact, (self.name, moment, case, actor, _NO_ATTRS, fields[_ID], line,
                               origin))
        attrs: dict[str, Any] | None
        values: Any = None
        if self.shared:
            values = fields[_ATTRS] if count == 1 else fields[_ATTRS:]
            attrs = self.by_values.get(values)
            fresh = attrs is None
            if attrs is None:
                attrs = self._attrs(fields)
                if attrs is None:
                    return None
        else:
            fresh = False
            attrs = self._attrs(fields)
            if attrs is None:
                return None
        if count > 1 and len(attrs) > 1 and not self._in_order(attrs, text, start, end):
            # the line's own order: a dict of its own
            ordered = _in_line_order(attrs, self.attributes, self.keys, self.byte_keys, text,
                                     start, end)
            if not ordered:
                return None
            attrs = ordered
        elif fresh:  # in the declared order, the order of any line with these values
            if len(self.by_values) >= SHARED_VALUES:
                self.by_values.clear()
            self.by_values[values] = attrs
        return _new(Fact, (self.name, moment, case, actor, attrs or _NO_ATTRS, fields[_ID], line,
                           origin))

    def _attrs(self, fields: tuple[Any, ...]) -> dict[str, Any] | None:
        """The attributes of a record in the declared order, None if one required is
        missing: None and "" are absent (a date is always true)."""
        attrs: dict[str, Any] = {}
        for i in range(self.count):
            value = fields[_ATTRS + i]
            if value:
                if self.interned[i]:
                    value = self.names.get(value)
                elif not self.kept_as_decoded[i]:
                    value = self.keeps[i](value)
                attrs[self.attributes[i]] = value
            elif self.required[i]:
                return None
        for attr, when in self.conditional:
            if attr not in attrs:
                for other, values in when:
                    if attrs.get(other) in values:
                        return None
        return attrs

    def _in_order(self, attrs: dict[str, Any], text: str | bytes, start: int, end: int) -> bool:
        """Whether the line writes its attributes in the declared order, the order `attrs`
        was filled in (most lines do)."""
        keys = self.byte_keys if type(text) is bytes else self.keys
        find: Callable[[Any, int, int], int] = text.find
        last = -1
        for i in range(self.count):
            if self.attributes[i] in attrs:
                place = find(keys[i], start, end)
                if place <= last:
                    return False
                last = place
        return True


_new: Final = tuple.__new__


class FactType(NamedTuple):
    """One fact type on the fast path: its Struct, and the checks msgspec leaves to it."""

    record: type
    reader: TypeReader


def _fact_type(name: str, check: _TypeCheck, cases: CaseMemo | None,
               names: Interned) -> FactType | None:
    """The Struct and checks of one fact type; None when an attribute of it is of a type not
    in `ATTRIBUTE_KINDS` (or named so that its place in a line cannot be found)."""
    specs = check.attributes
    if any(a in FIELDS or '"' in a or "\\" in a or spec.type not in ATTRIBUTE_KINDS
           for a, spec in specs.items()):
        return None
    fields = list(_COMMON)
    for i, (attr, spec) in enumerate(specs.items()):  # a0, a1 ...: any attribute name is safe
        decoded = ATTRIBUTE_KINDS[spec.type].decoded_as(check.choices.get(attr))
        fields.append((f"a{i}", Union[decoded, None], None))  # noqa: UP007
    record = msgspec.defstruct(
        f"{name} fact", fields, tag_field="type", tag=name, forbid_unknown_fields=True,
        rename={f"a{i}": attr for i, attr in enumerate(specs)},
        gc=False)  # short-lived: never tracked by the garbage collector
    return FactType(record, TypeReader(name, check, cases, names))




def _in_line_order(attrs: dict[str, Any], names: tuple[str, ...], keys: tuple[str, ...],
                   byte_keys: tuple[bytes, ...], text: str | bytes, start: int = 0,
                   end: int = sys.maxsize) -> dict[str, Any]:
    """The attributes in the order the line `text[start:end]` writes them, as `json` gives
    them (reports and explanations list them in that order); {} when that order cannot be
    told here.

    In JSON that msgspec accepted with only known keys, `"name":` can only be that key (in a
    string a quote is escaped; no known name holds a quote): its first place is where `json`
    puts it, repeated keys included. A key written with an escape or with a space before its
    colon is not found: the slow path reads that line.
    """
    places = []
    rising, last = True, -1
    find: Callable[[Any, int, int], int] = text.find
    for name, key in zip(names, byte_keys if type(text) is bytes else keys, strict=True):
        if name in attrs:
            place = find(key, start, end)
            if place < 0:
                return {}
            places.append((place, name))
            rising, last = rising and place > last, place
    if rising:  # written in the declared order, the order `attrs` was filled in: most lines
        return attrs
    places.sort()
    return {name: attrs[name] for _, name in places}


# -- the whole policy ----------------------------------------------------------------------


# A second member for a union of one type: msgspec takes a lone tagged Struct even without
# its tag. No fact type is named "" (the slow path says 'missing type'). It forbids unknown
# fields, as every member does: no member then holds a list or an object (see
# `FastPath.records`). Its one field `at` is read before the type's check: every member has
# it. Made by `defstruct`, not a class statement: a compiled module (mypyc) would drop the
# class keywords.
_Never = msgspec.defstruct("_Never", [("at", str)], tag_field="type", tag="",
                           forbid_unknown_fields=True, gc=False)


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

# A block of lines: text, or the UTF-8 bytes of a file (typed loosely: either kind of list)
Lines = list[Any]


@mypyc_attr(native_class=False)
class FastPath:
    """The fast path for the fact types of one policy (its `FactSchema`)."""

    def __init__(self, schema: FactSchema):
        self.tz = schema.tz
        self.moments = Moments(schema.tz)
        self.types: dict[str, FactType] = {}
        names = Interned()
        cases: dict[str, CaseMemo] = {}  # one per case rule: a case has facts of many types
        for name, check in schema.types.items():
            memo = None
            if check.checks_case:
                memo = cases.get(check.case_rule)
                if memo is None:
                    memo = cases[check.case_rule] = CaseMemo(check)
            built = _fact_type(name, check, memo, names)
            if built is not None:
                self.types[name] = built
        self.case_memos = list(cases.values())
        self.readers: dict[type, TypeReader] = {t.record: t.reader for t in self.types.values()}
        members = (*self.readers, _Never)
        decoder = msgspec.json.Decoder(Union[members])  # noqa: UP007
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
            read = self._facts(records, first, origin, lines, slow)
            assert read is not None  # (lines given apart: never unsure of where one is)
            return read
        return self._values(lines, records, first, origin, slow), False

    def text_values(self, text: bytes, first: int, origin: str | None,
                    slow: Callable[[str], Any]) -> tuple[list[Any], bool]:
        """`values` of the lines of `text`: many whole lines of a file, split at `\n`.

        The lines are not split apart: they are decoded together (see `records`), and each
        is found in `text` as its record is read, without a copy of it (a copy of each line
        costs more than its check). When a line does not start with `{`, or there are not
        as many records as lines, they are split apart and read as `values` reads them.
        """
        try:
            records: list[Any] | None = self.decode_lines(text)
        except _FAILED:
            records = None
        if records is not None:
            read = self._facts(records, first, origin, text, slow)
            if read is not None:
                return read
        return self.values(text.split(b"\n"), first, origin, slow)

    def _facts(self, records: list[Any], first: int, origin: str | None, lines: Any,
               slow: Callable[[str], Any]) -> tuple[list[Any], bool] | None:
        """The `Fact` of each record, `_other(line)` where not sure, and whether every value
        is a `Fact`. `lines`: the lines, or one text holding them all (bytes), each of whose
        lines must then start with `{` and be one record: None when one does not (or when
        there are not as many lines as records), as then where a line is is not sure."""
        readers = self.readers
        moments: Moments = self.moments
        whole_text = type(lines) is bytes
        many: bytes = lines if whole_text else b""  # a text of many lines
        find: Callable[[bytes, int], int] = many.find
        size: int = len(many)
        start: int = 0  # where the next line starts in it
        end: int
        text: str | bytes  # the line's text: `many`, or the line given apart
        # One datetime per instant: in a file sorted by time a third of the facts share the
        # instant of the one before ("" is no time either).
        last_at: Any = ""
        moment: datetime | None = None
        out: list[Any] = []
        only_facts = True
        present = 0  # the fields the records read here hold (not None), `type` aside
        for i in range(len(records)):
            # Where the line is, found as it is read rather than by a pass of its own first
            # (a list of a million places, each an object: D61).
            if whole_text:
                if start >= size or many[start] != 123:  # b"{"
                    return None
                end = find(b"\n", start)
                if end < 0:
                    end = size
                text, line_start, line_end = many, start, end
                start = end + 1
            else:
                text = lines[i]
                line_start, line_end = 0, len(text)
            record = records[i]
            fact: Any = None  # a `Fact`, else what `_other` reads of the line
            reader = readers.get(type(record))
            if reader is not None:
                fields: tuple[Any, ...] = _astuple(record)  # its fields: one call for them all
                at = fields[_AT]
                if at != last_at:
                    last_at, moment = at, moments.read(at)
                if moment is not None:
                    fact = reader.convert(fields, moment, first + i, origin, text, line_start,
                                          line_end)
                    if fact is not None:
                        present += _present(fields)
            if fact is None:
                only_facts = False
                fact = self._other(text[line_start:line_end], slow)
            out.append(fact)
        if whole_text and start != size + 1:  # lines left over: not one record each
            return None
        # A key written twice in a line: msgspec keeps its last value without a word. A
        # record of N keys has N - 1 commas between them, and N is at least its fields
        # present (not None) and `type`. So when the lines hold as many commas as the fields
        # present, each has exactly those keys: none twice, no null, no comma in a value.
        # Otherwise each line is counted alone, and one that does not add up goes to the
        # slow path, which tells a key written twice (reader.py `json_value`) and reads the
        # others as read here.
        commas = many.count(b",") if whole_text else sum(map(_commas, lines))
        if not only_facts or commas != present:
            only_facts = self._recount(out, many.split(b"\n") if whole_text else lines, slow)
        return out, only_facts

    def _recount(self, out: list[Any], lines: Any, slow: Callable[[str], Any]) -> bool:
        """`_facts`'s check of the keys, line by line: a `Fact` whose line's commas are not
        its fields present is read again by the slow path. Whether every value is still a
        `Fact`."""
        only_facts = True
        for i, value in enumerate(out):
            if type(value) is Fact:
                line = lines[i]
                if _keys_add_up(_astuple(self.decode(line)), line):
                    continue
                value = out[i] = self._other(line, slow)
            only_facts = only_facts and type(value) is Fact
        return only_facts

    def _values(self, lines: Lines, records: list[Any], first: int, origin: str | None,
                slow: Callable[[str], Any]) -> list[Any]:
        readers = self.readers
        moments: Moments = self.moments
        last_at, moment = "", None
        out: list[Any] = []
        append = out.append
        for number, line, record in zip(count(first), lines, records):
            if record is not None:
                at = record.at
                if at != last_at:
                    last_at, moment = at, moments.read(at)
                reader = readers.get(type(record))
                if moment is not None and reader is not None:
                    fields = _astuple(record)
                    fact = reader.convert(fields, moment, number, origin, line, 0, len(line))
                    if fact is not None and _keys_add_up(fields, line):
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
