"""The dashboard over plain HTTP: signing in (cookie flags, redirects, the read scope), the
pages' words and figures, the downloads, and that nothing points outside the server."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from service_support import POLICY, SECRETS, auth, make_config, sample_facts

import policyengine as pe
from policyengine.report.names import person_sort_key
from policyengine.service.app import create_app
from policyengine.service.dashboard.catalogue import WORDS
from policyengine.service.dashboard.session import accept_language

sys.path.insert(0, str(Path(__file__).parents[1] / "report"))
from report_tables import assert_workbook_equals_json

ZH = {"accept-language": "zh-CN,zh;q=0.9"}
PENALTIES = pe.load_policy(POLICY).model.penalties
EN = {"accept-language": "en-US,en;q=0.9"}


@pytest.fixture
def app_client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_config(str(tmp_path / "facts.db")))) as client:
        response = client.post("/v1/facts/batch", json={"facts": sample_facts()},
                               headers=auth())
        assert response.status_code == 200, response.text
        yield client


def sign_in(client: TestClient, scope: str = "read", **extra: str) -> None:
    response = client.post("/ui/signin", data={"token": SECRETS[scope], **extra},
                           follow_redirects=False)
    assert response.status_code == 303, response.text


def test_a_page_without_a_session_redirects_to_sign_in(app_client: TestClient) -> None:
    for path in ("/ui/month", "/ui/person/杨宝珠", "/ui/case/26091501", "/ui/registry",
                 "/ui/policy", "/ui/downloads", "/ui/download/evaluation.json"):
        response = app_client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/ui/signin?next=%2Fui%2F"), path


def test_a_bearer_token_is_no_session_but_still_reads_the_api(app_client: TestClient) -> None:
    page = app_client.get("/ui/month", headers=auth("read"), follow_redirects=False)
    assert page.status_code == 303
    api = app_client.get("/v1/people?period=2026-10", headers=auth("read"))
    assert api.status_code == 200 and len(api.json()["people"]) == 8


def test_sign_in_sets_a_strict_http_only_cookie(app_client: TestClient) -> None:
    response = app_client.post("/ui/signin", data={"token": SECRETS["read"],
                                                   "next": "/ui/registry"},
                               follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/registry"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("pe_session=")
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert "httponly" in flags and "samesite=strict" in flags and "path=/ui" in flags
    assert "secure" not in flags  # plain http: a Secure cookie would never come back
    assert SECRETS["read"] not in cookie  # the secret stays out of the browser


def test_the_cookie_is_secure_behind_https(app_client: TestClient) -> None:
    response = app_client.post("/ui/signin", data={"token": SECRETS["read"]},
                               headers={"x-forwarded-proto": "https"}, follow_redirects=False)
    flags = {part.strip().lower() for part in response.headers["set-cookie"].split(";")}
    assert "secure" in flags


def test_a_token_without_the_read_scope_is_refused(app_client: TestClient) -> None:
    for scope in ("ingest", "admin"):
        response = app_client.post("/ui/signin", data={"token": SECRETS[scope]}, headers=ZH)
        assert response.status_code == 401
        assert "没有 read 读取权限" in response.text
        assert "set-cookie" not in response.headers
    unknown = app_client.post("/ui/signin", data={"token": "not-a-token-at-all-xxxx"},
                              headers=EN)
    assert unknown.status_code == 401 and "not known to the service" in unknown.text
    empty = app_client.post("/ui/signin", data={"token": ""}, headers=ZH)
    assert empty.status_code == 400 and "请输入令牌" in empty.text


def test_sign_in_never_redirects_to_another_site(app_client: TestClient) -> None:
    for target in ("https://evil.example/", "//evil.example/ui/", "/v1/people"):
        response = app_client.post("/ui/signin", data={"token": SECRETS["read"],
                                                       "next": target},
                                   follow_redirects=False)
        assert response.headers["location"] == "/ui/month", target


def test_sign_out_ends_the_session(app_client: TestClient) -> None:
    sign_in(app_client)
    assert app_client.get("/ui/month", follow_redirects=False).status_code == 200
    stolen = app_client.cookies.get("pe_session")
    out = app_client.post("/ui/signout", follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/ui/signin?out=1"
    app_client.cookies.set("pe_session", stolen or "", path="/ui")
    assert app_client.get("/ui/month", follow_redirects=False).status_code == 303


def test_the_month_page_shows_the_sample_month_in_chinese(app_client: TestClient) -> None:
    sign_in(app_client)
    page = app_client.get("/ui/month?period=2026-10", headers=ZH)
    assert page.status_code == 200
    text = page.text
    assert "2026-10 月度总览" in text
    assert "共 45 次违规，扣款 870 元，1 人当月无绩效" in text
    assert "当月无绩效" in text and "近 12 个月趋势" in text
    assert "<svg" in text and text.count('class="bar') >= 2  # the chart has this month's bar
    # the people table: in pinyin order, the same figures as the API
    people = app_client.get("/v1/people?period=2026-10", headers=auth("read")).json()["people"]
    names = re.findall(r'href="/ui/person/[^"]+">([^<]+)</a>', text)
    expected = sorted((p["person"] for p in people if p["person"]),
                      key=lambda n: person_sort_key(n, "zh"))
    assert names == expected
    assert names[0] == "陈立" and names[-1] == "周敏"


def test_the_header_s_time_says_its_zone(app_client: TestClient) -> None:
    """The header's as-of was a bare `2026-11-01 00:00`: a reader in another office could
    not tell which clock. It names the policy's calendar zone and its offset from UTC."""
    sign_in(app_client)
    chinese = app_client.get("/ui/person/陈立?period=2026-10&lang=zh", headers=ZH).text
    stamp = re.search(r'<p class="stamp">(.*?) · ', chinese)
    assert stamp and stamp.group(1) == "截至 2026-11-01 00:00（北京时间，UTC+8）"
    english = app_client.get("/ui/month?period=2026-10&lang=en", headers=EN).text
    stamp = re.search(r'<p class="stamp">(.*?) · ', english)
    assert stamp and stamp.group(1) == "as of 2026-11-01 00:00 (Asia/Shanghai, UTC+8)"
    policy = app_client.get("/ui/policy?period=2026-10&lang=zh", headers=ZH).text
    assert re.search(r"<td>\d{4}-\d\d-\d\d \d\d:\d\d（北京时间，UTC\+8）</td>", policy)


def test_the_default_month_is_the_latest_facts_month(app_client: TestClient) -> None:
    sign_in(app_client)
    facts = sample_facts()
    latest = max(f["at"] for f in facts)[:7]
    assert latest in app_client.get("/ui/month", headers=ZH).text


def test_english_by_query_or_browser_and_remembered(app_client: TestClient) -> None:
    sign_in(app_client)
    english = app_client.get("/ui/month?period=2026-10&lang=en", headers=ZH)
    assert "Month overview 2026-10" in english.text and "月度总览" not in english.text
    assert "pe_lang=en" in english.headers["set-cookie"]
    assert "Month overview" in app_client.get("/ui/month?period=2026-10", headers=ZH).text
    app_client.cookies.delete("pe_lang", path="/ui")
    assert "Month overview" in app_client.get("/ui/month?period=2026-10", headers=EN).text
    assert "月度总览" in app_client.get("/ui/month?period=2026-10").text  # policy.language


def test_accept_language_weights() -> None:
    assert accept_language("en-US,en;q=0.9,zh-CN;q=0.8") == "en"
    assert accept_language("fr-FR, zh;q=0.5, en;q=0.4") == "zh"
    assert accept_language("fr-FR") is None
    assert accept_language("en;q=0, zh-TW") == "zh"


def test_the_person_page_explains_each_violation(app_client: TestClient) -> None:
    sign_in(app_client)
    page = _unescape(app_client.get("/ui/person/杨宝珠?period=2026-10", headers=ZH).text)
    api = app_client.get("/v1/people/杨宝珠?period=2026-10", headers=auth("read")).json()
    assert "杨宝珠 — 2026-10" in page and f"合计扣款 {api['total']['amount']} 元" in page
    for violation in api["violations"]:
        for step in violation["explanation_zh"]:
            assert step in page
        rule, detail = violation["penalty"]["rule"], violation["penalty"]["detail_zh"]
        if rule in PENALTIES:  # the page names the penalty the API gives by its id
            detail = detail.replace(rule, f"“{PENALTIES[rule].name}”（{rule}）", 1)
        assert detail in page
    assert "截至 2026-11-01 00:00 的未完成职责" in page
    for obligation in api["obligations"]:
        assert obligation["duty"] in page
    assert ("已逾期" in page) == any(o["overdue"] for o in api["obligations"])


def test_the_case_page_has_the_timeline_and_duties(app_client: TestClient) -> None:
    sign_in(app_client)
    page = _unescape(app_client.get("/ui/case/26091501?period=2026-10", headers=ZH).text)
    assert "案例 26091501" in page and "时间线" in page
    assert "客户提出需求" in page and "职责开始：提需求" in page and "职责完成：提需求" in page
    times = re.findall(r'<td class="time">([^<]+)</td>', page)
    assert times == sorted(times) and len(times) > 10
    missing = app_client.get("/ui/case/nope?period=2026-10", headers=ZH)
    assert missing.status_code == 404
    assert "没有案例 nope 的事实" in missing.text


def test_the_registry_page_is_the_report_registry(app_client: TestClient) -> None:
    """The page draws `build_document(REGISTRY)`: the rule book's columns, the sample month's
    rows, the same values as the registry's JSON download."""
    sign_in(app_client)
    page = _unescape(app_client.get("/ui/registry?period=2026-10", headers=ZH).text)
    assert "<h1>需求登记反馈表</h1>" in page
    table = re.search(r'<table class="report registry">(.*?)</table>', page, re.S)
    assert table is not None
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", table.group(1))
    assert headers == ["需求编号", "填表人", "需求人", "决策结果", "需求分级", "预期交付日",
                       "实际交付日", "需求状态", "需求梗概", "备注"]
    rows = [re.findall(r"<td[^>]*>([^<]*)</td>", row)
            for row in re.findall(r"<tr>(.*?)</tr>", table.group(1).split("</thead>")[1], re.S)]
    data = app_client.get("/ui/download/registry.json?period=2026-10").json()
    assert [r[0] for r in rows] == [r["case"] for r in data["rows"]] and len(rows) == 26
    delayed = next(r for r in rows if r[0] == "26092201")
    assert delayed[:8] == ["26092201", "张三", "蒋主任（康宁社区卫生站）", "做", "C",
                           "2026-11-13", "", "延期"]
    assert "批准延期" in delayed[9]
    assert "期间" in page and "制度版本" in page  # the report's title block


def test_the_policy_page_lists_versions_and_the_diff(app_client: TestClient) -> None:
    sign_in(app_client)
    page = _unescape(app_client.get("/ui/policy?period=2026-10", headers=ZH).text)
    assert "罚则及各版本" in page and "每次 20 元" in page and "现行" in page
    assert "截止规则及各版本" in page and "与上一版本的差异" in page
    # the sample repository has history; either a diff or a plain statement is shown
    assert "对比 Git 版本" in page or "没有制度文件的上一版本" in page


REPORT_PERIODS = {"registry": "2026-10", "weekly": "2026-W43", "monthly": "2026-10",
                  "deductions": "2026-10", "rewards": "2026-Q4"}


def test_the_download_page_offers_every_report_kind_and_format(app_client: TestClient) -> None:
    sign_in(app_client)
    page = _unescape(app_client.get("/ui/downloads?period=2026-10", headers=ZH).text)
    for kind in ("registry", "monthly", "deductions"):
        for fmt in ("xlsx", "html", "csv", "json"):
            assert f"/ui/download/{kind}.{fmt}?period=2026-10" in page
    # the weeks whose Thursday is in October 2026, and the month's quarter
    for week in ("2026-W40", "2026-W41", "2026-W42", "2026-W43", "2026-W44"):
        assert f"/ui/download/weekly.xlsx?period={week}" in page
    assert "2026-W39" not in page and "2026-W45" not in page
    assert "/ui/download/rewards.csv?period=2026-Q4" in page
    assert "/ui/download/evaluation.json?period=2026-10" in page
    for table in ("violations", "people", "obligations", "rewards", "merits", "pending"):
        assert f"/ui/download/evaluation-{table}.csv?period=2026-10" in page


@pytest.mark.parametrize("kind", list(REPORT_PERIODS))
def test_each_report_download(app_client: TestClient, kind: str) -> None:
    """Each kind in each format: the media type, and content that agrees with the JSON."""
    import io

    import openpyxl

    sign_in(app_client)
    period = REPORT_PERIODS[kind]

    def get(fmt: str) -> Any:
        response = app_client.get(f"/ui/download/{kind}.{fmt}?period={period}")
        assert response.status_code == 200, (fmt, response.text[:300])
        assert response.headers["content-type"].startswith(MEDIA[fmt]), fmt
        saved = response.headers["content-disposition"]
        assert saved.startswith("attachment;") and f"{kind}-{period}.{fmt}" in saved
        return response

    data = get("json").json()
    assert data["kind"] == kind and data["period"] == period and data["lang"] == "zh"
    workbook = get("xlsx").content
    assert openpyxl.load_workbook(io.BytesIO(workbook)).worksheets[0]["A1"].value == \
        data["title"]
    assert_workbook_equals_json(workbook, data)  # typed, cell by cell
    csv = get("csv").content
    assert csv.startswith(b"\xef\xbb\xbf") and data["title"] in csv.decode("utf-8-sig")
    html = get("html").text
    assert html.lstrip().lower().startswith("<!doctype html>") and data["title"] in html
    assert not re.findall(r"""(?:src|href)=["'](?!#)""", html)  # self-contained
    assert "<style" in html


def test_a_weekly_download_matches_the_command(app_client: TestClient) -> None:
    """The download is the command's file, byte for byte, for the same week."""
    from policyengine.cli.main import main
    sign_in(app_client)
    import tempfile

    body = app_client.get("/ui/download/weekly.json?period=2026-W43").content
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "weekly.json"
        facts = Path(folder) / "facts.jsonl"
        facts.write_text("".join(json.dumps(f, ensure_ascii=False) + "\n"
                                 for f in sample_facts()), encoding="utf-8")
        assert main(["report", "weekly", "--week", "2026-W43", "--facts", str(facts),
                     "-o", str(target)]) == 0
        expected = json.loads(target.read_text(encoding="utf-8"))
    got = json.loads(body)
    assert got["rows"] == expected["rows"] and got["this_week"] == expected["this_week"]
    assert got["as_of"] == expected["as_of"] == "2026-10-23T12:00:00+08:00"


def test_evaluation_downloads(app_client: TestClient) -> None:
    sign_in(app_client)
    whole = app_client.get("/ui/download/evaluation.json?period=2026-10")
    assert whole.status_code == 200 and "attachment" in whole.headers["content-disposition"]
    api = app_client.get("/v1/report?period=2026-10", headers=auth("read")).json()
    assert json.loads(whole.text)["violations"] == api["violations"]
    csv = app_client.get("/ui/download/evaluation-people.csv?period=2026-10", headers=EN)
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    assert csv.text.lstrip("\ufeff").splitlines()[0].startswith("period,person")
    assert sum(1 for _ in csv.text.splitlines()) == len(api["people"]) + 1
    pending = app_client.get("/ui/download/evaluation-pending.csv?period=2026-10")
    assert pending.status_code == 200
    # a Chinese page's download is Chinese: headers and yes/no in words
    chinese = app_client.get("/ui/download/evaluation-people.csv?period=2026-10",
                             headers={"accept-language": "zh-CN"})
    header, *rows = chinese.text.lstrip("\ufeff").splitlines()
    assert header == "期间,姓名,违规次数,扣款（元）,当月无绩效,无绩效月份"
    assert {row.split(",")[4] for row in rows} == {"是", "否"}
    unknown = app_client.get("/ui/download/payroll.pdf?period=2026-10", headers=EN)
    assert unknown.status_code == 404 and "No download &#39;payroll.pdf&#39;" in unknown.text


def test_a_report_that_cannot_be_built_is_a_located_page(app_client: TestClient) -> None:
    sign_in(app_client)
    week = app_client.get("/ui/download/weekly.xlsx?period=2026-10", headers=ZH)
    assert week.status_code == 400 and "无法显示此页" in week.text
    assert "“2026-10”不是《新增需求收集周报》的期间：请写成 ISO 周 YYYY-Www" in _unescape(week.text)
    quarter = app_client.get("/ui/download/rewards.csv?period=2026-13", headers=EN)
    assert quarter.status_code == 400
    assert "'2026-13' is not a period for Quarterly reward proposals" in _unescape(quarter.text)
    as_of = app_client.get("/ui/download/monthly.csv?period=2026-10&as_of=soon", headers=EN)
    assert as_of.status_code == 400 and "as_of &#39;soon&#39;" in as_of.text


def test_a_policy_without_the_rule_books_vocabulary_gives_a_422_page(
        app_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from policyengine.report.builders import casebook
    from policyengine.service.dashboard import documents

    def refuse(*args: object, **kwargs: object) -> None:
        raise casebook.ReportVocabularyError("E-REPORT-VOCABULARY: the registry report reads "
                                             "fact types policy 'p' does not declare")
    monkeypatch.setattr(documents, "build_document", refuse)
    sign_in(app_client)
    page = _unescape(app_client.get("/ui/download/registry.xlsx?period=2026-10",
                                    headers=ZH).text)
    assert "无法生成《需求登记反馈表》（2026-10）：E-REPORT-VOCABULARY" in page
    registry = app_client.get("/ui/registry?period=2026-10", headers=EN)
    assert registry.status_code == 422
    assert "Cannot build Requirement registry for 2026-10: E-REPORT-VOCABULARY" in \
        _unescape(registry.text)


MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "html": "text/html", "csv": "text/csv", "json": "application/json"}


def test_a_bad_period_is_a_page_with_the_reason(app_client: TestClient) -> None:
    sign_in(app_client)
    response = app_client.get("/ui/month?period=2026-13", headers=ZH)
    assert response.status_code == 400 and "无法显示此页" in response.text
    assert "“2026-13”不是月份：请写成 YYYY-MM" in response.text
    quarter = app_client.get("/ui/month?period=2026-Q4", headers=EN)
    assert quarter.status_code == 400 and "'2026-Q4' is not a month" in _unescape(quarter.text)
    unknown = app_client.get("/ui/nowhere", headers=ZH)
    assert unknown.status_code == 404 and "/ui/nowhere：没有这个页面" in unknown.text


def _nav(page: str) -> list[tuple[str, str]]:
    """The navigation bar's links: (address, words)."""
    bar = re.search(r"<nav>(.*?)</nav>", page, re.S)
    return re.findall(r'<a href="([^"]*)">([^<]*)</a>', bar.group(1)) if bar else []


@pytest.mark.parametrize(("path", "status"), [
    ("/ui/month?period=2026-13", 400), ("/ui/nowhere?period=2026-10", 404),
    ("/ui/person/陈立?period=2026-10&as_of=yesterday", 400),
    ("/ui/download/nothing.txt?period=2026-10", 404),
    ("/ui/download/weekly.xlsx?period=2026-10", 400)])
def test_an_error_page_keeps_the_site_s_frame(app_client: TestClient, path: str,
                                              status: int) -> None:
    """An error page was a bare title and a message: no navigation bar, no sign-out, so a
    reader who mistyped a month had only the browser's back button. It keeps the frame of
    every page, in the page's language; its links keep the month asked for, when it is one."""
    sign_in(app_client)
    month = "2026-10" if "2026-10" in path else None
    for headers, lang, words in ((ZH, "zh", "需求登记反馈表"), (EN, "en", "Registry")):
        response = app_client.get(f"{path}&lang={lang}", headers=headers)
        assert response.status_code == status, response.text
        assert response.text.count(WORDS["error.title"][lang == "zh"]) == 2  # title, heading
        nav = _nav(response.text)
        assert (f"/ui/registry?period={month}" if month else "/ui/registry", words) in nav
        assert len(nav) == 5
        assert WORDS["nav.signout"][lang == "zh"] in response.text
        back = WORDS["error.back"][lang == "zh"]
        assert f'href="/ui/month{"?period=" + month if month else ""}">{back}</a>' in (
            response.text)
    # Without a session there is no navigation to offer: the header and its language link.
    app_client.post("/ui/signout")
    signed_out = app_client.get("/ui/nowhere?lang=zh", headers=ZH)
    assert signed_out.status_code == 404 and _nav(signed_out.text) == []
    assert 'class="brand"' in signed_out.text and "English" in signed_out.text


def test_pages_carry_no_script_and_a_strict_policy(app_client: TestClient) -> None:
    sign_in(app_client)
    response = app_client.get("/ui/month?period=2026-10")
    assert "script-src 'none'" in response.headers["content-security-policy"]
    assert "<script" not in response.text
    assert response.headers["cache-control"] == "no-store"


def test_no_page_or_asset_points_outside_the_server(app_client: TestClient) -> None:
    sign_in(app_client)
    paths = ["/ui/signin", "/ui/month?period=2026-10", "/ui/person/杨宝珠?period=2026-10",
             "/ui/case/26091501?period=2026-10", "/ui/registry?period=2026-10",
             "/ui/policy?period=2026-10", "/ui/downloads?period=2026-10",
             "/ui/month?period=2026-10&lang=en", "/ui/static/dashboard.css",
             "/docs", "/docs-assets/swagger-ui.css"]
    for path in paths:
        response = app_client.get(path)
        assert response.status_code == 200, path
        found = re.findall(r"https?://[^\s\"'<>)\\]+", response.text)
        # an SVG's xmlns names a namespace; nothing is fetched from it
        assert [u for u in found if u != "http://www.w3.org/2000/svg"] == [], path


def test_docs_needs_no_network(app_client: TestClient) -> None:
    page = app_client.get("/docs")
    assert page.status_code == 200
    references = re.findall(r"""(?:src|href)=["']([^"']+)["']|url: ?['"]([^'"]+)['"]""",
                            page.text)
    urls = [a or b for a, b in references]
    assert urls and all(u.startswith("/") for u in urls), urls
    for url in urls:
        assert app_client.get(url).status_code == 200, url
    assert "/docs-assets/swagger-ui-bundle.js" in urls
    assert '"validatorUrl": null' in page.text
    assert app_client.get("/redoc").status_code == 404  # it would load from a CDN
    assert app_client.get("/docs/oauth2-redirect").status_code == 200


def test_the_dashboard_is_not_in_the_api_description(app_client: TestClient) -> None:
    paths = app_client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith(("/ui", "/docs"))]


def test_every_wording_has_both_languages() -> None:
    for key, (english, chinese) in WORDS.items():
        assert english and chinese, key
        assert sorted(re.findall(r"{(\w+)}", english)) == \
            sorted(re.findall(r"{(\w+)}", chinese)), key


def test_the_month_page_lists_people_in_pinyin_order(app_client: TestClient) -> None:
    """The page sorts with the reports' `person_sort_key` (pypinyin): a romanised name
    sorts among the Chinese ones by its letters, an unresolved person last."""
    names = ["赵强", "杨宝珠", "陈立", "孙婷", "李小四", "张三", "陈小美", "王总", None, "Alice"]
    assert sorted(names, key=lambda n: person_sort_key(n, "zh")) == [
        "Alice", "陈立", "陈小美", "李小四", "孙婷", "王总", "杨宝珠", "张三", "赵强", None]
    sign_in(app_client)
    page = app_client.get("/ui/month?period=2026-10", headers=ZH).text
    shown = re.findall(r'href="/ui/person/[^"]+">([^<]+)</a>', page)
    assert shown == ["陈立", "陈小美", "李小四", "孙婷", "杨宝珠", "张三", "赵强", "周敏"]


def _unescape(text: str) -> str:
    import html
    return html.unescape(text)


def test_the_trend_agrees_with_the_api_month_by_month(app_client: TestClient) -> None:
    sign_in(app_client)
    page = app_client.get("/ui/month?period=2026-10", headers=ZH).text
    as_of = "2026-11-01T00:00:00+08:00"  # the page's as-of: every month as known then
    for month in ("2026-08", "2026-09", "2026-10"):
        query = f"period={month}&as_of={as_of.replace('+', '%2B')}"
        people = app_client.get(f"/v1/people?{query}", headers=auth("read")).json()["people"]
        count = app_client.get(f"/v1/violations?{query}", headers=auth("read")).json()["count"]
        amount = sum(p["amount"] for p in people)
        assert f"<title>{month}: {amount}</title></rect>" in page, month
        assert f"<title>{month}: {count}</title></circle>" in page, month
    assert "<title>2026-10: 870</title></rect>" in page


def test_open_duties_show_the_time_left_at_as_of(app_client: TestClient) -> None:
    sign_in(app_client)
    page = _unescape(app_client.get(
        "/ui/person/周敏?period=2026-10&as_of=2026-10-20T18:00", headers=ZH).text)
    assert "截至 2026-10-20 18:00 的未完成职责" in page
    # C1 of case 26100802 was due 2026-10-19 18:00: a day overdue at the as-of
    row = re.search(r"<tr class=\"overdue\">.*?</tr>", page, re.S)
    assert row is not None and "26100802" in row.group() and "已逾期 1 天" in row.group()
    assert "还剩 1 天" in page  # C1 of 26092101, due 2026-10-21 18:00


def test_the_pages_read_either_store(loaded: TestClient) -> None:
    """The same month from SQLite and from PostgreSQL (the `loaded` fixture runs both)."""
    sign_in(loaded)
    month = loaded.get("/ui/month?period=2026-10", headers=ZH).text
    assert "共 45 次违规，扣款 870 元，1 人当月无绩效" in month
    case = loaded.get("/ui/case/26092801?period=2026-10", headers=ZH)
    assert case.status_code == 200 and "截止未完成" in case.text


@pytest.mark.parametrize("path", [
    "/ui/month?period=2026-10&as_of=yesterday", "/ui/person/陈立?period=2026-10&as_of=yesterday",
    "/ui/case/26092801?period=2026-10&as_of=yesterday",
    "/ui/registry?period=2026-10&as_of=yesterday",
    "/ui/download/evaluation.json?period=2026-10&as_of=yesterday",
    "/ui/download/registry.xlsx?period=2026-10&as_of=yesterday"])
def test_a_bad_as_of_is_refused_in_the_page_s_language(app_client: TestClient,
                                                        path: str) -> None:
    """The API's refusal, in the words the API has for the page's language: a Chinese page
    said it in English."""
    sign_in(app_client)
    chinese = app_client.get(path, headers=ZH)
    assert chinese.status_code == 400 and "无法显示此页" in chinese.text
    assert "as_of 'yesterday' 不是 ISO 时间" in _unescape(chinese.text)
    assert "is not an ISO time" not in _unescape(chinese.text)
    english = app_client.get(path + "&lang=en", headers=EN)
    assert english.status_code == 400
    assert "as_of 'yesterday' is not an ISO time" in _unescape(english.text)
