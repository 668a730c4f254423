"""The service over a folder of packs (D22): `serve --pack NAME` or POLICYENGINE_PACK picks
one, /v1/policy says which, an unknown name stops the start with the packs listed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from helpers import pack_library
from service_support import TOKENS, TOKENS_TEXT, auth

from policyengine.cli import serve
from policyengine.service.app import create_app
from policyengine.service.state import ServiceConfig


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return pack_library(tmp_path / "policies")


def client_for(library: Path, tmp_path: Path, pack: str | None) -> Iterator[TestClient]:
    config = ServiceConfig(policy_path=library, pack=pack, database=str(tmp_path / "f.db"),
                           tokens=TOKENS)
    with TestClient(create_app(config)) as client:
        yield client


@pytest.mark.parametrize(("pack", "policy_id"), [
    (None, "customer-requirement-feedback"), ("equipment-loan", "equipment-loan")])
def test_the_policy_endpoint_names_the_pack(library: Path, tmp_path: Path, pack: str | None,
                                            policy_id: str) -> None:
    for client in client_for(library, tmp_path, pack):
        info = client.get("/v1/policy", headers=auth("read")).json()
        assert info["pack"] == (pack or "customer-requirement")
        assert info["id"] == policy_id
        assert info["identity"]["pack"] == info["pack"]
        # the pack's own vocabulary is what facts are checked against
        fact = {"id": "f1", "type": "device.borrowed", "at": "2026-10-12T10:00:00+08:00",
                "case": "L000001", "actor": "王五", "device_no": "NB-17"}
        sent = client.post("/v1/facts", json=fact, headers=auth("ingest"))
        assert sent.status_code == (201 if pack else 422), sent.text


def test_serve_refuses_an_unknown_pack_from_the_environment(
        library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    tokens = tmp_path / "tokens.txt"
    tokens.write_text(TOKENS_TEXT, encoding="utf-8")
    monkeypatch.setenv("POLICYENGINE_PACK", "equipment-lone")
    assert serve.main(["--tokens", str(tokens), "--policy", str(library), "--db",
                       str(tmp_path / "x.db"), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "E-PACK-UNKNOWN" in err and "the packs: customer-requirement, equipment-loan" in err
    assert not (tmp_path / "x.db").exists()
