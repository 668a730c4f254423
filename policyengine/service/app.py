"""The HTTP API: append facts, read results, see the policy in force. `create_app(config)`.

Routes live under /v1. Every route but /v1/health and the OpenAPI description needs a
bearer token holding the route's scope: ingest (POST facts), read (GET results, facts and
the policy) or admin (status, policy reload).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import Scope

from policyengine import __version__
from policyengine.errors import FactError, PolicyError, UsageError
from policyengine.gcpause import gc_paused
from policyengine.language import LANGUAGES, Lang
from policyengine.report import icalendar
from policyengine.service import dashboard, ingest, openapi, views
from policyengine.service.auth import SCOPES, Token
from policyengine.service.http import ApiError, BodyLimit, Json, scope_language
from policyengine.service.messages import message
from policyengine.service.query import strict_query
from policyengine.service.state import Service, ServiceConfig
from policyengine.service.store import StoreUnavailable
from policyengine.wording import Glossary

log = logging.getLogger("policyengine.service")

_bearer = HTTPBearer(auto_error=False, description="a token from the tokens file")


def create_app(config: ServiceConfig, *, service: Service | None = None,
               warm: bool = False) -> FastAPI:
    """The API over the policy and database of `config`. `warm`: read every stored fact
    into memory and replay the cases in the background, at start-up and whenever ingest
    pauses (service/warmer.py), so a read finds that work done."""
    svc = service if service is not None else Service(config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            svc.warmer.start()
        svc.webhooks.start()
        yield
        svc.close()  # the connections; they reopen if the app is started again

    app = FastAPI(
        title="policyengine",
        version=__version__,
        summary="Append workflow facts; read violations, open obligations and totals under "
                "the policy in force.",
        description=_DESCRIPTION,
        lifespan=lifespan,
        default_response_class=Json,
        docs_url=None, redoc_url=None,  # /docs is the dashboard's: no CDN
        dependencies=[Depends(strict_query)],  # unknown query parameters: 400 (query.py)
    )
    app.state.service = svc
    app.add_middleware(BodyLimit, limit=config.max_body_bytes,
                       language=lambda scope: language(svc, scope))
    _handlers(app, svc)
    _routes(app, svc, config)
    _webhook_routes(app, svc)
    dashboard.install(app, svc)
    _describe_errors_as_they_are(app)
    return app


def language(svc: Service, scope: Scope) -> Lang:
    """The language of a request's messages: ?lang=, Accept-Language, the policy's."""
    return scope_language(scope, svc.live.policy.model.policy.language)


LANG_PARAMETER = {
    "name": "lang", "in": "query", "required": False,
    "description": "the language of error messages: zh or en (default: the Accept-Language "
                   "header, else the policy's language)",
    "schema": {"type": "string", "enum": list(LANGUAGES)}}


def _describe_errors_as_they_are(app: FastAPI) -> None:
    """FastAPI documents a 422 `HTTPValidationError` on every route with parameters; this
    API answers a bad parameter with a 400 `ErrorBody` instead, so those entries go. Every
    route can answer an error (an unknown query parameter: query.py), so every one takes
    `lang`."""
    build = app.openapi

    def description() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = build()
        for item in document.get("paths", {}).values():
            for operation in item.values():
                answer = operation.get("responses", {}).get("422", {})
                if "HTTPValidationError" in json.dumps(answer):
                    del operation["responses"]["422"]
                operation.setdefault("parameters", []).append(LANG_PARAMETER)
        schemas = document.get("components", {}).get("schemas", {})
        if "HTTPValidationError" not in json.dumps(document.get("paths", {})):
            for name in ("HTTPValidationError", "ValidationError"):
                schemas.pop(name, None)
        app.openapi_schema = document
        return document

    app.openapi = description  # type: ignore[method-assign]


_DESCRIPTION = """\
Facts are appended, never changed. Every fact needs an `id`: a fact sent again with the
same id and content is stored once; a different fact under a stored id is refused.
Results are computed by the same engine as `policyengine evaluate`, over every stored fact,
for a `period` (YYYY-MM or YYYY-Qn) and/or `as_of` (an ISO time, or `now`); with only a
period, `as_of` is the end of the period.

Send `Authorization: Bearer <token>`. Scopes: `ingest` (POST facts), `read` (results,
facts, the policy), `admin` (status, policy reload, webhook subscriptions). Errors are
`{"error": {"code": ..., "message": ...}}`; a rejected fact lists the same errors
`policyengine evaluate` prints for it. Messages are in Chinese or English: `?lang=zh|en`,
else the `Accept-Language` header, else the policy's language; codes are the same in both.
"""


def _handlers(app: FastAPI, svc: Service) -> None:
    def answer(request: Request, error: ApiError) -> Response:
        return error.response(language(svc, request.scope))

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return answer(request, exc)

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg')}"
            for e in exc.errors())
        words = (message("request.invalid", problems=problems) if problems
                 else message("request.invalid.empty"))
        return answer(request, ApiError(400, "E-REQUEST", words))

    async def unavailable(request: Request, exc: Exception) -> Response:
        log.error("store unavailable: %s", exc)
        return answer(request, ApiError(503, "E-STORE-UNAVAILABLE",
                                        message("store.unavailable", detail=str(exc))))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code = {404: "E-NOT-FOUND", 405: "E-METHOD"}.get(exc.status_code, "E-HTTP")
        path, method = request.url.path, request.method
        words = (message("http.not_found", path=path) if exc.status_code == 404
                 else message("http.method", method=method, path=path)
                 if exc.status_code == 405 else message("http.other", detail=str(exc.detail)))
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed(request.app.routes, path))
        return answer(request, ApiError(exc.status_code, code, words, headers=headers))

    async def gone(request: Request, exc: Exception) -> Response:
        # The client went away before sending its whole body (or was cut off by the body
        # deadline): nothing was stored, and no one is left to answer. One line, no trace.
        client = request.client
        log.info("client %s left before sending the whole body of %s %s; nothing was stored",
                 f"{client.host}:{client.port}" if client else "?", request.method,
                 request.url.path)
        return Response(status_code=400)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StoreUnavailable, unavailable)
    app.add_exception_handler(ClientDisconnect, gone)


def _allowed(routes: list[Any], path: str) -> list[str]:
    """Every method of the routes of `path` (Starlette names the first route's only): those
    of a route written out in full (`/v1/facts/batch`) before a template that also matches
    (`/v1/facts/{fact_id}`)."""
    matching = [r for r in routes if isinstance(r, APIRoute) and r.path_regex.match(path)]
    literal = [r for r in matching if "{" not in r.path]
    return sorted({m for r in literal or matching for m in r.methods or ()})


def _require(scope: str, *, feed: bool = False) -> Callable[..., Token]:
    """`feed`: a calendar app cannot send a header, so the route also takes `?token=`,
    which must then be a token of the feed scope (never a read token: URLs get logged)."""
    def check(request: Request, credentials: Annotated[
            HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Token:
        svc: Service = request.app.state.service
        needed, secret = scope, credentials.credentials if credentials else None
        if feed and credentials is None and "token" in request.query_params:
            needed, secret = "feed", request.query_params["token"]
        if secret is None:
            given = request.headers.get("authorization")
            raise ApiError(401, "E-AUTH-MISSING",
                           message("auth.malformed" if given else "auth.missing"),
                           headers={"WWW-Authenticate": "Bearer"})
        token = svc.config.tokens.authenticate(secret)
        if token is None:
            raise ApiError(401, "E-AUTH-INVALID", message("auth.invalid"),
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        where = {"method": request.method, "path": request.url.path}
        if needed not in token.scopes:
            raise ApiError(403, "E-AUTH-SCOPE", message(
                "auth.scope", name=token.name, held=", ".join(sorted(token.scopes)),
                scope=needed, **where))
        return token
    return check


Ingester = Annotated[Token, Depends(_require("ingest"))]
Reader = Annotated[Token, Depends(_require("read"))]
Admin = Annotated[Token, Depends(_require("admin"))]
FeedReader = Annotated[Token, Depends(_require("read", feed=True))]
PeriodQ = Annotated[str | None, Query(
    description="a month YYYY-MM or a quarter YYYY-Qn: violations whose deadline falls in it",
    examples=["2026-10"], json_schema_extra={"pattern": views.PERIOD_PATTERN})]
Flag = Literal["true", "false"]
AsOfQ = Annotated[str | None, Query(
    description="the moment the evaluation stands at: ISO 8601 (no offset: the policy's "
                "zone) or `now`; default: the end of the period; facts after it are not seen",
    examples=["2026-10-20T18:00:00+08:00"])]
PersonQ = Annotated[str | None, Query(description="only this person's")]


def _routes(app: FastAPI, svc: Service, config: ServiceConfig) -> None:
    errs = openapi.errors

    @app.get("/v1/health", response_model=openapi.Health, tags=["service"],
             responses=errs(400), openapi_extra={"security": []})
    def health() -> Response:
        """Whether the service runs (no token needed; tells nothing about the data)."""
        return Json({"status": "ok"})

    @app.get("/v1/policy", response_model=openapi.PolicyInfo, tags=["policy"],
             responses=errs(400, 401, 403))
    def policy_in_force(token: Reader) -> Response:
        """The policy in force: its id, version and identity (content hash, files, git
        revision), fact types and duties."""
        return Json(views.policy_info(svc.live))

    fact_body = openapi.fact_schema(svc.live.policy)

    @app.post("/v1/facts", status_code=201, tags=["facts"], response_model=openapi.ItemResult,
              responses={200: {"model": openapi.ItemResult,
                               "description": "the same fact was already stored: stored once"},
                         409: {"model": openapi.ItemResult,
                               "description": "a different fact is stored under this id"},
                         422: {"model": openapi.ItemResult,
                               "description": "the fact is not valid under the policy"},
                         **errs(400, 401, 403, 413, 503)},
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/json": {"schema": fact_body}}}})
    async def append_one(request: Request, token: Ingester) -> Response:
        """Append one fact. 201: stored (committed to disk before this answer)."""
        value, error = ingest.parse_json(await request.body())
        rows: list[ingest.Row] = [(None, value, error)]
        items, _ = await run_in_threadpool(views.append, svc, rows, token.name, False)
        item = items[0]
        status = {"stored": 201, "duplicate": 200}.get(item.status, 422)
        if item.status == "rejected" and any(e.code == "E-FACT-DUPLICATE-ID"
                                             for e in item.errors):
            status = 409
        return Json(item.to_dict(language(svc, request.scope)), status_code=status)

    batch_body = {"type": "object", "required": ["facts"], "additionalProperties": False,
                  "properties": {"facts": {"type": "array", "items": fact_body,
                                           "maxItems": config.max_batch}}}

    @app.post("/v1/facts/batch", tags=["facts"], response_model=openapi.BatchResult,
              responses={422: {"model": openapi.BatchResult,
                               "description": "atomic=true and some fact was rejected: "
                                              "nothing was stored"},
                         **errs(400, 401, 403, 413, 503)},
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/json": {"schema": batch_body},
                  "application/x-ndjson": {"schema": {
                      "type": "string", "description": "one fact per line (JSON Lines)"}}}}})
    async def append_batch(
        request: Request, token: Ingester,
        atomic: Annotated[Flag, Query(description="store nothing if any fact is rejected")]
        = "false",
    ) -> Response:
        """Append a batch: `{"facts": [...]}`, a JSON array, or JSON Lines (Content-Type
        application/x-ndjson). Each fact gets its verdict: stored, duplicate (already
        stored), rejected (with the CLI's errors), or not_stored (atomic batch refused).
        The stored ones are committed to disk before this answer."""
        body = await request.body()
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        rows = views.batch_rows(body, content_type, config.max_batch)
        all_or_nothing = atomic == "true"
        items, committed = await run_in_threadpool(views.append, svc, rows, token.name,
                                                   all_or_nothing)
        tally = ingest.counts(items)
        lang = language(svc, request.scope)
        document = {**tally, "results": [i.to_dict(lang) for i in items]}
        refused = all_or_nothing and (not committed or tally["rejected"] > 0)
        return Json(document, status_code=422 if refused else 200)

    @app.get("/v1/facts/{fact_id:path}", response_model=openapi.StoredFactOut, tags=["facts"],
             responses=errs(400, 401, 403, 404, 503))
    def stored_fact(fact_id: Annotated[str, Path(description="the fact's id")],
                    token: Reader) -> Response:
        """One stored fact, as it was received, with when and from which token."""
        found = svc.store.get(fact_id)
        if found is None:
            raise ApiError(404, "E-NOT-FOUND", message("fact.not_found", id=fact_id))
        return Json({"id": found.id, "seq": found.seq, "received_at": found.received_at
                     .isoformat(), "sender": found.sender, "fact": json.loads(found.raw)})

    window_errors = errs(400, 401, 403, 409, 503)

    @app.get("/v1/report", response_model=openapi.Report, tags=["results"],
             responses=window_errors)
    def report(token: Reader, period: PeriodQ = None, as_of: AsOfQ = None) -> Response:
        """The whole evaluation, exactly as `policyengine evaluate --format json` prints it
        (without its `rejected` count: the store holds only valid facts)."""
        result = views.evaluate(svc.live, period, as_of)
        return Json(result.to_dict(Glossary.of(svc.live.policy.model)))

    @app.get("/v1/violations", response_model=openapi.ViolationList, tags=["results"],
             responses=window_errors)
    def violations(
        token: Reader, period: PeriodQ = None, as_of: AsOfQ = None, person: PersonQ = None,
        duty: Annotated[str | None, Query(description="only this duty's")] = None,
        case: Annotated[str | None, Query(description="only this case's")] = None,
    ) -> Response:
        """Violations: duties missed or done late, with the penalty charged and how the
        deadline was computed. Each has an `id` for /v1/violations/{id}."""
        live = svc.live
        result = views.evaluate(live, period, as_of)
        found = views.violations(result, lambda v: (person is None or v.person == person)
                            and (duty is None or v.duty == duty)
                            and (case is None or v.case == case), rows=live.rows)
        return Json({**views.window(result, person), "count": len(found), "violations": found})

    @app.get("/v1/violations/{violation_id:path}", response_model=openapi.Violation,
             tags=["results"], responses=errs(400, 401, 403, 404, 409, 503))
    def violation(violation_id: str, token: Reader, period: PeriodQ = None,
                  as_of: AsOfQ = None) -> Response:
        """One violation, with its explanation (give the same period / as_of it was read
        with)."""
        return Json(views.find_violation(svc.live, violation_id, period, as_of))

    @app.get("/v1/explanations/{violation_id:path}", response_model=openapi.Explanation,
             tags=["results"], responses=errs(400, 401, 403, 404, 409, 503))
    def explanation(violation_id: str, token: Reader, period: PeriodQ = None,
                    as_of: AsOfQ = None) -> Response:
        """How one violation's deadline and verdict were reached, step by step."""
        found = views.find_violation(svc.live, violation_id, period, as_of)
        out = {key: found[key] for key in ("id", "duty", "case", "person", "due")}
        out.update({key: value for key, value in found.items()
                    if key.startswith("explanation")})
        return Json(out)

    @app.get("/v1/obligations", response_model=openapi.ObligationList, tags=["results"],
             responses=window_errors)
    def obligations(
        token: Reader, period: PeriodQ = None, as_of: AsOfQ = None, person: PersonQ = None,
        overdue: Annotated[Flag | None, Query(description="only overdue (true) or only "
                                                          "not yet due (false)")] = None,
    ) -> Response:
        """Open obligations at `as_of`: who owes what, by when, and whether it is overdue.
        Those whose deadline waits for a calendar year not yet published are in `pending`."""
        result = views.evaluate(svc.live, period, as_of)
        found = [o.to_dict() for o in result.obligations
                 if (person is None or o.person == person)
                 and (overdue is None or o.overdue == (overdue == "true"))]
        return Json({**views.window(result, person), "count": len(found),
                     "obligations": found})

    @app.get("/v1/people", response_model=openapi.PeopleList, tags=["results"],
             responses=window_errors)
    def people(token: Reader, period: PeriodQ = None, as_of: AsOfQ = None) -> Response:
        """Per-person totals: the amount charged, forfeits, violations, and each rule's line."""
        result = views.evaluate(svc.live, period, as_of)
        return Json({**views.window(result), "people": [p.to_dict() for p in result.people]})

    @app.get("/v1/people/{person}", response_model=openapi.PersonView, tags=["results"],
             responses=window_errors)
    def person_view(person: str, token: Reader, period: PeriodQ = None,
                    as_of: AsOfQ = None) -> Response:
        """One person's period: their total (null if nothing charged), their violations,
        their open obligations and those pending calendar data."""
        live = svc.live
        result = views.evaluate(live, period, as_of, person)
        total = result.person(person)
        with gc_paused():  # a busy month renders thousands of rows: no collection midway
            return Json({**views.window(result, person), "person": person,
                         "total": total.to_dict() if total is not None else None,
                         "violations": views.violations(result, lambda v: v.person == person,
                                                         rows=live.rows),
                         "obligations": views.obligations(result, person, live.rows)})

    @app.get("/v1/people/{person}/duties.ics", tags=["results"], response_class=Response,
             responses={200: {"description": "an iCalendar feed (RFC 5545)", "content": {
                 icalendar.MEDIA_TYPE: {"schema": {"type": "string"}}}},
                 **errs(400, 401, 403, 409, 503)})
    def duties_feed(
        request: Request, person: str, token: FeedReader, as_of: AsOfQ = None,
        feed_token: Annotated[str | None, Query(
            alias="token", description="a token of the feed scope, for a calendar app that "
                                       "cannot send the Authorization header")] = None,
    ) -> Response:
        """One person's open duties as an iCalendar feed a calendar app subscribes to: one
        event per open duty at its deadline (default as-of: now, to the minute), and
        all-day events for the duties pending calendar data. The bearer token needs the
        read scope; `?token=` takes only a token of the feed scope."""
        text = views.duties_feed(svc.live, person, as_of, language(svc, request.scope))
        return Response(text.encode("utf-8"), media_type=icalendar.MEDIA_TYPE,
                        headers={"Cache-Control": "private, max-age=60"})

    @app.get("/v1/admin/status", response_model=openapi.AdminStatus, tags=["admin"],
             responses=errs(400, 401, 403, 503))
    def status(token: Admin) -> Response:
        """The store, the policy, the cache, the limits and the token names (no secrets)."""
        count, last = svc.store.count()
        live = svc.live
        return Json({
            "store": {"kind": svc.store.kind, "url": svc.store.display_url, "facts": count,
                      "last_seq": last},
            "policy": views.policy_info(live, brief=True),
            "facts_in_memory": len(live.mirror),
            "unreadable_facts": [{"seq": u.seq, "id": u.id, "reasons": list(u.reasons)}
                                 for u in live.mirror.unreadable[:100]],
            "cache": {"hits": live.results.hits, "misses": live.results.misses,
                      "size": live.results.size},
            "limits": {"max_body_bytes": config.max_body_bytes, "max_batch": config.max_batch,
                       "header_timeout_s": config.connections.header_timeout,
                       "body_timeout_s": config.connections.body_timeout,
                       "max_connections": config.connections.max_connections},
            "tokens": [t.to_dict() for t in config.tokens.tokens],
        })

    @app.post("/v1/admin/reload-policy", response_model=openapi.PolicyInfo, tags=["admin"],
              responses=errs(400, 401, 403, 409, 422, 503))
    def reload_policy(token: Admin) -> Response:
        """Load the policy files again. Refused, keeping the policy in force, if they are
        not a valid policy (422) or a stored fact is not valid under them (409)."""
        try:
            live = svc.reload_policy()
        except PolicyError as exc:
            raise ApiError(422, "E-POLICY", message("policy.invalid"),
                           extra={"diagnostics": views.diagnostics(exc)}) from None
        except FactError as exc:
            raise ApiError(409, "E-FACT-STORED", message("policy.stored_invalid"),
                           extra={"diagnostics": views.diagnostics(exc)}) from None
        log.info("policy reloaded by %s: %s", token.name, views.policy_info(live, brief=True))
        return Json(views.policy_info(live))


def _webhook_routes(app: FastAPI, svc: Service) -> None:
    """Subscriptions to the signed events of webhooks.py, and the dead letters."""
    errs = openapi.errors
    hooks = svc.webhooks

    @app.post("/v1/webhooks", status_code=201, response_model=openapi.WebhookOut,
              tags=["webhooks"], responses=errs(400, 401, 403, 422, 503))
    def subscribe(body: openapi.WebhookIn, token: Admin) -> Response:
        """Subscribe a URL to every obligation event from now on (the state as it stands
        is not sent: read /v1/obligations for it). The secret is kept and never shown."""
        try:
            sub = hooks.subscribe(body.url, body.secret, body.description)
        except UsageError as exc:
            raise ApiError(422, "E-WEBHOOK", message("webhook.invalid", detail=exc)) from None
        log.info("webhook %s subscribed by %s: %s", sub.id, token.name, sub.url)
        return Json(sub.to_dict(), status_code=201)

    @app.get("/v1/webhooks", response_model=openapi.WebhookList, tags=["webhooks"],
             responses=errs(400, 401, 403, 503))
    def subscriptions(token: Admin) -> Response:
        """The subscriptions (without their secrets) and the deliveries by state."""
        last = hooks.last_scan
        return Json({"subscriptions": [s.to_dict() for s in hooks.outbox.subscriptions()],
                     "deliveries": hooks.outbox.counts(), "events": hooks.outbox.event_count(),
                     "last_scan": last.isoformat() if last else None})

    @app.get("/v1/webhooks/dead-letters", response_model=openapi.DeadLetterList,
             tags=["webhooks"], responses=errs(400, 401, 403, 503))
    def dead_letters(token: Admin) -> Response:
        """Deliveries given up after the last attempt failed (oldest first, at most 1000)."""
        found = hooks.outbox.dead_letters()
        return Json({"count": len(found), "dead_letters": found})

    @app.post("/v1/webhooks/dead-letters/{delivery_id}/retry", status_code=202,
              response_model=openapi.RetryAnswer, tags=["webhooks"],
              responses=errs(400, 401, 403, 404, 503))
    def retry(delivery_id: Annotated[int, Path(ge=1, le=2**63 - 1, description="a dead "
                                               "letter's id")], token: Admin) -> Response:
        """Send a dead letter again: its attempts start over, now."""
        if not hooks.retry(delivery_id):
            raise ApiError(404, "E-NOT-FOUND", message("webhook.dead_not_found",
                                                       id=delivery_id))
        return Json({"id": delivery_id, "state": "pending"}, status_code=202)

    @app.delete("/v1/webhooks/{subscription_id}", status_code=204, tags=["webhooks"],
                response_class=Response, responses=errs(400, 401, 403, 404, 503))
    def unsubscribe(subscription_id: str, token: Admin) -> Response:
        """Remove a subscription and the deliveries still owed to it. One given to `serve
        --webhook` comes back when the service starts again with that option."""
        if not hooks.outbox.remove_subscription(subscription_id):
            raise ApiError(404, "E-NOT-FOUND", message("webhook.not_found",
                                                       id=subscription_id))
        log.info("webhook %s removed by %s", subscription_id, token.name)
        return Response(status_code=204)

    for kind in ("obligation.opened", "obligation.fulfilled", "obligation.violated",
                 "obligation.pending_calendar"):
        def event(body: openapi.WebhookEvent) -> None:
            """What a subscription receives (see WebhookEvent for the headers)."""
        app.webhooks.post(kind, summary=f"{kind}: POSTed to each subscription")(event)


__all__ = ["SCOPES", "create_app"]
