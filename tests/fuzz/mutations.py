"""Mutations of the shipped policy files, the kind a hurried editor (or a hostile one) makes.

Each mutation takes the bytes of one file and a seeded `random.Random` and returns new bytes;
`mutate` applies one to three of them. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

Mutation = Callable[[bytes, random.Random], bytes]

# Values a person (or an attacker) might type where another value was expected.
HOSTILE_VALUES = [
    "30元", "2天", "20 yuan", "¥20", "20块", "1.5", "-1", "0", "1e400", "-0", "inf", "nan",
    "9999999999999999999", "9" * 5000, "9999999999999999999d", "3661d", "0m", "0d", "-30m",
    "99999 working_days", "0 working_days", "2 days", "1h30", "08:00", "24:00", "25:61",
    "end_of_work", "morning_end", "start_of_work", "2026-02-30", "0000-01-01", "9999-12-31",
    "2026-10-01T09:00", "true", "false", "no", "yes", "null", "~", "''", '""', "[]", "{}",
    "[a, b]", "{a: 1}", "*undefined", "&anchor x", "!!python/object:os.system", "!!binary AA",
    "'unclosed", '"bad \\q escape"', "a: b: c", "- x", "|", ">", "%YAML", "`x`", "@x",
    "P9", "R99", "reporter", "requirement.raised", "any", "none", "cn", "Asia/Shangai",
    "Asia", "mon", "fri", "xyz", "* * * * *", "0 0 30 2 *", "61 * * * *", "a{99999999999}",
    "(" * 300, "^\\d{8}$", "[", "中文值", "：", "\u200b", "\ufeff", "\u202e",
]


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _join(lines: list[bytes]) -> bytes:
    return b"\n".join(lines)


def flip_byte(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    i = rng.randrange(len(data))
    return data[:i] + bytes([rng.randrange(256)]) + data[i + 1:]


def delete_line(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    del lines[rng.randrange(len(lines))]
    return _join(lines)


def duplicate_line(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    i = rng.randrange(len(lines))
    lines.insert(i, lines[i])
    return _join(lines)


def swap_lines(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return _join(lines)


def shift_indent(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    i = rng.randrange(len(lines))
    if rng.random() < 0.5:
        lines[i] = b" " * rng.randint(1, 3) + lines[i]
    else:
        lines[i] = lines[i][rng.randint(1, 3):] if lines[i].startswith(b" ") else lines[i]
    return _join(lines)


def tab_indent(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    indented = [i for i, line in enumerate(lines) if line.startswith(b"  ")]
    if indented:
        i = rng.choice(indented)
        lines[i] = b"\t" + lines[i].lstrip(b" ")
    return _join(lines)


_VALUE = re.compile(rb"^(\s*(?:- )?[\w.-]+: )(.+)$")


def swap_value(data: bytes, rng: random.Random) -> bytes:
    """Replace the value of a `key: value` line by another file value or a hostile one."""
    lines = _lines(data)
    keyed = [i for i, line in enumerate(lines) if _VALUE.match(line)]
    if not keyed:
        return data
    i = rng.choice(keyed)
    match = _VALUE.match(lines[i])
    assert match is not None
    if rng.random() < 0.6:
        value = rng.choice(HOSTILE_VALUES).encode()
    else:
        other = _VALUE.match(lines[rng.choice(keyed)])
        assert other is not None
        value = other.group(2)
    lines[i] = match.group(1) + value
    return _join(lines)


def huge_number(data: bytes, rng: random.Random) -> bytes:
    numbers = list(re.finditer(rb"\d+", data))
    if not numbers:
        return data
    found = rng.choice(numbers)
    digits = b"9" * rng.choice([20, 400, 4400])
    return data[:found.start()] + digits + data[found.end():]


def deep_nesting(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([50, 99, 101, 5000])
    opener, closer = (b"[", b"]") if rng.random() < 0.5 else (b"{a: ", b"}")
    nest = opener * depth + b"1" + closer * depth
    return data + b"\nnested: " + nest + b"\n"


def alias_bomb(data: bytes, rng: random.Random) -> bytes:
    levels = rng.choice([3, 6, 9])
    width = rng.choice([3, 9])
    out = [b"lol0: &l0 [" + b", ".join([b'"lol"'] * width) + b"]"]
    for k in range(1, levels):
        out.append(b"lol%d: &l%d [" % (k, k) + b", ".join([b"*l%d" % (k - 1)] * width) + b"]")
    return data + b"\n" + b"\n".join(out) + b"\n"


def alias_reuse(data: bytes, rng: random.Random) -> bytes:
    """Point an existing value at an anchor: `*monthly_tiers` in a wrong place, or a cycle."""
    lines = _lines(data)
    keyed = [i for i, line in enumerate(lines) if _VALUE.match(line)]
    if not keyed:
        return data
    i = rng.choice(keyed)
    match = _VALUE.match(lines[i])
    assert match is not None
    lines[i] = match.group(1) + rng.choice([b"*monthly_tiers", b"&self [*self]", b"*nothing",
                                            b"{<<: *monthly_tiers}", b"&x {a: 1, <<: *x}"])
    return _join(lines)


def control_character(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(data) + 1)
    char = rng.choice([b"\x00", b"\x01", b"\x1b", b"\x7f", b"\x0c", b"\xc2\x80", b"\r"])
    return data[:i] + char + data[i:]


def reencode(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", errors="replace")
    encoding = rng.choice(["gbk", "utf-16", "utf-16-le", "latin-1", "utf-8-sig", "big5"])
    return text.encode(encoding, errors="replace")


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def odd_character(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(data) + 1)
    char = rng.choice(["：", "，", "“", "”", "\u3000", "'", '"', "{", "[", "#", "&", "*", "!",
                       "%", "@", "|", ">", "?", ":", "-"]).encode()
    return data[:i] + char + data[i:]


MUTATIONS: list[Mutation] = [
    flip_byte, delete_line, duplicate_line, swap_lines, shift_indent, tab_indent, swap_value,
    swap_value, swap_value, huge_number, deep_nesting, alias_bomb, alias_reuse,
    control_character, reencode, truncate, odd_character,
]


def mutate(data: bytes, rng: random.Random) -> tuple[bytes, list[str]]:
    """One to three mutations; returns the new bytes and the names of what was done."""
    done = []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        mutation = rng.choice(MUTATIONS)
        data = mutation(data, rng)
        done.append(mutation.__name__)
    return data, done
