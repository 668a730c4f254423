"""What the API reads equals what `policyengine evaluate` prints for the same facts, policy
and as-of, held side by side.

Two differences are by design and normalised here: the CLI's `rejected` count (the store
holds only valid facts), and the file position (`source`, `file:line`) the CLI gives a
fact, which the API, having no file, leaves out: there, a fact is named by its id.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from service_support import ENGLISH, POLICY, ROOT, SAMPLE, auth, make_config

from policyengine.cli.main import main as cli_main
from policyengine.service.app import create_app

GENERATOR = ROOT / "benchmarks" / "generate_facts.py"


def cli_report(facts: Path, period: str, as_of: str | None,
               capsys: pytest.CaptureFixture[str], exit_code: int = 0) -> dict[str, Any]:
    args = ["evaluate", "--facts", str(facts), "--policy", str(POLICY), "--format", "json",
            "--quarter" if "Q" in period else "--month", period]
    if as_of:
        args += ["--as-of", as_of]
    capsys.readouterr()
    assert cli_main(args) == exit_code
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return normalised(document, facts)


def normalised(document: dict[str, Any], facts: Path) -> dict[str, Any]:
    """The CLI's report with facts named by id instead of by file position."""
    assert document.pop("rejected") == 0
    ids = {number: json.loads(line).get("id") for number, line in
           enumerate(facts.read_text(encoding="utf-8").splitlines(), start=1) if line.strip()}
    position = re.compile(re.escape(str(facts)) + r":(\d+)")
    text = json.dumps(document, ensure_ascii=False)
    text = re.sub(r', "source": "' + position.pattern + '"', "", text)
    text = position.sub(lambda m: str(ids[int(m.group(1))]), text)
    result: dict[str, Any] = json.loads(text)
    return result


def api_report(client: TestClient, period: str, as_of: str | None) -> dict[str, Any]:
    query = {"period": period, **({"as_of": as_of} if as_of else {})}
    response = client.get(f"/v1/report?{urlencode(query)}", headers=auth("read"))
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def load(client: TestClient, facts: Path) -> None:
    lines = [line for line in facts.read_text(encoding="utf-8").splitlines() if line.strip()]
    for start in range(0, len(lines), 2000):
        body = "\n".join(lines[start:start + 2000]).encode()
        response = client.post("/v1/facts/batch", content=body, headers={
            **auth("ingest"), "Content-Type": "application/x-ndjson"})
        assert response.status_code == 200
        assert response.json()["rejected"] == 0


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("facts") / "generated.jsonl"
    subprocess.run([sys.executable, str(GENERATOR), "--cases", "150", "--seed", "11",
                    "--out", str(out)], check=True, capture_output=True)
    return out


@pytest.fixture
def api(database: str) -> Iterator[TestClient]:
    with TestClient(create_app(make_config(database)), headers=ENGLISH) as client:
        yield client


@pytest.mark.parametrize("period, as_of", [
    ("2026-10", None),
    ("2026-10", "2026-10-15T12:00:00+08:00"),
    ("2026-10", "2026-10-31 18:00"),
    ("2026-Q4", "2026-11-01T00:00:00+08:00"),
    ("2026-09", None),
])
def test_the_sample_month_reads_as_the_cli_prints_it(
        api: TestClient, capsys: pytest.CaptureFixture[str], period: str,
        as_of: str | None) -> None:
    load(api, SAMPLE)
    expected = cli_report(SAMPLE, period, as_of, capsys)
    got = api_report(api, period, as_of)
    assert got == expected
    # The narrower reads are cut from the same result.
    query = urlencode({"period": period, **({"as_of": as_of} if as_of else {})})
    obligations = api.get(f"/v1/obligations?{query}", headers=auth("read")).json()
    assert obligations["obligations"] == expected["obligations"]
    people = api.get(f"/v1/people?{query}", headers=auth("read")).json()
    assert people["people"] == expected["people"]
    violations = api.get(f"/v1/violations?{query}", headers=auth("read")).json()
    assert [{k: v for k, v in item.items() if k != "id"} for item in violations["violations"]] \
        == expected["violations"]


def test_generated_facts_read_as_the_cli_prints_them(
        api: TestClient, generated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    load(api, generated)
    for period, as_of in (("2021-02", None), ("2021-03", "2021-03-20T12:00:00+08:00"),
                          ("2021-Q1", None)):
        expected = cli_report(generated, period, as_of, capsys)
        assert expected["violations"], "the generated month should have violations"
        assert api_report(api, period, as_of) == expected, (period, as_of)


def test_the_installed_command_agrees_too(api: TestClient) -> None:
    """The same comparison against the `policyengine` program itself, in its own process."""
    load(api, SAMPLE)
    printed = subprocess.run(
        [sys.executable, "-m", "policyengine.cli.main", "evaluate", "--facts", str(SAMPLE),
         "--policy", str(POLICY), "--month", "2026-10", "--format", "json"],
        check=True, capture_output=True, text=True, cwd=ROOT).stdout
    assert api_report(api, "2026-10", None) == normalised(json.loads(printed), SAMPLE)


def test_cached_results_stay_equal_to_the_cli_as_facts_arrive(
        api: TestClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A cached result is reused while new facts lie after its as-of (only the count of
    unseen facts changes); a fact at or before it makes the next read evaluate again."""
    as_of = "2026-10-20T18:00:00+08:00"
    lines = [line for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    early = [line for line in lines if json.loads(line)["at"] <= as_of]
    late = [line for line in lines if json.loads(line)["at"] > as_of]
    assert early and late
    backdated = json.dumps({"id": "late-bug", "type": "bug.found", "at": "2026-10-19T10:00",
                            "case": "B26101901", "actor": "李小四"}, ensure_ascii=False)
    files = tmp_path / "steps"
    files.mkdir()

    def step(name: str, sent: list[str], new: list[str]) -> dict[str, Any]:
        path = files / f"{name}.jsonl"
        path.write_text("\n".join(sent) + "\n", encoding="utf-8")
        if new:
            load_lines(api, new)
        got = api_report(api, "2026-10", as_of)
        assert got == cli_report(path, "2026-10", as_of, capsys), name
        cache: dict[str, Any] = api.get("/v1/admin/status", headers=auth("admin")).json()
        return cache["cache"]

    first = step("early", early, early)
    second = step("late", early + late, late)
    assert second["misses"] == first["misses"]      # reused, its count brought up to date
    third = step("backdated", early + late + [backdated], [backdated])
    assert third["misses"] == first["misses"] + 1   # evaluated again


def load_lines(client: TestClient, lines: list[str]) -> None:
    response = client.post("/v1/facts/batch", content="\n".join(lines).encode(),
                           headers={**auth("ingest"), "Content-Type": "application/x-ndjson"})
    assert response.status_code == 200
    assert response.json()["rejected"] == 0


YEAR_END = [
    {"id": "y-1", "type": "role.assigned", "at": "2026-12-01T09:00:00+08:00",
     "role": "collector", "person": "杨宝珠"},
    {"id": "y-2", "type": "requirement.raised", "at": "2026-12-28T10:00:00+08:00",
     "case": "26122801", "actor": "张三"},
    {"id": "y-3", "type": "reporter.notified", "at": "2026-12-31T19:00:00+08:00",
     "case": "26122801", "actor": "杨宝珠", "about": "decision"},
    {"id": "y-4", "type": "requester.informed", "at": "2027-01-04T10:00:00+08:00",
     "case": "26122801", "actor": "张三", "about": "decision"},
]


@pytest.mark.parametrize("period, as_of", [
    ("2026-12", None), ("2026-Q4", None), ("2027-01", "2027-01-10T09:00:00+08:00")])
def test_pending_calendar_data_reads_as_the_cli_prints_it(
        api: TestClient, tmp_path: Path, capsys: pytest.CaptureFixture[str], period: str,
        as_of: str | None) -> None:
    path = tmp_path / "year-end.jsonl"
    path.write_text("".join(json.dumps(f, ensure_ascii=False) + "\n" for f in YEAR_END),
                    encoding="utf-8")
    load(api, path)
    expected = cli_report(path, period, as_of, capsys, exit_code=3)
    assert expected["pending"], "the year-end facts should leave obligations pending"
    assert api_report(api, period, as_of) == expected
    query = urlencode({"period": period, **({"as_of": as_of} if as_of else {})})
    obligations = api.get(f"/v1/obligations?{query}", headers=auth("read")).json()
    assert obligations["pending"] == expected["pending"]
