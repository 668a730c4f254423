"""Reading fact files (JSON Lines or CSV): every line becomes a fact or a located rejection.

Nothing is dropped without a word: a malformed line is a `Rejection` with its line and
reasons; a re-sent fact (same id, same content) is counted as a duplicate.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import json.scanner
import operator
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

from mypy_extensions import mypyc_attr

from policyengine.errors import Diagnostic, FactError, Location
from policyengine.facts import fastpath
from policyengine.facts.fastpath import BLANK, FastPath, Lines, blocks, fast_path
from policyengine.facts.messages import FactSay, json_problem, odd_character, shown
from policyengine.facts.schema import (
    DUPLICATE_ID,
    ENCODING_ERROR,
    JSON_ERROR,
    VALUE_ERROR,
    Fact,
    FactSchema,
    Reason,
)
from policyengine.gcpause import gc_paused
from policyengine.policy.messages import Words


@mypyc_attr(native_class=False)
@dataclass(frozen=True)
class Rejection:
    location: Location
    text: str
    reasons: tuple[Reason, ...]

    def diagnostics(self) -> list[Diagnostic]:
        return [Diagnostic(self.location, r.code, str(r), r.zh) for r in self.reasons]

    def __str__(self) -> str:
        return f"{self.location}: " + "; ".join(self.reasons)


@mypyc_attr(native_class=False)  # a str / list subclass stays a Python class
class CheckedFacts(list[Fact]):
    """Facts already checked and de-duplicated by the reader (the engine skips doing it again).

    `duplicates` counts the re-sent facts the reader set aside, for the result's statistics.
    """

    duplicates: int = 0


@mypyc_attr(native_class=False)
@dataclass
class FactBatch:
    facts: list[Fact] = field(default_factory=CheckedFacts)
    rejected: list[Rejection] = field(default_factory=list)
    lines: int = 0

    @property
    def duplicates(self) -> int:
        """Re-sent facts (same id, same content) counted once."""
        return getattr(self.facts, "duplicates", 0)

    def raise_if_rejected(self, language: str | None = None) -> None:
        """FactError with every rejection; `language` is the policy's `policy.language`."""
        if self.rejected:
            raise FactError((d for r in self.rejected for d in r.diagnostics()),
                            language=language)


Progress = Callable[[int], None]


@mypyc_attr(native_class=False)  # a str / list subclass stays a Python class
class Unreadable(Reason):
    """Why a line could not be decoded at all (distinct from a JSON string value)."""

    def __new__(cls, words: Words, code: str = JSON_ERROR) -> Unreadable:
        return cast(Unreadable, Reason.__new__(cls, code, words))


# Python's csv module refuses a cell over 131,072 characters with an error that names no
# line. Cells this large are still read (a long free-text note); beyond the bound the line
# is a located rejection, so one runaway quote cannot make the reader hold a whole file.
CSV_CELL_LIMIT = 10 * 1024 * 1024

# A file's name decides its format when it names one: a `.jsonl` file whose first line is
# not JSON (a stray note, a title) is JSON Lines with that line rejected, not CSV with every
# fact rejected. Other names (and standard input): the first non-blank line decides.
NAMED_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


def format_of_name(path: Path) -> str | None:
    """The format a file's name says ("csv", "jsonl"), or None."""
    return NAMED_FORMATS.get(path.suffix.lower())


def read_facts(
    source: str | Path | IO[str],
    schema: FactSchema,
    *,
    name: str | None = None,
    fmt: str | None = None,
    progress: Progress | None = None,
) -> FactBatch:
    """Read a file path, '-' (stdin) or an open text stream."""
    if isinstance(source, (str, Path)) and str(source) != "-":
        path = Path(source)
        fmt = fmt or format_of_name(path)
        name = name or str(path)
        try:
            # A pipe (`--facts /dev/stdin`, `<(zcat ...)`) can be read only once: the bytes
            # path would have read its head to tell the format, so it is read as text.
            batch = (_read_jsonl_file(path, schema, name, fmt, progress) if path.is_file()
                     else None)
            if batch is not None:
                return batch
            with path.open(encoding="utf-8-sig", newline="") as handle:
                return _read(handle, schema, name, fmt, progress)
        except UnicodeDecodeError as exc:
            raise _not_utf8(name, exc, path) from None
    ours = isinstance(source, (str, Path))  # "-": standard input, wrapped here
    counted = _CountedInput(sys.stdin.buffer) if ours and hasattr(sys.stdin, "buffer") else None
    stream: IO[str] = _stdin(counted) if ours else source  # type: ignore[assignment]
    try:
        return _read(stream, schema, name or "<stdin>", fmt, progress)
    except UnicodeDecodeError as exc:
        raise _not_utf8(name or "<stdin>", exc,
                        line=counted.line_of(exc) if counted is not None else None) from None
    finally:
        if ours and isinstance(stream, io.TextIOWrapper) and stream is not sys.stdin:
            stream.detach()  # closing our wrapper would close standard input itself


def _stdin(counted: _CountedInput | None) -> IO[str]:
    """Standard input read as a file is: UTF-8 (a BOM dropped), strictly. Python's own
    `sys.stdin` may carry bytes that are not UTF-8 through as surrogates."""
    if counted is None:  # replaced by a text stream (tests, embedding): taken as it is
        return sys.stdin
    return io.TextIOWrapper(counted, encoding="utf-8-sig",  # type: ignore[type-var]
                            newline="")


@mypyc_attr(native_class=False)  # a subclass of an io class stays a Python class
class _CountedInput(io.BufferedIOBase):
    """Standard input's bytes as its text wrapper takes them, their line feeds counted: a
    byte that is not UTF-8 is named with its line, as in a file (standard input cannot be
    read again to find it). Closing this leaves standard input open."""

    def __init__(self, source: Any):
        super().__init__()
        self.source = source
        self.before = 0  # line feeds in the bytes handed out before the latest
        self.latest = b""

    def readable(self) -> bool:
        return True

    def read1(self, size: int = -1) -> bytes:
        read = getattr(self.source, "read1", self.source.read)
        return self._counted(read(size))

    def read(self, size: int | None = -1) -> bytes:
        return self._counted(self.source.read(size))

    def _counted(self, data: bytes) -> bytes:
        self.before += self.latest.count(b"\n")
        self.latest = data
        return data

    def line_of(self, exc: UnicodeDecodeError) -> int:
        """The line of the byte `exc` names: its text decoder fails on the bytes handed out
        latest (with at most the start of a character before them, holding no line feed)."""
        return self.before + exc.object[:exc.start].count(b"\n") + 1


def _not_utf8(name: str, exc: UnicodeDecodeError, path: Path | None = None,
              line: int | None = None) -> FactError:
    """A file not in UTF-8 is one error (its other lines would be wrong too), at its first
    bad line: a file is read again, line by line, to find it (only on this rare path);
    standard input is counted as it is read (`line`)."""
    where, byte = Location(name, line or 0), exc.object[exc.start:exc.start + 1]
    if path is not None:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError as bad:
                    where, byte = Location(name, number), raw[bad.start:bad.start + 1]
                    break
    words = FactSay.NOT_UTF8(byte=bytes(byte).hex())
    return FactError([Diagnostic(where, ENCODING_ERROR, words.en, words.zh)])


def _read_jsonl_file(path: Path, schema: FactSchema, name: str, fmt: str | None,
                     progress: Progress | None) -> FactBatch | None:
    """A JSON Lines file read as bytes (msgspec decodes UTF-8 itself: no text is made of a
    line read whole); None when it is CSV or no fact type takes the fast path."""
    fast = fast_path(schema) if fmt != "csv" else None
    if fast is None:
        return None
    with path.open("rb") as handle, gc_paused():
        texts = _jsonl_texts(handle, fmt)
        return None if texts is None else collect_fast(texts, fast, schema, name, progress)


def _jsonl_texts(handle: IO[bytes], fmt: str | None) -> Iterable[bytes] | None:
    """A file's texts of many whole lines read as bytes (`byte_texts`), a byte-order mark at
    its start dropped; None when, its format not given, its first non-blank line says it is
    no JSON Lines (CSV)."""
    texts = byte_texts(_without_bom(_chunks(handle, BYTES_READ_SIZE)), BYTES_READ_SIZE)
    if fmt is not None:
        return texts
    head: list[bytes] = []
    for text in texts:
        head.append(text)
        first = next((line for line in text.split(b"\n") if line.decode("utf-8").strip()), None)
        if first is not None:
            if first.decode("utf-8").lstrip()[:1] not in ("{", "["):
                return None
            break
    return itertools.chain(head, texts)


def _read(stream: IO[str], schema: FactSchema, name: str, fmt: str | None,
          progress: Progress | None) -> FactBatch:
    with gc_paused():
        guessed = fmt is None
        fmt, lines = _format_of(stream, fmt)
        fast = fast_path(schema) if fmt == "jsonl" else None
        if fast is None:
            return collect(_rows(fmt, lines, None, name, guessed), schema, name, progress)
        return collect_fast(lines, fast, schema, name, progress)


def collect_fast(blocks: Iterable[Lines | bytes], fast: FastPath,
                  schema: FactSchema, name: str, progress: Progress | None) -> FactBatch:
    """The facts of blocks of lines, or of texts of many whole lines (`byte_texts`)."""
    into = _Collector(schema, name, progress)
    first = 1
    for block in blocks:
        if isinstance(block, bytes):
            values, only_facts = fast.text_values(block, first, name, json_value)
        else:
            values, only_facts = fast.values(block, first, name, json_value)
        if only_facts:
            into.facts(values, block, first)
        else:
            into.rows(_block_rows(_lines(block), values, first))
        first += len(values)  # one value a line
    return into.done()


def _lines(block: Lines | bytes) -> Lines:
    return block.split(b"\n") if isinstance(block, bytes) else block


# Text read from a stream at a time (characters)
READ_SIZE = 1 << 20


def _format_of(stream: IO[str], fmt: str | None) -> tuple[str, Iterable[Any]]:
    """The format of a stream, told by its first non-blank line unless given, and its lines:
    for CSV one by one (the csv module splits them), for JSON Lines in lists of
    `fastpath.BLOCK`, split at `\n` only (`text_blocks`)."""
    # Read up to the first non-blank line: it tells the format, and a byte-order mark a
    # spreadsheet may have written before it is dropped. Then put those lines back.
    head: list[str] = []
    for line in stream:
        # a byte-order mark or more (a file saved again by tools that each add one)
        line = line.lstrip("\ufeff") if not head else line
        head.append(line)
        if line.strip():
            break
    if fmt is None:
        fmt = "jsonl" if not head or head[-1].lstrip()[:1] in ("{", "[") else "csv"
    if fmt == "csv":
        return fmt, itertools.chain(head, stream)
    # The head was split as the stream splits lines (at a lone \r too): joined back first.
    return fmt, text_blocks(itertools.chain(["".join(head)], _chunks(stream)))


# Bytes read from a file at a time: its whole lines are decoded together (`byte_texts`); a
# text holding a line msgspec refuses is read again in pieces, so not too many at once.
BYTES_READ_SIZE = 1 << 17


def _chunks(stream: IO[Any], size: int = 0) -> Iterator[Any]:
    size = size or READ_SIZE
    while chunk := stream.read(size):
        yield chunk


def text_blocks(texts: Iterable[str]) -> Iterator[list[str]]:
    """The lines of a text given in pieces, in lists of up to `fastpath.BLOCK`, without their
    `\\n`.

    JSON Lines ends a line at `\\n` only (a `\\r` before it is JSON whitespace, so `\\r\\n`
    endings read as well): a lone `\\r` is no line end, wherever the text comes from (a
    file, standard input, a request's body). A last line without `\\n` is a line.
    """
    return _split(texts, "\n")


def byte_blocks(chunks: Iterable[bytes]) -> Iterator[list[bytes]]:
    """`text_blocks` of a file read as bytes; a byte-order mark at its start is dropped."""
    return _split(_without_bom(chunks), b"\n")


def _without_bom(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """`chunks` without the byte-order marks at their start, as many as there are (as
    `_format_of` drops them from a text)."""
    chunks = iter(chunks)
    start = b""
    for chunk in chunks:
        start += chunk
        while start.startswith(codecs.BOM_UTF8):
            start = start[len(codecs.BOM_UTF8):]
        if not codecs.BOM_UTF8.startswith(start[:len(codecs.BOM_UTF8)]):
            break  # not (the start of) one more mark: read on from here
    return itertools.chain([start] if start else [], chunks)


def byte_texts(chunks: Iterable[bytes], size: int) -> Iterator[bytes]:
    """The lines of bytes given in chunks (a line may run on from one chunk into the next),
    as texts of many whole lines: the lines of each are `text.split(b"\\n")`, the lines
    `_split` gives (a last line without `\\n` a line). A chunk's whole lines make one text,
    cut after about `size` bytes where longer (a file read `size` bytes at a time: a text a
    chunk; a partition's lines, engine/sharing.py: one long chunk). Not split here: the fast
    path reads the lines of a text without a copy of each (`FastPath.text_values`)."""
    pending: list[bytes] = []  # the start of a line not ended yet
    for chunk in chunks:
        end = chunk.rfind(b"\n")
        if end < 0:
            pending.append(chunk)
            continue
        start = 0
        while start <= end:
            cut = chunk.find(b"\n", start + size, end)
            if cut < 0:
                cut = end
            if pending:
                pending.append(chunk[start:cut])
                yield b"".join(pending)
                pending = []
            else:
                yield chunk[start:cut]
            start = cut + 1
        rest = chunk[end + 1:]
        pending = [rest] if rest else []
    last = b"".join(pending)
    if last:  # (an empty chunk holds no line)
        yield last


def _split(texts: Iterable[Any], end: Any) -> Iterator[list[Any]]:
    size = fastpath.BLOCK  # lines decoded by one msgspec call
    pending: list[Any] = []  # the start of a line not ended yet
    for text in texts:
        if end not in text:
            pending.append(text)
            continue
        if pending:
            pending.append(text)
            text = text[:0].join(pending)
            pending = []
        lines = text.split(end)
        rest = lines.pop()
        if rest:
            pending.append(rest)
        for start in range(0, len(lines), size):
            yield lines[start:start + size]
    if pending:
        yield [pending[0][:0].join(pending)]


def _rows_of(stream: IO[str], schema: FactSchema, name: str,
             fmt: str | None) -> Iterator[tuple[int, str, Any]]:
    """The rows of a stream: the format is told by its first non-blank line unless given."""
    guessed = fmt is None
    fmt, lines = _format_of(stream, fmt)
    return _rows(fmt, lines, fast_path(schema), name, guessed)


def _rows(fmt: str, lines: Iterable[Any], fast: FastPath | None,
          name: str, guessed: bool = False) -> Iterator[tuple[int, str, Any]]:
    # CSV stays on the slow path: its cells arrive as text already split, nothing to decode.
    return (_csv_rows(lines, guessed) if fmt == "csv"
            else _jsonl_block_rows(lines, fast, name))


def _block_rows(lines: Lines, values: list[Any], first: int,
                ) -> Iterator[tuple[int, str, Any]]:
    """The rows of one block read by the fast path: a `Fact`'s line is not stripped."""
    for number, line, value in zip(itertools.count(first), lines, values):
        text = line.decode("utf-8") if type(line) is bytes else line
        if type(value) is Fact:
            yield number, text, value
        elif value is not BLANK:
            yield number, text.strip(), value


def collect(rows: Iterable[tuple[int, str, Any]], schema: FactSchema, name: str,
            progress: Progress | None = None) -> FactBatch:
    """(line number, text, decoded object or `Unreadable`) -> a batch."""
    into = _Collector(schema, name, progress)
    into.rows(rows)
    return into.done()


# The progress callback is called each time this many more lines are read.
PROGRESS_EVERY = 50_000


def _progress_between(progress: Progress, before: int, after: int) -> None:
    """Tells `progress` each count of lines read past `before`, up to `after`, that it is
    told at (a multiple of `PROGRESS_EVERY`), as if the lines between were read one by one."""
    for done in range(before - before % PROGRESS_EVERY + PROGRESS_EVERY, after + 1,
                      PROGRESS_EVERY):
        progress(done)


class _Collector:
    """A batch filled row by row, or many facts at once (`facts`)."""

    def __init__(self, schema: FactSchema, name: str, progress: Progress | None):
        self.batch = FactBatch()
        self.build = schema.build
        self.name = name
        self.progress = progress
        self.lines = 0
        # The facts by id, to find an id used twice; None while every id so far came in
        # rising order (`last_id` the latest), as in files numbered as they are written:
        # then no id can have come before, and no index is kept (built when one is needed).
        self.seen: dict[str, Fact] | None = None
        self.last_id = ""
        # ids used for different facts: every use is rejected
        self.conflicted: dict[str, Fact] = {}

    def _index(self) -> dict[str, Fact]:
        if self.seen is None:  # ids in rising order so far: each fact kept, none twice
            self.seen = {f.id: f for f in self.batch.facts if f.id is not None}
        return self.seen

    def facts(self, facts: list[Fact], lines: Lines | bytes, first: int) -> None:
        """The facts of `lines` (the first numbered `first`), read whole by the fast path.
        When their ids are all new (no id twice, none seen before), as in most blocks, they
        are taken in one go."""
        if self.seen is None:
            ids = list(map(_ID, facts))
            try:
                rising = _rising(ids, self.last_id)
            except TypeError:  # a fact without id (None): the others' order (rare)
                ids = [i for i in ids if i is not None]
                rising = _rising(ids, self.last_id)
            if rising:
                self.last_id = ids[-1] if ids else self.last_id
                self._take(facts)
                return
        by_id = dict(zip(map(_ID, facts), facts, strict=True))
        seen = self._index()
        if (self.conflicted or len(by_id) != len(facts) or None in by_id
                or not seen.keys().isdisjoint(by_id)):
            self.rows(_block_rows(_lines(lines), facts, first))
            return
        seen.update(by_id)
        self._take(facts)

    def _take(self, facts: list[Fact]) -> None:
        self.batch.facts += facts
        before, self.lines = self.lines, self.lines + len(facts)
        if self.progress is not None:
            _progress_between(self.progress, before, self.lines)

    def rows(self, rows: Iterable[tuple[int, str, Any]]) -> None:
        batch, name, build, progress = self.batch, self.name, self.build, self.progress
        seen, last_id, conflicted = self.seen, self.last_id, self.conflicted
        facts_append = batch.facts.append
        lines = self.lines
        for number, text, raw in rows:
            lines += 1
            if progress is not None and lines % PROGRESS_EVERY == 0:
                progress(lines)
            if type(raw) is Fact:  # read whole by the fast path (facts/fastpath.py)
                fact: Fact = raw
            elif type(raw) is Unreadable:
                batch.rejected.append(Rejection(Location(name, number), text, (raw,)))
                continue
            else:
                built = build(raw, number, name)
                if type(built) is list:
                    batch.rejected.append(Rejection(Location(name, number), text,
                                                    tuple(built)))
                    continue
                fact = cast(Fact, built)
            fact_id = fact.id
            if fact_id is not None:
                if seen is None:
                    if fact_id > last_id:
                        last_id = fact_id
                        facts_append(fact)
                        continue
                    seen = self._index()
                earlier = seen.get(fact_id)
                if earlier is None and conflicted:
                    earlier = conflicted.get(fact_id)
                if earlier is not None:
                    if earlier.content() == fact.content() and fact_id not in conflicted:
                        batch.facts.duplicates += 1  # type: ignore[attr-defined]
                        continue
                    batch.rejected.append(Rejection(
                        Location(name, number), text.strip(), (Reason(
                            DUPLICATE_ID, FactSay.ID_ALSO_AT(id=fact_id, line=earlier.line)),)))
                    conflicted.setdefault(fact_id, earlier)
                    continue
                seen[fact_id] = fact
            facts_append(fact)
        self.lines, self.last_id = lines, last_id

    def done(self) -> FactBatch:
        batch, conflicted, name = self.batch, self.conflicted, self.name
        if conflicted:
            # The first use of a conflicting id is as doubtful as the later ones: which of
            # them is the real fact cannot be told, so none is evaluated, whatever the line
            # order.
            batch.rejected += [
                Rejection(Location(name, first.line or 0),
                          json.dumps(first.to_dict(), ensure_ascii=False),
                          (Reason(DUPLICATE_ID, FactSay.ID_USED_AGAIN(id=first.id)),))
                for first in conflicted.values()]
            batch.rejected.sort(key=lambda r: r.location.line)
            kept = CheckedFacts(f for f in batch.facts if f.id not in conflicted)
            kept.duplicates = batch.facts.duplicates  # type: ignore[attr-defined]
            batch.facts = kept
        batch.lines = self.lines
        if self.progress is not None:
            self.progress(self.lines)
        return batch


_ID = operator.attrgetter("id")


def _rising(ids: list[Any], last: str) -> bool:
    """Whether `ids` are in rising order, all after `last`; TypeError if one is None (no
    scan for None first: a comparison with it raises)."""
    return not ids or (ids[0] > last and all(map(operator.lt, ids, ids[1:])))


@mypyc_attr(native_class=False)
class FactStream:
    """The facts of a file, one at a time, in file order: no list of them is made.

    Each pass over it (`rows`) reads the file again; the rejected lines and the count of lines
    are those of the latest pass. Duplicate ids are not looked at here: the streaming
    evaluation (engine/stream.py) does it without keeping every fact.
    """

    def __init__(self, path: str | Path, schema: FactSchema, *, name: str | None = None,
                 fmt: str | None = None, progress: Progress | None = None):
        self.path = Path(path)
        self.schema = schema
        self.name = name or str(path)
        self.fmt = fmt or format_of_name(self.path)
        self.progress = progress
        self.rejected: list[Rejection] = []
        self.lines = 0

    def __iter__(self) -> Iterator[Fact]:
        # a generator function, not a returned generator expression: compiled (mypyc), that
        # would be a list of every fact
        fast = fast_path(self.schema) if self.fmt != "csv" and self.path.is_file() else None
        texts: Iterable[bytes] | None = None
        if fast is not None:
            # As `read_facts` reads a file (`_read_jsonl_file`): bytes, in texts of many
            # whole lines, each decoded in one msgspec call, no text made of a line read
            # whole. A row per line, its text made, cost 2.40 s of CPU at 1M against 1.59 s
            # for `read_facts`, which also keeps every fact.
            self.rejected, self.lines = [], 0
            try:
                with self.path.open("rb") as handle:
                    texts = _jsonl_texts(handle, self.fmt)
                    if texts is not None:
                        yield from self._fast_facts(texts, fast)
            except UnicodeDecodeError as exc:
                raise _not_utf8(self.name, exc, self.path) from None
        if texts is None:  # CSV, no fast path, a pipe (read once: as text)
            for _, _, fact in self.rows():
                yield fact

    def _fast_facts(self, texts: Iterable[bytes], fast: FastPath) -> Iterator[Fact]:
        """The facts of a file's texts, as `_rows` gives them: each rejected line added to
        `rejected` as it is met."""
        progress = self.progress
        first = 1
        for text in texts:
            values, only_facts = fast.text_values(text, first, self.name, json_value)
            if only_facts:  # one fact a line (no blank line, none rejected): most texts
                lines = self.lines
                if progress is not None:
                    _progress_between(progress, lines, lines + len(values))
                self.lines = lines + len(values)
                yield from values
            else:
                for _, _, fact in self._checked(_block_rows(_lines(text), values, first)):
                    yield fact
            first += len(values)  # one value a line
        if progress is not None:
            progress(self.lines)

    def rows(self) -> Iterator[tuple[int, str, Fact]]:
        """(line number, stripped text, fact) of each accepted line; each rejected line is
        added to `rejected` as it is met."""
        self.rejected, self.lines = [], 0
        try:
            with self.path.open(encoding="utf-8-sig", newline="") as handle:
                yield from self._rows(handle)
        except UnicodeDecodeError as exc:
            raise _not_utf8(self.name, exc, self.path) from None

    def _rows(self, handle: IO[str]) -> Iterator[tuple[int, str, Fact]]:
        yield from self._checked(_rows_of(handle, self.schema, self.name, self.fmt))
        if self.progress is not None:
            self.progress(self.lines)

    def _checked(self, rows: Iterable[tuple[int, str, Any]]
                 ) -> Iterator[tuple[int, str, Fact]]:
        """The accepted rows of `rows` as facts; each rejected one added to `rejected`, every
        one counted in `lines` (once `rows` is spent) and said to `progress`."""
        name, build, rejected, progress = self.name, self.schema.build, self.rejected, \
            self.progress
        lines = self.lines
        for number, text, raw in rows:
            lines += 1
            if progress is not None and lines % PROGRESS_EVERY == 0:
                progress(lines)
            if type(raw) is Fact:
                yield number, text, raw
            elif type(raw) is Unreadable:
                rejected.append(Rejection(Location(name, number), text, (raw,)))
            else:
                built = build(raw, number, name)
                if type(built) is list:
                    rejected.append(Rejection(Location(name, number), text, tuple(built)))
                else:
                    yield number, text, cast(Fact, built)
        self.lines = lines


class KeyTwice(Exception):
    """An object with a key written twice: json (as msgspec) would keep its last value."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def object_once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json's `object_pairs_hook` refusing a key written twice (`KeyTwice`)."""
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise KeyTwice(key)
            seen.add(key)
    return found


# json.loads without its wrappers (typeshed types make_scanner oddly), refusing a key twice
_SCAN = json.scanner.make_scanner(
    json.JSONDecoder(object_pairs_hook=object_once))  # type: ignore[arg-type]


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _is_unicode(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def jsonl_rows(stream: Iterable[str] | IO[str], fast: FastPath | None = None,
               origin: str | None = None) -> Iterator[tuple[int, str, Any]]:
    """(line number, stripped text, decoded value or `Unreadable`) for each non-blank line.

    `stream`: the lines, or a text stream (its lines end at `\n` only, see `text_blocks`).
    With `fast`, a line it reads whole comes as its checked `Fact` (from `origin`), its line
    not stripped; the others are decoded here and checked by `FactSchema.build`, which words
    the reasons.
    """
    lines = (text_blocks(_chunks(cast(IO[str], stream))) if hasattr(stream, "read")
             else blocks(stream))
    return _jsonl_block_rows(lines, fast, origin)


def _jsonl_block_rows(lines: Iterable[list[str]], fast: FastPath | None,
                      origin: str | None) -> Iterator[tuple[int, str, Any]]:
    first = 1
    for block in lines:
        if fast is not None:
            values, _ = fast.values(block, first, origin, json_value)
            yield from _block_rows(block, values, first)
        else:
            for number, line in enumerate(block, start=first):
                text = line.strip()
                if text:
                    yield number, text, json_value(text)
        first += len(block)


def json_value(text: str) -> Any:
    """The JSON value of a stripped line, or `Unreadable` saying why there is none."""
    try:
        value, end = _SCAN(text, 0)
        if end != len(text):
            raise json.JSONDecodeError("Extra data", text, end)
    except StopIteration as stop:
        column = stop.value + 1
        return Unreadable(odd_character(text, stop.value, FactSay.WHERE_COLUMN(column=column))
                          or _array_opens(text, FactSay.JSON_EXPECTING(column=column)))
    except KeyTwice as twice:
        return Unreadable(FactSay.JSON_KEY_TWICE(key=twice.key))
    except json.JSONDecodeError as exc:
        # a byte-order mark or NUL where the line fails is named (files joined, zero bytes)
        return Unreadable(odd_character(text, exc.pos, FactSay.WHERE_COLUMN(column=exc.colno))
                          or _array_opens(text, FactSay.JSON_AT(problem=json_problem(exc.msg),
                                                                column=exc.colno)))
    except RecursionError:
        return Unreadable(FactSay.JSON_TOO_DEEP())
    except ValueError:  # e.g. an integer of thousands of digits
        return Unreadable(FactSay.JSON_NUMBER_TOO_LONG())
    # "\ud800" without its pair decodes to a lone surrogate: not Unicode text, and
    # nothing could print or store it. Only lines with such an escape are checked.
    # (`"\\" in` first: a one-character search is several times faster than two)
    if "\\" in text and _SURROGATE_ESCAPE.search(text) and not _is_unicode(value):
        return Unreadable(FactSay.JSON_SURROGATE())
    return value


def _array_opens(text: str, said: Words) -> Words:
    """What a line that fails as JSON gets said, with how to convert a file exported as one
    array of facts (`[`, then a fact on each line or over indented lines) when it opens one."""
    return said + FactSay.ARRAY_OPENS() if text.startswith("[") else said


def _csv_rows(stream: Iterable[str], guessed: bool = False) -> Iterator[tuple[int, str, Any]]:
    """Like `jsonl_rows`; a row is named by its first line (a quoted cell may span lines).
    `guessed`: the format was told by the first line, not given nor named by the file."""
    csv.field_size_limit(CSV_CELL_LIMIT)  # process-wide, and only ever raised
    held = _Held()
    reader = csv.reader(held.lines(stream))
    last = 0  # the line the previous row ended on
    while True:
        try:
            row = next(reader, None)
        except csv.Error as exc:
            yield last + 1, "", Unreadable(FactSay.CSV_HEADER(problem=_csv_problem(exc)),
                                           VALUE_ERROR)
            return
        if row is None:
            return
        start, last = last + 1, reader.line_num
        if any(cell.strip() for cell in row):
            break  # blank lines before the header (the format skips them too)
    header = [h.strip() for h in row]
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:  # one of the two columns' values would be lost in each row
        yield start, ",".join(row), Unreadable(FactSay.CSV_HEADER_TWICE(
            names=", ".join(twice)), VALUE_ERROR)
        return
    if guessed and "type" not in header:
        # No row can be a fact: say once, at the line that decided, why the file was read
        # as CSV (each row is still rejected on its own).
        yield start, ",".join(row), Unreadable(FactSay.CSV_GUESSED(
            header=shown(", ".join(header))), VALUE_ERROR)
    yield from _csv_body(reader, header, held, 0, last)


def _csv_body(reader: Any, header: list[str], held: _Held, offset: int,
              last: int) -> Iterator[tuple[int, str, Any]]:
    """The rows after the header; `reader`'s line 1 is line `offset + 1` of the file, and the
    row before ended on line `last`."""
    while True:
        try:
            for row in reader:
                start, last = last + 1, offset + reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                text = ",".join(row)
                if held.odd and ("\ufeff" in text or "\x00" in text):
                    yield start, text, Unreadable(_odd_cell(header, row), VALUE_ERROR)
                    continue
                if last > start:  # a quoted cell ran on over lines: its quote not closed?
                    ran = held.between(start, last)
                    if ran is not None and _rows_fit(ran[1:], header):
                        # The lines it ran over are rows of their own (whether or not the
                        # cells of the row it made add up): only the line with the open
                        # quote is rejected, the others are read again.
                        yield start, ran[0].rstrip("\r\n"), Unreadable(
                            FactSay.CSV_QUOTE_OPEN(last=last), VALUE_ERROR)
                        yield from _csv_body(csv.reader(ran[1:]), header, held, start, start)
                        continue
                if len(row) != len(header):
                    words = FactSay.CSV_CELLS(cells=len(row), columns=len(header),
                                              header=", ".join(header))
                    if last > start:
                        words = FactSay.CSV_ROW_RAN_ON(first=start, last=last) + words
                    yield start, text, Unreadable(words, VALUE_ERROR)
                    continue
                yield start, text, {k: v.strip() for k, v in zip(header, row, strict=True)
                                    if v.strip() != ""}
            return
        except csv.Error as exc:
            # The csv module resumes at the next line: one bad row costs one row.
            start, last = last + 1, offset + reader.line_num
            yield start, "", Unreadable(_csv_problem(exc), VALUE_ERROR)


def _rows_fit(lines: list[str], header: list[str]) -> bool:
    """Whether some of `lines`, read as CSV rows, have the header's cells and a type: lines a
    quote left open ran over, not the lines of a long quoted cell (a note written over
    lines)."""
    kind = header.index("type") if "type" in header else -1
    try:
        return any(len(row) == len(header) and (kind < 0 or row[kind].strip() != "")
                   for row in csv.reader(lines))
    except csv.Error:
        return False


# Characters of the latest lines of a CSV file kept (`_Held`): a row that a quote left open
# ran over is read again from the line after the quote when its lines are still kept.
HELD_CHARACTERS = 1 << 20


class _Held:
    """The lines a csv reader is given, the latest kept (at least `HELD_CHARACTERS`), in
    blocks: no cost per line. `odd`: whether a line given so far holds a byte-order mark or a
    NUL, which the csv module would keep in a cell without a word (an id "\ufeffs-1" is not
    "s-1"): only a file that holds one has its rows searched."""

    def __init__(self) -> None:
        self.kept: list[tuple[int, list[str], int]] = []  # (first line's number, lines, size)
        self.size = 0
        self.given = 0
        self.odd = False

    def lines(self, source: Iterable[str]) -> Iterator[str]:
        for block in blocks(source):
            joined = "".join(block)
            self.odd = self.odd or "\ufeff" in joined or "\x00" in joined
            self.kept.append((self.given + 1, block, len(joined)))
            self.size += len(joined)
            self.given += len(block)
            dropped = 0
            while self.size - self.kept[dropped][2] >= HELD_CHARACTERS:
                self.size -= self.kept[dropped][2]
                dropped += 1
            if dropped:
                del self.kept[:dropped]
            yield from block

    def between(self, first: int, last: int) -> list[str] | None:
        """Lines `first` to `last` (numbered from 1), None when they are no longer kept."""
        if not self.kept or self.kept[0][0] > first:
            return None
        base = self.kept[0][0]
        lines = [line for _, block, _ in self.kept for line in block]
        return lines[first - base:last - base + 1] if last - base < len(lines) else None


def _odd_cell(header: list[str], row: list[str]) -> Words:
    """Which cell of `row` holds a byte-order mark or a NUL, and how to mend it."""
    for number, cell in enumerate(row, start=1):
        name = header[number - 1] if number <= len(header) else "?"
        where = FactSay.WHERE_CELL(number=number, name=name)
        if "\ufeff" in cell:
            return FactSay.BOM_IN(where=where)
        if "\x00" in cell:
            return FactSay.NUL_IN(where=where)
    raise AssertionError("no cell holds one")  # (the row's text did)


def _csv_problem(exc: csv.Error) -> Words:
    if "field larger than field limit" in str(exc):
        return FactSay.CSV_CELL_TOO_LONG(limit=f"{CSV_CELL_LIMIT:,}")
    return FactSay.CSV_ROW(problem=str(exc))
