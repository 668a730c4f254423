"""The build: the engine's hot modules compiled to C extensions with mypyc (docs/decisions.md
D39), the way black and mypy ship their speed. Everything else is in pyproject.toml.

- `pip install -e .` (or `make .venv/.installed`) compiles the modules listed in
  policyengine/native.py (`COMPILED`) next to their sources, and writes their sources' digests
  (`policyengine/_compiled.txt`): policyengine refuses to import with a compiled module
  older than its source (a stale build would silently hide an edit).
- `POLICYENGINE_PURE=1 pip install -e .` installs pure Python and removes compiled modules a
  former build left next to the sources. So does a machine where the compile fails (no C
  compiler, no Python headers): the build warns and installs pure Python.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
# policyengine/native.py read as a plain file: importing the package would need its
# dependencies, which a build environment does not have.
_spec = importlib.util.spec_from_file_location(
    "_policyengine_native", HERE / "policyengine" / "native.py")
assert _spec is not None and _spec.loader is not None
plan = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(plan)


class OptionalBuildExt(build_ext):
    """Compiles the modules, or warns and leaves the package pure Python if it cannot."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as error:
            self._fall_back(error)
            return
        if self.extensions and COMPILED_DIGESTS:
            # Only a build that compiled records what it compiled, and where it put it: in
            # the tree for an editable install, in the build for a wheel (a wheel built in a
            # tree with an editable install must not vouch for that install's extensions).
            in_tree = self.inplace or getattr(self, "editable_mode", False)
            plan.write_digests(HERE if in_tree else Path(self.build_lib), COMPILED_DIGESTS)

    def _fall_back(self, error: BaseException) -> None:
        removed = plan.remove_compiled(HERE)
        print(f"policyengine: compiling with mypyc failed ({error}); installing pure Python "
              f"({len(removed)} compiled files removed). Set POLICYENGINE_PURE=1 to skip "
              "the attempt.", file=sys.stderr)


# module -> SHA-256 of its source when mypyc read it (written by a build that compiled)
COMPILED_DIGESTS: dict[str, str] = {}


def extensions() -> list[Any]:
    if os.environ.get(plan.PURE_ENV, "") not in ("", "0"):
        plan.remove_compiled(HERE)
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("policyengine: mypyc is not installed; installing pure Python",
              file=sys.stderr)
        plan.remove_compiled(HERE)
        return []
    sources = [str(Path("policyengine", *name.split(".")[1:])) + ".py"
               for name in plan.COMPILED]
    try:
        modules: list[Any] = mypycify(
            sources, opt_level="3", debug_level="0",
            # one shared library inside the package (policyengine/compiled__mypyc...so),
            # named the same whatever the modules: an editable install finds it, a rebuild
            # replaces it
            group_name=plan.GROUP)
    except SystemExit:  # mypyc's type check failed (it exits): said above it by mypy
        print("policyengine: mypyc refused the sources; installing pure Python",
              file=sys.stderr)
        plan.remove_compiled(HERE)
        return []
    COMPILED_DIGESTS.update(plan.digests(HERE))  # the sources as compiled, now
    return modules


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
