from pathlib import Path

from django.utils.translation import gettext as _

from backoffice.backups import backup
from backoffice.management.backupcommand import BackupCommand


class Command(BackupCommand):
    help = (
        "Back up the database (PostgreSQL: pg_dump custom format; SQLite: the online backup API) and the "
        "files under MEDIA_ROOT into DEST, a new or empty directory, with manifest.json (SHA-256 of every file, "
        "row counts, migration state)."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", metavar="DEST", type=Path, help="a new or empty directory")

    def handle(self, *args, destination: Path, **options):
        manifest = self.run_step(backup, options, destination=destination)
        message = _("Backup written to %(path)s: %(files)d files, %(rows)d rows in %(tables)d tables.")
        self.report(message, manifest, path=destination)
