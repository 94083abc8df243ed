from django.core.checks import Warning, register

from .fonts import FONT_PACKAGE, cid_fallback_allowed, document_font


@register()
def check_document_font(app_configs, **kwargs):
    """PDFs sent to customers need an embedded Japanese TrueType font."""
    font = document_font()
    if font.embedded:
        if font.problem:
            return [
                Warning(
                    f"DOCUMENTS_FONT_PATH is not usable ({font.problem}); using {font.path} instead.",
                    id="documents.W002",
                )
            ]
        return []
    consequence = (
        "DOCUMENTS_ALLOW_CID_FONT is set: PDFs use the built-in HeiseiKakuGo-W5 CID font, which is not "
        "embedded, so viewers without Japanese fonts show blank text."
        if cid_fallback_allowed()
        else "documents cannot be issued (or their PDFs rendered) until one is installed."
    )
    return [
        Warning(
            f"No Japanese TrueType font found: {consequence}" + (f" ({font.problem})" if font.problem else ""),
            hint=f"Install one (Debian/Ubuntu: apt-get install {FONT_PACKAGE}) or set DOCUMENTS_FONT_PATH "
            "to a .ttf file.",
            id="documents.W001",
        )
    ]
