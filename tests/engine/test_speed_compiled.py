"""The compiled build (mypyc, docs/decisions.md D39): a compiled module never hides an
edited source, POLICYENGINE_PURE=1 runs the sources, and both give the same results."""

from __future__ import annotations

import importlib.machinery
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from policyengine import native

ROOT = Path(__file__).resolve().parents[2]
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]
COMPILED_NOW = native.in_use()


def _fake_build(root: Path) -> Path:
    """A package tree with every compiled module's source, a stand-in extension for each
    (the check reads names and digests, never loads them) and the digests a build writes."""
    for module in native.COMPILED:
        source = native.source_of(module, root)
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(f"# {module}\n", encoding="utf-8")
        source.with_suffix(SUFFIX).write_bytes(b"not loaded")
    native.write_digests(root, native.digests(root))
    return root / "policyengine"


def test_a_build_matching_its_sources_is_not_stale(tmp_path: Path) -> None:
    _fake_build(tmp_path)
    assert native.stale(tmp_path) == []


def test_an_edited_source_makes_its_compiled_module_stale(tmp_path: Path) -> None:
    _fake_build(tmp_path)
    source = native.source_of("policyengine.engine.replay", tmp_path)
    source.write_text(source.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert native.stale(tmp_path) == ["policyengine.engine.replay"]


def test_missing_digests_and_extensions_of_modules_no_longer_compiled_are_stale(
        tmp_path: Path) -> None:
    package = _fake_build(tmp_path)
    (package / "engine" / f"stream{SUFFIX}").write_bytes(b"left by an older build")
    assert native.stale(tmp_path) == ["policyengine.engine.stream"]
    (package / native.DIGESTS).unlink()
    assert set(native.stale(tmp_path)) == {*native.COMPILED, "policyengine.engine.stream"}


def test_a_pure_install_removes_what_a_build_left(tmp_path: Path) -> None:
    package = _fake_build(tmp_path)
    (package / f"compiled__mypyc{SUFFIX}").write_bytes(b"shared library")
    removed = native.remove_compiled(tmp_path)
    assert len(removed) == len(native.COMPILED) + 2  # the modules, the library, the digests
    assert not list(package.rglob(f"*{SUFFIX}")) and not (package / native.DIGESTS).exists()
    assert native.stale(tmp_path) == []


def _python(code: str, *, cwd: Path, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})


@pytest.mark.skipif(not COMPILED_NOW, reason="installed pure Python: nothing compiled")
def test_importing_a_copy_with_an_edited_source_fails_saying_what_to_run(
        tmp_path: Path) -> None:
    """The real thing: the installed compiled package copied, one source edited: Python
    would import the old extension; `import policyengine` refuses instead."""
    shutil.copytree(ROOT / "policyengine", tmp_path / "policyengine",
                    ignore=shutil.ignore_patterns("__pycache__"))
    env = {"PYTHONPATH": str(tmp_path)}
    show = ("import policyengine, policyengine.native as n; "
            "print(policyengine.__file__, n.in_use())")
    fine = _python(show, cwd=tmp_path, env=env)
    assert fine.returncode == 0, fine.stderr
    assert fine.stdout.split() == [str(tmp_path / "policyengine" / "__init__.py"), "True"]

    replay = tmp_path / "policyengine" / "engine" / "replay.py"
    replay.write_text(replay.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    stale = _python(show, cwd=tmp_path, env=env)
    assert stale.returncode != 0
    assert "StaleBuild" in stale.stderr
    assert "policyengine.engine.replay are older than their source" in stale.stderr
    assert "make .venv/.installed" in stale.stderr

    pure = _python(show, cwd=tmp_path, env={**env, native.PURE_ENV: "1"})
    assert pure.returncode == 0, pure.stderr
    assert pure.stdout.split()[1] == "False"


def test_pure_python_on_request_gives_the_same_results(tmp_path: Path) -> None:
    """POLICYENGINE_PURE=1 imports every compiled module from its source; the sample
    month's result is byte for byte the same either way."""
    code = ("import sys, policyengine.native as n; from policyengine import native; "
            "import policyengine.engine.replay as r, policyengine.facts.fastpath as f; "
            "print(n.describe()); print(r.__file__); print(f.__file__)")
    pure = _python(code, cwd=tmp_path, env={native.PURE_ENV: "1"})
    assert pure.returncode == 0, pure.stderr
    assert pure.stdout.splitlines()[0].startswith("pure Python")
    assert all(line.endswith(".py") for line in pure.stdout.splitlines()[1:])

    run = [sys.executable, "-m", "policyengine.cli.main", "evaluate", "--policy",
           str(ROOT / "policies"), "--facts", str(ROOT / "samples" / "facts-2026-10.jsonl"),
           "--month", "2026-10", "--format", "json"]
    outputs = {}
    for mode in ("0", "1"):
        done = subprocess.run(run, capture_output=True, text=True, timeout=300, cwd=tmp_path,
                              env={**os.environ, native.PURE_ENV: mode})
        assert done.stderr == "" or done.returncode in (0, 1), done.stderr
        outputs[mode] = done.stdout
    assert '"violations"' in outputs["1"]
    assert outputs["0"] == outputs["1"]


def test_obligations_pickle_whole_compiled_or_not() -> None:
    """Workers send obligations to the parent pickled; compiled (a native class, made only
    by calling it) as in pure Python, every field comes back, `place` only when it was set."""
    import pickle
    from datetime import UTC, datetime

    from policyengine import load_policy
    from policyengine.engine.obligation import Keyed, Obligation

    duty = next(iter(load_policy(str(ROOT / "policies")).duties.values()))
    at = datetime(2026, 10, 9, 2, 30, tzinfo=UTC)
    for kind in (Obligation, Keyed):
        made = kind(duty, "26100901", None, at, at.replace(hour=9))
        back = pickle.loads(pickle.dumps(made))
        assert type(back) is kind and not hasattr(back, "place")
        made.place, made.pending, made.missing_year = 7, at.date(), 2027
        made.note(("step.clock", ()))  # type: ignore[arg-type]
        if isinstance(made, Keyed):
            made.actor, made.seq = "王芳", 2
        back = pickle.loads(pickle.dumps(made))
        fields = ("case", "trigger", "opened_at", "due", "fulfilled_by", "history",
                  "pending", "missing_year", "anchor", "place", "actor", "seq")
        assert [getattr(back, f) for f in fields] == [getattr(made, f) for f in fields]
        assert back.duty.id == duty.id and back.place == 7 and back.history == made.history


def test_the_slow_path_switch_reaches_compiled_callers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests compare the reader's fast path with its slow path. A function patched in a
    compiled module is not seen by compiled callers (a direct C call), a module global is
    read each time: so the switch is `fastpath.IN_USE`, and it is seen either way."""
    from policyengine import load_policy
    from policyengine.facts import fastpath, reader

    schema = load_policy(str(ROOT / "policies")).schema
    sample = ROOT / "samples" / "facts-2026-10.jsonl"
    assert fastpath.fast_path(schema) is not None
    asked: list[object] = []
    with monkeypatch.context() as patch:
        patch.setattr(reader, "fast_path", asked.append)
        reader.read_facts(sample, schema)
    assert (asked == []) is COMPILED_NOW  # why the tests do not patch it
    monkeypatch.setattr(fastpath, "IN_USE", False)
    assert fastpath.fast_path(schema) is None
