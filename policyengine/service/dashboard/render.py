"""Drawing a page: the Jinja2 environment (templates shipped in the package), the words of
the page's language, and the headers every dashboard page carries."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse

from policyengine.language import Lang
from policyengine.report.document import Table
from policyengine.report.render import display
from policyengine.results import money_text
from policyengine.service.dashboard.catalogue import span, text, utc_offset, zone_name
from policyengine.service.dashboard.session import LANG_COOKIE

if TYPE_CHECKING:
    from jinja2 import Environment

# No script runs on a dashboard page and nothing is loaded from elsewhere: the browser is
# told so, which also makes a stray external URL fail loudly in the browser tests.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'none'; object-src 'none'; "
                               "img-src 'self' data:; style-src 'self'; base-uri 'none'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@cache
def _environment() -> Environment:
    # Made at the first page, not at import: Jinja2 takes ~25 ms to import, part of every
    # service start (restart to first answer, issue 10) that answers no page yet.
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("policyengine.service.dashboard", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )


def link(*segments: str, **params: str | None) -> str:
    """`/ui/person/张三?period=2026-10`: segments are quoted, empty parameters left out."""
    path = "/".join(quote(s, safe="/") if i == 0 else quote(s, safe="")
                    for i, s in enumerate(segments))
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{path}?{query}" if query else path


def page(request: Request, template: str, lang: Lang, context: Mapping[str, Any], *,
         status: int = 200, tz: Any = None) -> HTMLResponse:
    def t(key: str, **values: Any) -> str:
        return text(key, lang, **values)

    def when(moment: datetime | None) -> str:
        if moment is None:
            return ""
        local = moment.astimezone(tz) if tz is not None else moment
        return f"{local:%Y-%m-%d %H:%M}"

    def zoned(moment: datetime | None) -> str:
        """`2026-11-01 00:00（北京时间，UTC+8）`: a time with its zone and offset there."""
        if moment is None:
            return ""
        local = moment.astimezone(tz) if tz is not None else moment
        key = getattr(local.tzinfo, "key", None) or local.tzname() or "UTC"
        return text("frame.zoned", lang, time=f"{local:%Y-%m-%d %H:%M}",
                    zone=zone_name(key, lang), offset=utc_offset(local.utcoffset()))

    def money(amount: Decimal | None) -> str:
        return money_text(amount)

    other: Lang = "en" if lang == "zh" else "zh"
    params = {k: v for k, v in request.query_params.items() if k != "lang"}
    switch = link(request.url.path, **params, lang=other)
    html = _environment().get_template(template).render(
        t=t, when=when, zoned=zoned, report=display, cents=_cents, money=money,
        span=lambda d: span(d, lang), link=link, lang=lang,
        switch_language=switch, request_path=request.url.path, **context)
    response = HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
    chosen = request.query_params.get("lang")
    if chosen in ("zh", "en"):
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 24 * 3600, httponly=True,
                            samesite="strict", path="/ui")
    return response


def _cents(table: Table) -> list[bool]:
    """Per column of a report table: whether its amounts show cents (not all whole yuan)."""
    return [not display.whole_yuan(table, index) for index in range(len(table.columns))]
