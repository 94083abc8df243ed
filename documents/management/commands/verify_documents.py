from django.core.management.base import BaseCommand, CommandError

from documents.models import IssuedDocument
from documents.services import documents_in_chunks, documents_verify

WHAT = {"mismatch": "the stored bytes changed", "missing": "no file"}


class Command(BaseCommand):
    help = (
        "Re-hash every stored PDF and compare it with the SHA-256 taken when it was stored; exits non-zero "
        "when a file changed (mismatch) or is gone (missing)."
    )

    def handle(self, *args, **options):
        ids = list(IssuedDocument.objects.order_by("pk").values_list("pk", flat=True))
        report = documents_verify(documents_in_chunks(ids))
        for problem in report.problems:  # one line per document, whichever the problem
            self.stderr.write(
                f"{problem.number} (id {problem.document_id}): {problem.problem}; "
                f"expected {problem.expected}, found {problem.actual or '-'} ({WHAT[problem.problem]}: {problem.file})"
            )
        summary = f"{report.checked} PDFs checked, {len(report.problems)} problems, {report.pending} not rendered yet."
        if not report.ok:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
