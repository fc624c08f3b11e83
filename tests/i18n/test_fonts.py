"""No tofu in any language's PDFs: every character of every translation is drawn by a font the
PDF stylesheet names for that locale (fontTools reads each face's character map; text
extraction cannot see tofu)."""

import re
import subprocess
from functools import cache

import pytest
from babel.messages.pofile import read_po

from portal.i18n import OFFERED_LOCALES
from portal.web.documents import font_stack
from tests.conftest import PROJECT_ROOT


@cache
def _cmap(family: str) -> frozenset[int] | None:
    """The characters of the face fontconfig picks for `family` (as WeasyPrint does), or None
    when the machine lacks it (fontconfig would substitute another)."""
    from fontTools.ttLib import TTFont

    found = subprocess.run(["fc-match", "--format", "%{family}\t%{file}\t%{index}", family],
                           capture_output=True, text=True, check=True).stdout
    names, path, index = found.split("\t")
    if family not in names.split(","):
        return None
    return frozenset(TTFont(path, fontNumber=int(index or 0), lazy=True).getBestCmap())


@pytest.mark.parametrize("code", [c for c in OFFERED_LOCALES if c != "en"])
def test_every_translated_character_has_a_glyph_in_the_pdf_fonts(code):
    families = re.findall(r'"([^"]+)"', str(font_stack(code)))
    assert families and [f for f in families if _cmap(f) is None] == []
    covered = frozenset().union(*(_cmap(f) for f in families))
    with open(PROJECT_ROOT / "translations" / code / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f, locale=code)
    text = "".join(s for m in catalog if m.id for s in (m.string if m.pluralizable else [m.string]))
    # Joiners, direction marks and isolates shape text; they draw nothing.
    invisible = "\u200c\u200d\u200e\u200f\u2066\u2067\u2068\u2069"
    missing = {c for c in text if not c.isspace() and ord(c) not in covered and c not in invisible}
    assert not missing, sorted(missing)


def test_vietnamese_pages_use_a_face_that_has_every_vietnamese_letter():
    """On screen, Vietnamese is set in Public Sans (static/css/portal.css): it has every letter."""
    from fontTools.ttLib import TTFont

    face = PROJECT_ROOT / "static/vendor/uswds/fonts/public-sans/PublicSans-Regular.ttf"
    assert '"Public Sans Web"' in (PROJECT_ROOT / "static/css/portal.css").read_text()
    covered = set(TTFont(face, lazy=True).getBestCmap())
    with open(PROJECT_ROOT / "translations/vi/LC_MESSAGES/messages.po", "rb") as f:
        text = "".join(m.string if isinstance(m.string, str) else "".join(m.string) for m in read_po(f) if m.id)
    assert {c for c in text if not c.isspace() and ord(c) not in covered} == set()
