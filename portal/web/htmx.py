"""Rendering a page or, for an htmx request, only the fragment it swaps (a named block)."""

from __future__ import annotations

from flask import render_template, request
from jinja2_fragments.flask import render_block


def render_page(template: str, fragment: str, status: int = 200, **context):
    """The whole page, or just `fragment` when htmx asks (the same template either way)."""
    if getattr(request, "htmx", False):
        return render_block(template, fragment, **context), status
    return render_template(template, **context), status
