from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from backoffice.admin import ReadOnlyAdmin, ReadOnlyAdminMixin
from orders.selectors import own_customer_ids  # a door (ARCHITECTURE.md): a rep sees their customers' documents

from .models import DocumentCounter, IssuedDocument
from .selectors import documents_visible_to


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyAdmin):
    """Read-only: an issued document is never added, changed or deleted here."""

    list_display = ["number", "kind", "document_date", "counterparty_name", "amount", "render_status", "issued_at"]
    list_filter = ["kind", "render_status", "counterparty_kind"]
    date_hierarchy = "document_date"
    search_fields = ["number", "counterparty_name"]
    list_select_related = ["issued_by"]
    fields = [
        "kind",
        "number",
        "revision",
        "document_date",
        "issued_at",
        "issued_by",
        "counterparty_kind",
        "counterparty_id",
        "counterparty_name",
        "amount",
        "supersedes",
        "source_type",
        "source_id",
        "render_status",
        "rendered_at",
        "sha256",
        "pdf_link",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return documents_visible_to(own_customer_ids(request.user))

    @admin.display(description=_("PDF"))
    def pdf_link(self, obj):
        if not obj.is_rendered:
            return obj.get_render_status_display()
        return format_html('<a href="{}">{}.pdf</a>', reverse("document-pdf", args=[obj.pk]), obj.number)


@admin.register(DocumentCounter)
class DocumentCounterAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["prefix", "fiscal_year", "last_value"]
    readonly_fields = ["prefix", "fiscal_year", "last_value"]
