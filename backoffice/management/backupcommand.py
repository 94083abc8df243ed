"""What the `backup` and `restore` commands share: progress lines at -v 2 and a summary of
the manifest they wrote or read."""

from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand


class BackupCommand(BaseCommand):
    def run_step(self, step: Callable[..., dict], options: dict, **arguments: Path) -> dict:
        """Run backoffice.backups' `backup` or `restore`, its progress shown at -v 2."""
        verbosity = options["verbosity"]

        def progress(message: str) -> None:
            if verbosity >= 2:
                self.stdout.write(message)

        return step(progress=progress, **arguments)

    def report(self, message: str, manifest: dict, **values) -> None:
        """The translated summary line; `message` may use %(files)d, %(rows)d and %(tables)d."""
        counts = manifest["row_counts"]
        summary = {"files": len(manifest["files"]), "rows": sum(counts.values()), "tables": len(counts), **values}
        self.stdout.write(self.style.SUCCESS(message % summary))
