import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from backoffice.validators import parse_business_date
from documents.models import IssuedDocument
from documents.services import documents_export, documents_in_chunks


def _date(value: str) -> dt.date:
    try:
        return parse_business_date(value)
    except ValidationError as error:
        raise CommandError(f"{value!r}: {error.messages[0]}") from None


class Command(BaseCommand):
    help = "Write a ZIP of the PDFs and a CSV index (UTF-8 with BOM) of the documents dated in a range."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True, type=_date, help="first document date")
        parser.add_argument("--to", dest="date_to", required=True, type=_date, help="last document date")
        parser.add_argument("--output", required=True, type=Path, help="the .zip file to write")

    def handle(self, *args, date_from, date_to, output: Path, **options):
        if date_from > date_to:
            raise CommandError("--from is after --to")
        documents = IssuedDocument.objects.filter(document_date__range=(date_from, date_to))
        ids = list(documents.order_by("document_date", "number").values_list("pk", flat=True))
        with output.open("wb") as file:
            count = documents_export(documents=documents_in_chunks(ids), output=file)
        self.stdout.write(self.style.SUCCESS(f"{count} documents written to {output}"))
