"""Query parameters: under /v1 only those the OpenAPI description declares are taken; any
other is refused with 400 E-USAGE-PARAM, never silently dropped (policyengine/service/query.py)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from service_support import auth


def refused(answer: Any) -> str:
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "E-USAGE-PARAM"
    return str(error["message"])


def test_every_operation_refuses_a_parameter_it_does_not_declare(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    seen = 0
    for template, item in paths.items():
        for method, operation in item.items():
            declared = sorted(p["name"] for p in operation.get("parameters", [])
                              if p["in"] == "query")
            assert "lang" in declared, (method, template)
            url = re.sub(r"\{[^}]+\}", "x", template)
            answer = client.request(method.upper(), f"{url}?lang=en&montth=2026-10",
                                    headers=auth())
            words = refused(answer)
            assert words == (f"unknown query parameter(s) 'montth'; {method.upper()} {url} "
                             f"takes {', '.join(declared)}")
            seen += 1
    assert seen >= 14  # every route of the description was tried


def test_the_declared_parameters_are_taken(client: TestClient) -> None:
    assert client.get("/v1/health?lang=en").status_code == 200
    answer = client.get("/v1/obligations?period=2026-10&as_of=now&person=x&overdue=true"
                        "&lang=zh", headers=auth())
    assert answer.status_code == 200, answer.text


def test_the_query_is_checked_before_the_token(client: TestClient) -> None:
    # What is accepted is public (/openapi.json): telling it to a caller without a token
    # gives nothing away, and the caller learns the misspelling first.
    words = refused(client.get("/v1/violations?period=2026-10&persn=x"))
    assert "'persn'" in words and "person" in words
    assert client.get("/v1/violations?period=2026-10").status_code == 401


def test_health_is_strict_too_and_answers_in_chinese_by_default(client: TestClient) -> None:
    answer = client.get("/v1/health?verbose=1", headers={"Accept-Language": "zh-CN"})
    assert refused(answer) == "未知的查询参数 'verbose'；GET /v1/health 可用的参数是 lang"
    assert answer.headers["content-language"] == "zh"


def test_an_odd_name_is_shown_as_it_was_sent(client: TestClient) -> None:
    # An empty name or a control character would vanish from a message printed as is.
    assert "parameter(s) ''" in refused(client.get("/v1/health?=1"))
    assert r"parameter(s) '\x00'" in refused(client.get("/v1/health?%00=1"))


def test_repeated_parameters_and_an_unknown_lang_are_refused(client: TestClient) -> None:
    assert "more than once" in refused(client.get("/v1/health?lang=en&lang=en"))
    assert refused(client.get("/v1/health?lang=fr")).startswith("lang is 'fr'")


def test_the_dashboard_and_the_docs_are_not_api_operations(client: TestClient) -> None:
    # Pages a browser opens (links, bookmarks with tracking parameters): not checked.
    for url in ("/ui?utm_source=mail", "/docs?x=1", "/openapi.json?x=1"):
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert "E-USAGE-PARAM" not in answer.text, url
