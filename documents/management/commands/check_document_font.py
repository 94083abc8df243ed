from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from documents.exceptions import DocumentFontMissing
from documents.fonts import FONT_PACKAGE, document_font, require_embedded_font


class Command(BaseCommand):
    help = (
        "Say which TrueType font issued PDFs embed; exit non-zero when there is none (documents are not "
        f"issued without one): install {FONT_PACKAGE} or set DOCUMENTS_FONT_PATH. `make demo` runs it first."
    )
    requires_system_checks = []  # this is the font check, said once (documents.W001 says the same)

    def handle(self, *args, **options):
        try:
            with translation.override("en"):  # like the README and the other commands' output
                require_embedded_font()
        except DocumentFontMissing as error:
            raise CommandError(
                f"{error.message}\n"
                f"  Debian/Ubuntu: sudo apt-get install {FONT_PACKAGE}   (make demo does it when run as root)\n"
                "  elsewhere: DOCUMENTS_FONT_PATH=/path/to/a/japanese-font.ttf (OpenType/CFF fonts such as "
                "Noto Sans CJK do not load)"
            ) from error
        font = document_font()
        if font.embedded:
            self.stdout.write(self.style.SUCCESS(f"PDFs embed {font.path}"))
        else:
            self.stdout.write(self.style.WARNING(f"No TrueType font: DOCUMENTS_ALLOW_CID_FONT allows {font.name}."))
