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
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Union
from zoneinfo import ZoneInfo

import msgspec

from policyengine.facts.schema import FIELDS, Fact, FactSchema

if TYPE_CHECKING:
    from policyengine.facts.schema import _TypeCheck

# -- the attribute types of the vocabulary ------------------------------------------------


class AttributeKind(NamedTuple):
    """How an attribute of one vocabulary type is decoded, and kept in the `Fact`.

    `decoded_as(choices)` is the msgspec type of a present, non-null value (`choices`: the
    values the slow path allows, for enum, tier and role; else None). `keep` turns a decoded
    value into the fact's (None: as decoded). An empty text is never kept: the slow path
    reads it as absent.
    """

    decoded_as: Callable[[frozenset[str] | None], Any]
    keep: Callable[[Any], Any] | None


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
Convert = Callable[[Any, datetime, int, "str | None", str], "Fact | None"]


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
        "NO_ATTRS": _NO_ATTRS, "Fact": Fact, "new": tuple.__new__, "intern": sys.intern,
        "known": known, "first_case": first_case, "in_line_order": _in_line_order,
        **{f"K{i}": attr for i, attr in enumerate(names)},
        **{f"KEEP{i}": ATTRIBUTE_KINDS[spec.type].keep for i, spec in enumerate(specs.values())},
        **{f"WHEN{i}": tuple(when.items()) for i, (_, when) in enumerate(check.conditional)},
    }
    exec(compile(source, f"<fast path of {name}>", "exec"), namespace)
    return FactType(record, namespace["convert"], source)


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
    say("    attrs = {}")
    for i, attr in enumerate(names):
        keep = "value" if ATTRIBUTE_KINDS[check.attributes[attr].type].keep is None else (
            f"KEEP{i}(value)")
        say(f"    value = rec.a{i}")
        say("    if value is not None and value != '':")
        say(f"        attrs[K{i}] = {keep}")
        if attr in check.required:
            say("    else:")
            say("        return None")
    for i, (attr, _) in enumerate(check.conditional):
        say(f"    if K{names.index(attr)} not in attrs and any(")
        say(f"            attrs.get(other) in values for other, values in WHEN{i}):")
        say("        return None")
    if len(names) > 1:
        say("    if len(attrs) > 1:")
        say("        attrs = in_line_order(attrs, NAMES, KEYS, text)")
        say("        if not attrs:")
        say("            return None")
    say("    return new(Fact, (NAME, moment, case, actor, attrs or NO_ATTRS, rec.id, line, "
        "origin))")
    return "\n".join(out) + "\n"


def _in_line_order(attrs: dict[str, Any], names: tuple[str, ...], keys: tuple[str, ...],
                   text: str) -> dict[str, Any]:
    """The attributes in the order the line writes them, as `json` gives them (reports and
    explanations list them in that order); {} when that order cannot be told here.

    In JSON that msgspec accepted with only known keys, `"name":` can only be that key (in a
    string a quote is escaped; no known name holds a quote): its first place is where `json`
    puts it, repeated keys included. A key written with an escape or with a space before its
    colon is not found: the slow path reads that line.
    """
    places = []
    rising, last = True, -1
    for name, key in zip(names, keys, strict=True):
        if name in attrs:
            place = text.find(key)
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


class _Never(msgspec.Struct, tag_field="type", tag="", gc=False):
    """A second member for a union of one type: msgspec takes a lone tagged Struct even
    without its tag. No fact type is named "" (the slow path says 'missing type')."""

    at: str  # read before the type's check: every member has it


def _not_sure(*_: Any) -> None:
    return None


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
        self.decode = msgspec.json.Decoder(Union[tuple(self.convert)]).decode  # noqa: UP007

    def rows(self, stream: Iterable[str], origin: str | None,
             slow: Callable[[str], Any]) -> Iterator[tuple[int, str, Any]]:
        """(line number, the line as read, `Fact`) for each line read here, and (number,
        stripped text, `slow(text)`) for each other non-blank line: the JSON value the slow
        path checks. A `Fact`'s line is not stripped (a copy of each line costs 0.3 µs, as
        much as a third of msgspec's decode): strip it before showing it."""
        decode, convert, tz = self.decode, self.convert, self.tz
        # In a file sorted by time a third of the facts share the instant of the one before
        # (and then its datetime object).
        last_at, moment = "", None
        for number, line in enumerate(stream, start=1):
            try:
                # JSON's own whitespace around the value (the line's end) is read as such;
                # any other space `strip` would drop fails here and goes the slow way.
                record = decode(line)
            except (msgspec.DecodeError, msgspec.ValidationError, RecursionError,
                    UnicodeEncodeError):  # the last: bytes not UTF-8 read from stdin
                text = line.strip()
                if text:
                    yield number, text, slow(text)
                continue
            if record.at != last_at:
                last_at, moment = record.at, _moment(record.at, tz)
            fact = (None if moment is None
                    else convert[type(record)](record, moment, number, origin, line))
            if fact is None:
                text = line.strip()
                yield number, text, slow(text)
            else:
                yield number, line, fact


# Built once per schema (a few ms) and kept as long as it is.
_BUILT: weakref.WeakKeyDictionary[FactSchema, FastPath] = weakref.WeakKeyDictionary()


def fast_path(schema: FactSchema) -> FastPath | None:
    """The fast path of `schema`; None when no fact type of the policy can use it."""
    path = _BUILT.get(schema)
    if path is None:
        path = _BUILT[schema] = FastPath(schema)
    return path if path.types else None
