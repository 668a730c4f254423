"""A JSON Lines file shared out by case: which worker reads which line, and one worker's
reading of its lines (engine/workers.py forks the workers, engine/cluster.py runs them
on Dask).

Sorting the lines costs one cheap decode per line (msgspec, three fields: `type`, `case`,
`id`; everything else is skipped in C). Each line then gets a code: the worker that owns it
(its case's, by a hash stable across machines; the first for a line without a case or one
that is not a JSON object), plus `BROADCAST` for a line every worker reads (a role
assignment, a fact a deadline runs from). The owner alone reports what the reader says of a
line: its rejection, or that it re-sends a fact.

A fact id names one fact: re-sent and clashing facts are found within one worker's lines,
so every line of an id must go to the same workers (`ids_agree`); when not, the caller
reads the file in one process.
"""

from __future__ import annotations

import bisect
import collections
import copyreg
import itertools
import operator
import os
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

import msgspec

from policyengine.engine.ordering import in_order_runs
from policyengine.facts.fastpath import fast_path
from policyengine.facts.reader import (
    BYTES_READ_SIZE,
    Rejection,
    Unreadable,
    byte_texts,
    collect,
    collect_fast,
    jsonl_rows,
)
from policyengine.facts.schema import Fact, FactSchema, Reason
from policyengine.gcpause import gc_paused
from policyengine.policy.checks import ROLE_FACT

BROADCAST = 0x80  # the line goes to every worker (its owner is in the low bits)
BLANK = 0x7F      # a blank line: no worker reads it
MAX_WORKERS = 126

_BOM = b"\xef\xbb\xbf"


class NotSplit(Exception):
    """The file turned out to be one the reader's own path must read (`file_lines`)."""


def _unmarked(start: bytes) -> bytes:
    """The first bytes of a file without the UTF-8 byte-order mark the reader drops;
    NotSplit for a doubled one (the reader's own path says what it says of it)."""
    data = start.removeprefix(_BOM)
    if data.startswith(_BOM):
        raise NotSplit("a doubled byte-order mark")
    return data


def _reason(kind: type[Reason], code: str, en: str, zh: str) -> Reason:
    reason = str.__new__(kind, en)
    reason.code, reason.zh = code, zh
    return reason


# A rejection's reasons travel from a worker with their code and Chinese words (a str
# subclass whose __new__ takes other arguments than str's pickles only so).
for _kind in (Reason, Unreadable):
    copyreg.pickle(_kind, lambda r: (_reason, (type(r), r.code, str(r), r.zh)))


@dataclass(frozen=True)
class FileLines:
    """A file's lines as bytes, numbered from 1 as the reader numbers them."""

    raw: list[bytes]


def file_lines(path: Path) -> FileLines | None:
    """The lines of a JSON Lines file, or None when the reader's own path must read it:
    CSV, a lone carriage return (the reader ends a line there too), a doubled byte-order
    mark, no fact at all."""
    if path.suffix.lower() == ".csv":
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        data = _unmarked(data)
    except NotSplit:
        return None
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None
    raw = data.split(b"\n")
    try:
        return FileLines(raw) if _formed(raw) else None
    except NotSplit:
        return None


class _Key(msgspec.Struct, gc=False):
    """What sorting a line reads of it; any other field is skipped unread."""

    type: Any = None
    case: Any = None
    id: Any = None


_decode_raw_key = msgspec.json.Decoder(_Key).decode
_NOT_SORTED = (msgspec.DecodeError, msgspec.ValidationError, RecursionError)


def _decode_key(line: bytes) -> _Key:
    """What sorting reads of a line, as the reader reads it: a line msgspec refuses is
    stripped as text first (the reader strips any Unicode space, an ideographic space
    U+3000 or a form feed, not only JSON's), so its fact goes to its case's worker."""
    try:
        return _decode_raw_key(line)
    except _NOT_SORTED:
        try:
            stripped = line.decode("utf-8").strip().encode("utf-8")
        except UnicodeError:
            raise msgspec.DecodeError("not UTF-8") from None
        if stripped == line.strip(b" \t\r\n"):
            raise
        return _decode_raw_key(stripped)


def case_owner(case: str, workers: int) -> int:
    """The worker of a case: the same on every machine (unlike `hash`)."""
    return zlib.crc32(case.encode("utf-8", "surrogatepass")) % workers


def sort_lines(raw: list[bytes], start: int, stop: int, workers: int,
               anchor_types: frozenset[str], hasher: Callable[[str], int] = hash
               ) -> tuple[bytearray, array[int], bytearray] | None:
    """The codes of lines `start` to `stop`, the hashes (`hasher`) of the fact ids met
    there (8 bytes an id, sent between processes as one block of memory, where the ids
    themselves were pickled one string at a time) and the code of each id's line. None
    when a role assignment names a case (it would belong to one worker and to all)."""
    if workers > MAX_WORKERS:
        return None
    codes = bytearray(stop - start)
    ids: list[str] = []
    keep_id = ids.append
    id_codes = bytearray()
    keep_code = id_codes.append
    owners: dict[str, int] = {}
    decode, role = _decode_key, ROLE_FACT
    for j, line in enumerate(itertools.islice(raw, start, stop)):
        try:
            key = decode(line)
        except _NOT_SORTED:
            codes[j] = 0 if line.strip() else BLANK  # a rejection, told by the first worker
            continue
        case = key.case
        if type(case) is str and case:
            k = owners.get(case)
            if k is None:
                k = owners[case] = case_owner(case, workers)
        else:
            k, case = 0, None
        kind = key.type
        if kind == role:
            if case is not None:
                return None
            k |= BROADCAST
        elif kind in anchor_types:
            k |= BROADCAST
        codes[j] = k
        if type(key.id) is str:
            keep_id(key.id)
            keep_code(k)
    return codes, array("q", map(hasher, ids)), id_codes


def distinct(hashes: array[int]) -> set[int] | None:
    """The set of a slice's id hashes; None when one repeats."""
    seen = set(hashes)
    return seen if len(seen) == len(hashes) else None


def ids_agree(raw: list[bytes], slices: list[Any], workers: int,
              anchor_types: frozenset[str]) -> bool:
    """Whether every line of each fact id goes to the same workers (then the workers find
    re-sent and clashing facts as one reader does), given `sort_lines`' codes and id hashes
    of each slice of `raw` (the same interpreter's `hash`: forked processes share its
    seed). Ids are nearly always unique: only an id whose hash repeats is looked at again,
    line by line."""
    ids = _Ids()
    for s in slices:
        ids.add(s[1])
    if not ids.repeated:
        return True
    codes = b"".join(bytes(s[0]) for s in slices)
    return _one_owner_per_id(zip(raw, codes, strict=True), ids.repeated)


def _one_owner_per_id(coded: Iterable[tuple[bytes, int]],
                      repeated: set[int] | None = None) -> bool:
    """Whether the lines of each fact id (of those whose hash is in `repeated`, if given)
    all carry the same code, that is go to the same workers."""
    seen: dict[str, int] = {}
    for line, code in coded:
        if code == BLANK:
            continue
        try:
            key = _decode_key(line)
        except _NOT_SORTED:
            continue
        if (type(key.id) is str and (repeated is None or hash(key.id) in repeated)
                and seen.setdefault(key.id, code) != code):
            return False
    return True


def _masks(k: int) -> tuple[bytes, bytes]:
    """Tables turning codes into 1 for worker `k`'s lines, and for those it reads but does
    not own (broadcast lines of another owner)."""
    mine = bytes(1 if c != BLANK and (c & 0x7F == k or c & BROADCAST) else 0
                 for c in range(256))
    foreign = bytes(1 if c != BLANK and c & BROADCAST and c & 0x7F != k else 0
                    for c in range(256))
    return mine, foreign


@dataclass(frozen=True)
class Lines:
    """One worker's lines, compact to send: their numbers, their bytes joined by newlines
    (no line holds one), and the numbers of those it reads but does not own. `more`: the
    lines after those of `joined`, joined likewise a text each (a partition's pieces of
    the ranges after the first, not copied into one text: `joined_pieces`)."""

    numbers: array[int]
    joined: bytes
    foreign: frozenset[int]
    more: tuple[bytes, ...] = ()

    def texts(self) -> list[str]:
        """The lines as text (UnicodeDecodeError: the reader says where, in one process)."""
        return b"\n".join(self.parts()).decode("utf-8").split("\n") if self.numbers else []

    def parts(self) -> tuple[bytes, ...]:
        """The texts of the lines, each of whole lines."""
        return (self.joined, *self.more)


def share_of(lines: FileLines, codes: bytes, k: int) -> Lines:
    """Worker `k`'s lines."""
    mine, foreign = _masks(k)
    at = list(itertools.compress(range(len(codes)), codes.translate(mine)))
    raw = lines.raw
    return Lines(array("q", [i + 1 for i in at]), b"\n".join([raw[i] for i in at]),
                 frozenset(i + 1 for i in itertools.compress(range(len(codes)),
                                                              codes.translate(foreign))))


@dataclass
class Summary:
    """What the reader says of the lines one worker owns (or of all, joined)."""

    rejected: list[Rejection] = field(default_factory=list)
    lines: int = 0        # non-blank lines
    kept: int = 0         # facts accepted
    duplicates: int = 0   # re-sent facts
    after_as_of: int = 0  # accepted facts after as-of
    seen: int = 0         # accepted facts up to as-of

    @staticmethod
    def joined(parts: list[Summary]) -> Summary:
        return Summary(sorted((r for p in parts for r in p.rejected),
                              key=lambda r: r.location.line or 0),
                       sum(p.lines for p in parts), sum(p.kept for p in parts),
                       sum(p.duplicates for p in parts), sum(p.after_as_of for p in parts),
                       sum(p.seen for p in parts))


@dataclass
class Share:
    """One worker's facts up to as-of, in order, and what it reports of its lines. With
    `numbers` its facts are numbered 1 to n among its own lines, not as in the file
    (`read_share`): `in_file` numbers one as there."""

    ordered: list[Fact]
    foreign: frozenset[int]   # lines read here but owned (and reported) by another worker
    summary: Summary
    cpu: float = 0.0          # seconds of CPU reading them took (engine/cluster.py PHASES)
    numbers: array[int] | None = None  # line i of the worker's is line numbers[i - 1]

    @property
    def first(self) -> Fact | None:
        return self.in_file(self.ordered[0]) if self.ordered else None

    def in_file(self, fact: Fact) -> Fact:
        """`fact` (one of `ordered`) numbered at its line in the file."""
        line = self.file_line(fact)
        return fact if line == fact.line else fact._replace(line=line)

    def file_line(self, fact: Fact) -> int | None:
        """The line of the file `fact` (one of `ordered`) was read from."""
        return (fact.line if self.numbers is None or fact.line is None
                else self.numbers[fact.line - 1])


def read_share(schema: FactSchema, name: str, lines: Lines, as_of: datetime) -> Share:
    """Decode and check one worker's lines as the reader does (facts/reader.py `collect`,
    over the fast path where it applies), each rejection at its line in the file.

    The lines are read one after the other (not each at its place in a list of the file's
    lines with "" between: a block with a blank line is taken off the fast path's
    whole-block decode, and a worker of two then reads its half for nearly what one pays
    for the whole file), so its facts are numbered 1 to n among them. Unless those are the
    file's lines 1 to n, the share keeps the file's number of each (`Share.numbers`): only
    the few facts the replay sends back are numbered as in the file (`Share.in_file`, a
    copy of each fact costs 0.6 µs). When a line's number is said in words (a rejection,
    a fact without an id that notes name by `file:line`), every line is read again numbered
    as in the file."""
    numbers, fast = lines.numbers, fast_path(schema)
    with gc_paused():
        # As the reader reads a file (facts/reader.py `_read_jsonl_file`): the bytes, in
        # texts of many whole lines, each decoded in one msgspec call and its facts taken
        # at once, never a text made of a line read whole. Reading the lines as text, each a
        # row, cost 2.5 s of CPU at 1M facts against 1.85 s.
        batch = (collect(jsonl_rows(lines.texts(), None, name), schema, name) if fast is None
                 else collect_fast(_texts(lines), fast, schema, name, None))
    if not numbers or numbers[-1] == len(numbers):  # (rising: lines 1 to n when n is last)
        return _share(batch, lines.foreign, as_of, schema.tz)
    if batch.rejected or not all(map(_fact_id, batch.facts)):  # (no id, or "")
        with gc_paused():
            batch = collect(_renumbered(jsonl_rows(lines.texts(), fast, name), numbers),
                            schema, name)
        return _share(batch, lines.foreign, as_of, schema.tz)
    share = _share(batch, _local_numbers(numbers, lines.foreign), as_of, schema.tz)
    share.foreign, share.numbers = lines.foreign, numbers
    return share


_fact_id = operator.attrgetter("id")


# Bytes of a partition's lines decoded at a time: as many as the reader reads of a file.
TEXT_SIZE = BYTES_READ_SIZE


def _texts(lines: Lines) -> Iterator[bytes]:
    """The lines in texts of whole lines of about `TEXT_SIZE` bytes, as the reader reads a
    file (`byte_texts`): each part alone, its last line not run on into the next part's.
    (A part never ends in an empty line that counts: blank lines are coded BLANK and not
    sent to a worker.)"""
    return itertools.chain.from_iterable(byte_texts((part,), TEXT_SIZE)
                                         for part in lines.parts())


def _local_numbers(numbers: Sequence[int], foreign: frozenset[int]) -> frozenset[int]:
    """The places among a share's own lines (1 to n) of the lines sent to it (`foreign`: line
    numbers in the file). Each must be one of its lines: a miss would miscount silently."""
    places = set()
    for n in foreign:
        i = bisect.bisect_left(numbers, n)
        if i == len(numbers) or numbers[i] != n:
            raise RuntimeError(f"line {n} was sent to a share that does not hold it")
        places.add(i + 1)
    return frozenset(places)


def _share(batch: Any, foreign: frozenset[int], as_of: datetime, tz: tzinfo) -> Share:
    """`foreign`: the lines read but not owned, numbered as the batch's facts are. The
    facts are kept up to `as_of` as one process keeps them (ordering.py `up_to`: compared
    in the calendar's zone, which the facts carry; `f.at <= as_of` with an as-of in another
    zone asked both zones their offsets for every fact: 0.27 s of CPU for a worker's half of
    the 1M benchmark file, against 0.05 s now, D71)."""
    facts, rejected = batch.facts, batch.rejected
    kept, (ordered, _, _) = len(facts), in_order_runs(facts, as_of, tz)
    seen = len(ordered)
    if foreign:  # count only the lines owned here
        rejected = [r for r in rejected if r.location.line not in foreign]
        kept -= sum(1 for f in facts if f.line in foreign)
        seen -= sum(1 for f in ordered if f.line in foreign)
    owned_lines = batch.lines - len(foreign)
    summary = Summary(rejected, owned_lines, kept, owned_lines - kept - len(rejected),
                      kept - seen, seen)
    return Share(ordered, foreign, summary)


_new = tuple.__new__


def _renumbered(rows: Iterator[tuple[int, str, Any]], numbers: array[int]
                ) -> Iterator[tuple[int, str, Any]]:
    """Rows of a worker's lines, numbered as in the file (a fact read whole by the fast
    path carries its line)."""
    for local, text, value in rows:
        number = numbers[local - 1]
        if type(value) is Fact:  # (indexed one by one: cheaper than a slice unpacked)
            value = _new(Fact, (value[0], value[1], value[2], value[3], value[4], value[5],
                                number, value[7]))
        yield number, text, value


# -- a file read a block at a time (engine/cluster.py: the client never holds the file) ---

BLOCK = 1 << 23  # bytes read at a time: 8 MiB, ~60k lines


def file_blocks(path: Path, size: int = BLOCK) -> Iterator[list[bytes]] | None:
    """The lines of a JSON Lines file a block at a time, the same lines `file_lines` gives
    (numbered from 1 across the blocks), or None when `file_lines` would say None. A lone
    carriage return or a file with no fact is found only on the way: the generator then
    raises `NotSplit`."""
    if path.suffix.lower() == ".csv":
        return None
    try:
        handle = path.open("rb")
    except OSError:
        return None
    return _blocks(handle, size)


def _blocks(handle: Any, size: int) -> Iterator[list[bytes]]:
    with handle:
        data = _unmarked(handle.read(size))
        formed = False  # the first non-blank line has been seen (and is JSON)
        while True:
            chunk = handle.read(size)
            if chunk:
                data += chunk
                cut = data.rfind(b"\n")
                if cut < 0:
                    continue
                # Blocks end after a newline, so no CR LF pair is cut in two and the
                # counts below add up to the whole file's.
                region, data = data[:cut + 1], data[cut + 1:]
                lines = region[:-1].split(b"\n")
            else:  # the end: the last line, even empty (as `split` gives it)
                region, lines = data, data.split(b"\n")
            if b"\r" in region and region.count(b"\r") != region.count(b"\r\n"):
                raise NotSplit("a lone carriage return")
            formed = formed or _formed(lines)
            yield lines
            if not chunk:
                if not formed:
                    raise NotSplit("no fact")
                return


def _formed(lines: list[bytes]) -> bool:
    """Whether the first non-blank line is among these (NotSplit if it is not JSON)."""
    lead = _lead(lines)
    if lead is False:
        raise NotSplit("not JSON Lines")
    return lead is True


def _lead(lines: list[bytes]) -> bool | None:
    """Whether the first non-blank line of these is JSON (an object or array); None when
    every line is blank."""
    for line in lines:
        text = line.decode("utf-8", errors="replace").strip()
        if text:
            return text[:1] in "{["
    return None


class _Ids:
    """The fact ids met so far, as hashes (8 bytes' worth each, not the ids), and those met
    twice: only their lines are looked at again (`sort_file`)."""

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.repeated: set[int] = set()

    def add(self, hashes: array[int]) -> None:
        new = set(hashes)
        if len(new) < len(hashes) or not self.seen.isdisjoint(new):
            counted = collections.Counter(hashes)  # a repeat: which id, the slow way
            self.repeated.update(h for h, n in counted.items() if n > 1 or h in self.seen)
        self.seen |= new


def sort_file(path: Path, workers: int, anchor_types: frozenset[str], *,
              size: int = BLOCK) -> bytearray | None:
    """The code of every line of a JSON Lines file (`sort_lines`), read a block at a time:
    what the client of a remote cluster whose workers do not see the file holds is a byte
    a line and the ids' hashes, never the lines. None when the file is not split
    (`file_lines`, `sort_lines`, `ids_agree`)."""
    blocks = file_blocks(path, size)
    if blocks is None:
        return None
    codes = bytearray()
    ids = _Ids()
    try:
        for lines in blocks:
            done = sort_lines(lines, 0, len(lines), workers, anchor_types)
            if done is None:
                return None
            codes += done[0]
            ids.add(done[1])
    except (NotSplit, OSError):
        return None
    if ids.repeated and not _repeated_agree(path, codes, ids.repeated, size):
        return None
    return codes


def _repeated_agree(path: Path, codes: bytearray, repeated: set[int], size: int) -> bool:
    """`ids_agree` for the ids whose hash was met twice, the file read again."""
    blocks = file_blocks(path, size)
    if blocks is None:
        return False

    def coded() -> Iterator[tuple[bytes, int]]:
        start = 0
        for lines in blocks:
            yield from zip(lines, codes[start:start + len(lines)], strict=True)
            start += len(lines)

    return _one_owner_per_id(coded(), repeated)


def _picked(lines: list[bytes], codes: bytes | bytearray, start: int, k: int
            ) -> tuple[list[int], list[bytes], list[int]]:
    """Worker `k`'s lines of a block starting after line `start`: their numbers, their
    bytes, and the numbers of those it reads but does not own (picked in C: compress)."""
    mine, foreign = _masks(k)
    part = bytes(codes[start:start + len(lines)])
    numbered = range(start + 1, start + len(lines) + 1)
    picked = part.translate(mine)
    return (list(itertools.compress(numbered, picked)), list(itertools.compress(lines, picked)),
            list(itertools.compress(numbered, part.translate(foreign))))


def shares_by_block(path: Path, codes: bytes, workers: int, *, size: int = BLOCK
                    ) -> Iterator[tuple[int, Lines]]:
    """Every worker's lines, a block of the file at a time: (worker, its lines of the
    block), for a worker that does not share the file (the client sends them as it reads;
    `joined_lines` puts them back together)."""
    blocks = file_blocks(path, size)
    if blocks is None:
        raise ValueError(f"{path}: cannot be read here")
    start = 0
    for lines in blocks:
        for k in range(workers):
            got, texts, foreign = _picked(lines, codes, start, k)
            if got:
                yield k, Lines(array("q", got), b"\n".join(texts), frozenset(foreign))
        start += len(lines)


def joined_lines(chunks: list[Lines]) -> Lines:
    """One worker's lines from the blocks it was sent, in file order."""
    numbers: array[int] = array("q")
    for chunk in chunks:
        numbers.extend(chunk.numbers)
    return Lines(numbers, b"\n".join(c.joined for c in chunks if c.numbers),
                 frozenset().union(*(c.foreign for c in chunks)))


# -- a file read by byte ranges: each process or Dask worker reads and sorts its own -------
#
# The map step of a shuffle: range j's lines are those beginning in its bytes; its sorter
# gives each a code (`sort_lines`) and cuts them into one piece per worker; each worker
# then joins its pieces, in range order, into the lines `share_of` gives (numbered in the
# file by the line counts of the ranges before). No process reads and sorts the whole file.


def byte_ranges(size: int, shares: Sequence[float]) -> list[tuple[int, int]]:
    """Byte ranges of a file of `size` bytes, one per share, in proportion to them. The
    last ends past the end: the empty line after a final newline begins at `size`."""
    total = sum(shares)
    bounds, reached = [0], 0.0
    for share in shares[:-1]:
        reached += share
        bounds.append(min(round(size * reached / total), size))
    bounds.append(size + 1)
    return list(itertools.pairwise(bounds))


def range_lines(path: Path, start: int, stop: int) -> list[bytes]:
    """The lines of a file beginning at a byte in [start, stop), as `file_lines` splits
    them (a byte-order mark at the start removed; the last range's lines end as `split`
    ends them). NotSplit for what `file_lines` refuses: a lone carriage return, a doubled
    byte-order mark. OSError when the file cannot be read."""
    if start >= stop:
        return []
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        last = stop > size
        at = max(start - 1, 0)  # from the newline before the range: a line begins after it
        handle.seek(at)
        # A little past the range: its last line most likely ends there (else read on).
        data = handle.read() if last else handle.read(stop - at + _OVERHANG)
        lines = data.split(b"\n")  # (one pass, no copy of the range made first)
        has_cr = b"\r" in data
        if last:
            kept = len(lines) - (start > 0)
        else:  # the lines beginning before `stop`: after the newlines before stop - 1
            kept = (start == 0) + data.count(b"\n", 0, stop - 1 - at)
        if start > 0:
            del lines[0]  # the end of the line before the range (or nothing)
        open_end = len(lines) <= kept  # the last line kept runs on past what was read
        del lines[kept:]
        if open_end and lines and not last:
            tail = [lines[-1]]
            while True:
                more = handle.read(1 << 16)
                if not more:
                    break
                cut = more.find(b"\n")
                tail.append(more if cut < 0 else more[:cut])
                if cut >= 0:
                    open_end = False
                    break
            lines[-1] = b"".join(tail)
            has_cr = has_cr or b"\r" in lines[-1]
    if start == 0 and lines:
        lines[0] = _unmarked(lines[0])
    if has_cr and (any(b"\r" in line[:-1] for line in lines)
                   or (open_end and lines and lines[-1].endswith(b"\r"))):
        raise NotSplit("a lone carriage return")
    return lines


_OVERHANG = 1 << 12  # bytes read past a range: most lines are shorter


@dataclass
class Mapped:
    """One byte range read and sorted: its lines, their codes (`sort_lines`), the hashes of
    its fact ids with the code of each id's line (`one_code_per_id`), and whether its first
    non-blank line is JSON (None: all blank; the file's first decides, `formed`)."""

    lines: list[bytes]
    codes: bytearray
    hashes: array[int]
    id_codes: bytearray
    lead: bool | None
    ids: set[int] = field(default_factory=set)  # the set of `hashes`

    def status(self) -> Status:
        return Status(len(self.lines), self.hashes, self.id_codes, self.lead,
                      len(self.ids) == len(self.hashes))


@dataclass(frozen=True)
class Status:
    """What the check of the whole file needs of one range (`Mapped` without its lines)."""

    count: int
    hashes: array[int]
    id_codes: bytearray
    lead: bool | None
    distinct: bool  # no hash repeats within the range (found where it was sorted)


def map_range(path: Path, start: int, stop: int, workers: int, anchor_types: frozenset[str],
              hasher: Callable[[str], int] = hash) -> Mapped | None:
    """Range [start, stop) of a JSON Lines file read and sorted; None when the file is not
    split (`file_lines`, `sort_lines`)."""
    try:
        lines = range_lines(path, start, stop)
    except (NotSplit, OSError):
        return None
    done = sort_lines(lines, 0, len(lines), workers, anchor_types, hasher)
    if done is None:
        return None
    return Mapped(lines, *done, _lead(lines), set(done[1]))


def formed(statuses: Sequence[Status]) -> bool:
    """Whether the file's first non-blank line is JSON (`file_lines`), from its ranges'."""
    return next((s.lead for s in statuses if s.lead is not None), False)


def one_code_per_id(statuses: Sequence[Status], seen: set[int] | None = None, *,
                    pause: Callable[[], None] | None = None) -> bool:
    """Whether every line of each fact id goes to the same workers, as far as the ids'
    hashes tell: nearly always they are all distinct (each range's found where it was
    sorted; here only that no two ranges share one, probing the set of the first range's,
    `seen` if the caller has it, which is then spent); else each hash must come with one
    code. Two ids sharing a hash, going to different workers, say False too: the file is
    then read by one process, which is right, only slower. With `pause`, the hashes are
    taken a slice at a time and `pause` called before each (engine/cluster.py: the Dask
    scheduler's thread then runs between, where one call over half a million hashes kept
    it from handing out the partitions' tasks)."""
    if statuses and all(s.distinct for s in statuses):
        if len(statuses) == 1:
            return True
        if seen is None:
            seen = set()
            for part in _slices(statuses[0].hashes, pause):
                seen.update(part)
        for i, s in enumerate(statuses[1:], start=2):
            if not all(seen.isdisjoint(part) for part in _slices(s.hashes, pause)):
                break
            if i < len(statuses):
                for part in _slices(s.hashes, pause):
                    seen.update(part)
        else:
            return True
    code_of: dict[int, int] = {}
    for s in statuses:
        for hashed, code in zip(s.hashes, s.id_codes, strict=True):
            if code_of.setdefault(hashed, code) != code:
                return False
    return True


# Hashes taken at a time by `one_code_per_id` when it pauses between (~1 ms each).
SLICE = 1 << 15


def _slices(hashes: array[int], pause: Callable[[], None] | None) -> Iterator[array[int]]:
    if pause is None:
        yield hashes
        return
    for at in range(0, len(hashes), SLICE):
        pause()
        yield hashes[at:at + SLICE]


def stable_hash(text: str) -> int:
    """A hash of an id that is the same in every interpreter (`hash` is seeded per
    process): for sorters that were not forked from one process. Slower than `hash`."""
    data = text.encode("utf-8", "surrogatepass")
    return (zlib.adler32(data) << 31) ^ zlib.crc32(data)


@dataclass(frozen=True)
class Piece:
    """Worker k's lines of one range, numbered within the range, and the range's line
    count (to number them in the file)."""

    count: int
    lines: Lines


def piece_of(mapped: Mapped, k: int) -> Piece:
    got, texts, foreign = _picked(mapped.lines, mapped.codes, 0, k)
    return Piece(len(mapped.lines), Lines(array("q", got), b"\n".join(texts),
                                          frozenset(foreign)))


def joined_pieces(pieces: Sequence[Piece]) -> Lines:
    """One worker's lines from its piece of every range (in range order), numbered in the
    file by the line counts of the ranges before: the lines `share_of` gives."""
    if len(pieces) == 1:
        return pieces[0].lines
    numbers: array[int] = array("q")
    foreign: set[int] = set()
    offset = 0
    for piece in pieces:
        lines = piece.lines
        numbers.extend(map(offset.__add__, lines.numbers) if offset else lines.numbers)
        foreign.update(n + offset for n in lines.foreign)
        offset += piece.count
    texts = [p.lines.joined for p in pieces if p.lines.numbers]
    return Lines(numbers, texts[0] if texts else b"", frozenset(foreign), tuple(texts[1:]))
