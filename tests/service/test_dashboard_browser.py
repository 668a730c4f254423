"""The dashboard in a real browser: Debian's headless chromium, driven by Playwright.

The service runs here on 127.0.0.1 (a free port, a temporary SQLite file) with the sample
month ingested over the API. The browser signs in through the form, reads the month, clicks
through to a person and to one of their cases, and visits every other page. Any console
error, failed request, error status or request to another host fails the test, and the
Chinese headings must be drawn with a CJK font (asked of chromium itself). A screenshot of
each page goes to $POLICYENGINE_SCREENSHOTS (default: a temporary folder).

Without chromium (.ci/desktop.sh installs it) the test is skipped, except under CI=true,
where it fails: a browser set-up that silently stopped working must not pass.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from service_support import SECRETS, auth, make_config, sample_facts

from policyengine.service.app import create_app
from policyengine.service.state import ServiceConfig

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS_ENV = "POLICYENGINE_SCREENSHOTS"
VIEWPORT = {"width": 1280, "height": 800}


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}: under CI the browser tests must run (.ci/desktop.sh installs "
                    "chromium and fonts-noto-cjk; pip install -e '.[dev]' installs playwright)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed")
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is not installed")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            launched.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = tmp_path_factory.mktemp("dashboard") / "facts.db"
    yield from _serving(make_config(str(database)), sample_facts())


def _serving(service: ServiceConfig, facts: list[dict[str, Any]]) -> Iterator[str]:
    """The service on a free port of 127.0.0.1, `facts` stored over the API: its base URL
    while the generator is open."""
    import uvicorn
    port = _free_port()
    config = uvicorn.Config(create_app(service), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="on")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    stored = httpx.post(f"{base}/v1/facts/batch", json={"facts": facts},
                        headers=auth("ingest"), timeout=60)
    assert stored.status_code == 200 and stored.json()["rejected"] == 0, stored.text
    try:
        yield base
    finally:
        running.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get(SCREENSHOTS_ENV)
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class Watch:
    """Everything that went wrong in the page, as it happened."""

    base: str
    problems: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        # A download ends its navigation: chromium reports that request as aborted.
        page.on("requestfailed", lambda r: self.problems.append(
            f"request failed: {r.url} ({r.failure})")
            if not ("/ui/download/" in r.url and "ERR_ABORTED" in str(r.failure)) else None)
        page.on("response", lambda r: self.problems.append(f"HTTP {r.status}: {r.url}")
                if r.status >= 400 else None)

        def only_this_server(route: Any) -> None:
            if route.request.url.startswith(self.base + "/"):
                route.continue_()
            else:  # the pages must work on a network that reaches nothing else
                self.problems.append(f"request to another host: {route.request.url}")
                route.abort()

        page.route("**/*", only_this_server)


def _fonts_drawing(page: Any, selector: str) -> dict[str, int]:
    """The platform fonts chromium drew the element's text with: family -> glyphs."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return {f["familyName"]: int(f["glyphCount"]) for f in fonts}


def _shot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=False)


def _opened(browser: Any, base: str, viewport: dict[str, int] | None = None
            ) -> tuple[Any, Any, Watch]:
    """A new Chinese browser context on the server at `base`: it, its page, the page's
    watch."""
    context = browser.new_context(viewport=viewport or VIEWPORT, locale="zh-CN")
    page = context.new_page()
    watch = Watch(base)
    watch.attach(page)
    return context, page, watch


def _signed_in(page: Any, base: str) -> None:
    """The reader signed in on the sign-in page, and on the month overview it leads to."""
    page.goto(f"{base}/ui/signin")
    page.fill("#token", SECRETS["read"])
    page.click("button[type=submit]")
    page.wait_for_url("**/ui/month")


def test_a_reader_walks_the_dashboard(browser: Any, server: str, screenshots: Path) -> None:
    context, page, watch = _opened(browser, server)
    try:
        # No session: the month sends the reader to the sign-in form.
        page.goto(f"{server}/ui/month?period=2026-10")
        assert "/ui/signin" in page.url
        assert page.locator("h1").inner_text() == "登录"
        _shot(page, screenshots, "01-signin")
        page.fill("#token", SECRETS["read"])
        page.click("button[type=submit]")
        page.wait_for_url("**/ui/month?period=2026-10")

        # The month: Chinese heading, the figures of the sample month, the chart.
        assert page.locator("h1").inner_text() == "2026-10 月度总览"
        summary = page.locator(".summary").inner_text()
        assert "共 45 次违规" in summary and "扣款 870 元" in summary
        assert page.locator("table.people").get_by_text("杨宝珠").is_visible()
        assert page.locator("table.people tfoot").inner_text().split() == [
            "合计", "45", "870", "1"]
        assert page.locator("svg.trend rect.bar.current").count() == 1
        assert page.locator("svg.trend circle.dot").count() >= 2
        family = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
        assert family.startswith('"Noto Sans CJK SC"'), family
        drawn = _fonts_drawing(page, "h1")
        assert any("CJK" in name for name in drawn), drawn  # real CJK glyphs, no tofu
        _shot(page, screenshots, "02-month")

        # A click to a person, and from their violations to a case.
        page.locator("table.people").get_by_role("link", name="杨宝珠").click()
        page.wait_for_url("**/ui/person/**")
        assert page.locator("h1").inner_text() == "杨宝珠 — 2026-10"
        assert "合计扣款 70 元" in page.locator(".summary").inner_text()
        assert page.get_by_text("违规明细及原因").is_visible()
        assert page.locator("ol.explanation li").first.inner_text().startswith("职责 ")
        assert page.get_by_text("截至 2026-11-01 00:00 的未完成职责").is_visible()
        _shot(page, screenshots, "03-person")
        case_link = page.locator("article.violation h3 a").first
        case = case_link.inner_text()
        case_link.click()
        page.wait_for_url(f"**/ui/case/{case}**")
        assert page.locator("h1").inner_text() == f"案例 {case}"
        assert page.get_by_role("heading", name="时间线").is_visible()
        assert page.locator("tr.event.fact").count() >= 2
        assert page.locator("tr.event.violated").count() >= 1
        _shot(page, screenshots, "04-case")

        # The other pages, from the navigation bar.
        page.get_by_role("link", name="需求登记反馈表").click()
        page.wait_for_url("**/ui/registry**")
        assert page.locator("h1").inner_text() == "需求登记反馈表"
        headers = page.locator("table.report.registry thead th").all_inner_texts()
        assert headers[:4] == ["需求编号", "填表人", "需求人", "决策结果"]
        assert page.locator("table.report.registry tbody tr").count() == 26
        _shot(page, screenshots, "05-registry")
        page.get_by_role("link", name="制度版本").click()
        page.wait_for_url("**/ui/policy**")
        assert page.locator("h1").inner_text().startswith("现行制度")
        assert page.get_by_role("heading", name="与上一版本的差异").is_visible()
        _shot(page, screenshots, "06-policy")
        page.get_by_role("link", name="报表下载").click()
        page.wait_for_url("**/ui/downloads**")
        # four formats of registry, monthly, deductions, rewards (2026-Q4) and of the five
        # weeks whose Thursday is in October; the evaluation JSON and its six CSV tables
        assert page.locator("a.download").count() == (4 + 5) * 4 + 1 + 6
        with page.expect_download() as download:
            page.locator('a[href^="/ui/download/weekly.xlsx?period=2026-W43"]').click()
        assert download.value.suggested_filename == "weekly-2026-W43.xlsx"
        _shot(page, screenshots, "07-downloads")

        # English on request.
        page.get_by_role("link", name="English").click()
        page.wait_for_url("**lang=en**")
        assert page.locator("h1").inner_text() == "Downloads 2026-10"
        page.goto(f"{server}/ui/month?period=2026-10")
        assert page.locator("h1").inner_text() == "Month overview 2026-10"
        _shot(page, screenshots, "08-month-en")
        page.get_by_role("link", name="中文").click()
        page.wait_for_url("**lang=zh**")

        # The API docs, drawn from the service's own copy of Swagger UI.
        page.goto(f"{server}/docs")
        page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
        assert "policyengine" in page.locator(".swagger-ui .info .title").inner_text()
        assert page.locator(".opblock").count() >= 10
        _shot(page, screenshots, "09-api-docs")

        # Signing out ends the session.
        page.goto(f"{server}/ui/month?period=2026-10")
        page.get_by_role("button", name="退出").click()
        page.wait_for_url("**/ui/signin?out=1")
        page.goto(f"{server}/ui/month?period=2026-10")
        assert "/ui/signin" in page.url
        assert watch.problems == []
    finally:
        context.close()



# Wednesday 2 December 2026, 09:00 in Shanghai: the month of the facts below still runs.
RUNNING_NOW = datetime(2026, 12, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
RAISED = {"id": "q-1", "type": "requirement.raised", "at": "2026-12-01T10:00:00+08:00",
          "case": "26120101", "actor": "张三"}  # R1: report it by Thursday 18:00


@pytest.fixture(scope="module")
def running_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = tmp_path_factory.mktemp("running") / "facts.db"
    yield from _serving(make_config(str(database), clock=lambda: RUNNING_NOW),
                        [*sample_facts(), RAISED])


def test_a_month_not_yet_ended_is_shown_as_it_stands_now(
        browser: Any, running_server: str, screenshots: Path) -> None:
    """The page a reader opens first in a live service is the running month: it stands at
    now, says so in a notice, and lists a duty not yet due as open, not as a violation."""
    context, page, watch = _opened(browser, running_server)
    try:
        page.goto(f"{running_server}/ui/signin?next=%2Fui%2Fmonth")
        page.fill("#token", SECRETS["read"])
        page.click("button[type=submit]")
        page.wait_for_url("**/ui/month")
        assert page.locator("h1").inner_text() == "2026-12 月度总览"  # the latest fact's
        assert page.locator(".stamp").inner_text().startswith("截至 2026-12-02 09:00")
        notice = page.locator("p.running")
        assert notice.is_visible()
        assert notice.inner_text().startswith("2026-12 尚未结束：以下是截至现在的情况。")
        assert "共 0 次违规" in page.locator(".summary").inner_text()
        _shot(page, screenshots, "10-running-month")
        page.goto(f"{running_server}/ui/person/张三?period=2026-12")
        row = page.locator("tr", has_text="26120101")
        assert row.is_visible()
        assert row.inner_text().split("\t")[2:] == ["2026-12-03 18:00", "还剩 1 天 9 小时"]
        _shot(page, screenshots, "11-running-person")
        assert watch.problems == []
    finally:
        context.close()


PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_on_a_phone_no_page_scrolls_sideways(browser: Any, server: str, lang: str) -> None:
    """At a phone's width every page fits: a wide table (the registry, the policy's duties,
    the downloads) scrolls within itself, under a header as wide as the screen. The page
    itself scrolled sideways, the header a band cut short at the screen's edge."""
    context, page, watch = _opened(browser, server, PHONE)
    try:
        _signed_in(page, server)
        wide = {}
        for name in ("month", "person/杨宝珠", "case/26092801", "registry", "policy",
                     "downloads"):
            page.goto(f"{server}/ui/{name}?period=2026-10&lang={lang}")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                wide[name] = width
        assert wide == {}
        # The registry's last column is still there, a swipe of the table away.
        page.goto(f"{server}/ui/registry?period=2026-10&lang={lang}")
        table = page.locator("table.report.registry")
        assert table.evaluate("t => t.scrollWidth > t.clientWidth")
        table.evaluate("t => { t.scrollLeft = t.scrollWidth; }")
        assert page.locator("table.report.registry thead th").last.is_visible()
        assert watch.problems == []
    finally:
        context.close()


# The smallest text of the month page's visible trend chart, in CSS pixels on the screen:
# its font size times the scale the chart is drawn at (an SVG shrinks to fit its column).
SMALLEST_CHART_TEXT = """() => {
  const shown = [...document.querySelectorAll('figure.chart svg')]
    .filter(svg => getComputedStyle(svg).display !== 'none');
  return shown.map(svg => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const sizes = [...svg.querySelectorAll('text')]
      .map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
    return [svg.getAttribute('class'), Math.min(...sizes)];
  });
}"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_on_a_phone_the_trend_is_readable(browser: Any, server: str, screenshots: Path,
                                          lang: str) -> None:
    """At 390 px the wide chart (760 wide) was scaled to fit: its month labels and figures
    drawn 5 px high. A phone gets the trend as rows, a month each, its text as large as
    the page's small print; a wide screen keeps the chart."""
    context, page, watch = _opened(browser, server, PHONE)
    try:
        _signed_in(page, server)
        page.goto(f"{server}/ui/month?period=2026-10&lang={lang}")
        [(shown, smallest)] = page.evaluate(SMALLEST_CHART_TEXT)
        assert shown == "trend-rows" and smallest >= 12, (shown, smallest)
        rows = page.locator("svg.trend-rows")
        assert rows.is_visible() and not page.locator("svg.trend").is_visible()
        months = rows.locator("text.month").all_text_contents()
        assert months[0] == "2025-11" and months[-1] == "2026-10" and len(months) == 12
        assert rows.locator("text.value").last.text_content() == "870"
        assert rows.locator("text.count").last.text_content() == "45"
        box = rows.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        rows.scroll_into_view_if_needed()
        _shot(page, screenshots, f"12-phone-trend-{lang}")
        page.set_viewport_size(VIEWPORT)
        [(shown, _)] = page.evaluate(SMALLEST_CHART_TEXT)
        assert shown == "trend"  # a wide screen: the chart, bars and line
        assert watch.problems == []
    finally:
        context.close()
