"""Helpers shared by the service tests (tokens, databases, sample facts).

PostgreSQL: set POLICYENGINE_TEST_PG_URL (`.ci/postgres.sh` starts a cluster and prints
it). Without it the PostgreSQL half of the tests is skipped, except under CI=true, where it
fails: a broken PostgreSQL set-up must not pass unnoticed. Each test gets its own schema.
"""

from __future__ import annotations

import html
import json
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from policyengine.service.auth import TokenSet
from policyengine.service.state import ServiceConfig

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "policies" / "customer-requirement"  # the default pack (policies/packs.yaml)
SAMPLE = ROOT / "samples" / "facts-2026-10.jsonl"
PG_ENV = "POLICYENGINE_TEST_PG_URL"

SECRETS = {
    "ingest": "ingest-secret-0123456789abcdef",
    "read": "read-secret-0123456789abcdef",
    "admin": "admin-secret-0123456789abcdef",
    "all": "all-scopes-secret-0123456789abcdef",
}
TOKENS_TEXT = "\n".join([
    f"loader ingest {SECRETS['ingest']}",
    f"dashboard read {SECRETS['read']}",
    f"operator admin {SECRETS['admin']}",
    f"tester ingest,read,admin {SECRETS['all']}",
])
TOKENS = TokenSet.parse(TOKENS_TEXT, "test tokens")
# The shipped policy speaks Chinese; the tests that hold the English wording (the CLI's, for
# rejected facts) ask for English. test_service_language.py holds the Chinese.
ENGLISH = {"Accept-Language": "en"}


def auth(scope: str = "all") -> dict[str, str]:
    return {"Authorization": f"Bearer {SECRETS[scope]}"}


def pg_base_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{PG_ENV} is not set under CI: .ci/run must start PostgreSQL with "
                        ".ci/postgres.sh and export the URL it prints")
        pytest.skip(f"{PG_ENV} is not set (start one: export {PG_ENV}=$(bash .ci/postgres.sh))")
    return url


def with_schema(url: str, schema: str) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(f'-csearch_path={schema}')}"


class PgSchema:
    """A fresh schema in the test database, dropped afterwards."""

    def __init__(self) -> None:
        import psycopg
        self.base = pg_base_url()
        self.name = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(self.base, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {self.name}")
        self.url = with_schema(self.base, self.name)

    def drop(self) -> None:
        import psycopg
        with psycopg.connect(self.base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {self.name} CASCADE")


def make_config(database: str, **overrides: Any) -> ServiceConfig:
    return ServiceConfig(policy_path=POLICY, database=database, tokens=TOKENS, **overrides)


def sample_lines() -> list[str]:
    return [line for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]


def sample_facts() -> list[dict[str, Any]]:
    return [json.loads(line) for line in sample_lines()]


@contextmanager
def signed_in_with_sample(database: str) -> Iterator[Any]:
    """A test client of a service holding the sample month, signed in to the dashboard as
    the reader."""
    from fastapi.testclient import TestClient

    from policyengine.service.app import create_app

    with TestClient(create_app(make_config(database))) as app_client:
        response = app_client.post("/v1/facts/batch", json={"facts": sample_facts()},
                                   headers=auth())
        assert response.status_code == 200, response.text
        signed = app_client.post("/ui/signin", data={"token": SECRETS["read"]},
                                 follow_redirects=False)
        assert signed.status_code == 303, signed.text
        yield app_client


def visible_text(client: Any, path: str, headers: dict[str, str]) -> str:
    """A page's visible text: tags dropped, entities read."""
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return html.unescape(re.sub(r"<[^>]+>", " ", response.text))
