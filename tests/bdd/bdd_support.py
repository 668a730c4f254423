"""Running pytest on .feature files in a throw-away project, as a user would (a subprocess).

The plugin is found through its `pytest11` entry point, so these runs also check that the
installed package registers it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
POLICY = REPO / "policies" / "customer-requirement"  # the default pack (policies/packs.yaml)


@dataclass
class Run:
    code: int
    out: str

    def section(self, title: str) -> str:
        """The failure report whose header line contains `title` (up to the next header)."""
        parts = re.split(r"\n_{3,} (.+?) _{3,}\n", "\n" + self.out)
        for name, body in zip(parts[1::2], parts[2::2], strict=True):
            if title in name:
                return body
        raise AssertionError(f"no failure section {title!r} in:\n{self.out}")


def make_project(root: Path, files: dict[str, str] | None = None,
                 fixtures: tuple[str, ...] = (), configured: bool = True) -> Path:
    features = root / "features"
    features.mkdir(parents=True, exist_ok=True)
    for name in fixtures:
        shutil.copy(FIXTURES / name, features / name)
    for name, text in (files or {}).items():
        (features / name).write_text(text, encoding="utf-8")
    ini = ["[pytest]", f"policyengine_policy = {POLICY}"]
    if configured:
        ini.insert(1, "policyengine_features = features")
    (root / "pytest.ini").write_text("\n".join(ini) + "\n", encoding="utf-8")
    return root


def run_pytest(root: Path, *args: str, autoload: bool = False) -> Run:
    """pytest in `root`. With `autoload`, every installed plugin loads as for a user (the
    plugin through its entry point); without, only ours (three times faster)."""
    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    plugins = ["-p", "no:cacheprovider"]
    if not autoload:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        plugins += ["-p", "policyengine.bdd.plugin"]
    done = subprocess.run([sys.executable, "-m", "pytest", *plugins, *args], cwd=root, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    return Run(done.returncode, done.stdout + done.stderr)
