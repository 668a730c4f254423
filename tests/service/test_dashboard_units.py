"""The dashboard's pure parts: version states, the model diff, the chart, sessions, spans."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from service_support import POLICY, SAMPLE

import policyengine as pe
from policyengine.service.auth import TokenSet
from policyengine.service.dashboard import policyview
from policyengine.service.dashboard.catalogue import span, utc_offset, zone_name
from policyengine.service.dashboard.chart import MonthPoint, _ceiling, trend_rows_svg, trend_svg
from policyengine.service.dashboard.policyview import VersionState
from policyengine.service.dashboard.session import Sessions, form_field


def test_version_states_on_a_day() -> None:
    days = [date(2014, 7, 1), date(2026, 1, 1), date(2027, 1, 1)]
    assert policyview._states(days, date(2026, 6, 1)) == [
        VersionState.SUPERSEDED, VersionState.IN_FORCE, VersionState.UPCOMING]
    assert policyview._states(days, date(2010, 1, 1)) == [VersionState.UPCOMING] * 3
    assert policyview._states([None, date(2027, 1, 1)], date(2026, 6, 1)) == [
        VersionState.IN_FORCE, VersionState.UPCOMING]


def test_penalty_rows_describe_each_schedule() -> None:
    model = pe.load_policy(POLICY).model
    rows = {r.rule: r for r in policyview.penalty_rows(model, date(2026, 10, 1), "zh")}
    assert rows["P1"].value == "每次 20 元" and rows["P1"].state is VersionState.IN_FORCE
    assert rows["P3"].value.startswith("每月 1-5 次：20 元；每月 6-10 次：50 元")
    assert "迟交超过 1 天 且不超过 7 天：100 元" in rows["P6"].value
    english = {r.rule: r for r in policyview.penalty_rows(model, date(2026, 10, 1), "en")}
    assert english["P1"].value == "20 yuan each time"


def test_model_changes_name_the_changed_field() -> None:
    model = pe.load_policy(POLICY).model
    penalty = model.penalties["P1"]
    version = penalty.versions[0].model_copy(update={"per_instance": Decimal(30),
                                                     "effective": date(2027, 1, 1)})
    changed = model.model_copy(update={"penalties": {
        **model.penalties, "P1": penalty.model_copy(update={
            "versions": (*penalty.versions, version)})}})
    changes = policyview.model_changes(model, changed)
    paths = {c.path: (c.old, c.new) for c in changes}
    assert paths["penalties.P1.versions[1].per_instance"] == (None, "30")
    assert paths["penalties.P1.versions[1].effective"] == (None, "2027-01-01")
    assert policyview.model_changes(model, model) == []
    rows = policyview.penalty_rows(changed, date(2026, 10, 1), "zh")
    assert [r.state for r in rows if r.rule == "P1"] == [VersionState.IN_FORCE,
                                                          VersionState.UPCOMING]


def test_chart_draws_bars_a_line_and_gaps() -> None:
    points = [MonthPoint("2026-08", None, None), MonthPoint("2026-09", Decimal(20), 1),
              MonthPoint("2026-10", Decimal(870), 40, current=True)]
    svg = trend_svg(points, amount_label="扣款", count_label="次数", gap_label="无数据",
                    title="趋势")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("</title></rect>") == 2 and 'class="bar current"' in svg  # 2 months
    assert "无数据" in svg and "<polyline" in svg and ">870<" in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert _ceiling(870) == 1000 and _ceiling(40, whole=True) == 40
    assert _ceiling(9, whole=True) == 20 and _ceiling(0) == 1


def test_sessions_expire_and_follow_the_tokens_file(monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = TokenSet.parse("board read secret-0123456789abcdef", "t")
    sessions = Sessions(hours=1)
    now = [1000.0]
    monkeypatch.setattr(sessions, "_clock", lambda: now[0])
    opened = sessions.open("board")
    assert sessions.reader(opened, tokens) == "board"
    assert sessions.reader("made-up", tokens) is None
    assert sessions.reader(opened, TokenSet(())) is None  # the token was removed
    now[0] += 3601
    assert sessions.reader(opened, tokens) is None
    again = sessions.open("board")
    sessions.close(again)
    assert sessions.reader(again, tokens) is None


def test_form_field_and_span() -> None:
    assert form_field(b"token=a%2Bb+c&next=%2Fui%2Fmonth", "token") == "a+b c"
    assert form_field(b"next=x", "token") == ""
    assert span(timedelta(days=2, hours=3, minutes=5), "zh") == "2 天 3 小时"
    assert span(timedelta(minutes=-90), "en") == "1 h 30 min"
    assert span(timedelta(0), "zh") == "0 分钟"


def test_effect_on_month_compares_the_charges() -> None:
    policy = pe.load_policy(POLICY)
    facts = list(pe.read_facts(SAMPLE, policy).facts)
    month = pe.Period.parse("2026-10")
    model = policy.model
    cheaper = model.penalties["P6"].model_copy(update={"versions": (
        model.penalties["P6"].versions[0].model_copy(update={"lateness": None,
                                                              "per_instance": Decimal(5)}),)})
    old = model.model_copy(update={"penalties": {**model.penalties, "P6": cheaper}})

    class Current:
        def get(self, period: object, as_of: object) -> object:
            return pe.evaluate(policy, facts, period=month)

    revision = policyview.Revision("0" * 40, "2026-11-01", "cheaper P6", old)
    found = policyview.effect_on_month(revision, Current(), facts, len(facts), month)  # type: ignore[arg-type]
    assert found is not None and not found.unchanged
    changed = {p.person: (p.old_amount, p.new_amount) for p in found.people if p.changed}
    now = {p.person: p.amount for p in pe.evaluate(policy, facts, period=month).people}
    assert changed and all(new == now[name] for name, (_, new) in changed.items())
    assert any(v.fields.get("penalty.amount") for v in found.violations)


def test_a_zone_as_the_header_says_it() -> None:
    assert zone_name("Asia/Shanghai", "zh") == "北京时间"
    assert zone_name("Asia/Shanghai", "en") == "Asia/Shanghai"
    assert zone_name("Europe/Berlin", "zh") == "Europe/Berlin"  # no name of its own: IANA's
    assert [utc_offset(timedelta(hours=h, minutes=m)) for h, m in
            ((8, 0), (5, 30), (-3, -30), (0, 0), (-5, 0))] == ["+8", "+5:30", "-3:30", "+0",
                                                              "-5"]


def test_the_chart_marks_months_to_come_as_not_started() -> None:
    points = [MonthPoint("2026-11", Decimal(180), 36),
              MonthPoint("2026-12", Decimal(0), 0, current=True),
              MonthPoint("2027-01", None, None, started=False),
              MonthPoint("2027-02", None, None, started=False)]
    svg = trend_svg(points, amount_label="扣款", count_label="次数", gap_label="无数据",
                    future_label="未开始", title="趋势")
    assert svg.count('<rect class="future"') == 1 and svg.count(">未开始</text>") == 1
    assert "无数据" not in svg  # a month to come is not a month without data
    assert svg.count("</title></rect>") == 2 and svg.count('<circle class="dot"') == 2 + 1


def test_the_phone_s_trend_is_a_row_a_month() -> None:
    points = [MonthPoint("2026-09", Decimal(20), 1), MonthPoint("2026-10", Decimal(870), 45,
                                                                current=True),
              MonthPoint("2026-11", None, None), MonthPoint("2026-12", None, None,
                                                            started=False)]
    svg = trend_rows_svg(points, amount_label="扣款（元）", count_label="违规次数",
                         gap_label="无数据", future_label="未开始", title="近 12 个月趋势")
    assert svg.startswith('<svg class="trend-rows"') and svg.endswith("</svg>")
    assert re.findall(r'class="month(?: current)?"[^>]*>([^<]+)<', svg) == [
        "2026-09", "2026-10", "2026-11", "2026-12"]  # every month, its whole label
    assert re.findall(r'class="value"[^>]*>([^<]+)<', svg) == ["20", "870"]
    assert re.findall(r'class="count"[^>]*>([^<]+)<', svg) == ["1", "45"]
    assert ">无数据<" in svg and ">未开始<" in svg and svg.count('class="row current"') == 1
    assert 'viewBox="0 0 340 ' in svg and "rotate" not in svg
