"""Every offered locale: a complete, well-formed catalog in the right script (i18n.md)."""

import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from portal.i18n import OFFERED_LOCALES
from tests.conftest import PROJECT_ROOT

TRANSLATED = [code for code in OFFERED_LOCALES if code != "en"]
LATIN = r"[A-Za-zÀ-ÿ]"
ARABIC = r"[\u0600-\u06FF\uFB50-\uFDFF]"
HAN = r"[\u4E00-\u9FFF]"
CYRILLIC = r"[\u0400-\u04FF]"
# The script each translation is written in (i18n.md): a translation without one of its letters
# is English left in place, or the wrong script.
SCRIPTS = {"es": LATIN, "fr": LATIN, "pt_BR": LATIN, "fil": LATIN, "ht": LATIN, "so": LATIN,
           "vi": r"[A-Za-zÀ-ỹ]", "zh_Hans": HAN, "zh_Hant": HAN, "ko": r"[\uAC00-\uD7AF]", "ar": ARABIC,
           "fa": ARABIC, "ps": ARABIC, "ur": ARABIC, "ru": CYRILLIC, "uk": CYRILLIC, "hi": r"[\u0900-\u097F]",
           "pa": r"[\u0A00-\u0A7F]", "am": r"[\u1200-\u137F]"}
# Letters only these languages use: most of a catalog must show them (Latin letters alone could
# be English, and Simplified and Traditional Chinese share most characters).
MARKS = {
    "vi": r"[ăâđêôơưĂÂĐÊÔƠƯ\u1EA0-\u1EF9]",
    "zh_Hans": r"[个们这说请时间为过务证记录于与对发问题档机关资处将会从后号码选择询]",
    "zh_Hant": r"[個們這說請時間為過務證記錄於與對發問題檔機關資處將會從後號碼選擇詢]",
    "uk": r"[іїєґІЇЄҐ]", "ru": r"[ыэъЫЭЪ]", "fa": r"[پچژگکی]", "ps": r"[ټډړږښګڼې]", "ur": r"[ٹڈڑںےہ]",
    "es": r"[áéíóúñ¿¡]", "fr": r"[éèêàçùœ]", "pt_BR": r"[ãõçáéêó]", "ht": r"[òè]",
}
# Short strings that are the same in every language: codes and names.
SAME_IN_EVERY_LANGUAGE = {"USCIS", "e-Request", "TECS"}
SAME_IN = {"es": {"Supervisor", "Total"}}  # words spelled alike in both languages
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def load(code):
    with open(PROJECT_ROOT / "translations" / code / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=code)


def strings(message):
    return list(message.string) if message.pluralizable else [message.string]


def source(message):
    return message.id[0] if message.pluralizable else message.id


def test_pot_template_is_current():
    """`make update-messages` was run after the last change of a translatable text."""
    result = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
         "translations/babel.cfg", "-k", "_l", "-o", "/dev/stdout", "--no-location",
         "--sort-output", "--omit-header", "."],
        capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stderr
    extracted = set(re.findall(r'^msgid "(.+)"$', result.stdout, re.M))
    template = (PROJECT_ROOT / "translations" / "messages.pot").read_text()
    assert extracted <= set(re.findall(r'^msgid "(.+)"$', template, re.M))


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalog_passes_babels_checks(code):
    catalog = load(code)
    problems = [(m.id, errors) for m, errors in catalog.check()]
    assert problems == []


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalog_is_complete_and_not_fuzzy(code):
    catalog = load(code)
    template_ids = {m.id for m in read_po(open(PROJECT_ROOT / "translations/messages.pot", "rb")) if m.id}
    ids = {m.id for m in catalog if m.id}
    assert template_ids <= ids, f"not merged: {template_ids - ids}"
    assert ids <= template_ids, f"stale (run make update-messages): {ids - template_ids}"
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        assert all(strings(message)), f"untranslated: {message.id}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_placeholders_and_plural_forms_match_the_source(code):
    catalog = load(code)
    for message in catalog:
        if not message.id:
            continue
        wanted = sorted(PLACEHOLDER.findall(source(message)))
        if message.pluralizable:
            assert len(message.string) == catalog.num_plurals, message.id
        for text in strings(message):
            assert sorted(PLACEHOLDER.findall(text)) == wanted, (message.id, text)


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_are_not_english_copies_and_use_the_script(code):
    catalog = load(code)
    for message in catalog:
        if not message.id or source(message) in SAME_IN_EVERY_LANGUAGE | SAME_IN.get(code, set()):
            continue
        first = strings(message)[0]
        if len(PLACEHOLDER.sub("", source(message)).strip()) > 3:
            assert first != source(message), f"copied: {message.id}"
            assert re.search(SCRIPTS[code], PLACEHOLDER.sub("", first)), (message.id, first)


@pytest.mark.parametrize("code", sorted(MARKS))
def test_catalogs_use_their_languages_own_letters(code):
    texts = [strings(m)[0] for m in load(code) if m.id and len(source(m)) > 40]
    marked = [t for t in texts if re.search(MARKS[code], t)]
    assert len(marked) >= 0.6 * len(texts), (code, len(marked), len(texts))


def test_traditional_chinese_is_not_simplified():
    simplified = re.compile(r"[个们这说请时间为过务证记录于与对发问题档机关资处将会从后号码选择询]")
    texts = [strings(m)[0] for m in load("zh_Hant") if m.id]
    assert [t for t in texts if simplified.search(t)] == []


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalog_compiles(code, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "compile", "-i",
         f"translations/{code}/LC_MESSAGES/messages.po", "-o", str(tmp_path / "m.mo"), "-l", code],
        capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert result.returncode == 0 and "error" not in result.stderr.lower(), result.stderr


CITATION = re.compile(r"(?<![\u2066\d])\d+ (?:U\.S\.C\.|C\.F\.R\.|CFR|FR) [0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*"
                      r"(?:\([0-9A-Za-z]+\))*(?:-\([0-9A-Za-z]+\))?")


@pytest.mark.parametrize("code", [c for c in TRANSLATED if c in ("ar", "fa", "ps", "ur")])
def test_citations_in_right_to_left_text_are_isolated(code):
    """In right-to-left text "5 U.S.C. 552a(j)(2)" would read "U.S.C. 552a(j)(2) 5": each citation
    sits between a left-to-right isolate and its end (U+2066 ... U+2069)."""
    loose = [text for m in load(code) if m.id for text in strings(m)
             if any(not text[match.end():].startswith("\u2069") for match in CITATION.finditer(text))]
    assert loose == []
