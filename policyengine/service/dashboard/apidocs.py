"""/docs: FastAPI's Swagger UI page, its script and stylesheet served by this service.

FastAPI's default page loads Swagger UI from a CDN, so it is blank offline. The assets come
from the `swagger-ui-py` package (Swagger UI 5, which reads OpenAPI 3.1 as FastAPI writes
it). Its validator badge, which would call an outside validator, is turned off.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

ASSETS = "/docs-assets"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"


def swagger_assets() -> Path | None:
    """Where the installed Swagger UI files are, or None without the package."""
    try:
        import swagger_ui  # type: ignore[import-untyped]
    except ImportError:
        return None
    folder = Path(swagger_ui.__file__).parent / "static"
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def install_docs(app: FastAPI) -> None:
    folder = swagger_assets()
    if folder is not None:
        app.mount(ASSETS, StaticFiles(directory=folder), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        if folder is None:
            return HTMLResponse(
                "<!doctype html><title>policyengine API</title><p>Swagger UI is not installed "
                "(pip install 'policyengine[serve]'); the API description is at "
                '<a href="/openapi.json">/openapi.json</a>.</p>', status_code=200)
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} — API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
            oauth2_redirect_url=OAUTH2_REDIRECT,
            swagger_ui_parameters={"validatorUrl": None})

    @app.get(OAUTH2_REDIRECT, include_in_schema=False)
    def oauth2_redirect() -> Response:
        return get_swagger_ui_oauth2_redirect_html()
