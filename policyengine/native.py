"""Which engine modules are compiled with mypyc, whether the compiled code is in use, and
the guard against a stale build (docs/decisions.md D39).

An editable install puts each compiled module (`replay.cpython-311-x86_64-linux-gnu.so`)
next to its source, and Python imports the extension before the `.py`. So an edited source
would be silently hidden by the old compiled module: `guard()` (run first thing by
`import policyengine`) compares each source with the digest the build recorded and refuses
to import, saying what to run, when they differ. `POLICYENGINE_PURE=1` in the environment
makes the same install run the pure Python sources (the compiled files are then ignored).

This file is also read by setup.py as a plain file (no package import): standard library
only.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

# The modules mypyc compiles: the per-fact work of reading and evaluating. All or none are
# compiled (one build, one shared library), and all or none are in use.
COMPILED: tuple[str, ...] = (
    "policyengine.facts.messages",
    "policyengine.facts.schema",
    "policyengine.facts.fastpath",
    "policyengine.facts.moments",
    "policyengine.facts.reader",
    "policyengine.engine.conditions",
    "policyengine.engine.obligation",
    "policyengine.engine.ordering",
    "policyengine.engine.replay",
    "policyengine.engine.plans",
    "policyengine.engine.evaluate",
    "policyengine.engine.dueof",
    "policyengine.engine.rewards.merit_days",
    "policyengine.engine.penalties.months",
    "policyengine.engine.penalties.tiers",
    "policyengine.engine.instants",
    "policyengine.engine.dormant",
    "policyengine.engine.compaction",
)

GROUP = "policyengine.compiled"  # the shared library: policyengine/compiled__mypyc.*.so
PURE_ENV = "POLICYENGINE_PURE"
DIGESTS = "_compiled.txt"  # next to this file: "module sha256" per compiled module
REBUILD = "make .venv/.installed (or: pip install -e '.[dev]')"


class StaleBuild(ImportError):
    """A compiled module does not match its source any more."""


def _package_dir(root: Path | None = None) -> Path:
    return root / "policyengine" if root is not None else Path(__file__).resolve().parent


def source_of(module: str, root: Path | None = None) -> Path:
    return _package_dir(root).joinpath(*module.split(".")[1:]).with_suffix(".py")


def compiled_files(module: str, root: Path | None = None) -> list[Path]:
    """The extension files of `module` next to its source (none in a pure install)."""
    source = source_of(module, root)
    stem = source.with_suffix("")
    return [Path(f"{stem}{suffix}") for suffix in importlib.machinery.EXTENSION_SUFFIXES
            if Path(f"{stem}{suffix}").exists()]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def digests(root: Path) -> dict[str, str]:
    """The digest of every compiled module's source in the tree at `root`."""
    return {module: digest(source_of(module, root)) for module in COMPILED}


def write_digests(root: Path, found: dict[str, str]) -> None:
    """Called by setup.py once it has compiled: the digests of the sources it compiled,
    into the package at `root` (the tree, or the build a wheel is made of)."""
    lines = [f"{module} {found[module]}\n" for module in COMPILED]
    (_package_dir(root) / DIGESTS).write_text("".join(lines), encoding="ascii")


def remove_compiled(root: Path) -> list[Path]:
    """Called by setup.py for a pure install (or a failed build): a former build's files
    would shadow the sources. Also the shared library the modules' extensions load."""
    found = _extensions(root)
    digests = _package_dir(root) / DIGESTS
    if digests.exists():
        found.append(digests)
    for f in found:
        f.unlink()
    return found


def _extensions(root: Path | None = None) -> list[Path]:
    """Every extension file in the package (all of them come from this build)."""
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    return sorted(f for f in _package_dir(root).rglob("*.*") if f.name.endswith(suffixes))


def _module_of(extension: Path, root: Path | None = None) -> str:
    relative = extension.relative_to(_package_dir(root))
    return ".".join(("policyengine", *relative.parts[:-1], relative.name.split(".", 1)[0]))


def stale(root: Path | None = None) -> list[str]:
    """Compiled modules whose source changed since they were built (or whose digest is
    missing), and extensions of modules no longer compiled; empty in a pure install."""
    extensions = _extensions(root)
    if not extensions:
        return []
    shared = GROUP.rsplit(".", 1)[1] + "__mypyc"
    gone = sorted(m for m in map(_module_of, extensions, [root] * len(extensions))
                  if m not in COMPILED and not m.endswith("." + shared))
    built = [m for m in COMPILED if compiled_files(m, root)]
    try:
        text = (_package_dir(root) / DIGESTS).read_text(encoding="ascii")
    except OSError:
        return built + gone
    recorded = dict(line.split(" ", 1) for line in text.splitlines() if " " in line)
    return [m for m in built if recorded.get(m) != digest(source_of(m, root))] + gone


def pure_requested() -> bool:
    return os.environ.get(PURE_ENV, "") not in ("", "0")


class _Sources(importlib.abc.MetaPathFinder):
    """Imports the compiled modules from their `.py` sources (POLICYENGINE_PURE=1)."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in COMPILED:
            return None
        source = source_of(fullname)
        return importlib.util.spec_from_file_location(
            fullname, source, loader=importlib.machinery.SourceFileLoader(fullname, str(source)))


def guard() -> None:
    """Run by `import policyengine` before any compiled module is imported."""
    if pure_requested():
        if not any(isinstance(f, _Sources) for f in sys.meta_path):
            sys.meta_path.insert(0, _Sources())
        return
    changed = stale()
    if changed:
        raise StaleBuild(
            "policyengine: the compiled module(s) " + ", ".join(changed) + " are older than "
            f"their source: run {REBUILD} to compile them again, or set {PURE_ENV}=1 to "
            "run the Python sources.")


def in_use() -> bool:
    """Whether the engine runs compiled code (its modules imported from extensions)."""
    module = sys.modules.get("policyengine.engine.replay")
    if module is None:
        spec = importlib.util.find_spec("policyengine.engine.replay")
        origin = spec.origin if spec is not None else None
    else:
        origin = getattr(module, "__file__", None)
    return origin is not None and not origin.endswith(".py")


def describe() -> str:
    """One line for `policyengine --version` and the benchmarks."""
    if in_use():
        return f"compiled with mypyc, {len(COMPILED)} engine modules"
    if pure_requested() and any(compiled_files(m) for m in COMPILED):
        return f"pure Python, {PURE_ENV}=1: the compiled modules are not used"
    return "pure Python"
