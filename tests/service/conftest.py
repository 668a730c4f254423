"""Fixtures for the service tests: a database of each kind, a client, a loaded client."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

# starlette's TestClient warns that it prefers httpx2 to httpx; both work.
warnings.filterwarnings("ignore", message=".*httpx.*")
pytest.importorskip("fastapi", reason="the service tests need the serve extra")

from fastapi.testclient import TestClient  # noqa: E402
from service_support import (  # noqa: E402
    ENGLISH,
    PgSchema,
    auth,
    make_config,
    sample_facts,
    sample_lines,
)

from policyengine.service.app import create_app  # noqa: E402


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL of each kind, empty."""
    if request.param == "sqlite":
        yield str(tmp_path / "facts.db")
        return
    schema = PgSchema()
    try:
        yield schema.url
    finally:
        schema.drop()


@pytest.fixture
def client(database: str) -> Iterator[TestClient]:
    with TestClient(create_app(make_config(database)), headers=ENGLISH) as test_client:
        yield test_client


@pytest.fixture
def loaded(client: TestClient) -> TestClient:
    """A client whose store holds the sample month."""
    response = client.post("/v1/facts/batch", json={"facts": sample_facts()}, headers=auth())
    assert response.status_code == 200, response.text
    assert response.json()["stored"] == len(sample_lines())
    return client
