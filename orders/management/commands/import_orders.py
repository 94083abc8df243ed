from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from backoffice.exceptions import DomainError
from orders.csv_import import orders_import_csv


class Command(BaseCommand):
    help = (
        "Import orders from a CSV (customer code, PO number, sku, quantity, requested date; UTF-8 or Shift_JIS). "
        "Every row is checked first: all rows are imported as draft orders, or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--user", required=True, help="the sales admin the orders are entered as")

    def handle(self, *args, path: Path, user: str, **options):
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"unknown user {user}")
        if not path.is_file():
            raise CommandError(f"no file {path}")
        try:
            orders = orders_import_csv(content=path.read_bytes(), user=account)
        except DomainError as error:
            for row in error.extra.get("rows", []) or [error.message]:
                self.stderr.write(str(row))
            raise CommandError("nothing imported") from error
        self.stdout.write(f"{len(orders)} order(s) imported: " + ", ".join(f"#{o.pk}" for o in orders))
