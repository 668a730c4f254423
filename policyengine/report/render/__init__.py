"""Output formats of a report `Document`: one dispatch table, each renderer `Document -> bytes`."""

from __future__ import annotations

from collections.abc import Callable

from policyengine.errors import UsageError
from policyengine.report.document import Document
from policyengine.report.render import csv, html, json, text
from policyengine.wording import line

Renderer = Callable[[Document], bytes]


def _xlsx(doc: Document) -> bytes:
    # Imported when a workbook is asked for: xlsxwriter takes ~25 ms to import, paid by
    # every service start and text report otherwise (issue 10, restart to first answer).
    from policyengine.report.render import xlsx

    return xlsx.render(doc)


RENDERERS: dict[str, Renderer] = {
    "json": json.render,
    "csv": csv.render,
    "text": text.render,
    "xlsx": _xlsx,
    "html": html.render,
}

FORMATS = ("text", "xlsx", "html", "csv", "json")   # what the command line offers
BINARY = frozenset({"xlsx"})                # never written to a terminal


def render_document(doc: Document, fmt: str) -> bytes:
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        known = ", ".join(sorted(RENDERERS))
        raise UsageError(line("usage.format_unknown", format=fmt, known=known))
    return renderer(doc)
