"""The query string of an API request: only the parameters the operation declares.

A misspelt filter (`?persn=`, `?montth=`) silently ignored would answer with every person's
or every month's results as if they were the ones asked for; so under /v1 a parameter the
OpenAPI description does not give the operation is refused, as is one given twice or an
unknown `lang`. The accepted names are read from the description itself (route parameters,
`lang`, the feed's `token`), so a new route is covered as soon as it is declared.

The dashboard (/ui) and /docs are pages a browser opens, not operations of the description:
they are not checked here.
"""

from __future__ import annotations

from fastapi import Request

from policyengine.language import LANGUAGES
from policyengine.service.http import ApiError
from policyengine.service.messages import message

API_PREFIX = "/v1/"
CODE = "E-USAGE-PARAM"

# (METHOD, path template) -> the query parameter names the description gives it
Table = dict[tuple[str, str], frozenset[str]]


def strict_query(request: Request) -> None:
    """A dependency of every route: refuses (400 E-USAGE-PARAM) an API request whose query
    names a parameter its operation does not take, names one twice, or gives an unknown
    `lang`. Runs before the token is checked: what is accepted is public (/openapi.json)."""
    if not request.url.path.startswith(API_PREFIX):
        return
    given = request.query_params
    known = accepted(request)
    unknown = sorted(set(given) - known)
    if unknown:
        raise ApiError(400, CODE, message(
            "param.unknown", unknown=", ".join(repr(name) for name in unknown),
            known=", ".join(sorted(known)) or message("param.none"),
            method=request.method, path=request.url.path))
    repeated = sorted(name for name in set(given) if len(given.getlist(name)) > 1)
    if repeated:
        raise ApiError(400, CODE, message("param.repeated", names=", ".join(repeated)))
    chosen = given.get("lang")
    if chosen is not None and chosen not in LANGUAGES:
        raise ApiError(400, CODE, message("param.lang", value=chosen))


def accepted(request: Request) -> frozenset[str]:
    """The query parameters the OpenAPI description gives the request's operation."""
    table: Table | None = getattr(request.app.state, "query_names", None)
    if table is None:
        table = query_names(request.app.openapi())
        request.app.state.query_names = table
    route = request.scope.get("route")
    return table.get((request.method, getattr(route, "path_format", "")), frozenset())


def query_names(document: dict[str, object]) -> Table:
    paths = document.get("paths", {})
    assert isinstance(paths, dict)
    return {(method.upper(), path): frozenset(p["name"] for p in op.get("parameters", [])
                                              if p.get("in") == "query")
            for path, item in paths.items() for method, op in item.items()}
