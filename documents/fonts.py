"""The Japanese font every PDF uses, registered with reportlab once per process.

A TrueType font is embedded (as a subset), so any viewer shows the text. The file is
`settings.DOCUMENTS_FONT_PATH` when set and usable, else the first usable file among common
locations (IPAex Gothic first: Debian/Ubuntu `apt-get install fonts-ipaexfont`).

With none, documents are not issued or rendered (`require_embedded_font`): an issued PDF
is archived for good and re-rendered from its snapshot, so one made with reportlab's
built-in CID font (not embedded: a viewer without Japanese fonts shows blanks) could never
be made right. `DOCUMENTS_ALLOW_CID_FONT = True` allows that fallback anyway; the system
check documents.W001 warns either way.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from .exceptions import DocumentFontMissing

FALLBACK_CID_FONT = "HeiseiKakuGo-W5"
FONT_PACKAGE = "fonts-ipaexfont"  # the Debian/Ubuntu package of IPAex Gothic, searched first

FONT_SEARCH_PATHS = (
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/ipaexfont-gothic/ipaexg.ttf",  # Fedora / Arch
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/takao-gothic/TakaoGothic.ttf",
    "/usr/local/share/fonts/ipaexg.ttf",
    "/Library/Fonts/ipaexg.ttf",
    str(Path.home() / "Library/Fonts/ipaexg.ttf"),
    "C:/Windows/Fonts/ipaexg.ttf",
)


@dataclass(frozen=True)
class DocumentFont:
    name: str  # the reportlab font name to draw with
    path: str  # the TrueType file, "" for the built-in CID font
    problem: str = ""  # why the configured file was not used, if it was not

    @property
    def embedded(self) -> bool:
        return bool(self.path)


def document_font() -> DocumentFont:
    configured = getattr(settings, "DOCUMENTS_FONT_PATH", "") or ""
    return _load(str(configured))


def cid_fallback_allowed() -> bool:
    return bool(getattr(settings, "DOCUMENTS_ALLOW_CID_FONT", False))


def require_embedded_font() -> DocumentFont:
    """The font for a PDF someone receives: a TrueType file to embed, else DocumentFontMissing
    (unless DOCUMENTS_ALLOW_CID_FONT). Called before a number is taken or a PDF stored."""
    font = document_font()
    if font.embedded or cid_fallback_allowed():
        return font
    raise DocumentFontMissing(
        _(
            "Documents are not issued without an embedded Japanese TrueType font. Install one "
            "(Debian/Ubuntu: apt-get install %(package)s) or set DOCUMENTS_FONT_PATH to a .ttf file."
        )
        % {"package": FONT_PACKAGE}
        + (f" ({font.problem})" if font.problem else ""),
        extra={"code": DocumentFontMissing.default_code},
    )


@functools.cache
def _load(configured: str) -> DocumentFont:
    """Parse the TrueType file (40-80 ms) once per process and setting value."""
    problem = ""
    candidates = [configured, *FONT_SEARCH_PATHS] if configured else FONT_SEARCH_PATHS
    for path in candidates:
        if not Path(path).is_file():
            problem = problem or (f"{path} does not exist" if configured else "")
            continue
        name = f"Documents-{Path(path).stem}"  # one name per file: a second file never replaces the first
        try:
            font = TTFont(name, path)
        except (TTFError, OSError) as exc:  # e.g. an OpenType/CFF font: "postscript outlines are not supported"
            problem = problem or f"{path}: {exc}"
            continue
        pdfmetrics.registerFont(font)
        return DocumentFont(name=name, path=path, problem=problem)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID_FONT))
    return DocumentFont(name=FALLBACK_CID_FONT, path="", problem=problem)
