from pathlib import Path

from django.utils.translation import gettext as _

from backoffice.backups import restore
from backoffice.management.backupcommand import BackupCommand


class Command(BackupCommand):
    help = (
        "Restore a backup written by `manage.py backup` into the configured database, which must be empty "
        "(new, or migrated and unused), and into MEDIA_ROOT. Every file's SHA-256 is checked first and the "
        "row counts afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="SRC", type=Path, help="the backup directory")

    def handle(self, *args, source: Path, **options):
        manifest = self.run_step(restore, options, source=source)
        message = _("Restored %(path)s (made %(created)s): %(files)d files, %(rows)d rows in %(tables)d tables.")
        self.report(message, manifest, path=source, created=manifest["created_at"])
