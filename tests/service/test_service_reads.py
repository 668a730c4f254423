"""Reading results: violations, open obligations, per-person totals, one explanation, the
policy in force; for a period or as of a moment."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient
from service_support import ENGLISH, POLICY, auth, make_config

import policyengine as pe
from policyengine.service.app import create_app


def get(client: TestClient, url: str, status: int = 200) -> Any:
    response = client.get(url, headers=auth("read"))
    assert response.status_code == status, response.text
    return response.json()


def test_violations_of_a_month(loaded: TestClient) -> None:
    document = get(loaded, "/v1/violations?period=2026-10")
    assert document["period"] == "2026-10"
    assert document["as_of"] == "2026-11-01T00:00:00+08:00"
    assert document["count"] == len(document["violations"]) > 0
    first = document["violations"][0]
    assert first["id"] == f"{first['duty']}:{first['trigger']['id']}"
    assert {"due", "person", "penalty", "explanation", "late_by"} <= set(first)
    people = {v["person"] for v in document["violations"]}
    someone = sorted(p for p in people if p)[0]
    mine = get(loaded, f"/v1/violations?period=2026-10&person={quote(someone)}")
    assert mine["count"] == sum(v["person"] == someone for v in document["violations"])
    by_duty = get(loaded, f"/v1/violations?period=2026-10&duty={first['duty']}")
    assert all(v["duty"] == first["duty"] for v in by_duty["violations"])


def test_one_violation_and_its_explanation(loaded: TestClient) -> None:
    listed = get(loaded, "/v1/violations?period=2026-10")["violations"]
    chosen = listed[len(listed) // 2]
    one = get(loaded, f"/v1/violations/{quote(chosen['id'])}?period=2026-10")
    assert one == chosen
    explained = get(loaded, f"/v1/explanations/{quote(chosen['id'])}?period=2026-10")
    assert explained["explanation"] == chosen["explanation"]
    assert explained["explanation"][0].startswith(f"duty {chosen['duty']}")
    assert (explained["id"], explained["due"]) == (chosen["id"], chosen["due"])
    missing = get(loaded, "/v1/explanations/NOPE:1?period=2026-10", 404)
    assert missing["error"]["code"] == "E-NOT-FOUND"


def test_open_obligations_as_of_a_moment(loaded: TestClient) -> None:
    moment = quote("2026-10-20T18:00:00+08:00")
    document = get(loaded, f"/v1/obligations?as_of={moment}")
    assert document["period"] is None
    assert document["as_of"] == "2026-10-20T18:00:00+08:00"
    obligations = document["obligations"]
    assert obligations and {"person", "duty", "due", "overdue"} <= set(obligations[0])
    for item in obligations:
        assert item["overdue"] == (item["due"] < "2026-10-20T18:00:00+08:00")
    overdue = get(loaded, f"/v1/obligations?as_of={moment}&overdue=true")["obligations"]
    assert overdue == [o for o in obligations if o["overdue"]]
    # Later, fewer facts are unseen and the picture changes.
    later = get(loaded, "/v1/obligations?as_of=2026-10-31T18:00")
    assert later["as_of"] == "2026-10-31T18:00:00+08:00"
    assert later["obligations"] != obligations


def test_totals_per_person_and_one_persons_month(loaded: TestClient) -> None:
    people = get(loaded, "/v1/people?period=2026-10")["people"]
    charged = max(people, key=lambda p: p["amount"])
    assert charged["amount"] > 0
    name = charged["person"]
    view = get(loaded, f"/v1/people/{quote(name)}?period=2026-10")
    assert view["person"] == name
    assert view["total"] == charged
    assert len(view["violations"]) == charged["violations"]
    assert all(o["person"] == name for o in view["obligations"])
    nobody = get(loaded, f"/v1/people/{quote('无此人')}?period=2026-10")
    assert nobody["total"] is None and nobody["violations"] == []


def test_a_quarter_and_as_of_now(loaded: TestClient) -> None:
    quarter = get(loaded, "/v1/report?period=2026-Q4&as_of=2026-11-01T00:00")
    month = get(loaded, "/v1/report?period=2026-10")
    assert quarter["period"] == "2026-Q4"
    assert len(quarter["violations"]) >= len(month["violations"])
    now = get(loaded, "/v1/obligations?as_of=now")
    assert now["as_of"] > "2026-11-01"


def test_questions_that_cannot_be_answered(loaded: TestClient) -> None:
    assert get(loaded, "/v1/violations", 400)["error"]["code"] == "E-USAGE"
    assert get(loaded, "/v1/violations?period=2026-13", 400)["error"]["code"] == \
        "E-USAGE-PERIOD"
    assert get(loaded, "/v1/violations?as_of=soon", 400)["error"]["code"] == "E-USAGE-AS-OF"
    assert get(loaded, "/v1/people?period=0000-01", 400)["error"]["code"] == "E-USAGE-PERIOD"
    assert get(loaded, "/v1/facts/unknown", 404)["error"]["code"] == "E-NOT-FOUND"
    # an offset that takes year 1 out of range was a 500 (found in review)
    assert get(loaded, "/v1/people?as_of=0001-01-01T00:00%2B05:00", 400)["error"]["code"] == \
        "E-USAGE-AS-OF"


def test_a_fact_in_a_year_without_calendar_data_is_refused(client: TestClient) -> None:
    # Stored facts cannot be deleted, and this one would make every later read fail.
    fact = {"id": "late-1", "type": "bug.found", "at": "2031-03-02T10:00:00+08:00",
            "case": "B31030201", "actor": "张三"}
    answer = client.post("/v1/facts", json=fact, headers=auth())
    assert answer.status_code == 422
    assert "calendar.years.2031" in answer.text
    assert get(client, "/v1/violations?period=2026-10")["count"] == 0


def test_a_new_fact_shows_in_the_next_read(client: TestClient) -> None:
    def post(fact: dict[str, str]) -> None:
        assert client.post("/v1/facts", json=fact, headers=auth()).status_code == 201

    post({"id": "r-1", "type": "role.assigned", "at": "2026-09-01T09:00", "role": "tester",
          "person": "孙婷"})
    post({"id": "r-2", "type": "bug.reproduced", "at": "2026-10-08T11:00", "case": "B26100401",
          "actor": "孙婷"})

    def open_bugs() -> list[dict[str, Any]]:
        document = get(client, "/v1/obligations?as_of=2026-10-08T12:00")
        return [o for o in document["obligations"] if o["case"] == "B26100401"]

    before = open_bugs()
    assert [(o["duty"], o["person"], o["overdue"]) for o in before] == [("B2", "孙婷", True)]
    post({"id": "r-3", "type": "bug.filed", "at": "2026-10-08T11:45", "case": "B26100401",
          "actor": "孙婷"})
    assert [o["duty"] for o in open_bugs()] != ["B2"]
    late = get(client, "/v1/violations?period=2026-10&case=B26100401")["violations"]
    assert [(v["id"], v["late_by"]) for v in late] == [("B2:r-2", "15m")]


def test_the_policy_in_force_and_its_identity(client: TestClient) -> None:
    document = get(client, "/v1/policy")
    loaded = pe.load_policy_files(POLICY)
    assert document["id"] == loaded.model.policy.id
    assert document["version"] == loaded.model.policy.version
    assert document["identity"]["content_hash"] == loaded.identity.content_hash
    assert document["identity"]["files"] == list(loaded.identity.files)
    assert set(document["fact_types"]) == set(loaded.model.fact_types)
    assert {d["id"] for d in document["duties"]} == set(loaded.model.duties)
    assert document["timezone"] == "Asia/Shanghai"


def test_two_services_on_one_database_see_the_same_facts(database: str,
                                                         loaded: TestClient) -> None:
    """A shared deployment: what one instance stores, another reads."""
    with TestClient(create_app(make_config(database)), headers=ENGLISH) as other:
        assert get(other, "/v1/violations?period=2026-10") == \
            get(loaded, "/v1/violations?period=2026-10")
        fact = {"id": "two-1", "type": "bug.found", "at": "2026-10-30T10:00", "case":
                "B26103001", "actor": "张三"}
        assert other.post("/v1/facts", json=fact, headers=auth()).status_code == 201
        assert loaded.post("/v1/facts", json=fact, headers=auth()).json()["status"] == \
            "duplicate"
        seen = get(loaded, "/v1/report?period=2026-10")["stats"]["facts"]
        assert seen == get(other, "/v1/report?period=2026-10")["stats"]["facts"]


def test_reloading_the_policy(tmp_path: Path, database: str) -> None:
    policy = tmp_path / "policy"
    policy.mkdir()
    for path in POLICY.glob("*.yaml"):
        (policy / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    config = make_config(database)
    config = type(config)(**{**config.__dict__, "policy_path": policy})
    vocabulary = policy / "vocabulary.yaml"
    text = vocabulary.read_text(encoding="utf-8")
    with TestClient(create_app(config), headers=ENGLISH) as client:
        fact = {"id": "p-1", "type": "bug.found", "at": "2026-10-09T10:00", "case": "B26100901",
                "actor": "张三", "requester": "王医生"}
        assert client.post("/v1/facts", json=fact, headers=auth()).status_code == 201
        before = get(client, "/v1/policy")["identity"]["content_hash"]

        def reload(status: int) -> Any:
            response = client.post("/v1/admin/reload-policy", headers=auth("admin"))
            assert response.status_code == status, response.text
            return response.json()

        vocabulary.write_text(text.replace("fact_types:", "fact_types: [", 1), encoding="utf-8")
        assert reload(422)["error"]["code"] == "E-POLICY"
        # A valid policy under which the stored fact is not valid (bug.found loses
        # its requester): refused, since the store cannot be rewritten.
        bug_found = text.index("  bug.found:")
        requester = text.index("      requester: {type: text", bug_found)
        vocabulary.write_text(text[:requester] + "      requested: {type: text"
                              + text[requester + len("      requester: {type: text"):],
                              encoding="utf-8")
        refused = reload(409)["error"]
        assert refused["code"] == "E-FACT-STORED"
        assert "unknown attribute 'requester'" in str(refused["diagnostics"])
        assert get(client, "/v1/policy")["identity"]["content_hash"] == before
        vocabulary.write_text(text + "\n# edited\n", encoding="utf-8")
        reloaded = reload(200)
        assert reloaded["identity"]["content_hash"] != before
        assert get(client, "/v1/policy")["identity"] == reloaded["identity"]
        assert get(client, "/v1/violations?period=2026-10")["facts"] == 1


def test_a_misspelt_parameter_is_an_error_not_ignored(loaded: TestClient) -> None:
    error = get(loaded, "/v1/violations?period=2026-10&persn=x", 400)["error"]
    assert error["code"] == "E-USAGE-PARAM"
    assert "persn" in error["message"] and "person" in error["message"]
    twice = get(loaded, "/v1/violations?period=2026-10&person=a&person=b", 400)["error"]
    assert twice["code"] == "E-USAGE-PARAM" and "more than once" in twice["message"]
