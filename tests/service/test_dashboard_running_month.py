"""A page of a month not yet ended stands at now (the service's clock, fixed here), not at
the month's end: a duty not yet due is open there, not a violation. /v1 keeps its documented
default (the period's end); an as-of asked for, or a month that has ended, is as before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from service_support import SECRETS, auth, make_config

from policyengine.periods import Period
from policyengine.service.app import create_app
from policyengine.service.dashboard.catalogue import text
from policyengine.service.dashboard.routes import month_phase, running_as_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
ZH = {"accept-language": "zh-CN,zh;q=0.9"}
# Tuesday 1 December 2026: a requirement raised (R1, report it by Thursday 18:00).
RAISED = {"id": "q-1", "type": "requirement.raised", "at": "2026-12-01T10:00:00+08:00",
          "case": "26120101", "actor": "张三"}
NOW = datetime(2026, 12, 2, 9, 0, 30, tzinfo=SHANGHAI)  # Wednesday, before R1 is due
NOTICE = text("frame.running", "zh", period="2026-12")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def client(tmp_path: Path, clock: Clock) -> Iterator[TestClient]:
    config = make_config(str(tmp_path / "facts.db"), clock=clock)
    with TestClient(create_app(config)) as test_client:
        answer = test_client.post("/v1/facts", json=RAISED, headers=auth())
        assert answer.status_code == 201, answer.text
        answer = test_client.post("/ui/signin", data={"token": SECRETS["read"]},
                                  follow_redirects=False)
        assert answer.status_code == 303, answer.text
        yield test_client


def api(client: TestClient, query: str) -> dict[str, object]:
    answer = client.get(f"/v1/report?{query}", headers=auth("read"))
    assert answer.status_code == 200, answer.text
    result: dict[str, object] = answer.json()
    return result


def duties(rows: object) -> list[str]:
    assert isinstance(rows, list)
    return sorted(row["duty"] for row in rows)


def test_the_running_month_stands_at_now_to_the_minute(client: TestClient) -> None:
    page = client.get("/ui/month?period=2026-12", headers=ZH).text
    assert "截至 2026-12-02 09:00" in page
    assert NOTICE in page
    assert text("month.none", "zh") in page  # nothing is late yet
    now = api(client, "period=2026-12&as_of=2026-12-02T09:00:00%2B08:00")
    assert now["violations"] == []
    assert "R1" in duties(now["obligations"])
    # The API's default is the period's end (docs/integrators.md): there R1 and the
    # month's weekly duties are missed. The page does not show that as the state of things.
    at_end = api(client, "period=2026-12")
    assert at_end["as_of"] == "2027-01-01T00:00:00+08:00"
    assert "R1" in duties(at_end["violations"])


def test_the_person_page_lists_the_duty_as_open_with_its_due_time(client: TestClient) -> None:
    page = client.get("/ui/person/张三?period=2026-12", headers=ZH).text
    assert "截至 2026-12-02 09:00 的未完成职责" in page
    assert "2026-12-03 18:00" in page  # R1's deadline, still ahead
    assert text("person.nothing", "zh", period="2026-12") in page
    assert NOTICE in page


def test_an_as_of_asked_for_is_kept_and_says_no_notice(client: TestClient) -> None:
    page = client.get("/ui/person/张三?period=2026-12&as_of=2027-01-01T00:00", headers=ZH).text
    assert "截至 2027-01-01 00:00" in page
    assert NOTICE not in page
    assert text("person.nothing", "zh", period="2026-12") not in page  # R1 missed by then


def test_a_month_that_has_ended_stands_at_its_end(client: TestClient, clock: Clock) -> None:
    clock.now = datetime(2027, 1, 4, 10, 0, tzinfo=SHANGHAI)
    page = client.get("/ui/month?period=2026-12", headers=ZH).text
    assert "截至 2027-01-01 00:00" in page
    assert NOTICE not in page
    assert text("month.none", "zh") not in page


def test_downloads_of_the_running_month_stand_at_now(client: TestClient) -> None:
    answer = client.get("/ui/download/evaluation.json?period=2026-12")
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert document["as_of"] == "2026-12-02T09:00:00+08:00"
    assert document["violations"] == []
    answer = client.get("/ui/download/registry.json?period=2026-12")
    assert answer.status_code == 200, answer.text
    assert "2026-12-02T09:00:00+08:00" in answer.text


def test_the_weekly_report_stands_at_now_until_its_deadline(client: TestClient,
                                                              clock: Clock) -> None:
    """The weekly report's own default is its deadline (Friday 12:00), not the week's end:
    now before it, the deadline after it, though the week still runs."""
    answer = client.get("/ui/download/weekly.json?period=2026-W49")  # Mon 30 Nov - Sun 6 Dec
    assert answer.status_code == 200, answer.text
    assert answer.json()["as_of"] == "2026-12-02T09:00:00+08:00"
    clock.now = datetime(2026, 12, 5, 10, 0, tzinfo=SHANGHAI)  # Saturday
    answer = client.get("/ui/download/weekly.json?period=2026-W49")
    assert answer.status_code == 200, answer.text
    assert answer.json()["as_of"] == "2026-12-04T12:00:00+08:00"


def test_running_as_of() -> None:
    end = Period.parse("2026-12").end_at(SHANGHAI)
    # now to the minute, in the calendar's zone, whatever zone the clock gives
    assert running_as_of(end, SHANGHAI, datetime(2026, 12, 2, 1, 0, 59, tzinfo=UTC)) == (
        "2026-12-02T09:00:00+08:00")
    # the last minute before the default moment runs; the moment itself does not
    assert running_as_of(end, SHANGHAI, datetime(2026, 12, 31, 23, 59, 59, tzinfo=SHANGHAI)
                         ) == "2026-12-31T23:59:00+08:00"
    assert running_as_of(end, SHANGHAI, datetime(2027, 1, 1, tzinfo=SHANGHAI)) is None


def test_a_month_still_to_come_says_it_has_not_begun(client: TestClient) -> None:
    """A month to come said "2027-02 尚未结束：以下是截至现在的情况" over a summary of now's
    open duties, as if it were under way. It stands at now, says it has not begun, and shows
    no figures for it; its trend marks the months to come as not started, not as zeros."""
    answer = client.get("/ui/month?period=2027-02", headers=ZH)
    assert answer.status_code == 200
    page = answer.text
    assert "截至 2026-12-02 09:00" in page
    assert text("frame.running", "zh", period="2027-02") not in page
    assert text("frame.not_started", "zh", period="2027-02", start="2027-02-01") in page
    assert "2027-02 尚未开始（自 2027-02-01 起）" in page
    assert 'class="summary"' not in page and 'class="people"' not in page
    chart, rows = page.split('<svg class="trend-rows"')  # the wide chart; a phone's rows
    assert chart.count('<rect class="future"') == 1 and chart.count(">未开始</text>") == 1
    assert chart.count("</title></rect>") == 10  # 2026-03 to 2026-12: begun, their bars
    assert rows.count(">未开始</text>") == 2 and rows.count("</title></rect>") == 10
    english = client.get("/ui/month?period=2027-02&lang=en").text
    assert "2027-02 has not begun (it starts 2027-02-01)" in english
    assert ">not started</text>" in english
    person = client.get("/ui/person/张三?period=2027-02&lang=zh", headers=ZH).text
    assert "2027-02 尚未开始" in person and "2026-12-03 18:00" in person  # R1, open now
    assert text("person.nothing", "zh", period="2027-02") not in person


def test_the_month_that_runs_is_not_a_month_to_come(client: TestClient) -> None:
    page = client.get("/ui/month?period=2026-12", headers=ZH).text
    assert NOTICE in page and "尚未开始" not in page and '<rect class="future"' not in page


def test_month_phase() -> None:
    month = Period.parse("2026-12")
    now = datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)
    assert month_phase(month, now, True, SHANGHAI) == "running"
    assert month_phase(month, now, False, SHANGHAI) == "ended"  # an as-of asked for
    assert month_phase(Period.parse("2027-01"), now, True, SHANGHAI) == "not_started"
    assert month_phase(Period.parse("2027-01"), now, False, SHANGHAI) == "not_started"
    # the first minute of the month has begun; the last minute before it has not
    first = datetime(2027, 1, 1, tzinfo=SHANGHAI)
    assert month_phase(Period.parse("2027-01"), first, True, SHANGHAI) == "running"
    assert month_phase(Period.parse("2027-01"), datetime(2026, 12, 31, 23, 59,
                                                         tzinfo=SHANGHAI), True,
                       SHANGHAI) == "not_started"
    assert month_phase(Period.parse("2026-11"), now, True, SHANGHAI) == "ended"
