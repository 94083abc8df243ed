from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from backoffice.backups import backup


class Command(BaseCommand):
    help = (
        "Back up the database (PostgreSQL: pg_dump custom format; SQLite: the online backup API) and the "
        "files under MEDIA_ROOT into DEST, a new or empty directory, with manifest.json (SHA-256 of every file, "
        "row counts, migration state)."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", metavar="DEST", type=Path, help="a new or empty directory")

    def handle(self, *args, destination: Path, **options):
        self.verbosity = options["verbosity"]
        manifest = backup(destination=destination, progress=self._progress)
        self.stdout.write(
            self.style.SUCCESS(
                _("Backup written to %(path)s: %(files)d files, %(rows)d rows in %(tables)d tables.")
                % {
                    "path": destination,
                    "files": len(manifest["files"]),
                    "rows": sum(manifest["row_counts"].values()),
                    "tables": len(manifest["row_counts"]),
                }
            )
        )

    def _progress(self, message: str) -> None:
        if self.verbosity >= 2:
            self.stdout.write(message)
