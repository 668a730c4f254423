"""Folders of rule books (packs): which pack a policy path means.

A *pack* is one policy folder (one rule book) with its own `policy.yaml`. A *library* is a
folder with no `policy.yaml` of its own whose sub-folders hold one each, optionally with a
`packs.yaml` naming the default pack and each pack's title (docs/decisions.md D22):

    policies/packs.yaml                 default: customer-requirement
    policies/customer-requirement/      policy.yaml, duties.yaml, ...

A library given as a policy path means its default pack, or the one `--pack NAME` picks. The
rules work on a listing of file names, so a folder on disk and a folder at a git revision are
read the same way (`layout`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policyengine.errors import Diagnostic, Location, PolicyError
from policyengine.policy.messages import NOTHING, Say, Words, diagnostic, hint
from policyengine.policy.source import parse_yaml
from policyengine.suggest import closest, completion

PACKS_FILE = "packs.yaml"
HEADER_FILES = ("policy.yaml", "policy.yml")
_PACK_KEYS = ("title", "title_en")


@dataclass(frozen=True)
class Pack:
    name: str            # the folder's name, what --pack takes
    title: str           # Chinese title (packs.yaml), else the name
    title_en: str        # English title, else the Chinese one

    def title_in(self, lang: str) -> str:
        return self.title if lang == "zh" else self.title_en


@dataclass(frozen=True)
class Library:
    """A folder of packs: its name (for messages), its packs, the default."""

    where: str
    packs: tuple[Pack, ...]
    default: str | None
    packs_file: Location | None = None   # where packs.yaml lists the packs, to point at

    def names(self) -> list[str]:
        return [p.name for p in self.packs]

    def pick(self, name: str | None) -> Pack:
        """The pack called `name`, else the default (the only one, if there is one pack)."""
        listed = ", ".join(self.names())
        at = self.packs_file or Location(self.where)
        if name is None:
            name = self.default or (self.packs[0].name if len(self.packs) == 1 else None)
            if name is None:
                raise PolicyError([diagnostic(at, "E-PACK-DEFAULT", Say.PACK_NO_DEFAULT(
                    folder=self.where, packs=listed))])
        for pack in self.packs:
            if pack.name == name:
                return pack
        raise PolicyError([diagnostic(at, "E-PACK-UNKNOWN", Say.PACK_UNKNOWN(
            name=name, folder=self.where, packs=listed, hint=_did_you_mean(name, self.names())))])


def layout(names: Iterable[str], packs_text: Callable[[], str | None], where: str
           ) -> Library | None:
    """The library the listed files make, or None when they are one policy.

    `names`: the files under the folder, relative to it, '/'-separated. `packs_text` reads
    the folder's packs.yaml (None when there is none); `where` names the folder in messages.
    """
    listed = set(names)
    if any(h in listed for h in HEADER_FILES):
        return None  # a policy of its own (the flat layout of before D22)
    folders = sorted({n.split("/")[0] for n in listed
                      if n.count("/") == 1 and n.split("/")[1] in HEADER_FILES})
    if not folders:
        return None  # not packs either: the loader says what is wrong with the files
    text = packs_text() if PACKS_FILE in listed else None
    file = f"{where.rstrip('/')}/{PACKS_FILE}"
    default, titles, at = _read_packs_file(text, file, folders) if text is not None else (
        None, {}, None)
    packs = tuple(Pack(n, *titles.get(n, (n, n))) for n in folders)
    return Library(where, packs, default, at)


def _read_packs_file(text: str, file: str, folders: list[str]
                     ) -> tuple[str | None, dict[str, tuple[str, str]], Location]:
    doc, problems = parse_yaml(text, file)
    if doc is None:
        raise PolicyError(problems)
    out: list[Diagnostic] = list(problems)
    data: Any = doc.data
    if not isinstance(data, dict):
        raise PolicyError([diagnostic(doc.locate(()), "E-PACKS-FILE",
                                      Say.PACKS_SHAPE(hint=NOTHING))])
    for key in data:
        if key not in ("default", "packs"):
            out.append(diagnostic(doc.locate((key,), key=True), "E-UNKNOWN-KEY",
                                  Say.PACKS_SHAPE(hint=hint(str(key), ("default", "packs")))))
    titles: dict[str, tuple[str, str]] = {}
    listed = data.get("packs") or {}
    if not isinstance(listed, dict):
        out.append(diagnostic(doc.locate(("packs",)), "E-PACKS-FILE",
                              Say.PACKS_SHAPE(hint=NOTHING)))
        listed = {}
    for name, body in listed.items():
        if str(name) not in folders:
            out.append(diagnostic(doc.locate(("packs", name), key=True), "E-PACK-MISSING",
                                  Say.PACK_MISSING(name=name)))
        fields = body if isinstance(body, dict) else {}
        wrong = [k for k in fields if k not in _PACK_KEYS] if isinstance(body, dict) else [""]
        for key in wrong:
            out.append(diagnostic(doc.locate(("packs", name, key) if key else ("packs", name),
                                             key=bool(key)),
                                  "E-PACKS-FILE",
                                  Say.PACKS_SHAPE(hint=hint(str(key), _PACK_KEYS))))
        zh = str(fields.get("title") or name)
        titles[str(name)] = (zh, str(fields.get("title_en") or zh))
    default = data.get("default")
    if default is not None and (not isinstance(default, str) or default not in folders):
        out.append(diagnostic(doc.locate(("default",)), "E-PACK-DEFAULT",
                              Say.PACK_DEFAULT_UNKNOWN(name=default,
                                                       hint=_did_you_mean(str(default),
                                                                          folders))))
    if out:
        raise PolicyError(out)
    at = doc.locate(("packs",), key=True) if "packs" in data else doc.locate(())
    return default, titles, at


def _did_you_mean(name: str, names: list[str]) -> Words:
    """A near name (`equipment-lone`), else the one pack the name begins (`contract`)."""
    match = closest(name, names) or [c for c in [completion(name, names)] if c is not None]
    return Say.DID_YOU_MEAN(name=match[0]) if match else NOTHING


# -- folders on disk -----------------------------------------------------------------------

def library_at(folder: str | Path) -> Library | None:
    """The library a folder on disk is, or None (a policy folder, a file, nothing)."""
    root = Path(folder)
    if not root.is_dir():
        return None
    names = [p.relative_to(root).as_posix() for h in HEADER_FILES
             for p in (*root.glob(h), *root.glob(f"*/{h}"))]
    if (root / PACKS_FILE).is_file():
        names.append(PACKS_FILE)
    return layout(names, lambda: (root / PACKS_FILE).read_text(encoding="utf-8"), str(root))


@dataclass(frozen=True)
class Resolved:
    """The folder (or file) to load, and the pack's name when it is one of a library."""

    path: Path
    pack: str | None


def resolve(path: str | Path, pack: str | None = None) -> Resolved:
    """The policy `path` means: a library's default pack (or `pack`), else `path` itself.

    A pack folder next to a packs.yaml keeps its name as the pack. `pack` given for a path
    that is one policy is an error unless it names that very folder.
    """
    root = Path(path)
    library = library_at(root)
    if library is not None:
        chosen = library.pick(pack)
        return Resolved(root / chosen.name, chosen.name)
    own = root.name if root.is_dir() and (root.parent / PACKS_FILE).is_file() else None
    if pack is not None and pack != own:
        raise PolicyError([diagnostic(Location(str(root)), "E-PACK-NOT-LIBRARY",
                                      Say.PACK_NOT_A_LIBRARY(name=pack, folder=root))])
    return Resolved(root, own)
