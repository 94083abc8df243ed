from django.core.management.base import BaseCommand

from orders.services import quotes_expire


class Command(BaseCommand):
    help = "Record the expiry of issued quotes past their validity (run daily). Accepted and declined quotes are kept."

    def handle(self, *args, **options):
        count = quotes_expire()
        self.stdout.write(f"{count} quote(s) expired.")
