"""Babel extractor for the catalog's TOML files: every text field becomes a msgid.

Wired up in translations/babel.cfg as `[portal.catalog.extract:extract_catalog: portal/catalog/**.toml]`.
"""

from __future__ import annotations

import tomllib

TEXT_KEYS = frozenset({"name", "title", "wording", "explanation", "next_step"})  # "citation" stays as is


def _texts(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in TEXT_KEYS and isinstance(value, str):
                yield key, value
            else:
                yield from _texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)


def extract_catalog(fileobj, keywords, comment_tags, options):
    source = fileobj.read().decode("utf-8")
    lines = source.splitlines()
    for key, text in _texts(tomllib.loads(source)):
        lineno = next((i + 1 for i, line in enumerate(lines) if text in line), 0)
        yield lineno, "gettext", text, [f"catalog: {key}"]
