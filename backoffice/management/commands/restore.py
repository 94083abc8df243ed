from django.utils.translation import gettext_lazy as _

from backoffice.backups import restore
from backoffice.management.backupcommand import BackupCommand


class Command(BackupCommand):
    help = (
        "Restore a backup written by `manage.py backup` into the configured database, which must be empty "
        "(new, or migrated and unused), and into MEDIA_ROOT. Every file's SHA-256 is checked first and the "
        "row counts afterwards."
    )
    step = staticmethod(restore)
    directory = ("source", "SRC", "the backup directory")
    summary = _("Restored %(path)s (made %(created)s): %(files)d files, %(rows)d rows in %(tables)d tables.")
