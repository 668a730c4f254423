"""The service at a year's end: a fact of 31 December whose deadline needs the working days
of 2027 (not published yet) leaves the reads of December, Q4 and later answering 200, with the
obligation shown as pending calendar data; facts of 2027 itself are taken."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from service_support import auth

FACTS = [
    {"id": "r-1", "type": "role.assigned", "at": "2026-12-01T09:00:00+08:00",
     "role": "collector", "person": "杨宝珠"},
    {"id": "q-1", "type": "requirement.raised", "at": "2026-12-28T10:00:00+08:00",
     "case": "26122801", "actor": "张三"},
    # Thu 2026-12-31 19:00, after end of work: R6 (same day) is due on the next working day,
    # which only the 2027 calendar can tell.
    {"id": "n-1", "type": "reporter.notified", "at": "2026-12-31T19:00:00+08:00",
     "case": "26122801", "actor": "杨宝珠", "about": "decision"},
]


def get(client: TestClient, url: str, status: int = 200) -> Any:
    response = client.get(url, headers=auth("read"))
    assert response.status_code == status, response.text
    return response.json()


def post(client: TestClient, fact: dict[str, Any], status: int = 201) -> Any:
    response = client.post("/v1/facts", json=fact, headers=auth())
    assert response.status_code == status, response.text
    return response.json()


def r6(document: dict[str, Any]) -> dict[str, Any]:
    [found] = [p for p in document["pending"] if p["duty"] == "R6"]
    return found


def test_a_31_december_fact_leaves_every_read_answering(client: TestClient) -> None:
    for fact in FACTS:
        post(client, fact)
    for query in ("period=2026-12", "period=2026-Q4", "as_of=2027-01-15T09:00:00%2B08:00",
                  "period=2027-01"):
        violations = get(client, f"/v1/violations?{query}")
        pending = r6(violations)
        assert (pending["case"], pending["person"], pending["missing_year"]) == \
            ("26122801", "张三", 2027)
        assert pending["trigger"]["id"] == "n-1" and pending["status"] == "waiting"
        assert violations["pending_calendar"] == len(violations["pending"]) >= 1
        assert "R6" not in {v["duty"] for v in violations["violations"]}
        assert r6(get(client, f"/v1/obligations?{query}"))["key"] == "R6|26122801|n-1"
        person = get(client, f"/v1/people/%E5%BC%A0%E4%B8%89?{query}")   # 张三
        assert [p["duty"] for p in person["pending"]] == ["R6"]
        assert get(client, f"/v1/people?{query}")["pending_calendar"] >= 1
        report = get(client, f"/v1/report?{query}")
        assert report["stats"]["pending_calendar"] == len(report["pending"])
    # someone else's read lists none of 张三's
    other = get(client, "/v1/violations?period=2026-12&person=%E6%9D%8E%E5%9B%9B")   # 李四
    assert other["pending"] == [] and other["pending_calendar"] >= 1


def test_a_fulfilment_in_2027_is_taken_and_closes_the_pending_obligation(
        client: TestClient) -> None:
    for fact in FACTS:
        post(client, fact)
    before = r6(get(client, "/v1/obligations?as_of=2027-01-05T09:00:00%2B08:00"))
    assert before["status"] == "waiting"
    assert r6(get(client, "/v1/violations?period=2026-12"))["status"] == "waiting"
    misses = cache_misses(client)
    # a fact of 2027, the year after the calendar's last: taken (its deadlines wait)
    post(client, {"id": "i-1", "type": "requester.informed", "at": "2027-01-04T10:00:00+08:00",
                  "case": "26122801", "actor": "张三", "about": "decision"})
    after = r6(get(client, "/v1/obligations?as_of=2027-01-05T09:00:00%2B08:00"))
    assert (after["status"], after["fulfilled_at"]) == ("fulfilled", "2027-01-04T10:00:00+08:00")
    # December's result stands at 2027-01-01 00:00, before the fulfilment: read from the cache
    december = get(client, "/v1/violations?period=2026-12")
    assert r6(december)["status"] == "waiting"
    assert cache_misses(client) == misses + 1      # only the 2027-01-05 read was evaluated


def cache_misses(client: TestClient) -> int:
    status = client.get("/v1/admin/status", headers=auth("admin")).json()
    return int(status["cache"]["misses"])


def test_a_fact_two_years_past_the_calendar_is_still_refused(client: TestClient) -> None:
    answer = post(client, {"id": "far-1", "type": "bug.found", "at": "2028-03-02T10:00:00+08:00",
                           "case": "B28030201", "actor": "张三"}, status=422)
    assert "calendar.years.2028" in str(answer)
    answer = post(client, {"id": "old-1", "type": "bug.found", "at": "2003-03-03T10:00:00+08:00",
                           "case": "B03030301", "actor": "张三"}, status=422)
    assert "calendar.years.2003" in str(answer)
