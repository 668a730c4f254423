"""Renderers: a report `Document` drawn as a file (xlsx, printable HTML)."""
