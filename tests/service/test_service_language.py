"""Error messages in Chinese and English: chosen by ?lang=, Accept-Language, then the
policy's language; the codes and other machine fields are the same in both."""

from __future__ import annotations

import json
import re
import shutil
import string
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from service_support import POLICY, auth, make_config

from policyengine.facts.messages import FactSay
from policyengine.facts.schema import Reason
from policyengine.service import ingest
from policyengine.service.app import create_app
from policyengine.service.messages import MESSAGES, request_language

CJK = re.compile(r"[\u4e00-\u9fff]")
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-US,en;q=0.9"}
FACT = {"id": "f-1", "type": "role.assigned", "at": "2026-09-01T09:00:00+08:00",
        "role": "collector", "person": "杨宝珠"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    config = make_config(str(tmp_path / "facts.db"), max_body_bytes=16384, max_batch=3)
    with TestClient(create_app(config)) as test_client:
        # a requirement raised on the last working day of 2026: its deadlines fall in 2027,
        # a year the shipped calendar has no data for (read as of 2027: pending, not refused)
        late = {"id": "late-1", "type": "requirement.raised", "at": "2026-12-31T17:00:00+08:00",
                "case": "26123101", "actor": "李小四"}
        assert test_client.post("/v1/facts", json=late, headers=auth()).status_code == 201
        yield test_client


def test_the_language_follows_lang_then_accept_language_then_the_policy() -> None:
    assert request_language(None, None, "zh") == "zh"
    assert request_language(None, None, "en") == "en"
    assert request_language(None, None, None) == "zh"           # the product's first language
    assert request_language(None, "en-GB,en;q=0.8", "zh") == "en"
    assert request_language(None, "zh-Hans-CN", "en") == "zh"
    assert request_language(None, "en;q=0.2, zh-TW;q=0.8", "en") == "zh"  # q-values count
    assert request_language(None, "fr-FR, de;q=0.9", "en") == "en"  # neither: the policy's
    assert request_language(None, "zh;q=0, en;q=0.1", "zh") == "en"    # q=0 means "not this"
    assert request_language("en", "zh-CN", "zh") == "en"         # ?lang= wins
    assert request_language("zh", "en", "en") == "zh"


def test_the_shipped_policy_answers_in_chinese_unless_asked(client: TestClient) -> None:
    chinese = client.get("/v1/violations?period=2026-10")
    assert chinese.headers["content-language"] == "zh"
    assert chinese.json()["error"] == {
        "code": "E-AUTH-MISSING", "message": "缺少令牌：请发送 'Authorization: Bearer <令牌>'"}
    english = client.get("/v1/violations?period=2026-10", headers=EN)
    assert english.headers["content-language"] == "en"
    assert english.json()["error"]["message"] == "no token: send 'Authorization: Bearer <token>'"
    by_parameter = client.get("/v1/violations?period=2026-10&lang=en", headers={**ZH, **auth()})
    assert by_parameter.status_code == 200  # lang is taken by every route
    wrong = client.get("/v1/violations?period=2026-13&lang=en", headers={**ZH, **auth()})
    assert wrong.json()["error"]["message"].startswith("'2026-13' is not a period")


def test_an_unknown_lang_is_refused_in_the_headers_language(client: TestClient) -> None:
    answer = client.get("/v1/policy?lang=fr", headers={**EN, **auth()})
    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "code": "E-USAGE-PARAM",
        "message": "lang is 'fr'; write lang=zh (Chinese) or lang=en (English)"}


def test_a_policy_in_english_answers_in_english(tmp_path: Path) -> None:
    policy = tmp_path / "policies"
    shutil.copytree(POLICY, policy)
    header = policy / "policy.yaml"
    text = header.read_text(encoding="utf-8")
    assert "  language: zh" in text
    header.write_text(text.replace("  language: zh", "  language: en"), encoding="utf-8")
    config = make_config(str(tmp_path / "facts.db"))
    config = type(config)(**{**config.__dict__, "policy_path": policy})
    with TestClient(create_app(config)) as client:
        answer = client.get("/v1/policy")
        assert answer.json()["error"]["message"].startswith("no token")
        chinese = client.get("/v1/policy", headers=ZH).json()["error"]["message"]
        assert chinese.startswith("缺少令牌")


# Requests that each meet a different refusal: (what, request).
Call = Callable[[TestClient, dict[str, str]], Response]
REFUSALS: list[tuple[str, Call]] = [
    ("no token", lambda c, h: c.get("/v1/policy", headers=h)),
    ("malformed header", lambda c, h: c.get("/v1/policy", headers={**h, "Authorization": "x"})),
    ("unknown token", lambda c, h: c.get("/v1/policy",
                                         headers={**h, "Authorization": "Bearer " + "x" * 20})),
    ("scope", lambda c, h: c.post("/v1/facts", json=FACT, headers={**h, **auth("read")})),
    ("unknown parameter", lambda c, h: c.get("/v1/violations?period=2026-10&persn=x",
                                             headers={**h, **auth()})),
    ("repeated parameter", lambda c, h: c.get("/v1/violations?period=2026-10&period=2026-11",
                                              headers={**h, **auth()})),
    ("bad value", lambda c, h: c.get("/v1/obligations?as_of=now&overdue=perhaps",
                                     headers={**h, **auth()})),
    ("period", lambda c, h: c.get("/v1/report?period=2026-13", headers={**h, **auth()})),
    ("as_of", lambda c, h: c.get("/v1/report?as_of=yesterday", headers={**h, **auth()})),
    ("no window", lambda c, h: c.get("/v1/report", headers={**h, **auth()})),
    ("no route", lambda c, h: c.get("/v1/nothing", headers=h)),
    ("method", lambda c, h: c.delete("/v1/policy", headers=h)),
    ("no fact", lambda c, h: c.get("/v1/facts/nope", headers={**h, **auth()})),
    ("no violation", lambda c, h: c.get("/v1/violations/C3:nope?period=2026-10",
                                        headers={**h, **auth()})),
    ("too large", lambda c, h: c.post("/v1/facts/batch", content=b"[" + b" " * 20000 + b"]",
                                      headers={**h, **auth()})),
    ("batch shape", lambda c, h: c.post("/v1/facts/batch", json={"fact": []},
                                        headers={**h, **auth()})),
    ("batch too long", lambda c, h: c.post("/v1/facts/batch", json=[FACT] * 4,
                                           headers={**h, **auth()})),
    ("batch not JSON", lambda c, h: c.post("/v1/facts/batch", content=b"{nope",
                                           headers={**h, **auth()})),
    ("lines not UTF-8", lambda c, h: c.post("/v1/facts/batch", content=b"\xff\n",
                                            headers={**h, **auth(),
                                                     "Content-Type": "application/x-ndjson"})),
]


@pytest.mark.parametrize("what,call", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_every_refusal_is_worded_in_both_languages_with_the_same_code(
        client: TestClient, what: str, call: Call) -> None:
    zh, en = call(client, ZH), call(client, EN)
    assert zh.status_code == en.status_code and 400 <= zh.status_code < 500, what
    zh_error, en_error = zh.json()["error"], en.json()["error"]
    assert zh_error.pop("message") != en_error.pop("message")
    assert zh_error == en_error  # code and the other machine fields
    assert CJK.search(zh.json()["error"]["message"]), zh.json()
    assert not CJK.search(en.json()["error"]["message"]), en.json()


# A fact breaking each rule of the fact check (the shipped policy), one reason each.
BAD_FACTS: list[Any] = [
    [1, 2],
    {"id": "b1", "at": "2026-10-09T10:00:00+08:00"},
    {"id": "b2", "type": 7, "at": "2026-10-09T10:00:00+08:00"},
    {"id": "b3", "type": "bug.fund", "at": "2026-10-09T10:00:00+08:00", "case": "B26100901"},
    {"id": "b4", "type": "weekly_report.submitted", "actor": "李四"},
    {"id": "b5", "type": "weekly_report.submitted", "at": "tomorrow", "actor": "李四"},
    {"id": "b6", "type": "weekly_report.submitted", "at": "2031-10-09T10:00:00+08:00",
     "actor": "李四"},
    {"id": "b7", "type": "requirement.raised", "at": "2026-10-09T10:00:00+08:00",
     "case": "26100901", "actor": 5},
    {"id": "b8", "type": "requirement.raised", "at": "2026-10-09T10:00:00+08:00",
     "case": "26100901"},
    {"id": "b9", "type": "requirement.reported", "at": "2026-10-09T10:00:00+08:00"},
    {"id": "b10", "type": "role.assigned", "at": "2026-10-09T10:00:00+08:00", "case": "x",
     "role": "collector", "person": "李四"},
    {"id": "b11", "type": "requirement.reported", "at": "2026-10-09T10:00:00+08:00",
     "case": "abc"},
    {"id": "b12", "type": "requirement.reported", "at": "2026-10-09T10:00:00+08:00",
     "case": "26100901", "colour": "red"},
    {"id": "b13", "type": "decision.made", "at": "2026-10-09T10:00:00+08:00",
     "case": "26100901"},
    {"id": "b14", "type": "decision.made", "at": "2026-10-09T10:00:00+08:00",
     "case": "26100901", "decision": "do"},
    {"id": "b15", "type": "decision.made", "at": "2026-10-09T10:00:00+08:00",
     "case": "26100901", "decision": "dont", "tier": 3},
    {"id": "b16", "type": "decision.made", "at": "2026-10-09T10:00:00+08:00",
     "case": "26100901", "decision": "maybe"},
    {"id": "b17", "type": "plan.estimated", "at": "2026-10-09T10:00:00+08:00",
     "case": "26100901", "due": "next week"},
    {"type": "requirement.reported", "at": "2026-10-09T10:00:00+08:00", "case": "26100901"},
    {"id": "x" * 201, "type": "requirement.reported", "at": "2026-10-09T10:00:00+08:00",
     "case": "26100901"},
    {"id": "b21\u0000", "type": "requirement.reported", "at": "2026-10-09T10:00:00+08:00",
     "case": "26100901"},
    {"id": "b22", "type": "requirement.reported", "at": "2026-10-09T10:00:00+08:00",
     "case": "26100901"},
    {"id": "b22", "type": "requirement.reported", "at": "2026-10-10T10:00:00+08:00",
     "case": "26100901"},
]


def test_every_reason_a_fact_is_rejected_is_worded_in_chinese(tmp_path: Path) -> None:
    lines = [json.dumps(f) for f in BAD_FACTS] + ["{not json", '"a string"']
    body = "\n".join(lines).encode()
    answers = {}
    with TestClient(create_app(make_config(str(tmp_path / "facts.db")))) as client:
        for name, header in (("zh", ZH), ("en", EN)):
            response = client.post("/v1/facts/batch", content=body, headers={
                **header, **auth(), "Content-Type": "application/x-ndjson"})
            assert response.status_code == 200
            answers[name] = response.json()["results"]
    codes = set()
    for zh_item, en_item in zip(answers["zh"], answers["en"], strict=True):
        if en_item["status"] != "rejected":
            continue
        assert [e["code"] for e in zh_item["errors"]] == [e["code"] for e in en_item["errors"]]
        for zh_error, en_error in zip(zh_item["errors"], en_item["errors"], strict=True):
            assert CJK.search(zh_error["message"]), (en_error, zh_error)
            assert not CJK.search(en_error["message"].replace("李四", "")), en_error
            codes.add(en_error["code"])
    assert sum(1 for item in answers["en"] if item["status"] == "rejected") == len(lines) - 1
    assert codes == {"E-FACT-JSON", "E-FACT-TYPE", "E-FACT-TIME", "E-FACT-CASE",
                     "E-FACT-MISSING", "E-FACT-VALUE", "E-FACT-DUPLICATE-ID"}


def test_reasons_beyond_the_request_are_worded_in_both_languages() -> None:
    """Reasons the store, the decoders or the edge of the time range give."""
    _, not_utf8 = ingest.parse_json(b'{"a": "\xff"}')
    _, too_long = ingest.parse_json(b"1" + b"0" * 5000)
    _, two_lines = ingest.parse_json(b'{\n "a": }')
    with pytest.raises(ingest.BodyNotUtf8) as body:
        ingest.ndjson_rows(b"\xff\n")
    reasons = [not_utf8, too_long, two_lines, body.value.reason,
               Reason("E-FACT-DUPLICATE-ID", FactSay.ID_STORED(id="a")),
               Reason("E-FACT-VALUE", FactSay.HOLDS_SURROGATE()),
               Reason("E-FACT-VALUE", FactSay.AT_OUT_OF_RANGE(value="9999-12-31"))]
    for reason in reasons:
        assert reason is not None and reason.code
        assert CJK.search(reason.get("zh")), reason
        assert reason.get("en") == str(reason) and not CJK.search(reason), reason
    assert str(two_lines) == "not valid JSON: Expecting value at column 7 of line 2"
    assert two_lines is not None and two_lines.zh == "不是有效的 JSON：第 2 行第 7 列应有一个值"


def test_every_fact_reason_is_worded_in_both_languages_with_the_same_values() -> None:
    def fields(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    for member in FactSay:
        english, chinese = member.value
        assert fields(english) == fields(chinese), member
        assert not CJK.search(english), member
        assert CJK.search(chinese) or not english.strip(" ,()") or english in (
            " or ", " (e.g. {examples})", ", e.g. {example}") or "{" in english, member
    wordings = [member.value for member in FactSay]
    assert len(wordings) == len(set(wordings))  # each wording once


def test_the_catalogue_says_the_same_thing_in_both_languages() -> None:
    def fields(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    for key, (english, chinese) in MESSAGES.items():
        assert fields(english) == fields(chinese), key
        assert CJK.search(chinese) or fields(chinese) == {"detail"}, key
        assert not CJK.search(english), key
    wordings = [pair for pair in MESSAGES.values() if pair[0] != "{detail}"]
    assert len(wordings) == len(set(wordings))  # each wording once


def test_a_read_that_needs_a_missing_calendar_year_is_answered_with_pending_duties(
        client: TestClient) -> None:
    # The refusal this read used to get (409 E-CAL-YEAR) is gone: the duty waits for 2027.
    for headers in (ZH, EN):
        read = client.get("/v1/report?as_of=2027-01-20T00:00:00", headers={**headers, **auth()})
        assert read.status_code == 200, read.text
        pending = read.json()["pending"]
        # The weekly report of each week from the one of 28 December: a Friday of 2027 may be
        # a holiday, so every deadline waits for the 2027 calendar.
        # (W2 and W3, the weekly bug report and form, and W4, January's summary, wait too.)
        assert [(p["duty"], p["missing_year"], p["due_not_before"][:10]) for p in pending
                if p["duty"] == "W1"] == [
            ("W1", 2027, day) for day in ("2027-01-01", "2027-01-08", "2027-01-15",
                                          "2027-01-22")]
        assert {p["duty"] for p in pending} == {"W1", "W2", "W3", "W4"}
        # R1 (Thursday 31 December 18:00) needs no 2027 data: an ordinary violation.
        assert [v["duty"] for v in read.json()["violations"] if v["case"] == "26123101"] == ["R1"]
