"""The dashboard's routes under /ui: sign-in, the pages, the downloads.

Pages read through the service (`views.evaluate`: the same checks and the same result cache
as the API), so a page and /v1 agree for the same period and as-of. A page of a month not yet
ended stands at now unless an as-of is asked for (`running_as_of`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from policyengine.engine.casefile import case_file
from policyengine.errors import PolicyEngineError, UsageError
from policyengine.language import Lang
from policyengine.periods import Period
from policyengine.report import formats
from policyengine.report.builders import default_as_of
from policyengine.report.document import ReportKind
from policyengine.service import views
from policyengine.service.dashboard import pages, policyview, rulebook
from policyengine.service.dashboard.catalogue import text
from policyengine.service.dashboard.chart import trend_rows_svg, trend_svg
from policyengine.service.dashboard.documents import (
    FORMATS,
    MEDIA_TYPES,
    PERIOD_KINDS,
    quarter_of,
    registry_document,
    render_report,
    weeks_of,
)
from policyengine.service.dashboard.render import link, page
from policyengine.service.dashboard.session import (
    COOKIE,
    SESSION_HOURS,
    Sessions,
    form_field,
    is_https,
    page_language,
)
from policyengine.service.http import ApiError
from policyengine.service.state import Live, Service
from policyengine.wording import Glossary

PREFIX = "/ui"
T = TypeVar("T")
STATIC = Path(__file__).parent / "static"


class SignInNeeded(Exception):
    """No valid session: the page answers with a redirect to the sign-in form."""


class PageError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def install(app: FastAPI, svc: Service) -> None:
    """Mount the dashboard at /ui on the service's app: an app of its own, so its pages,
    error pages and stylesheet stay apart from the API's routes, errors and description."""
    ui = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    ui.mount("/static", StaticFiles(directory=STATIC), name="static")
    sessions = Sessions()
    router = APIRouter(include_in_schema=False)

    def at(period: Period, as_of: str | None, default: datetime | None = None) -> str | None:
        """The as-of a page of `period` evaluates at: the one asked for, else now while its
        own default moment (`default`, else the period's end) is still to come."""
        if as_of is not None:
            return as_of
        tz = svc.live.policy.calendar.tz
        return running_as_of(default or period.end_at(tz), tz, svc.config.clock())

    def language(request: Request) -> Lang:
        return page_language(request, svc.live.policy.model.policy.language)

    def signed_in(request: Request) -> str:
        name = sessions.reader(request.cookies.get(COOKIE), svc.config.tokens)
        if name is None:
            raise SignInNeeded()
        return name

    def show(request: Request, template: str, context: dict[str, Any], *,
             status: int = 200) -> Response:
        live = svc.live
        policy = live.policy.model.policy
        lang = language(request)
        names = context.get("names") or pages.names_of(live.policy.model)
        return page(request, template, lang, {
            "user": context.pop("user", None),
            "title": lambda key, fallback="": pages.rule_title(names, key, fallback, lang),
            "policy_name": policy.name_en if lang == "en" and policy.name_en else policy.name,
            "policy_version": policy.version, "period": None, "as_of_text": None,
            **context}, status=status, tz=live.policy.calendar.tz)

    async def sign_in_needed(request: Request, exc: Exception) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(link(f"{PREFIX}/signin", next=target), status_code=303)

    def error_page(request: Request, message: str, status: int) -> Response:
        """An error page in the site's frame: the navigation bar and the sign-out button
        of a signed-in reader (their links keep the month asked for, when it is one), so
        the reader gets back from where they are, in the page's language."""
        user = sessions.reader(request.cookies.get(COOKIE), svc.config.tokens)
        return show(request, "error.html", {
            "message": message, "user": user,
            "period": _month_label(request.query_params.get("period"))}, status=status)

    async def page_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageError)
        return error_page(request, exc.message, exc.status)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        message = (text("error.not_found", language(request), path=request.url.path)
                   if exc.status_code == 404 else str(exc.detail))
        return error_page(request, message, exc.status_code)

    ui.add_exception_handler(SignInNeeded, sign_in_needed)
    ui.add_exception_handler(PageError, page_error)
    ui.add_exception_handler(StarletteHTTPException, http_error)

    # --- signing in and out ---------------------------------------------------------------

    @router.get("/signin")
    def sign_in_form(request: Request, next: str = "", out: str = "") -> Response:
        return show(request, "signin.html", {"next": _safe_next(next), "problem": None,
                                             "signed_out": out == "1"})

    @router.post("/signin")
    async def sign_in(request: Request) -> Response:
        body = await request.body()
        secret, target = form_field(body, "token"), _safe_next(form_field(body, "next"))
        token = svc.config.tokens.authenticate(secret) if secret else None
        lang = language(request)
        problem = (text("signin.empty", lang) if not secret
                   else text("signin.bad", lang) if token is None
                   else text("signin.scope", lang, name=token.name)
                   if "read" not in token.scopes else None)
        if problem is not None or token is None:
            return show(request, "signin.html", {"next": target, "problem": problem,
                                                 "signed_out": False},
                        status=401 if secret else 400)
        response = RedirectResponse(target or f"{PREFIX}/month", status_code=303)
        response.set_cookie(COOKIE, sessions.open(token.name), max_age=SESSION_HOURS * 3600,
                            path=PREFIX, httponly=True, samesite="strict",
                            secure=is_https(request))
        return response

    @router.post("/signout")
    def sign_out(request: Request) -> Response:
        sessions.close(request.cookies.get(COOKIE))
        response = RedirectResponse(link(f"{PREFIX}/signin", out="1"), status_code=303)
        response.delete_cookie(COOKIE, path=PREFIX, httponly=True, samesite="strict",
                               secure=is_https(request))
        return response

    # --- pages ----------------------------------------------------------------------------

    @router.get("/")
    def home(request: Request) -> Response:
        signed_in(request)
        return RedirectResponse(f"{PREFIX}/month", status_code=303)

    @router.get("/month")
    def month(request: Request, period: str | None = None, as_of: str | None = None) -> Response:
        user = signed_in(request)
        live = svc.live
        chosen = _month(live, period, language(request))
        result = _evaluate(live, chosen.label, at(chosen, as_of), language(request))
        lang = language(request)
        points = pages.trend(live.results, chosen, result, live.policy.calendar.tz)
        labels = {"amount_label": text("month.trend_amount", lang),
                  "count_label": text("month.trend_count", lang),
                  "gap_label": text("month.trend_gap", lang),
                  "future_label": text("month.trend_future", lang),
                  "title": text("month.trend", lang)}
        chart = trend_svg(points, **labels) + "\n" + trend_rows_svg(points, **labels)
        return show(request, "month.html", {
            "user": user, **_window(result, chosen, as_of, live),
            "people": pages.people_in_order(result, lang), "totals": pages.totals(result),
            "chart": chart, "previous": pages.month_before(chosen).label,
            "next": pages.month_after(chosen).label})

    @router.get("/person/{person}")
    def person(request: Request, person: str, period: str | None = None,
               as_of: str | None = None) -> Response:
        user = signed_in(request)
        live = svc.live
        chosen = _month(live, period, language(request))
        result = _evaluate(live, chosen.label, at(chosen, as_of), language(request))
        lang = language(request)
        mine = pages.violations_of(result, person)
        open_duties = pages.open_duties(result, person)
        known = bool(mine or open_duties or result.person(person)) \
            or pages.named_in(live.mirror.every_fact()[1], person)
        return show(request, "person.html", {
            "user": user, **_window(result, chosen, as_of, live), "person": person,
            "total": result.person(person), "known": known,
            "people": [] if known else pages.people_in_order(result, lang),
            "violations": [(v, pages.charge_text(v, lang)) for v in mine],
            "open": open_duties, "names": pages.names_of(live.policy.model),
            "caseless": lambda duty: pages.caseless_label(live.policy.model, duty, lang)},
            status=200 if known else 404)  # the page still says why, in words

    @router.get("/case/{case}")
    async def case(request: Request, case: str, period: str | None = None,
                   as_of: str | None = None) -> Response:
        user = signed_in(request)
        live = svc.live
        chosen = _month(live, period, language(request))
        result = await run_in_threadpool(_evaluate, live, chosen.label, at(chosen, as_of),
                                         language(request))
        facts = live.mirror.every_fact()[1]
        found = await run_in_threadpool(case_file, live.policy, facts, case, result.as_of)
        lang = language(request)
        names = pages.names_of(live.policy.model)
        return show(request, "case.html", {
            "user": user, **_window(result, chosen, as_of, live), "case": case, "found": found,
            "events": pages.timeline(live.policy.model, found, lang, names), "names": names},
            status=200 if found.facts else 404)  # the page still says why, in words

    @router.get("/registry")
    def registry(request: Request, period: str | None = None,
                 as_of: str | None = None) -> Response:
        user = signed_in(request)
        live = svc.live
        chosen = _month(live, period, language(request))
        result = _evaluate(live, chosen.label, at(chosen, as_of), language(request))
        document = _built(language(request), ReportKind.REGISTRY, chosen, registry_document,
                          live.policy, live.mirror.every_fact()[1], chosen, result.as_of,
                          language(request))
        return show(request, "registry.html", {
            "user": user, **_window(result, chosen, as_of, live), "document": document})

    @router.get("/policy")
    async def policy(request: Request, period: str | None = None) -> Response:
        user = signed_in(request)
        live = svc.live
        chosen = _month(live, period, language(request))
        lang = language(request)
        today = datetime.now(live.policy.calendar.tz).date()  # the edge: the wall clock
        identity = live.policy.identity
        previous = await run_in_threadpool(
            policyview.previous_revision, Path(svc.config.policy_path), live.policy.model,
            identity.content_hash if identity else "")
        effect = None
        if previous is not None:
            live.mirror.refresh()
            count, facts = live.mirror.every_fact()
            effect = await run_in_threadpool(
                policyview.effect_on_month, previous, live.results, facts, count, chosen)
        model = live.policy.model
        return show(request, "policy.html", {
            "user": user, "period": chosen.label, "as_of_text": None, "today": today,
            "identity": identity, "loaded_at": live.loaded_at, "info": model.policy,
            "penalties": policyview.penalty_rows(model, today, lang),
            "rewards": policyview.reward_rows(model, today, lang),
            "deadlines": policyview.deadline_rows(live.policy, today, lang),
            "duties": rulebook.duty_rows(live.policy, lang),
            "prohibitions": rulebook.prohibition_rows(model, lang),
            "decisions": rulebook.decision_tables(model, lang),
            "previous": previous,
            "changes": (policyview.model_changes(previous.model, model)
                        if previous is not None else []),
            "effect": effect})

    @router.get("/downloads")
    def downloads(request: Request, period: str | None = None,
                  as_of: str | None = None) -> Response:
        user = signed_in(request)
        live = svc.live
        chosen = _month(live, period, language(request))
        offered = {"month": [chosen], "week": weeks_of(chosen), "quarter": [quarter_of(chosen)]}
        return show(request, "downloads.html", {
            "user": user, "period": chosen.label, "as_of": as_of, "as_of_text": None,
            "reports": [(kind, offered[PERIOD_KINDS[kind]]) for kind in ReportKind],
            "formats": FORMATS, "tables": formats.CSV_TABLES})

    @router.get("/download/{filename}")
    async def download(request: Request, filename: str, period: str | None = None,
                       as_of: str | None = None) -> Response:
        signed_in(request)
        live = svc.live
        lang = language(request)
        name, _, fmt = filename.rpartition(".")
        table = name.removeprefix("evaluation-")
        if name in set(ReportKind) and fmt in FORMATS:
            kind = ReportKind(name)
            chosen = _report_period(live, kind, period, lang)
            default = _built(lang, kind, chosen, default_as_of, kind, live.policy, chosen)
            moment = _as_of(live, at(chosen, as_of, default), language(request))
            live.mirror.refresh()
            body = await run_in_threadpool(
                _built, lang, kind, chosen, render_report, kind, fmt, live.policy,
                live.mirror.every_fact()[1], chosen, moment, lang)
            media = MEDIA_TYPES[fmt]
        elif (name == "evaluation" and fmt == "json") or (
                name.startswith("evaluation-") and fmt == "csv" and table in formats.CSV_TABLES):
            chosen = _month(live, period, lang)
            result = await run_in_threadpool(_evaluate, live, chosen.label, at(chosen, as_of),
                                             lang)
            body = (formats.to_json(result, Glossary.of(live.policy.model)) if fmt == "json"
                    else formats.to_csv(result, table, lang=lang,  # in the page's language
                                        roles=formats.role_names(live.policy, lang))
                    ).encode("utf-8")
            media = MEDIA_TYPES[fmt]
        else:
            raise PageError(404, text("downloads.unknown", lang, name=filename,
                                      kinds=", ".join(ReportKind), formats=", ".join(FORMATS)))
        saved = f"{name}-{chosen.label}.{fmt}"
        return Response(body, media_type=media, headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(saved)}",
            "Cache-Control": "no-store"})

    ui.include_router(router)
    app.mount(PREFIX, ui)


def _safe_next(target: str) -> str:
    """Only a page of the dashboard: never another site (an open redirect)."""
    return target if target.startswith(f"{PREFIX}/") and not target.startswith("//") else ""


def _month_label(period: str | None) -> str | None:
    """`period` when it is a month (YYYY-MM), else None: what an error page's links keep."""
    try:
        parsed = Period.parse(period) if period else None
    except (UsageError, ValueError):
        parsed = None
    return None if parsed is None or parsed.is_quarter or parsed.is_week else parsed.label


def _month(live: Live, period: str | None, lang: Lang) -> Period:
    """The month asked for, else the month of the latest stored fact, else this month."""
    if period:
        try:
            parsed, _ = views.when(live, period, None)
        except ApiError:
            parsed = None
        if parsed is None or parsed.is_quarter:
            raise PageError(400, text("error.period", lang, period=period))
        return parsed
    live.mirror.refresh()
    _, facts = live.mirror.every_fact()
    tz = live.policy.calendar.tz
    latest = max((f.at for f in facts), default=None)
    moment = latest.astimezone(tz) if latest is not None else datetime.now(tz)
    return Period.month(moment.year, moment.month)


def _report_period(live: Live, kind: ReportKind, period: str | None, lang: Lang) -> Period:
    """The report's own period: a month, an ISO week or a quarter, as the kind takes
    (default: the month of the latest fact, its first offered week or its quarter)."""
    wanted = PERIOD_KINDS[kind]
    if not period:
        month = _month(live, None, lang)
        return {"month": month, "week": (weeks_of(month) or [month])[0],
                "quarter": quarter_of(month)}[wanted]
    try:
        parsed = Period.parse(period)
    except (UsageError, ValueError):
        parsed = None
    shape = None if parsed is None else ("quarter" if parsed.is_quarter else
                                         "week" if parsed.is_week else "month")
    if parsed is None or shape != wanted or not 1900 <= parsed.start.year <= 2999:
        raise PageError(400, text("error.report_period", lang, period=period,
                                  report=text(f"kind.{kind.value}", lang),
                                  form=text(f"form.{wanted}", lang)))
    return parsed


def _as_of(live: Live, as_of: str | None, lang: Lang) -> datetime | None:
    """The as-of asked for, checked as the API checks it (its refusal worded in the page's
    language); none: the report's own default."""
    if as_of is None:
        return None
    try:
        return views.when(live, None, as_of)[1]
    except ApiError as exc:
        raise PageError(exc.status, exc.worded(lang)) from None


def _built(lang: Lang, kind: ReportKind, period: Period, make: Callable[..., T],
           *args: Any) -> T:
    """`make(*args)`, with a report that cannot be built (the policy lacks the rule book's
    vocabulary, a year without calendar data) as a 422 page naming the report and period."""
    try:
        return make(*args)
    except (PolicyEngineError, ValueError) as exc:
        raise PageError(422, text("error.report", lang, report=text(f"kind.{kind.value}", lang),
                                  period=period.label, detail=str(exc))) from None


def _evaluate(live: Live, period: str, as_of: str | None, lang: Lang) -> Any:
    """The evaluation as the API reads it; a refusal (a bad as_of, a year without calendar
    data) worded in the page's language, as the API words it for that language."""
    try:
        return views.evaluate(live, period, as_of)
    except ApiError as exc:
        raise PageError(exc.status, exc.worded(lang)) from None


def _window(result: Any, period: Period, as_of: str | None, live: Live) -> dict[str, Any]:
    """What every page of a month shows of its window. `as_of`: the one asked for, kept in
    the page's links (none: each page stands at its own default)."""
    return {"period": period.label, "as_of": as_of, "result": result,
            "as_of_text": result.as_of,
            "phase": month_phase(period, result.as_of, as_of is None, live.policy.calendar.tz),
            "starts": period.start.isoformat()}


def month_phase(period: Period, moment: datetime, at_now: bool, tz: ZoneInfo) -> str:
    """Where the page's month stands at the page's as-of (`moment`): `not_started` before
    its first day (a month to come has nothing due yet: no figures to show, not a month
    "in progress"), `running` while a page standing at now (`at_now`) is inside it, else
    `ended` (or an as-of asked for inside it: the page is the month as it stood then)."""
    if moment < period.start_at(tz):
        return "not_started"
    return "running" if at_now and moment < period.end_at(tz) else "ended"


def running_as_of(default: datetime, tz: ZoneInfo, now: datetime) -> str | None:
    """The as-of of a page when none is asked for, `default` being the moment it stands at
    otherwise (a month's end, a weekly report's deadline): now (to the minute, so pages read
    within a minute share one evaluation) while that moment is still to come; None once it
    has passed (the page then stands at it, as /v1 and the CLI do). At its end, a running
    month would show every duty not yet due as missed."""
    moment = now.astimezone(tz).replace(second=0, microsecond=0)
    return moment.isoformat() if moment < default else None
