"""Demo data for `make demo`: a complete company, masters, work in flight, and one user per
role (the data is in `demo.data`).

Safe to re-run: every row is looked up by its natural key first, so a second run
changes nothing and creates nothing twice. Writes go through the services, so the
audit log shows the demo setup like any other work.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from demo import bankfile, contracts, history, masters, work
from demo.data import DEMO_USERS
from documents.exceptions import DocumentFontMissing
from documents.services import require_embedded_font


class Command(BaseCommand):
    help = "Load demo data (company, warehouses, products, customers, suppliers, one user per role). Safe to re-run."

    def handle(self, *args, **options):
        # The demo issues a purchase order, a quote and a delivery note: never without the
        # font their PDFs embed, or they would be archived unreadable for good.
        try:
            require_embedded_font()
        except DocumentFontMissing as error:
            raise CommandError(
                f"{error.message}\nThen run load_demo again (`make demo` installs it when run as root)."
            ) from error
        self._load()
        sample = bankfile.write_sample_statement(timezone.localdate(), settings.VAR_DIR / "demo")
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Users and passwords:"))
        for username, password, role, *_ in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {password:<20} {role.value if role else 'superuser'}")
        self.stdout.write(f"A bank file of today's transfers to upload on 入金明細 (/billing/bank/): {sample}")

    @transaction.atomic
    def _load(self):
        users = masters.load_users()
        admin = users["admin"]
        masters.load_company(admin)
        masters.load_warehouses(admin)
        suppliers = masters.load_suppliers(admin)
        masters.load_products(admin, suppliers)
        masters.load_customers(admin, users)
        work.load_stock_and_purchasing(admin)
        history.load_history(users)
        work.load_sales(users)
        work.load_targets(users)
        contracts.load_contracts(users)
