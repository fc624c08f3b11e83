"""Blueprints whose URLs start with the locale (/es/...): a language choice is a plain link."""

from __future__ import annotations

from flask import Blueprint, abort, g
from flask_babel import get_locale

from portal import i18n

LANG_PREFIX = f"/<any({','.join(i18n.OFFERED_LOCALES)}):lang_code>"


def localized_blueprint(name: str, import_name: str, path: str = "") -> Blueprint:
    # Only offered locales match, so /favicon.ico and the like are plain 404s.
    blueprint = Blueprint(name, import_name, url_prefix=f"{LANG_PREFIX}{path}")
    blueprint.url_value_preprocessor(_take_language)
    blueprint.url_defaults(_keep_language)
    return blueprint


def _take_language(_endpoint, values):
    code = (values or {}).pop("lang_code", None)
    if code not in i18n.OFFERED_LOCALES:
        abort(404)
    g.lang_code = code


def _keep_language(_endpoint, values):
    values.setdefault("lang_code", g.get("lang_code") or str(get_locale()))
