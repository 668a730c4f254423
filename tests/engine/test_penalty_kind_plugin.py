"""A penalty schedule kind added from ONE file outside the package (penalty_kind_plugin.py):
importing it registers the kind, the policy format takes its key, the JSON Schema describes
it, and an evaluation charges by it, with no edit to policyengine (docs/decisions.md D22).

The registry is global, so the plug-in is imported in a fresh interpreter, leaving this test
run's registry (and the shipped schema test) as shipped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from helpers import P1_VERSION, REPO, copy_policy

from policyengine.engine.penalties import SCHEDULES
from policyengine.kinds import ScheduleKind

HERE = Path(__file__).parent

SCRIPT = """
import json, sys
from decimal import Decimal
sys.path[:0] = [sys.argv[2], sys.argv[3]]
import policyengine as pe
from policyengine.engine.penalties import SCHEDULES
from policyengine.errors import PolicyError
from policyengine.kinds import ScheduleKind
from policyengine.policy.schema import policy_json_schema
from helpers import REPORTER, fact, october_base, run

import penalty_kind_plugin  # the one file

policy = pe.load_policy(sys.argv[1])
facts = [*october_base(),
         # B1 (report the bug by the end of the working day, 18:00) with P1 as per_started_day: 10
         fact("bug.found", "2026-10-13 10:00", case="B26101301", actor=REPORTER, policy=policy),
         fact("bug.reported", "2026-10-13 19:00", case="B26101301", policy=policy),
         fact("bug.found", "2026-10-14 10:00", case="B26101401", actor=REPORTER, policy=policy),
         fact("bug.reported", "2026-10-16 11:00", case="B26101401", policy=policy)]
result = run(facts, policy=policy)
b1 = [v for v in result.violations if v.duty == "B1"]
schema = policy_json_schema()["$defs"]["PenaltyVersion"]["properties"]
try:
    pe.load_policy(sys.argv[4])
    misspelt = "loaded"
except PolicyError as exc:
    misspelt = [str(d) for d in exc.diagnostics]
print(json.dumps({
    "kinds": sorted(SCHEDULES),
    "enum": [k.value for k in ScheduleKind],
    "charges": sorted([v.case, v.penalty.schedule, str(v.penalty.amount),
                       v.penalty.detail.render("en")] for v in b1),
    "person": str(result.person(REPORTER).amount),
    "schema": schema.get("per_started_day", {}).get("description"),
    "misspelt": misspelt,
}, ensure_ascii=False))
"""


def test_a_kind_from_one_file_outside_the_package(tmp_path: Path) -> None:
    used = copy_policy(tmp_path / "used", [
        ("penalties.yaml", P1_VERSION, "      - effective: 2014-07-01\n"
                                       "        per_started_day: 10\n  P2:")])
    misspelt = copy_policy(tmp_path / "misspelt", [
        ("penalties.yaml", P1_VERSION, "      - effective: 2014-07-01\n"
                                       "        per_startd_day: 10\n  P2:")])
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(used), str(HERE),
                           str(REPO / "tests"), str(misspelt)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert "per_started_day" in out["kinds"]
    # The built-in names stay the enum; the plug-in is a registered name, not a member.
    assert "per_started_day" not in out["enum"]
    # 19:00 is 1 hour after the 18:00 deadline: one started day, 10 yuan. The 10-16 11:00
    # report is 1 day 17 hours after 10-14 18:00: two started days, 20 yuan. 30 in all.
    assert [c[:3] for c in out["charges"]] == [["B26101301", "per_started_day", "10"],
                                                ["B26101401", "per_started_day", "20"]]
    assert out["charges"][1][3] == ("P1 as in force from 2014-07-01: 10 yuan for each started "
                                    "day late, 2 day(s): 20 yuan")
    assert out["person"] == "30"
    assert out["schema"] == "yuan for each started day (24 hours) late, at least one"
    [found] = out["misspelt"]
    assert found.endswith("E-UNKNOWN-KEY: unknown key 'per_startd_day'; did you mean "
                          "'per_started_day'?"), found


def test_this_run_keeps_the_shipped_kinds() -> None:
    assert set(SCHEDULES) == {k for k in ScheduleKind if k is not ScheduleKind.NONE}


def test_an_installed_package_names_its_kind_by_entry_point(tmp_path: Path) -> None:
    """`[project.entry-points."policyengine.schedules"]` of an installed package: every
    command then knows the kind (here `policyengine schema`, in a fresh interpreter)."""
    dist = tmp_path / "site" / "penalty_kind_plugin-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: penalty-kind-plugin\n"
                                   "Version: 0.1\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text(
        "[policyengine.schedules]\nper_started_day = penalty_kind_plugin\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "site"), str(HERE)])}
    done = subprocess.run([sys.executable, "-m", "policyengine.cli.main", "schema"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    version = json.loads(done.stdout)["$defs"]["PenaltyVersion"]["properties"]
    assert list(version)[-2:] == ["capped_per_instance", "per_started_day"]
    assert version["per_started_day"]["description"] == (
        "yuan for each started day (24 hours) late, at least one")
