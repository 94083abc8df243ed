"""What the `backup` and `restore` commands share: one directory argument, progress lines
at -v 2 and a summary of the manifest they wrote or read."""

from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand


class BackupCommand(BaseCommand):
    """Subclasses set `step` (backoffice.backups' backup or restore), `directory` (the
    argument's name, metavar and help) and `summary` (may use %(path)s, %(created)s,
    %(files)d, %(rows)d and %(tables)d)."""

    step: Callable[..., dict]
    directory: tuple[str, str, str]
    summary: str

    def add_arguments(self, parser):
        name, metavar, help_text = self.directory
        parser.add_argument(name, metavar=metavar, type=Path, help=help_text)

    def handle(self, *args, **options):
        name = self.directory[0]
        verbosity = options["verbosity"]

        def progress(message: str) -> None:
            if verbosity >= 2:
                self.stdout.write(message)

        manifest = self.step(**{name: options[name]}, progress=progress)
        counts = manifest["row_counts"]
        values = {
            "path": options[name],
            "created": manifest["created_at"],
            "files": len(manifest["files"]),
            "rows": sum(counts.values()),
            "tables": len(counts),
        }
        self.stdout.write(self.style.SUCCESS(self.summary % values))
