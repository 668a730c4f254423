"""The calendar feed of a person's open duties: RFC 5545 text, parsed back; its route."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import icalendar
import pytest
from fastapi.testclient import TestClient
from service_support import SECRETS, TOKENS_TEXT, auth, make_config, sample_facts

from policyengine.facts.schema import Fact
from policyengine.report.icalendar import MEDIA_TYPE, duties_calendar, escape, fold
from policyengine.results import OpenObligation, PendingObligation
from policyengine.service.app import create_app
from policyengine.service.auth import TokenSet
from policyengine.wording import Glossary, Line, line

SHANGHAI = timezone(timedelta(hours=8))
AS_OF = "2026-10-20T12:00:00"
FEED_SECRET = "feed-secret-0123456789abcdef"


# -- the pure module ---------------------------------------------------------------------

def test_escape_backslash_semicolon_comma_and_newlines() -> None:
    assert escape("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_fold_keeps_75_octets_and_never_splits_a_character() -> None:
    content = "SUMMARY:" + "交付可供开发的策划案" * 8 + "abc" * 30
    folded = fold(content)
    parts = folded.split("\r\n")
    assert len(parts) > 3
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    # Unfolding (drop CRLF + one space) gives the content back: no character was cut.
    assert folded.replace("\r\n ", "") == content
    assert fold("SHORT:x") == "SHORT:x"


def _opened(case: str, due: datetime, overdue: bool = False) -> OpenObligation:
    trigger = Fact(type="plan.estimated", at=due - timedelta(days=3), case=case,
                   actor="陈立", id=f"s-{case}")
    return OpenObligation(duty="C1", duty_name="交付可供开发的策划案, 第一版; 含\\附件",
                          case=case, person="周敏", role="planner",
                          due=due, overdue=overdue, opened_at=trigger.at,
                          key=f"C1|{case}|s-{case}", trigger_fact=trigger)


def _calendar(lang: str = "zh") -> str:
    due = datetime(2026, 10, 20, 18, 0, tzinfo=SHANGHAI)
    duties = [_opened("26100802", due, overdue=True), _opened("26100803", due),
              OpenObligation(duty="W1", duty_name="周报", case=None, person="周敏",
                             role="planner", due=due, overdue=False, opened_at=due,
                             key="W1||x")]
    others = [OpenObligation(duty="C1", duty_name="x", case="9", person="别人", role="r",
                             due=due, overdue=False, opened_at=due, key="C1|9|y")]
    waiting = PendingObligation(
        key="R4|27010401|s-9", duty="R4", duty_name="预估策划形成时间", case="27010401",
        person="周敏", role="planner", opened_at=due, trigger_fact=None, missing_year=2027,
        due_not_before=datetime(2027, 1, 1, tzinfo=SHANGHAI), fulfilled_at=None,
        fulfilled_by=None)
    return duties_calendar("周敏", duties + others, [waiting],
                           as_of=datetime(2026, 10, 20, 12, tzinfo=SHANGHAI), tz=SHANGHAI,
                           lang=lang, domain="example.policyengine",
                           rule_of=lambda duty, trigger, at: line("why.rule", rule="规则"))


def test_the_calendar_parses_back_with_every_open_duty_of_the_person() -> None:
    text = _calendar()
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")  # CRLF only
    assert all(len(part.encode()) <= 75 for part in text.split("\r\n"))
    parsed = icalendar.Calendar.from_ical(text)
    assert parsed["VERSION"] == "2.0" and parsed["CALSCALE"] == "GREGORIAN"
    assert str(parsed["PRODID"]).startswith("-//policyengine//")
    events = parsed.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [
        "C1|26100802|s-26100802@example.policyengine",
        "C1|26100803|s-26100803@example.policyengine",
        "W1||x@example.policyengine", "R4|27010401|s-9@example.policyengine"]
    first = events[0]
    assert first.decoded("DTSTART") == datetime(2026, 10, 20, 10, 0, tzinfo=UTC)
    assert first.decoded("DTSTAMP") == datetime(2026, 10, 20, 4, 0, tzinfo=UTC)
    # Chinese text and the escaped , ; \ come back intact.
    assert str(first["SUMMARY"]) == "已逾期：交付可供开发的策划案, 第一版; 含\\附件：26100802"
    assert str(events[1]["SUMMARY"]) == "交付可供开发的策划案, 第一版; 含\\附件：26100803"
    assert str(events[2]["SUMMARY"]) == "周报"
    description = str(first["DESCRIPTION"]).split("\n")
    assert description[0] == "职责 C1 交付可供开发的策划案, 第一版; 含\\附件"
    assert description[1] == "由 plan.estimated s-26100802 于 2026-10-17 18:00（周六） 触发 (陈立)"
    assert description[2:] == ["截止规则：规则", "截止时间 2026-10-20 18:00（周二）"]
    pending = events[3]
    assert str(pending["SUMMARY"]) == "待日历数据：预估策划形成时间：27010401"
    assert pending.decoded("DTSTART") == datetime(2027, 1, 1).date()
    assert "2027" in str(pending["DESCRIPTION"])


def test_english_words_when_asked() -> None:
    events = icalendar.Calendar.from_ical(_calendar("en")).walk("VEVENT")
    assert str(events[0]["SUMMARY"]).startswith("overdue: ")
    assert str(events[3]["SUMMARY"]).startswith("pending calendar data: ")


# -- the route ---------------------------------------------------------------------------

@pytest.fixture
def feed_client(tmp_path: Path) -> Any:
    tokens = TokenSet.parse(TOKENS_TEXT + f"\ncalendar feed {FEED_SECRET}", "test tokens")
    config = replace(make_config(str(tmp_path / "facts.db")), tokens=tokens)
    client = TestClient(create_app(config))
    with client:
        answer = client.post("/v1/facts/batch", json={"facts": sample_facts()}, headers=auth())
        assert answer.status_code == 200, answer.text
        yield client


def _busiest(client: TestClient) -> tuple[str, list[dict[str, Any]]]:
    found = client.get(f"/v1/obligations?as_of={AS_OF}", headers=auth("read")).json()
    person = Counter(o["person"] for o in found["obligations"]).most_common(1)[0][0]
    return person, [o for o in found["obligations"] if o["person"] == person]


def test_the_feed_lists_the_persons_open_obligations_at_their_due_times(
        feed_client: TestClient) -> None:
    person, owed = _busiest(feed_client)
    answer = feed_client.get(f"/v1/people/{person}/duties.ics?as_of={AS_OF}",
                             headers=auth("read"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == MEDIA_TYPE
    events = icalendar.Calendar.from_ical(answer.text).walk("VEVENT")
    assert len(events) == len(owed) > 1
    assert sorted(e.decoded("DTSTART") for e in events) == sorted(
        datetime.fromisoformat(o["due"]) for o in owed)
    # The policy speaks Chinese: a calendar app sends no Accept-Language.
    assert all(str(e["DESCRIPTION"]).startswith("职责 ") for e in events)
    assert {str(e["SUMMARY"]).split("：")[-1] for e in events} == {o["case"] for o in owed}
    again = feed_client.get(f"/v1/people/{person}/duties.ics?as_of={AS_OF}",
                            headers=auth("read"))
    assert again.text == answer.text
    # A later read (a new DTSTAMP, some duties now overdue): each duty keeps its UID.
    later = feed_client.get(f"/v1/people/{person}/duties.ics?as_of=2026-10-21T12:00:00",
                            headers=auth("read"))
    later_events = icalendar.Calendar.from_ical(later.text).walk("VEVENT")

    def by_duty(found: list[Any]) -> dict[tuple[str, datetime], str]:
        return {(str(e["SUMMARY"]).removeprefix("已逾期："), e.decoded("DTSTART")):
                str(e["UID"]) for e in found}
    before, after = by_duty(events), by_duty(later_events)
    shared = before.keys() & after.keys()
    assert shared and all(before[k] == after[k] for k in shared)
    assert {e.decoded("DTSTAMP") for e in later_events} == {datetime(2026, 10, 21, 4, tzinfo=UTC)}


def test_a_feed_token_in_the_url_works_and_a_read_token_there_does_not(
        feed_client: TestClient) -> None:
    person, _ = _busiest(feed_client)
    url = f"/v1/people/{person}/duties.ics?as_of={AS_OF}"
    assert feed_client.get(f"{url}&token={FEED_SECRET}").status_code == 200
    refused = feed_client.get(f"{url}&token={SECRETS['read']}")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "E-AUTH-SCOPE"
    assert feed_client.get(url).status_code == 401
    assert feed_client.get(f"{url}&token=wrong-secret-0123456789").status_code == 401
    # The feed token opens nothing else, in the URL or as a bearer token.
    bearer = {"Authorization": f"Bearer {FEED_SECRET}"}
    assert feed_client.get(f"/v1/people/{person}?period=2026-10", headers=bearer
                           ).status_code == 403
    elsewhere = feed_client.get(f"/v1/people/{person}?period=2026-10&token={FEED_SECRET}")
    assert elsewhere.status_code == 400  # no other route takes ?token=
    assert elsewhere.json()["error"]["code"] == "E-USAGE-PARAM"
    assert feed_client.get(f"/v1/people/{person}?period=2026-10", headers={
        "Authorization": f"Bearer {FEED_SECRET}"}).status_code == 403
    assert feed_client.get(url, headers=bearer).status_code == 403


def test_a_bad_as_of_is_a_clear_error(feed_client: TestClient) -> None:
    answer = feed_client.get("/v1/people/x/duties.ics?as_of=tomorrow&lang=en",
                             headers=auth("read"))
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "E-USAGE-AS-OF"
    empty = feed_client.get(f"/v1/people/nobody/duties.ics?as_of={AS_OF}",
                            headers=auth("read"))
    assert empty.status_code == 200
    assert icalendar.Calendar.from_ical(empty.text).walk("VEVENT") == []


def test_chinese_feeds_name_fact_types_and_roles_by_the_glossary() -> None:
    due = datetime(2026, 10, 20, 18, 0, tzinfo=SHANGHAI)
    names = Glossary({"plan.estimated": "预估策划"}, {"planner": "策划"})

    def rule(duty: str, trigger: Fact | None, at: datetime) -> Line:
        return line("why.rule", rule="规则")

    def feed(lang: str) -> str:
        text = duties_calendar("周敏", [_opened("26100802", due)], [], as_of=due, tz=SHANGHAI,
                               lang=lang, domain="d", rule_of=rule, names=names)
        return str(icalendar.Calendar.from_ical(text).walk("VEVENT")[0]["DESCRIPTION"])
    assert "由 预估策划（plan.estimated） s-26100802 于 2026-10-17 18:00（周六） 触发" in feed("zh")
    assert "plan.estimated s-26100802" in feed("en") and "预估策划" not in feed("en")


def test_the_feed_route_names_fact_types_in_chinese(feed_client: TestClient) -> None:
    person, _ = _busiest(feed_client)
    zh = feed_client.get(f"/v1/people/{person}/duties.ics?as_of={AS_OF}", headers=auth("read"))
    descriptions = [str(e["DESCRIPTION"])
                    for e in icalendar.Calendar.from_ical(zh.text).walk("VEVENT")]
    openers = [d.split("\n")[1] for d in descriptions if d.split("\n")[1].startswith("由 ")]
    assert openers and all(re.match(r"由 [^a-z]+（[a-z_.]+） ", o) for o in openers), openers
    en = feed_client.get(f"/v1/people/{person}/duties.ics?as_of={AS_OF}&lang=en",
                         headers=auth("read"))
    assert en.status_code == 200 and "DESCRIPTION:" in en.text
    assert "（" not in en.text.replace("\r\n ", "")
