"""A policy file's bytes -> text, or each line that is not UTF-8, located by line and column.

Office editors save Chinese text as GBK or UTF-16 when asked nothing; the person then needs
the line and column of the first bad character and how to save the file again, not a byte
offset.
"""

from __future__ import annotations

from policyengine.errors import Diagnostic, Location
from policyengine.policy.messages import NOTHING, Say, Words, diagnostic

_MAX_LINES_REPORTED = 20


def decode_policy_text(raw: bytes, file: str) -> tuple[str | None, list[Diagnostic]]:
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    guess = _guess(raw)
    found: list[Diagnostic] = []
    bad_lines = 0
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad_lines += 1
            if len(found) >= _MAX_LINES_REPORTED:
                continue
            column = len(line[: exc.start].decode("utf-8", errors="replace")) + 1
            byte = f"0x{line[exc.start]:02X}"
            found.append(diagnostic(Location(file, number, column), "E-ENCODING",
                                    Say.NOT_UTF8(byte=byte, guess=guess)))
    if bad_lines > len(found):
        found.append(diagnostic(found[-1].location, "E-ENCODING",
                                Say.MORE_ENCODING(count=bad_lines - len(found))))
    return None, found


def _guess(raw: bytes) -> Words:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Say.GUESS_UTF16()
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return NOTHING
    return Say.GUESS_GBK()
