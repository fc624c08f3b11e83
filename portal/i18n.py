"""Locales: which are offered, how one is chosen, and how each is written (i18n.md).

A locale is offered only once its catalog is complete (tests/i18n checks every offered one).
URLs carry the locale (/es/...), so a language choice is a plain link: bookmarkable, no cookie,
nothing changed by a GET. Unprefixed entry points pick one from Accept-Language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache, lru_cache
from gettext import NullTranslations

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import format_decimal
from babel.support import Translations
from flask import g, request
from jinja2 import pass_context
from markupsafe import Markup

from portal.settings import PROJECT_ROOT

DEFAULT_LOCALE = "en"
# i18n.md's twenty, in the menu's order.
OFFERED_LOCALES = ("en", "es", "zh_Hans", "zh_Hant", "vi", "fil", "ko", "ar", "fr", "ht", "pt_BR", "ru", "uk", "fa",
                   "ps", "ur", "hi", "pa", "so", "am")


@dataclass(frozen=True)
class LocaleInfo:
    code: str  # gettext directory name, e.g. zh_Hant
    tag: str  # BCP 47, for <html lang>, e.g. zh-Hant
    name: str  # the language's own name, for the menu
    direction: str  # "ltr" or "rtl"


def _capitalized(name: str) -> str:
    """"português (Brasil)" -> "Português (Brasil)": only the first letter (capitalize() would
    lower the region's)."""
    return name[:1].upper() + name[1:]


@cache
def locale_info(code: str) -> LocaleInfo:
    locale = Locale.parse(code)
    return LocaleInfo(
        code=code,
        tag=code.replace("_", "-"),
        name=_capitalized(locale.get_display_name(locale)) if locale.language != "en" else "English",
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
    """Explicit choice (the URL prefix) > the signed-in account's saved language (the one its
    e-mails use) > Accept-Language > English."""
    chosen = g.get("lang_code")
    if chosen in OFFERED_LOCALES:
        return chosen
    # A page that matched no route (a 404) still speaks the language its URL asked for.
    prefix = request.path.split("/", 2)[1] if request.path.count("/") >= 1 else ""
    if prefix in OFFERED_LOCALES:
        return prefix
    user = g.get("user")
    if user is not None and user.preferred_language in OFFERED_LOCALES:
        return user.preferred_language
    return _accept_language_match()


# --- templates ---------------------------------------------------------------------------------
# Pages call gettext dozens of times; Flask-Babel's callables look the request context up on
# every call. These take the locale's catalog from the template context instead (put there once
# per render by the context processor), and memoize date formatting, a pure function.

TRANSLATIONS_DIR = PROJECT_ROOT / "translations"


@cache
def translations_for(code: str) -> Translations | NullTranslations:
    return Translations.load(str(TRANSLATIONS_DIR), [code], "messages")


@pass_context
def _template_gettext(context, message: str) -> str:
    return context["_translations"].ugettext(message)


@pass_context
def _template_ngettext(context, singular: str, plural: str, number: int) -> str:
    return context["_translations"].ungettext(singular, plural, number)


@lru_cache(maxsize=8192)
def _format_date(value: date, width: str, code: str) -> str:
    return format_date(value, width, locale=code)


@pass_context
def date_filter(context, value: date | datetime, width: str = "long") -> str:
    """A date in the reader's locale; datetimes are stored in UTC and shown by their UTC date."""
    if isinstance(value, datetime):
        value = value.astimezone(UTC).date()
    return _format_date(value, width, context["locale"].code)


@pass_context
def decimal_filter(context, value: float) -> str:
    return format_decimal(value, locale=context["locale"].code)


@pass_context
def month_filter(context, value: date | datetime) -> str:
    """"March 2027" in the reader's locale (a heading over a month of entries)."""
    if isinstance(value, datetime):
        value = value.astimezone(UTC).date()
    return format_skeleton("yMMMM", value, locale=context["locale"].code)


@lru_cache(maxsize=8192)
def _format_time(hour: int, minute: int, code: str) -> str:
    return format_time(time(hour, minute), "short", locale=code) + " UTC"


@pass_context
def time_filter(context, value: datetime) -> str:
    """The time of day in UTC, written the reader's way (one rendering per minute of the day)."""
    value = value.astimezone(UTC)
    return _format_time(value.hour, value.minute, context["locale"].code)


@lru_cache(maxsize=4096)
def country_name(code: str, locale_code: str) -> str:
    return Locale.parse(locale_code).territories.get(code, code)


@pass_context
def country_filter(context, code: str) -> str:
    return country_name(code, context["locale"].code)


def ltr_filter(value: str) -> Markup:
    """Codes and numbers inside right-to-left text: isolated, so "I-751" never reads "751-I"."""
    return Markup('<bdi dir="ltr">%s</bdi>') % value


def install_template_helpers(app) -> None:
    app.jinja_env.filters["ltr"] = ltr_filter
    app.jinja_env.install_gettext_callables(_template_gettext, _template_ngettext, newstyle=True)
    app.jinja_env.filters["dateformat"] = date_filter
    app.jinja_env.filters["decimalformat"] = decimal_filter
    app.jinja_env.filters["monthformat"] = month_filter
    app.jinja_env.filters["timeformat"] = time_filter
    app.jinja_env.filters["country"] = country_filter
