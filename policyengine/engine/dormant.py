"""Obligations the streaming replay keeps on disk until something asks for them.

- A commitment that can be delayed (`extension`) stays the latest of its case for good once
  fulfilled: an approval signed after the work still moves its deadline (replay.py
  `_target`), which can turn it late. So the replay keeps it — one per case for the whole
  history. When no result reads it as it is (fulfilled, due outside the period evaluated),
  it sleeps here. A delay fact that comes for it wakes it.
- An obligation open across a whole compaction (a case left unfinished: the results list it,
  and only a later fact of its case can change it) sleeps here too, in its duty's
  `open_for` table (`OpenFor`): a fact that fulfils it, repeats its trigger or delays it
  wakes it, and whatever still sleeps at the end of the file wakes for the results
  (`wake_open`). These are what grew with the history (docs/decisions.md D34).

Asleep is written to a SQLite file in the evaluation's temporary directory and taken out of
memory. A woken obligation goes back into the replay's tables and into the obligations at
the place it was made (its ordinal), so the results come out in the same order as if it
had never slept.
"""

from __future__ import annotations

import bisect
import copyreg
import io
import marshal
import os
import pickle
import sqlite3
import tempfile
from array import array
from collections.abc import Callable, Mapping, MutableMapping
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

from mypy_extensions import mypyc_attr

from policyengine.engine.compiled import CompiledPolicy
from policyengine.engine.obligation import Keyed, Obligation
from policyengine.facts.schema import Fact
from policyengine.wording import Line


def _key_text(key: Any) -> str:
    """A case id, or (case, attribute value) for a duty `per: {attribute: X}`, as text; a
    case named "None" and no case (None) apart."""
    return "s" + key if type(key) is str else "r" + repr(key)


PlainFact = tuple[str, "datetime | bytes", "str | None", "str | None", "dict[str, Any] | None",
                  tuple[str, ...], "str | None", "int | None", "str | None"]


def _naive(moment: datetime, tz: tzinfo) -> datetime | bytes:
    # A time in the policy's zone goes as the 10 bytes of its pickled state (wall time and
    # `fold`), without the zone: pickling the zone costs several times the rest of an
    # obligation, pickling a datetime 3 µs, ISO text 1 µs, this 0.1 µs (and marshal takes
    # bytes). Every time of the engine is in that zone; any other goes as it is.
    if moment.tzinfo is tz:
        reduced: Any = moment.__reduce_ex__(4)
        state: bytes = reduced[1][0]
        return state
    return moment


_FROM_STATE: Any = datetime  # datetime(state, tz): how pickle builds one again


def _aware(moment: datetime | bytes, tz: tzinfo) -> datetime:
    if type(moment) is bytes:
        rebuilt: datetime = _FROM_STATE(moment, tz)
        return rebuilt
    assert isinstance(moment, datetime)
    return moment


def read_only(values: dict[str, Any]) -> MappingProxyType[str, Any]:
    """A read-only mapping again, from the dict pickle carried (`read_only_reduced`)."""
    return MappingProxyType(values)


def read_only_reduced(proxy: MappingProxyType[str, Any]) -> tuple[Any, ...]:
    """How pickle writes a read-only mapping, which it refuses as it is (it cannot name its
    type): the dict it shows, made read-only again by `read_only`. Shared by every pickle of
    the engine's objects (workers.py, service/outcomes.py)."""
    return (read_only, (dict(proxy),))


# A message without values holds a mappingproxy: `read_only_reduced`
DISPATCH = copyreg.dispatch_table.copy()
DISPATCH[MappingProxyType] = read_only_reduced


def _dumps(value: Any) -> bytes:
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = DISPATCH  # (a subclass of pickle's class: mypyc fails on it)
    pickler.dump(value)
    return out.getvalue()


def _plain_line(words: Line, tz: tzinfo) -> tuple[Any, ...]:
    """A `Line` of a deadline's history as plain values marshal takes: times, dates,
    durations and nested lines go as text or numbers, their slots listed with a code; any
    other value goes as it is (marshal refuses what it cannot take: then the record is
    pickled)."""
    args = words.args
    plain = dict(args)
    codes: list[tuple[str, str]] = []
    for slot, value in args.items():
        kind = type(value)
        if kind is datetime:
            if value.tzinfo is not tz:
                raise ValueError("a time in another zone")
            plain[slot], code = _naive(value, tz), "t"
        elif kind is date:
            plain[slot], code = value.toordinal(), "d"
        elif kind is timedelta:
            plain[slot], code = (value.days, value.seconds, value.microseconds), "D"
        elif kind is Line:
            plain[slot], code = _plain_line(value, tz), "L"
        else:
            continue
        codes.append((slot, code))
    return words.key, plain, tuple(codes), type(args) is MappingProxyType


def _line_back(plain: tuple[Any, ...], tz: tzinfo) -> Line:
    key, args, codes, proxy = plain
    for slot, code in codes:
        value = args[slot]
        if code == "t":
            args[slot] = _aware(value, tz)
        elif code == "d":
            args[slot] = date.fromordinal(value)
        elif code == "D":
            args[slot] = timedelta(*value)
        else:
            args[slot] = _line_back(value, tz)
    return Line(key, MappingProxyType(args) if proxy else args)


@mypyc_attr(native_class=False)  # tests watch its wakes
class Dormant:
    """The sleeping obligations of one replay, and the ordinal of each obligation in memory
    (its place in the order obligations were made), kept beside `obligations`."""

    def __init__(self, policy: CompiledPolicy, directory: Path, obligations: list[Obligation]):
        self.policy = policy
        self.tz = policy.calendar.tz
        handle, name = tempfile.mkstemp(suffix=".sqlite", dir=directory)
        os.close(handle)
        self.db = sqlite3.connect(name, isolation_level=None)
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        # `open`: an obligation not fulfilled (read back at the end, `wake_open`). One row
        # per duty and key: an open obligation is the latest of its key, and a newer one
        # made for a key replaces the one asleep (no longer the latest: nothing reads it).
        self.db.execute("CREATE TABLE asleep (duty TEXT, key TEXT, ordinal INTEGER, "
                        "pickled INTEGER, data BLOB, open INTEGER, PRIMARY KEY (duty, key))")
        self.obligations = obligations
        # The replay's tables a woken obligation goes back to (`attach`)
        self.open_for: dict[str, MutableMapping[Any, Obligation]] = {}
        self.latest: dict[str, MutableMapping[Any, Obligation]] = {}
        self.ordinals = array("q")  # of obligations[:len(ordinals)]; the rest are newer
        self.made = 0               # obligations made up to the last `number`
        self.asleep = 0             # obligations asleep (exact after each `flush`)
        self.woken = 0
        self.batch: list[tuple[str, str, int, int, bytes, int]] = []

    def attach(self, open_for: dict[str, MutableMapping[Any, Obligation]],
               latest: dict[str, MutableMapping[Any, Obligation]]) -> None:
        """The replay's `open_for` and `latest` tables, where a woken obligation goes back."""
        self.open_for, self.latest = open_for, latest

    def number(self) -> None:
        """Give their ordinals to the obligations made since the last call."""
        fresh = len(self.obligations) - len(self.ordinals)
        self.ordinals.extend(range(self.made, self.made + fresh))
        self.made += fresh

    def plain(self, fact: Fact | None) -> PlainFact | None:
        """A fact as plain values: marshal takes them (several times faster than pickle);
        dates among the attributes go as ordinals, their names listed."""
        if fact is None:
            return None
        attrs: dict[str, Any] | None = dict(fact.attrs) if fact.attrs else None
        dates: tuple[str, ...] = ()
        if attrs:
            for name, value in attrs.items():
                if type(value) is date:
                    attrs[name] = value.toordinal()
                    dates += (name,)
        return (fact.type, _naive(fact.at, self.tz), fact.case, fact.actor, attrs,
                dates, fact.id, fact.line, fact.origin)

    def fact(self, plain: PlainFact | None) -> Fact | None:
        if plain is None:
            return None
        kind, at, case, actor, attrs, dates, fact_id, line, origin = plain
        at = _aware(at, self.tz)
        if attrs is None:
            return Fact(kind, at, case, actor, id=fact_id, line=line, origin=origin)
        for name in dates:
            attrs[name] = date.fromordinal(attrs[name])
        return Fact(kind, at, case, actor, attrs, fact_id, line, origin)

    def sleep(self, obligation: Obligation, ordinal: int, key: Any) -> None:
        """Put an obligation to sleep (written at the next `flush`): one no result reads
        that only a late delay could change, or one still open (`OpenFor.sleep`)."""
        keyed = (obligation.actor, obligation.seq) if isinstance(obligation, Keyed) else None
        plain, tz = self.plain, self.tz
        head = (obligation.case, _naive(obligation.due, tz), _naive(obligation.opened_at, tz),
                obligation.pending, obligation.missing_year, plain(obligation.trigger),
                plain(obligation.fulfilled_by), plain(obligation.anchor))
        record: tuple[Any, ...] = (*head, obligation.history, keyed)
        try:  # plain values: marshal, several times faster than pickle
            history = obligation.history
            data, pickled = marshal.dumps(
                (*head, None if history is None else [_plain_line(w, tz) for w in history],
                 keyed)), 0  # type: ignore[arg-type]
        except ValueError:  # something marshal does not take (a date pending a calendar)
            try:
                data = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
            except (pickle.PicklingError, TypeError):  # a message without values
                data = _dumps(record)
            pickled = 1
        self.batch.append((obligation.duty.id, _key_text(key), ordinal, pickled, data,
                           obligation.fulfilled_by is None))
        self.asleep += 1

    def flush(self) -> None:
        """Write the obligations put to sleep since the last flush, in one transaction."""
        if not self.batch:
            return
        self.db.execute("BEGIN")
        self.db.executemany("INSERT OR REPLACE INTO asleep VALUES (?, ?, ?, ?, ?, ?)",
                            self.batch)
        self.db.execute("COMMIT")
        self.batch = []
        # Counted again: a row of a key already asleep replaces the older one, which
        # `sleep` counted too (a count too high would send every miss of `Latest` to disk).
        self.asleep = self.db.execute("SELECT COUNT(*) FROM asleep").fetchone()[0]

    def wake(self, duty: str, key: Any, *, open_only: bool = False) -> Obligation | None:
        """The obligation asleep for `duty` and `key`, back in the obligations at its place
        and in the replay's tables (`open_for` while open, `latest` if delayable); None if
        there is none (or, `open_only`, none still open: `open_for` holds no other)."""
        text = _key_text(key)
        row = self.db.execute("SELECT ordinal, pickled, data FROM asleep WHERE duty = ? AND "
                              "key = ?" + (" AND open = 1" if open_only else ""),
                              (duty, text)).fetchone()
        if row is None:
            return None
        self.db.execute("DELETE FROM asleep WHERE duty = ? AND key = ?", (duty, text))
        ordinal, pickled, data = row
        obligation = self._rebuilt(duty, pickled, data)
        at = bisect.bisect_left(self.ordinals, ordinal)
        self.obligations.insert(at, obligation)
        self.ordinals.insert(at, ordinal)
        if obligation.fulfilled_by is None:
            waiting = self.open_for.get(duty)
            if isinstance(waiting, OpenFor):
                waiting.woke(key)
            if waiting is not None:
                dict.__setitem__(as_dict(waiting), key, obligation)
        if obligation.duty.extension is not None and duty in self.latest:
            dict.__setitem__(as_dict(self.latest[duty]), key, obligation)
        self.asleep -= 1
        self.woken += 1
        return obligation

    def wake_open(self) -> None:
        """Every obligation still open asleep, back in the obligations at its place (the end
        of the file: the results list them). Only the obligations: no fact comes any more
        to look in the replay's tables."""
        rows = self.db.execute("SELECT duty, ordinal, pickled, data FROM asleep WHERE open = 1 "
                               "ORDER BY ordinal").fetchall()
        if not rows:
            return
        self.db.execute("DELETE FROM asleep WHERE open = 1")
        woken = [(ordinal, self._rebuilt(duty, pickled, data))
                 for duty, ordinal, pickled, data in rows]
        del rows
        merged = sorted([*zip(self.ordinals, self.obligations, strict=True), *woken],
                        key=_ordinal)
        self.obligations[:] = [obligation for _, obligation in merged]
        self.ordinals = array("q", [ordinal for ordinal, _ in merged])
        self.asleep -= len(woken)
        self.woken += len(woken)

    def _rebuilt(self, duty: str, pickled: int, data: bytes) -> Obligation:
        """An obligation from its row."""
        tz, fact = self.tz, self.fact
        (case, due, opened_at, pending, missing_year, trigger, fulfilled_by, anchor, history,
         keyed) = pickle.loads(data) if pickled else marshal.loads(data)
        if not pickled and history is not None:
            history = [_line_back(words, tz) for words in history]
        due, opened_at = _aware(due, tz), _aware(opened_at, tz)
        obligation: Obligation
        if keyed is not None:
            obligation = Keyed(self.policy.duties[duty], case, fact(trigger), opened_at, due)
            obligation.actor, obligation.seq = keyed
        else:
            obligation = Obligation(self.policy.duties[duty], case, fact(trigger), opened_at, due)
        obligation.fulfilled_by, obligation.anchor = fact(fulfilled_by), fact(anchor)
        obligation.history, obligation.pending = history, pending
        obligation.missing_year = missing_year
        return obligation

    def close(self) -> None:
        self.db.close()
        # The tables hold `OpenFor`s that hold this: no cycle left (freed by reference
        # counting, the garbage collector being paused, engine/evaluate.py)
        self.open_for, self.latest = {}, {}


def _ordinal(pair: tuple[int, Obligation]) -> int:
    return pair[0]


@mypyc_attr(native_class=False)  # a dict subclass stays a Python class
class Latest(dict[Any, Obligation]):
    """The replay's `latest[duty]` table (the latest obligation of a delayable duty by case
    or key) that looks for a sleeping one when it has none in memory."""

    def __init__(self, duty: str, dormant: Dormant, items: Mapping[Any, Obligation]):
        super().__init__(items)
        self.duty, self.dormant = duty, dormant

    def get(self, key: Any, default: Any = None) -> Any:
        found = dict.get(self, key)
        if found is None and self.dormant.asleep:
            found = self.dormant.wake(self.duty, key)  # back in this table too
        return default if found is None else found


# How `OpenFor` hashes a case: a module global, read at each call (compiled too), so that
# tests can make cases share a hash.
case_hash: Callable[[Any], int] = hash

_has = dict.__contains__
_get = dict.get


def as_dict(table: MutableMapping[Any, Obligation]) -> dict[Any, Obligation]:
    """A replay table as the dict it is (a plain dict, an OpenFor or a Latest), for its own
    look-ups and stores, which never wake what sleeps."""
    return cast(dict[Any, Obligation], table)


@mypyc_attr(native_class=False)  # a dict subclass stays a Python class
class OpenFor(dict[Any, Obligation]):
    """The replay's `open_for[duty]` table (the open obligation of a duty by case) whose
    obligations open for long sleep on disk: a look-up that misses wakes the one asleep for
    that case (`in`, `get`, `[]`), so the replay finds it as if it had never slept.

    Which cases sleep is kept in memory as their hashes only (`asleep`, with a count for a
    hash two cases share): a miss costs one set look-up, and a disk read only for a case
    asleep (or, rarely, one whose hash another sleeping case shares).
    """

    __slots__ = ("asleep", "dormant", "duty", "shared")

    def __init__(self, duty: str, dormant: Dormant, items: Mapping[Any, Obligation]):
        super().__init__(items)
        self.duty, self.dormant = duty, dormant
        self.asleep: set[int] = set()
        self.shared: dict[int, int] = {}  # hash -> sleeping cases beyond the first with it

    def __contains__(self, key: object) -> bool:
        return _has(self, key) or (
            case_hash(key) in self.asleep
            and self.dormant.wake(self.duty, key, open_only=True) is not None)

    def get(self, key: Any, default: Any = None) -> Any:
        found = _get(self, key)
        if found is None and case_hash(key) in self.asleep:
            found = self.dormant.wake(self.duty, key, open_only=True)
        return default if found is None else found

    def __missing__(self, key: Any) -> Obligation:
        if case_hash(key) in self.asleep:
            found = self.dormant.wake(self.duty, key, open_only=True)
            if found is not None:
                return found
        raise KeyError(key)

    def sleep(self, obligation: Obligation, ordinal: int, key: Any) -> None:
        """Put the open obligation of `key` to sleep: out of this table (and of `latest`)."""
        self.dormant.sleep(obligation, ordinal, key)
        dict.__delitem__(self, key)
        latest = self.dormant.latest.get(self.duty)
        if latest is not None and _get(as_dict(latest), key) is obligation:
            dict.__delitem__(as_dict(latest), key)
        value = case_hash(key)
        if value in self.asleep:
            self.shared[value] = self.shared.get(value, 0) + 1
        else:
            self.asleep.add(value)

    def woke(self, key: Any) -> None:
        value = case_hash(key)
        extra = self.shared.get(value)
        if extra is None:
            self.asleep.discard(value)
        elif extra == 1:
            del self.shared[value]
        else:
            self.shared[value] = extra - 1



@mypyc_attr(native_class=False)  # tests watch its sleeps
class FirstActors:
    """The replay's `first_actor` table (the first actor of each case and fact type), its
    entries for cases no obligation in memory names kept on disk.

    Nothing reads the table while the replay goes; the results read it at the end, for the
    cases of the obligations left. So at each compaction the entries of the other cases are
    appended to a file (pickled in one batch) and removed from memory; at the end those of
    the cases the results name are read back. A later fact of a slept case makes a new entry
    in memory, which the one on disk (written earlier: the first) overrides when read back;
    a key slept twice is read back from its first writing.
    """

    def __init__(self, directory: Path):
        handle, name = tempfile.mkstemp(suffix=".actors", dir=directory)
        os.close(handle)
        self.path = Path(name)
        self.asleep = 0   # entries written (a key slept twice counts twice)

    def sleep(self, table: dict[tuple[str, str], str], awake: set[Any]) -> None:
        """Write and remove the entries of `table` whose case is not in `awake`."""
        going = [(key, actor) for key, actor in table.items() if key[0] not in awake]
        if not going:
            return
        with self.path.open("ab") as out:
            pickle.dump(going, out, protocol=pickle.HIGHEST_PROTOCOL)
        for key, _ in going:
            del table[key]
        self.asleep += len(going)

    def wake(self, table: dict[tuple[str, str], str], cases: set[Any]) -> None:
        """Put back into `table` the entries on disk of `cases` (the earliest written wins,
        over the one in memory too)."""
        if not self.asleep:
            return
        found: dict[tuple[str, str], str] = {}
        with self.path.open("rb") as handle:
            while True:
                try:
                    batch: list[tuple[tuple[str, str], str]] = pickle.load(handle)
                except EOFError:
                    break
                for key, actor in batch:
                    if key[0] in cases and key not in found:
                        found[key] = actor
        table.update(found)
