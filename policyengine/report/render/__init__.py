"""Output formats of a report `Document`: one dispatch table, each renderer `Document -> bytes`.

xlsx and html come from their own modules when present; until they are wired in here, asking
for them is a clear "not available" error, never a stand-in.
"""

from __future__ import annotations

from collections.abc import Callable

from policyengine.errors import UsageError
from policyengine.report.document import Document
from policyengine.report.render import csv, json, text

Renderer = Callable[[Document], bytes]

RENDERERS: dict[str, Renderer] = {
    "json": json.render,
    "csv": csv.render,
    "text": text.render,
}

FORMATS = ("text", "xlsx", "html", "csv", "json")   # what the command line offers
BINARY = frozenset({"xlsx"})                # never written to a terminal


def render_document(doc: Document, fmt: str) -> bytes:
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        known = ", ".join(sorted(RENDERERS))
        raise UsageError(f"the {fmt} format is not available in this build of policyengine "
                         f"(available: {known})")
    return renderer(doc)
