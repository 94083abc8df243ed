from django.core.checks import Warning, register

from .fonts import document_font


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
    return [
        Warning(
            "No Japanese TrueType font found: PDFs use the built-in HeiseiKakuGo-W5 CID font, which is not "
            "embedded, so viewers without Japanese fonts show blank text."
            + (f" ({font.problem})" if font.problem else ""),
            hint="Install one (Debian/Ubuntu: apt-get install fonts-ipaexfont) or set DOCUMENTS_FONT_PATH "
            "to a .ttf file.",
            id="documents.W001",
        )
    ]
