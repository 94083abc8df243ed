import io
import tempfile

import django_filters
from django import forms
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from backoffice.api.fields import BusinessDateFilter, IdFilter
from backoffice.api.renderers import PDFRenderer, ZIPRenderer
from backoffice.permissions import RolePermission
from backoffice.roles import Role
from documents import services
from documents.exceptions import DocumentNotRendered
from documents.models import IssuedDocument, RenderStatus
from documents.selectors import documents_visible_to
from documents.types import CounterpartyKind, DocumentKind
from orders.selectors import own_customer_ids  # a door (ARCHITECTURE.md): a rep sees their customers' documents

from .serializers import (
    DocumentSendResponseSerializer,
    DocumentSendSerializer,
    ExportQuerySerializer,
    IssuedDocumentDetailSerializer,
    IssuedDocumentSerializer,
    VerificationReportSerializer,
)


class CounterpartyReferenceField(forms.CharField):
    """`customer:12` or `supplier:3` → (kind, id); a bare `12` → (None, 12), which the
    filter set accepts only together with counterparty_kind."""

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        kind, _sep, number = value.rpartition(":")
        if kind not in ("", *CounterpartyKind.values) or not number.isascii() or not number.isdigit():
            raise forms.ValidationError(_("Give the counterparty as customer:<id> or supplier:<id>."))
        return (kind or None, int(number))


class CounterpartyReferenceFilter(django_filters.CharFilter):
    field_class = CounterpartyReferenceField

    def filter(self, qs, value):
        if value is None:
            return qs
        kind, pk = value
        qs = qs.filter(counterparty_id=pk)
        return qs.filter(counterparty_kind=kind) if kind else qs


class DocumentFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        reference = cleaned.get("counterparty")
        if reference is not None and reference[0] is None and not cleaned.get("counterparty_kind"):
            # A customer and a supplier may share an id: a bare id names no one.
            self.add_error(
                "counterparty",
                _("Customers and suppliers share ids: give customer:<id> or supplier:<id>, or counterparty_kind."),
            )
        return cleaned


class DocumentFilter(django_filters.FilterSet):
    """The Electronic Books Act searches: date range, amount range, counterparty, combined."""

    kind = django_filters.ChoiceFilter(choices=DocumentKind.choices)
    number = django_filters.CharFilter(lookup_expr="istartswith", help_text="Number, or its start.")
    counterparty = CounterpartyReferenceFilter(
        help_text="customer:<id> or supplier:<id> (a bare id only with counterparty_kind)."
    )
    customer = IdFilter(field_name="counterparty_id", method="filter_customer", help_text="Customer id.")
    supplier = IdFilter(field_name="counterparty_id", method="filter_supplier", help_text="Supplier id.")
    counterparty_kind = django_filters.ChoiceFilter(choices=CounterpartyKind.choices)
    counterparty_name = django_filters.CharFilter(lookup_expr="icontains")
    date_from = BusinessDateFilter(field_name="document_date", lookup_expr="gte")
    date_to = BusinessDateFilter(field_name="document_date", lookup_expr="lte")
    amount_min = django_filters.NumberFilter(field_name="amount", lookup_expr="gte")
    amount_max = django_filters.NumberFilter(field_name="amount", lookup_expr="lte")
    render_status = django_filters.ChoiceFilter(choices=RenderStatus.choices)

    class Meta:
        model = IssuedDocument
        form = DocumentFilterForm
        fields = ["kind", "number", "counterparty", "customer", "supplier", "counterparty_kind", "date_from", "date_to"]

    def filter_customer(self, queryset, name, value):
        return queryset.filter(counterparty_kind=CounterpartyKind.CUSTOMER, counterparty_id=value)

    def filter_supplier(self, queryset, name, value):
        return queryset.filter(counterparty_kind=CounterpartyKind.SUPPLIER, counterparty_id=value)


ERROR = OpenApiResponse(description='The reason, as {"detail": ...}.')


@extend_schema_view(
    list=extend_schema(summary="Issued documents (archive), searchable by date, amount and counterparty"),
    retrieve=extend_schema(summary="One issued document with its data snapshot"),
)
class DocumentViewSet(viewsets.ReadOnlyModelViewSet):
    """The archive of issued documents: read-only. A sales rep sees the documents of their
    own customers only (others are 404)."""

    permission_classes = [RolePermission]
    action_roles = {
        "verify": (Role.SALES_ADMIN,),
        "export": (Role.SALES_ADMIN, Role.MANAGER),
        "send": (Role.SALES_ADMIN, Role.SALES_REP),
    }
    filterset_class = DocumentFilter
    search_fields = ["number", "counterparty_name"]
    ordering_fields = ["document_date", "issued_at", "amount", "number", "id"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return documents_visible_to(own_customer_ids(self.request.user))

    def get_serializer_class(self):
        return IssuedDocumentDetailSerializer if self.action == "retrieve" else IssuedDocumentSerializer

    @extend_schema(
        summary="The stored PDF bytes",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            409: OpenApiResponse(
                description="The PDF is still being rendered (retry shortly; `render_status`), or its stored "
                'bytes no longer match their SHA-256 and are refused (`"code": "pdf_tampered"`).'
            ),
            410: OpenApiResponse(description='The stored PDF file is missing (`"code": "pdf_missing"`).'),
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, PDFRenderer])
    def pdf(self, request, pk=None):
        document = self.get_object()
        if not document.is_rendered:
            raise DocumentNotRendered(
                _("The PDF of %(number)s is still being prepared.") % {"number": document.number},
                extra={"render_status": document.render_status},
            )
        pdf = services.document_pdf_bytes(document, user=request.user)
        return FileResponse(io.BytesIO(pdf), content_type="application/pdf", filename=f"{document.number}.pdf")

    @extend_schema(
        summary="Re-hash the stored PDFs (the list's filters apply) and report any mismatch",
        responses={200: VerificationReportSerializer},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def verify(self, request):
        ids = list(self.filter_queryset(self.get_queryset()).order_by("pk").values_list("pk", flat=True))
        report = services.documents_verify(services.documents_in_chunks(ids))
        return Response(VerificationReportSerializer(report).data)

    @extend_schema(
        summary="ZIP of the PDFs and a CSV index (UTF-8 with BOM) for a date range, for a tax inspection",
        parameters=[
            OpenApiParameter("date_from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("date_to", OpenApiTypes.DATE, required=True),
        ],
        responses={(200, "application/zip"): OpenApiTypes.BINARY, 400: ERROR},
    )
    @action(detail=False, methods=["get"], renderer_classes=[renderers.JSONRenderer, ZIPRenderer])
    def export(self, request):
        query = ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        documents = self.filter_queryset(self.get_queryset()).order_by("document_date", "number")
        ids = list(documents.values_list("pk", flat=True))
        output = tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024)  # noqa: SIM115 (closed by FileResponse)
        services.documents_export(documents=services.documents_in_chunks(ids), output=output, user=request.user)
        output.seek(0)
        dates = query.validated_data
        return FileResponse(
            output,
            as_attachment=True,
            content_type="application/zip",
            filename=f"documents_{dates['date_from']:%Y%m%d}-{dates['date_to']:%Y%m%d}.zip",
        )

    @extend_schema(
        summary="E-mail the PDF (sent by a background task, recorded in the audit trail)",
        request=DocumentSendSerializer,
        responses={202: DocumentSendResponseSerializer, 400: ERROR, 409: ERROR},
    )
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        document = self.get_object()
        serializer = DocumentSendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.document_send(document=document, user=request.user, **serializer.validated_data)
        return Response({"detail": _("The document will be sent.")}, status=status.HTTP_202_ACCEPTED)
