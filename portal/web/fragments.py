"""Fragments that depend only on the locale and a few codes, rendered once and then reused.

The page chrome (head assets, header with the language menu, footer) and the step indicator of
each step are the same for every visitor of a locale: rendering them on every request costs
dozens of gettext and url_for calls. Keys are (locale, template, params), drawn from small fixed
sets, so the store stays small. Nothing here depends on the visitor or on a case's data; when
the header starts to show who is signed in, that must become part of the key.
"""

from __future__ import annotations

from flask import current_app, render_template
from jinja2 import pass_context
from markupsafe import Markup


@pass_context
def fragment(context, template: str, **params) -> Markup:
    store: dict = current_app.extensions.setdefault("portal.fragments", {})
    key = (context["locale"].code, template, tuple(sorted(params.items())))
    html = store.get(key)
    if html is None:
        html = store[key] = Markup(render_template(template, **params))  # noqa: S704 (our template)
    return html


def install(app) -> None:
    app.jinja_env.globals["fragment"] = fragment
