"""Appending facts: one or a batch, idempotent by id, refused with the CLI's own errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from service_support import auth, sample_facts

from policyengine.cli.main import main as cli_main

ROLE = {"id": "f-001", "type": "role.assigned", "at": "2026-09-01T09:00:00+08:00",
        "role": "collector", "person": "杨宝珠"}
BUG = {"id": "f-002", "type": "bug.found", "at": "2026-10-09T10:30:00+08:00",
       "case": "B26100901", "actor": "李小四", "requester": "王医生"}

# Facts the policy refuses, each with an id (the API's own rule is tested apart).
BAD_LINES = [
    '{"id": "b1", "type": "bug.fond", "at": "2026-10-09T10:00:00+08:00", "case": "B26100901"}',
    '{"id": "b2", "type": "bug.found", "at": "yesterday", "case": "B26100901", "actor": "张三"}',
    '{"id": "b3", "type": "bug.found", "at": "2026-10-09T10:00", "case": "26100901", '
    '"actor": "张三"}',
    '{"id": "b4", "type": "bug.found", "at": "2026-10-09T10:00", "case": "B26100901", '
    '"colour": "red"}',
    '{"id": "b5", "type": "decision.made", "at": "2026-10-10T10:00", "case": "26100901", '
    '"decision": "do", "actor": "王总"}',
    '{"id": "b6", "type": "decision.made", "at": "2026-10-10T10:00", "case": "26100901", '
    '"decision": "maybe", "actor": "王总"}',
    '{"id": "b7", "type": "plan.estimated", "at": "2026-10-10T10:00", "case": "26100901", '
    '"due": "next week", "actor": "陈经理"}',
    "[1, 2]",
    '{"id": "b9", "type": ',
    '{"id": "b10", "type": "role.assigned", "at": "2026-09-01T09:00", "role": "boss", '
    '"person": "x", "case": "26100901"}',
    '{"id": "b11", "at": "2026-09-01T09:00"}',
]


def count(client: TestClient) -> int:
    facts: int = client.get("/v1/admin/status", headers=auth()).json()["store"]["facts"]
    return facts


def test_one_fact_is_stored_and_readable(client: TestClient) -> None:
    response = client.post("/v1/facts", json=BUG, headers=auth("ingest"))
    assert response.status_code == 201
    assert response.json() == {"index": 0, "id": "f-002", "status": "stored"}
    stored = client.get("/v1/facts/f-002", headers=auth("read")).json()
    assert stored["fact"] == BUG
    assert stored["sender"] == "loader"
    assert stored["seq"] == 1


def test_the_same_fact_twice_is_stored_once(client: TestClient) -> None:
    assert client.post("/v1/facts", json=BUG, headers=auth()).status_code == 201
    again = client.post("/v1/facts", json=BUG, headers=auth())
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    # The same content written otherwise (no offset: the policy's zone; keys reordered).
    same = {**BUG, "at": "2026-10-09 10:30"}
    assert client.post("/v1/facts", json=dict(reversed(list(same.items()))),
                       headers=auth()).json()["status"] == "duplicate"
    assert count(client) == 1


def test_a_different_fact_under_a_stored_id_is_refused(client: TestClient) -> None:
    client.post("/v1/facts", json=BUG, headers=auth())
    response = client.post("/v1/facts", json={**BUG, "actor": "someone else"}, headers=auth())
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "rejected"
    assert body["errors"][0]["code"] == "E-FACT-DUPLICATE-ID"
    assert "already used for a different fact" in body["errors"][0]["message"]
    assert client.get("/v1/facts/f-002", headers=auth()).json()["fact"]["actor"] == "李小四"
    assert count(client) == 1


def test_a_fact_needs_an_id(client: TestClient) -> None:
    response = client.post("/v1/facts", json={k: v for k, v in BUG.items() if k != "id"},
                           headers=auth())
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors == [{"code": "E-FACT-MISSING", "message": errors[0]["message"]}]
    assert "missing field 'id'" in errors[0]["message"]


def test_an_invalid_fact_gets_the_cli_message(client: TestClient) -> None:
    response = client.post("/v1/facts", json={**BUG, "type": "bug.fund"}, headers=auth())
    assert response.status_code == 422
    assert response.json()["errors"] == [{
        "code": "E-FACT-TYPE", "message": "unknown fact type 'bug.fund'; did you mean "
                                          "'bug.found'?"}]
    bad_json = client.post("/v1/facts", content=b'{"id": 1,', headers=auth())
    assert bad_json.status_code == 422
    assert bad_json.json()["errors"][0]["code"] == "E-FACT-JSON"


def cli_errors(tmp_path: Path, lines: list[str], capsys: pytest.CaptureFixture[str],
               lang: str = "en") -> dict[int, set[tuple[str, str]]]:
    """What `policyengine evaluate` prints for each line of a file: {line: {(code, msg)}}."""
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    capsys.readouterr()
    code = cli_main(["evaluate", "--facts", str(path), "--month", "2026-10", "--lang", lang])
    assert code == 1
    found: dict[int, set[tuple[str, str]]] = {}
    for line in capsys.readouterr().err.splitlines():
        match = re.match(rf"^{re.escape(str(path))}:(\d+): (E-[A-Z-]+): (.*)$", line)
        if match:
            found.setdefault(int(match.group(1)), set()).add((match.group(2), match.group(3)))
    return found


def test_batch_errors_are_the_clis(client: TestClient, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    for lang in ("en", "zh"):  # the same codes and the same wording, in either language
        expected = cli_errors(tmp_path, BAD_LINES, capsys, lang)
        assert len(expected) == len(BAD_LINES)  # every line is refused by the CLI too
        body = "\n".join(BAD_LINES).encode()
        response = client.post(f"/v1/facts/batch?lang={lang}", content=body,
                               headers={**auth("ingest"),
                                        "Content-Type": "application/x-ndjson"})
        assert response.status_code == 200
        document = response.json()
        assert document["rejected"] == len(BAD_LINES) and document["stored"] == 0
        for item in document["results"]:
            got = {(e["code"], e["message"]) for e in item["errors"]}
            assert got == expected[item["line"]], item
    assert count(client) == 0


def test_lines_the_json_decoder_cannot_take_are_rejections(client: TestClient) -> None:
    # a 5000-digit number and a 100,000-deep list were 500s (found in review)
    body = ('{"id": ' + "9" * 5000 + ', "type": "role.assigned"}\n'
            '{"id": "deep", "person": ' + "[" * 100_000 + "]" * 100_000 + "}\n").encode()
    response = client.post("/v1/facts/batch", content=body,
                           headers={**auth("ingest"), "Content-Type": "application/x-ndjson"})
    assert response.status_code == 200
    assert [item["status"] for item in response.json()["results"]] == ["rejected", "rejected"]
    assert count(client) == 0


def test_a_batch_stores_the_valid_facts_and_says_what_became_of_each(client: TestClient) -> None:
    client.post("/v1/facts", json=ROLE, headers=auth())
    batch: list[Any] = [
        BUG,                                        # stored
        ROLE,                                       # already stored: duplicate
        {**BUG, "at": "2026-10-09 10:30"},          # same as item 0: duplicate
        {**BUG, "actor": "other"},                  # same id as item 0, other fact: rejected
        {**ROLE, "person": "someone else"},         # a stored id, other fact: rejected
        {**BUG, "id": "f-003", "type": "nope"},     # invalid: rejected
        {**BUG, "id": 4},                           # a number as id: rejected (text only)
        {**BUG, "id": "f-004", "actor": "王五"},    # stored
    ]
    response = client.post("/v1/facts/batch", json={"facts": batch}, headers=auth())
    assert response.status_code == 200
    document = response.json()
    assert [r["status"] for r in document["results"]] == [
        "stored", "duplicate", "duplicate", "rejected", "rejected", "rejected", "rejected",
        "stored"]
    assert (document["stored"], document["duplicate"], document["rejected"]) == (2, 2, 4)
    codes = [r.get("errors", [{}])[0].get("code") for r in document["results"]]
    assert codes[3] == codes[4] == "E-FACT-DUPLICATE-ID"
    assert "at index 0 of this request" in document["results"][3]["errors"][0]["message"]
    assert codes[5] == codes[6] == "E-FACT-TYPE"
    assert "'id' must be text in quotes, e.g. \"4\"" in document["results"][6]["errors"][0][
        "message"]
    assert count(client) == 3


def test_a_json_array_is_a_batch_too(client: TestClient) -> None:
    response = client.post("/v1/facts/batch", json=[ROLE, BUG], headers=auth())
    assert response.status_code == 200
    assert response.json()["stored"] == 2


def test_an_atomic_batch_stores_all_or_nothing(client: TestClient) -> None:
    client.post("/v1/facts", json=ROLE, headers=auth())
    refused = client.post("/v1/facts/batch?atomic=true",
                          json={"facts": [BUG, {**BUG, "id": "f-9", "type": "nope"}]},
                          headers=auth())
    assert refused.status_code == 422
    assert [r["status"] for r in refused.json()["results"]] == ["not_stored", "rejected"]
    conflict = client.post("/v1/facts/batch?atomic=true",
                           json={"facts": [BUG, {**ROLE, "person": "x"}]}, headers=auth())
    assert conflict.status_code == 422
    assert [r["status"] for r in conflict.json()["results"]] == ["not_stored", "rejected"]
    assert count(client) == 1
    accepted = client.post("/v1/facts/batch?atomic=true", json={"facts": [BUG, ROLE]},
                           headers=auth())
    assert accepted.status_code == 200
    assert [r["status"] for r in accepted.json()["results"]] == ["stored", "duplicate"]
    assert count(client) == 2


@pytest.mark.parametrize("body, code", [
    (b"{not json", "E-FACT-JSON"),
    (b'{"fact": []}', "E-BATCH-SHAPE"),
    (b'"text"', "E-BATCH-SHAPE"),
])
def test_a_batch_of_the_wrong_shape_is_refused(client: TestClient, body: bytes,
                                               code: str) -> None:
    response = client.post("/v1/facts/batch", content=body, headers=auth())
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


def test_the_sample_month_loads_as_a_batch_and_again_as_duplicates(client: TestClient) -> None:
    facts = sample_facts()
    lines = "\n".join(json.dumps(f, ensure_ascii=False) for f in facts).encode()
    headers = {**auth("ingest"), "Content-Type": "application/x-ndjson"}
    first = client.post("/v1/facts/batch", content=lines, headers=headers).json()
    assert first["stored"] == len(facts)
    second = client.post("/v1/facts/batch", content=lines, headers=headers).json()
    assert second["duplicate"] == len(facts) and second["stored"] == 0
    assert count(client) == len(facts)


def test_text_no_database_can_hold_is_refused_not_a_server_error(client: TestClient) -> None:
    nul = client.post("/v1/facts", json={**BUG, "id": "a\u0000b"}, headers=auth())
    assert nul.status_code == 422
    assert "NUL" in nul.json()["errors"][0]["message"]
    surrogate = client.post("/v1/facts", content=b'{"id": "s-1", "type": "bug.found", '
                            b'"at": "2026-10-09T10:30", "case": "B26100901", "actor": '
                            b'"\\ud800"}', headers=auth())
    assert surrogate.status_code == 422
    assert "surrogate" in surrogate.json()["errors"][0]["message"]
    assert count(client) == 0
