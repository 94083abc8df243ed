"""manage.py run_closing 2026-11-30 --user admin: the closing run (締め処理) from the command line."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from backoffice.exceptions import DomainError
from backoffice.validators import parse_business_date
from billing.services import closing_run


class Command(BaseCommand):
    help = "Invoice every consolidated customer who closes on the given date (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("closing_date", help="YYYY-MM-DD")
        parser.add_argument("--user", required=True, help="username of the sales admin running it")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, closing_date, user, batch_size, **options):
        try:
            day = parse_business_date(closing_date)
        except ValidationError as error:
            raise CommandError(f"closing_date: {error.messages[0]}") from None
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"--user: no active user {user}")
        if batch_size < 1:
            raise CommandError("--batch-size: at least 1")

        def progress(run):
            self.stdout.write(f"{run.customers_done}/{run.customers_total} customers, {run.invoices_created} invoices")

        try:
            run = closing_run(closing_date=day, user=actor, batch_size=batch_size, progress=progress)
        except DomainError as error:
            raise CommandError(f"{error.field or 'error'}: {error.message}") from None
        self.stdout.write(
            self.style.SUCCESS(f"closing {run.closing_date}: {run.status}, {run.invoices_created} invoices created")
        )
