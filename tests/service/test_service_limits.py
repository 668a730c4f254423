"""Limits on request size and batch length, with errors that say what to do."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from service_support import ENGLISH, auth, make_config

from policyengine.service.app import create_app

LIMIT = 4096


def fact(number: int) -> dict[str, str]:
    return {"id": f"w-{number}", "type": "weekly_report.submitted",
            "at": f"2026-10-{number % 28 + 1:02d}T10:00:00+08:00", "actor": "杨宝珠"}


@pytest.fixture
def small(database: str) -> Iterator[TestClient]:
    config = make_config(database, max_body_bytes=LIMIT, max_batch=5)
    with TestClient(create_app(config), headers=ENGLISH) as client:
        yield client


def stored(client: TestClient) -> int:
    facts: int = client.get("/v1/admin/status", headers=auth()).json()["store"]["facts"]
    return facts


def test_a_body_over_the_limit_is_refused(small: TestClient) -> None:
    body = json.dumps({"facts": [fact(1)], "padding": "x" * LIMIT}).encode()
    for url in ("/v1/facts", "/v1/facts/batch"):
        response = small.post(url, content=body, headers=auth("ingest"))
        assert response.status_code == 413
        error = response.json()["error"]
        assert error["code"] == "E-REQUEST-TOO-LARGE"
        assert error["limit_bytes"] == LIMIT
        assert f"at most {LIMIT} bytes" in error["message"]
    assert stored(small) == 0


def test_a_body_that_does_not_say_its_size_is_counted(small: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"facts": ['
        for number in range(200):
            yield json.dumps(fact(number)).encode() + b","
        yield b"{}]}"

    response = small.post("/v1/facts/batch", content=chunks(), headers=auth("ingest"))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "E-REQUEST-TOO-LARGE"
    assert stored(small) == 0


def test_a_batch_over_the_limit_is_refused_whole(small: TestClient) -> None:
    response = small.post("/v1/facts/batch", json={"facts": [fact(n) for n in range(6)]},
                          headers=auth("ingest"))
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "E-BATCH-TOO-LONG", "limit_facts": 5,
        "message": "the batch has 6 facts; at most 5 are accepted in one request: split it"}
    lines = "\n".join(json.dumps(fact(n)) for n in range(6)).encode()
    as_lines = small.post("/v1/facts/batch", content=lines,
                          headers={**auth("ingest"), "Content-Type": "application/x-ndjson"})
    assert as_lines.status_code == 413
    assert stored(small) == 0


def test_within_the_limits_all_is_well(small: TestClient) -> None:
    response = small.post("/v1/facts/batch", json={"facts": [fact(n) for n in range(5)]},
                          headers=auth("ingest"))
    assert response.status_code == 200
    assert response.json()["stored"] == 5
