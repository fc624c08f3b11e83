"""Locales: which are offered, how one is chosen, and how each is written (i18n.md).

A locale is offered only once its catalog is complete (tests/i18n checks every offered one).
URLs carry the locale (/es/...), so a language choice is a plain link: bookmarkable, no cookie,
nothing changed by a GET. Unprefixed entry points pick one from Accept-Language.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from babel import Locale
from flask import g, request

DEFAULT_LOCALE = "en"
OFFERED_LOCALES = ("en", "es", "ar")


@dataclass(frozen=True)
class LocaleInfo:
    code: str  # gettext directory name, e.g. zh_Hant
    tag: str  # BCP 47, for <html lang>, e.g. zh-Hant
    name: str  # the language's own name, for the menu
    direction: str  # "ltr" or "rtl"


@cache
def locale_info(code: str) -> LocaleInfo:
    locale = Locale.parse(code)
    return LocaleInfo(
        code=code,
        tag=code.replace("_", "-"),
        name=locale.get_display_name(locale).capitalize() if locale.language != "en" else "English",
        direction=locale.text_direction,
    )


def validate_offered_locales() -> None:
    """Fail at start-up, not on a page, when a configured locale is unknown to Babel/CLDR."""
    for code in OFFERED_LOCALES:
        locale_info(code)


def offered_locales() -> list[LocaleInfo]:
    return [locale_info(code) for code in OFFERED_LOCALES]


def _accept_language_match() -> str:
    for value, _quality in request.accept_languages:
        tag = value.replace("_", "-").lower()
        if tag.startswith("zh"):
            # zh-TW/zh-HK/zh-MO read Traditional; zh, zh-CN, zh-SG Simplified.
            wanted = ["zh_Hant"] if tag in {"zh-tw", "zh-hk", "zh-mo", "zh-hant"} or "hant" in tag else ["zh_Hans"]
        else:
            language, _, region = tag.partition("-")
            wanted = [f"{language}_{region.upper()}", language] if region else [language]
        for code in wanted:
            if code in OFFERED_LOCALES:
                return code
    return DEFAULT_LOCALE


def select_locale() -> str:
    """Explicit choice (the URL prefix) > Accept-Language > English.

    The account's stored preference joins between the two once accounts exist.
    """
    chosen = g.get("lang_code")
    if chosen in OFFERED_LOCALES:
        return chosen
    # A page that matched no route (a 404) still speaks the language its URL asked for.
    prefix = request.path.split("/", 2)[1] if request.path.count("/") >= 1 else ""
    if prefix in OFFERED_LOCALES:
        return prefix
    return _accept_language_match()
