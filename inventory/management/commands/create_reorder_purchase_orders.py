from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from inventory.selectors import reorder_suggestions
from inventory.services import purchase_orders_create_from_suggestions


class Command(BaseCommand):
    help = "Turn the current reorder suggestions into draft purchase orders, one per supplier (nightly job)."

    def add_arguments(self, parser):
        parser.add_argument("--user", help="Username recorded as the author (default: none, the system).")
        parser.add_argument("--dry-run", action="store_true", help="Only list what would be ordered.")

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("No user %(username)s.") % {"username": options["user"]})
        if options["dry_run"]:
            for suggestion in reorder_suggestions():
                supplier = suggestion.supplier.code if suggestion.supplier else "-"
                self.stdout.write(f"{supplier} {suggestion.product.sku} {suggestion.suggested_quantity}")
            return
        created = purchase_orders_create_from_suggestions(user=user)
        for purchase_order in created:
            self.stdout.write(
                _("Draft purchase order #%(pk)d for %(supplier)s: %(lines)d lines.")
                % {"pk": purchase_order.pk, "supplier": purchase_order.supplier, "lines": purchase_order.lines.count()}
            )
        self.stdout.write(_("%(count)d draft purchase orders created.") % {"count": len(created)})
