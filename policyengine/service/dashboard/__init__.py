"""The dashboard: server-drawn pages over the service's reads, for compliance and HR staff.

`install(app, svc)` adds the pages under /ui, their stylesheet under /ui/static, and the API
documentation at /docs with Swagger UI served from the installed `swagger-ui-py` package (no
CDN: the pages and /docs work on a network that reaches nothing but this service).
"""

from __future__ import annotations

from fastapi import FastAPI

from policyengine.service.dashboard.apidocs import install_docs
from policyengine.service.dashboard.routes import install as install_pages
from policyengine.service.state import Service


def install(app: FastAPI, svc: Service) -> None:
    install_pages(app, svc)
    install_docs(app)


__all__ = ["install"]
