from django.core.management.base import BaseCommand

from documents.services import documents_render_pending


class Command(BaseCommand):
    help = "Render the PDFs still pending (or whose render failed) from their stored snapshots."

    def handle(self, *args, **options):
        self.stdout.write(f"{documents_render_pending()} PDFs rendered.")
