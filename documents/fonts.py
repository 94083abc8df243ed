"""The Japanese font every PDF uses, registered with reportlab once per process.

A TrueType font is embedded (as a subset), so any viewer shows the text. The file is
`settings.DOCUMENTS_FONT_PATH` when set and usable, else the first usable file among common
locations (IPAex Gothic first: Debian/Ubuntu `apt-get install fonts-ipaexfont`). With
none, reportlab's built-in CID font is used: not embedded, so a viewer without Japanese
fonts shows blanks; the system check documents.W001 warns about it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

FALLBACK_CID_FONT = "HeiseiKakuGo-W5"

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
