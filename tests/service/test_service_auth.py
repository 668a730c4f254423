"""Who may do what: no data without a token, and a token for one scope cannot use another."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from service_support import ENGLISH, SECRETS, auth, make_config

from policyengine.errors import UsageError
from policyengine.service.app import create_app
from policyengine.service.auth import TokenSet, new_token_line

# Every route with the scope it needs: the table is the rule.
ROUTES = [
    ("GET", "/v1/policy", "read"),
    ("POST", "/v1/facts", "ingest"),
    ("POST", "/v1/facts/batch", "ingest"),
    ("GET", "/v1/facts/s-0001", "read"),
    ("GET", "/v1/report?period=2026-10", "read"),
    ("GET", "/v1/violations?period=2026-10", "read"),
    ("GET", "/v1/violations/B2:s-0089?period=2026-10", "read"),
    ("GET", "/v1/explanations/B2:s-0089?period=2026-10", "read"),
    ("GET", "/v1/obligations?as_of=2026-10-20T18:00", "read"),
    ("GET", "/v1/people?period=2026-10", "read"),
    ("GET", "/v1/people/周敏?period=2026-10", "read"),
    ("GET", "/v1/people/周敏/duties.ics?as_of=2026-10-20T18:00", "read"),
    ("GET", "/v1/admin/status", "admin"),
    ("POST", "/v1/admin/reload-policy", "admin"),
    ("POST", "/v1/webhooks", "admin"),
    ("GET", "/v1/webhooks", "admin"),
    ("DELETE", "/v1/webhooks/wh_0", "admin"),
    ("GET", "/v1/webhooks/dead-letters", "admin"),
    ("POST", "/v1/webhooks/dead-letters/1/retry", "admin"),
]
PUBLIC = {"/v1/health", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
BODY = b'{"id": "x-1", "type": "weekly_report.submitted", "at": "2026-10-09T10:00"}'


@pytest.fixture
def sqlite_client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(make_config(str(tmp_path / "facts.db")))
    with TestClient(app, headers=ENGLISH) as client:
        yield client


def call(client: TestClient, method: str, url: str, headers: dict[str, str]) -> int:
    content = BODY if method == "POST" else None
    return client.request(method, url, headers=headers, content=content).status_code


def test_the_table_names_every_route(sqlite_client: TestClient) -> None:
    app = sqlite_client.app
    assert hasattr(app, "routes")
    paths = {(m, r.path) for r in app.routes if isinstance(r, APIRoute) for m in r.methods}
    table = {(m, p.split("?")[0]) for m, p, _ in ROUTES}
    templated = {(m, p) for m, p in paths if p not in PUBLIC}
    assert len(templated) == len(table), sorted(templated)


def test_every_route_needs_a_token_with_its_scope(loaded: TestClient) -> None:
    for method, url, scope in ROUTES:
        assert call(loaded, method, url, {}) == 401, url
        assert call(loaded, method, url, {"Authorization": "Bearer not-a-token"}) == 401, url
        assert call(loaded, method, url, {"Authorization": f"Basic {SECRETS[scope]}"}) == 401
        for other in ("ingest", "read", "admin"):
            status = call(loaded, method, url, auth(other))
            if other == scope:
                assert status not in (401, 403), (url, other, status)
            else:
                assert status == 403, (url, other, status)


def test_the_refusals_say_why(sqlite_client: TestClient) -> None:
    missing = sqlite_client.get("/v1/violations?period=2026-10")
    assert missing.headers["www-authenticate"] == "Bearer"
    assert missing.json()["error"]["code"] == "E-AUTH-MISSING"
    unknown = sqlite_client.get("/v1/violations?period=2026-10",
                                headers={"Authorization": "Bearer x" * 3})
    assert unknown.json()["error"]["code"] == "E-AUTH-INVALID"
    wrong = sqlite_client.post("/v1/facts", content=BODY, headers=auth("read"))
    assert wrong.json()["error"] == {
        "code": "E-AUTH-SCOPE",
        "message": "token 'dashboard' holds read; POST /v1/facts needs scope 'ingest'"}


def test_nothing_is_stored_without_the_ingest_scope(sqlite_client: TestClient) -> None:
    for scope in ("read", "admin"):
        assert sqlite_client.post("/v1/facts", content=BODY, headers=auth(scope)).status_code \
            == 403
    status = sqlite_client.get("/v1/admin/status", headers=auth("admin")).json()
    assert status["store"]["facts"] == 0
    assert {"name": "tester", "scopes": ["admin", "ingest", "read"]} in status["tokens"]
    assert all(SECRETS["all"] not in str(t) for t in status["tokens"])


def test_health_and_the_description_are_public(sqlite_client: TestClient) -> None:
    assert sqlite_client.get("/v1/health").json() == {"status": "ok"}
    description = sqlite_client.get("/openapi.json").json()
    assert description["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_a_tokens_file_may_hold_digests_instead_of_secrets(tmp_path: Path) -> None:
    secret = "correct-horse-battery-staple"
    path = tmp_path / "tokens.txt"
    path.write_text("# name scopes secret\n"
                    f"ops admin sha256:{hashlib.sha256(secret.encode()).hexdigest()}\n"
                    "loader ingest,read 0123456789abcdef0123\n", encoding="utf-8")
    tokens = TokenSet.load(path)
    found = tokens.authenticate(secret)
    assert found is not None and found.name == "ops" and found.scopes == {"admin"}
    loader = tokens.authenticate("0123456789abcdef0123")
    assert loader is not None and loader.scopes == {"ingest", "read"}
    assert tokens.authenticate("0123456789abcdef012") is None


@pytest.mark.parametrize("text, needle", [
    ("loader ingest", "3 fields"),
    ("loader write 0123456789abcdef", "unknown scope(s) write"),
    ("loader ingest short", "use at least 16"),
    ("a ingest 0123456789abcdef\na read 0123456789abcdeX", "used twice"),
    ("bad/name read 0123456789abcdef", "may hold only"),
])
def test_a_bad_tokens_file_is_refused_with_its_line(text: str, needle: str) -> None:
    with pytest.raises(UsageError, match="tokens are not usable") as caught:
        TokenSet.parse(text, "tokens.txt")
    assert needle in str(caught.value)


def test_tokens_from_the_environment(tmp_path: Path) -> None:
    inline = TokenSet.from_sources(None, {"POLICYENGINE_TOKENS":
                                          "a ingest 0123456789abcdef; b read fedcba9876543210"})
    assert [t.name for t in inline.tokens] == ["a", "b"]
    path = tmp_path / "t.txt"
    path.write_text(new_token_line("c", "admin") + "\n", encoding="utf-8")
    from_file = TokenSet.from_sources(None, {"POLICYENGINE_TOKENS_FILE": str(path)})
    secret = path.read_text(encoding="utf-8").split()[2]
    token = from_file.authenticate(secret)
    assert token is not None and token.name == "c"
    assert len(TokenSet.from_sources(None, {})) == 0
