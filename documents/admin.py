from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from backoffice.admin import ReadOnlyAdmin, ReadOnlyAdminMixin, ServiceModelAdmin, service_action
from backoffice.exceptions import InvalidInput
from orders.selectors import own_customer_ids  # a door (ARCHITECTURE.md): a rep sees their customers' documents

from .models import DocumentCounter, IssuedDocument, NumberPrefix
from .selectors import documents_visible_to
from .services import number_prefix_cancel, number_prefix_schedule
from .services.prefixes import clean_prefix


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


class NumberPrefixAdminForm(forms.ModelForm):
    class Meta:
        model = NumberPrefix
        fields = ["kind", "prefix", "from_fiscal_year"]

    def clean_prefix(self):
        # Full-width or lower-case letters become the prefix as stored; the service checks the rest.
        try:
            return clean_prefix(self.cleaned_data["prefix"])
        except InvalidInput as error:
            raise forms.ValidationError(str(error.message)) from error


@admin.register(NumberPrefix)
class NumberPrefixAdmin(ServiceModelAdmin):
    """Number prefixes: added through number_prefix_schedule (the same rules and audit as
    the settings screen), never changed or deleted; a scheduled change is cancelled by the
    action, which keeps the row."""

    form = NumberPrefixAdminForm
    list_display = ["kind", "prefix", "from_fiscal_year", "created_by", "created_at", "cancelled_at"]
    list_filter = ["kind"]
    list_select_related = ["created_by"]
    actions = [
        service_action(
            _("Cancel the selected changes (not yet used by any number)"),
            number_prefix_cancel,
            "change",
            message=_("cancelled"),
        )
    ]

    @staticmethod
    def create_service(*, user, data):
        return number_prefix_schedule(
            kind=data["kind"], prefix=data["prefix"], from_fiscal_year=data["from_fiscal_year"], user=user
        )[0]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["kind", "prefix", "from_fiscal_year", "created_by", "created_at", "cancelled_by", "cancelled_at"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
