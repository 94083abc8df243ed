from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from backoffice.backups import restore


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup` into the configured database, which must be empty "
        "(new, or migrated and unused), and into MEDIA_ROOT. Every file's SHA-256 is checked first and the "
        "row counts afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="SRC", type=Path, help="the backup directory")

    def handle(self, *args, source: Path, **options):
        self.verbosity = options["verbosity"]
        manifest = restore(source=source, progress=self._progress)
        self.stdout.write(
            self.style.SUCCESS(
                _("Restored %(path)s (made %(created)s): %(files)d files, %(rows)d rows in %(tables)d tables.")
                % {
                    "path": source,
                    "created": manifest["created_at"],
                    "files": len(manifest["files"]),
                    "rows": sum(manifest["row_counts"].values()),
                    "tables": len(manifest["row_counts"]),
                }
            )
        )

    def _progress(self, message: str) -> None:
        if self.verbosity >= 2:
            self.stdout.write(message)
