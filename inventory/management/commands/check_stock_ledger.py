from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from inventory.selectors import stock_ledger_problems


class Command(BaseCommand):
    help = "Prove the stock ledger: Σ moves = on hand and Σ allocations = allocated, for every product and warehouse."

    def handle(self, *args, **options):
        problems = stock_ledger_problems()
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(_("%(count)d stock ledger problems found.") % {"count": len(problems)})
        self.stdout.write(self.style.SUCCESS(_("The stock ledger is consistent.")))
