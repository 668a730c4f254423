"""Who may do what: bearer tokens, each with a name and scopes (ingest, read, admin, feed).

A tokens file has one token a line, `NAME SCOPES SECRET`:

    # name    scopes       secret, or sha256:<hex digest of the secret>
    loader    ingest       2rJx0m0cX8t3nRrH3V1kqg4bE9lq1pHq
    board     read,admin   sha256:5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8

Scopes are separate: a token holds exactly the scopes listed (comma-separated), and `admin`
does not include the others. Secrets are compared by their SHA-256 digest in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from policyengine.errors import UsageError
from policyengine.service.permissions import append_private
from policyengine.wording import Joined, Line, line, os_reason

SCOPES = ("ingest", "read", "admin", "feed")  # feed: only the calendar feed, in a URL
MIN_SECRET = 16
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
_DIGEST = re.compile(r"^sha256:([0-9a-fA-F]{64})$")

ENV_FILE = "POLICYENGINE_TOKENS_FILE"
ENV_INLINE = "POLICYENGINE_TOKENS"


@dataclass(frozen=True)
class Token:
    name: str
    scopes: frozenset[str]
    digest: bytes

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "scopes": sorted(self.scopes)}


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).digest()


class TokenSet:
    def __init__(self, tokens: Sequence[Token]):
        self.tokens = tuple(tokens)

    def __len__(self) -> int:
        return len(self.tokens)

    def authenticate(self, secret: str) -> Token | None:
        """The token with this secret, or None. Every token is compared, in constant time."""
        presented = digest(secret)
        found = None
        for token in self.tokens:
            if hmac.compare_digest(token.digest, presented):
                found = token
        return found

    @classmethod
    def parse(cls, text: str, origin: str | Line) -> TokenSet:
        """Entries are lines (or `;`-separated, for an environment variable). Refused with
        every problem, each at its line or entry, in the reader's language (UsageError)."""
        tokens: list[Token] = []
        problems: list[Line] = []
        names: set[str] = set()
        for number, entry in enumerate(re.split(r"[\n;]", text), start=1):
            entry = entry.split("#", 1)[0].strip()
            if not entry:
                continue
            where: str | Line = (f"{origin}:{number}" if "\n" in text and isinstance(origin, str)
                                 else line("usage.tokens_entry", origin=origin, number=number))
            fields = entry.split()
            if len(fields) != 3:
                problems.append(line("usage.tokens_fields", where=where, count=len(fields)))
                continue
            name, scope_text, secret = fields
            scopes = frozenset(s for s in scope_text.split(",") if s)
            unknown = sorted(scopes - set(SCOPES))
            if not _NAME.match(name):
                problems.append(line("usage.tokens_name", where=where, name=name))
            elif name in names:
                problems.append(line("usage.tokens_twice", where=where, name=name))
            if unknown or not scopes:
                problems.append(line("usage.tokens_scope", where=where,
                                     unknown=", ".join(unknown) or line("usage.tokens_no_scope"),
                                     scopes=", ".join(SCOPES)))
            match = _DIGEST.match(secret)
            if match:
                hashed = bytes.fromhex(match.group(1))
            elif len(secret) < MIN_SECRET:
                problems.append(line("usage.tokens_short", where=where, name=name,
                                     length=len(secret), least=MIN_SECRET))
                continue
            else:
                hashed = digest(secret)
            names.add(name)
            tokens.append(Token(name, scopes, hashed))
        if problems:
            raise UsageError(line("usage.tokens_unusable", problems=Joined(tuple(problems))))
        return cls(tokens)

    @classmethod
    def load(cls, path: str | Path) -> TokenSet:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(line("usage.tokens_unreadable", path=path,
                                  reason=os_reason(exc))) from None
        return cls.parse(text, str(path))

    @classmethod
    def from_sources(cls, path: str | None, environ: Mapping[str, str] = os.environ) -> TokenSet:
        """`--tokens FILE`, else $POLICYENGINE_TOKENS_FILE, else $POLICYENGINE_TOKENS."""
        path = path or environ.get(ENV_FILE)
        if path:
            return cls.load(path)
        inline = environ.get(ENV_INLINE, "")
        return cls.parse(inline, f"${ENV_INLINE}") if inline.strip() else cls(())


def new_token_line(name: str, scopes: str) -> str:
    """A fresh tokens-file line with a random secret (checked like a file line)."""
    made = f"{name} {scopes} {secrets.token_urlsafe(32)}"
    TokenSet.parse(made, line("usage.tokens_new"))
    return made


def add_token(path: Path, name: str, scopes: str) -> tuple[str, bool]:
    """Append a new token to the tokens file `path` (created 0600): (its line, whether an
    existing file open to the group or others was tightened to 0600).

    Refused (UsageError) when the file's tokens are not usable or already hold `name`.
    """
    made = new_token_line(name, scopes)
    text = ""
    if path.exists():
        text = path.read_text(encoding="utf-8", errors="replace")
        if any(t.name == name for t in TokenSet.load(path).tokens):
            raise UsageError(line("usage.token_exists", path=path, name=name))
    separator = "" if not text or text.endswith("\n") else "\n"
    try:
        tightened = append_private(path, separator + made + "\n")
    except OSError as exc:
        raise UsageError(line("usage.tokens_cannot_write", path=path,
                              reason=os_reason(exc))) from None
    return made, tightened
