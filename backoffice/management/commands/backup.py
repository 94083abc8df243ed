from django.utils.translation import gettext_lazy as _

from backoffice.backups import backup
from backoffice.management.backupcommand import BackupCommand


class Command(BackupCommand):
    help = (
        "Back up the database (PostgreSQL: pg_dump custom format; SQLite: the online backup API) and the "
        "files under MEDIA_ROOT into DEST, a new or empty directory, with manifest.json (SHA-256 of every file, "
        "row counts, migration state)."
    )
    step = staticmethod(backup)
    directory = ("destination", "DEST", "a new or empty directory")
    summary = _("Backup written to %(path)s: %(files)d files, %(rows)d rows in %(tables)d tables.")
