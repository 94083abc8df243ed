"""Billing API. Views parse input, call one service, render the result."""

import django_filters
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from backoffice.api.fields import BusinessDateFilter
from backoffice.api.pagination import PageNumberPagination
from backoffice.api.renderers import XMLRenderer
from backoffice.permissions import RolePermission
from backoffice.roles import Role, restrict_to_own_customers
from billing import einvoice, journal, ledger, selectors, services
from billing.models import Allocation, BankStatementImport, BankStatementLine, ClosingRun, CreditNote, Invoice, Payment

from .serializers import (
    AgingQuerySerializer,
    AgingReportSerializer,
    AgingRowSerializer,
    AgingTotalsSerializer,
    BankLineConfirmSerializer,
    BankStatementAccountSerializer,
    BankStatementLineSerializer,
    BankStatementSerializer,
    BankStatementUploadSerializer,
    ClosingRequestSerializer,
    ClosingRunSerializer,
    CreditNoteCreateSerializer,
    CreditNoteSerializer,
    InvoiceCancelSerializer,
    InvoiceIssueSerializer,
    InvoiceSerializer,
    JournalQuerySerializer,
    PaymentAllocateSerializer,
    PaymentCreateSerializer,
    PaymentSerializer,
)

ADMIN = (Role.SALES_ADMIN,)
ADMIN_AND_MANAGER = (Role.SALES_ADMIN, Role.MANAGER)


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _allocation_inputs(rows):
    if rows is None:
        return None
    return [services.AllocationInput(invoice=r["invoice"], amount=r["amount"], bank_fee=r["bank_fee"]) for r in rows]


class BillingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every role reads (a rep only their own customers'); sales admins write."""

    permission_classes = [RolePermission]

    def scoped(self, queryset):
        return restrict_to_own_customers(queryset, self.request.user)


# --- e-invoices (JP PINT UBL) --------------------------------------------------------------------


def _ubl_response(xml: bytes, number: str) -> HttpResponse:
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{number}.xml"'
    return response


def _ubl_schema(what: str):
    return extend_schema(
        summary=f"The JP PINT 1.1.3 e-invoice (UBL 2.1 {what}) of this document",
        description="The XML stored when the document was issued (built and stored on the first request for "
        "a document issued before e-invoices), served only if it still has its stored SHA-256. Any role "
        "(a sales rep only for their own customers).",
        responses={
            (200, "application/xml"): OpenApiResponse(response=OpenApiTypes.BINARY, description="the UBL XML"),
            403: OpenApiResponse(description="Not signed in with a role."),
            404: OpenApiResponse(description="No such document, or another rep's customer."),
            409: OpenApiResponse(
                description='The e-invoice breaks a rule of Japanese invoices (`"code": "einvoice_invalid"`, the '
                'message names it), or its stored bytes were altered (`"code": "einvoice_tampered"`).'
            ),
            410: OpenApiResponse(description='The stored XML file is missing (`"code": "einvoice_missing"`).'),
        },
    )


# --- invoices ---------------------------------------------------------------------------------


class InvoiceFilter(django_filters.FilterSet):
    issued_from = BusinessDateFilter(field_name="issue_date", lookup_expr="gte")
    issued_to = BusinessDateFilter(field_name="issue_date", lookup_expr="lte")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="overdue")

    class Meta:
        model = Invoice
        fields = ["customer", "status", "kind", "number", "period_end"]

    def filter_overdue(self, queryset, name, value):
        overdue = {"status__in": selectors.OPEN_STATUSES, "due_date__lt": timezone.localdate()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)


def _invoice_queryset():
    return Invoice.objects.select_related("customer").prefetch_related("lines", "shipment_links")


class InvoiceViewSet(BillingViewSet):
    """請求: per-shipment invoices and consolidated invoices (合計請求書)."""

    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilter
    search_fields = ["number", "customer__name", "customer__code"]
    ordering_fields = ["issue_date", "due_date", "id", "total"]

    def get_queryset(self):
        return self.scoped(_invoice_queryset())

    @extend_schema(request=InvoiceIssueSerializer, responses={201: InvoiceSerializer})
    def create(self, request):
        """Issue the invoice of one shipped shipment (per-shipment billing done by hand)."""
        data = _valid(InvoiceIssueSerializer, request.data)
        invoice = services.invoice_issue_for_shipment(user=request.user, **data)
        return Response(InvoiceSerializer(_invoice_queryset().get(pk=invoice.pk)).data, status=201)

    @extend_schema(request=InvoiceCancelSerializer, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = _valid(InvoiceCancelSerializer, request.data)
        invoice = services.invoice_cancel(invoice=self.get_object(), user=request.user, **data)
        return Response(InvoiceSerializer(_invoice_queryset().get(pk=invoice.pk)).data)

    @_ubl_schema("Invoice")
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, XMLRenderer])
    def ubl(self, request, pk=None):
        invoice = self.get_object()
        return _ubl_response(einvoice.invoice_ubl(invoice=invoice, user=request.user), invoice.number)


# --- closings ---------------------------------------------------------------------------------


class ClosingViewSet(BillingViewSet):
    """締め処理: POST a closing date; the same date again creates nothing new."""

    serializer_class = ClosingRunSerializer
    queryset = ClosingRun.objects.all()
    read_roles = ADMIN_AND_MANAGER
    filterset_fields = ["status", "closing_date"]
    ordering_fields = ["closing_date", "id"]

    @extend_schema(
        request=ClosingRequestSerializer,
        responses={201: ClosingRunSerializer, 202: ClosingRunSerializer},
    )
    def create(self, request):
        data = _valid(ClosingRequestSerializer, request.data)
        if data["in_background"]:
            run = services.closing_schedule(closing_date=data["closing_date"], user=request.user)
            return Response(ClosingRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)
        run = services.closing_run(closing_date=data["closing_date"], user=request.user)
        return Response(ClosingRunSerializer(run).data, status=status.HTTP_201_CREATED)


# --- payments ---------------------------------------------------------------------------------


def _payment_queryset():
    return Payment.objects.prefetch_related(
        Prefetch("allocations", queryset=Allocation.objects.select_related("invoice"))
    )


class PaymentViewSet(BillingViewSet):
    """入金: record money received; it is matched oldest invoice first unless allocations are given."""

    serializer_class = PaymentSerializer
    filterset_fields = ["customer", "method", "received_on"]
    search_fields = ["payer_name", "note", "customer__name"]
    ordering_fields = ["received_on", "id", "amount"]

    def get_queryset(self):
        return self.scoped(_payment_queryset())

    @extend_schema(request=PaymentCreateSerializer, responses={201: PaymentSerializer})
    def create(self, request):
        data = _valid(PaymentCreateSerializer, request.data)
        allocations = _allocation_inputs(data.pop("allocations", None))
        payment = services.payment_record(user=request.user, allocations=allocations, **data)
        return Response(PaymentSerializer(_payment_queryset().get(pk=payment.pk)).data, status=201)

    @extend_schema(request=PaymentAllocateSerializer, responses=PaymentSerializer)
    @action(detail=True, methods=["post"])
    def allocate(self, request, pk=None):
        """Match what is still unallocated on the payment."""
        data = _valid(PaymentAllocateSerializer, request.data)
        payment = services.payment_allocate(
            payment=self.get_object(), user=request.user, allocations=_allocation_inputs(data.get("allocations"))
        )
        return Response(PaymentSerializer(_payment_queryset().get(pk=payment.pk)).data)


# --- credit notes -----------------------------------------------------------------------------


def _credit_note_queryset():
    return CreditNote.objects.select_related("invoice").prefetch_related("lines__invoice_line")


class CreditNoteViewSet(BillingViewSet):
    """返品・値引: a qualified return invoice against an invoice."""

    serializer_class = CreditNoteSerializer
    filterset_fields = ["customer", "invoice", "kind"]
    search_fields = ["number", "invoice__number", "reason"]
    ordering_fields = ["issue_date", "id"]

    def get_queryset(self):
        return self.scoped(_credit_note_queryset())

    @extend_schema(request=CreditNoteCreateSerializer, responses={201: CreditNoteSerializer})
    def create(self, request):
        data = _valid(CreditNoteCreateSerializer, request.data)
        lines = [
            services.CreditLineInput(invoice_line=row["invoice_line"], quantity=row["quantity"], amount=row["amount"])
            for row in data.pop("lines")
        ]
        note = services.credit_note_issue(user=request.user, lines=lines, **data)
        return Response(CreditNoteSerializer(_credit_note_queryset().get(pk=note.pk)).data, status=201)

    @_ubl_schema("CreditNote")
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, XMLRenderer])
    def ubl(self, request, pk=None):
        note = self.get_object()
        return _ubl_response(einvoice.credit_note_ubl(credit_note=note, user=request.user), note.number)


# --- bank statements --------------------------------------------------------------------------


class BankStatementViewSet(BillingViewSet):
    """入金明細: upload a bank CSV; rows are matched by payer name and amount."""

    serializer_class = BankStatementSerializer
    queryset = BankStatementImport.objects.prefetch_related("lines")
    read_roles = ADMIN_AND_MANAGER
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": BankStatementUploadSerializer},
        responses={201: BankStatementSerializer, 400: OpenApiResponse(description="the file's first error")},
    )
    def create(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": [_("Upload the CSV file as 'file'.")]})
        if upload.size > 5 * 1024 * 1024:
            raise ValidationError({"file": [_("The file is larger than 5 MB.")]})
        account = _valid(BankStatementAccountSerializer, {"bank_account": request.data.get("bank_account") or None})
        statement = services.bank_statement_import(
            content=upload.read(), file_name=upload.name, bank_account=account["bank_account"], user=request.user
        )
        return Response(BankStatementSerializer(self.queryset.get(pk=statement.pk)).data, status=201)


class BankStatementLineViewSet(BillingViewSet):
    """The review list: filter `?status=unmatched`, then confirm (with a customer) or ignore."""

    serializer_class = BankStatementLineSerializer
    queryset = BankStatementLine.objects.all()
    read_roles = ADMIN_AND_MANAGER
    filterset_fields = ["status", "statement", "customer"]
    search_fields = ["payer_name"]
    ordering_fields = ["transaction_date", "id"]

    @extend_schema(request=BankLineConfirmSerializer, responses=PaymentSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        data = _valid(BankLineConfirmSerializer, request.data)
        payment = services.bank_line_confirm(
            line=self.get_object(),
            customer=data["customer"],
            bank_fee=data["bank_fee"],
            allocations=_allocation_inputs(data.get("allocations")),
            user=request.user,
        )
        return Response(PaymentSerializer(_payment_queryset().get(pk=payment.pk)).data)

    @extend_schema(request=None, responses=BankStatementLineSerializer)
    @action(detail=True, methods=["post"])
    def ignore(self, request, pk=None):
        line = services.bank_line_ignore(line=self.get_object(), user=request.user)
        return Response(BankStatementLineSerializer(line).data)


# --- reports ----------------------------------------------------------------------------------


class ReceivablesReportView(APIView):
    """売掛金年齢表: open amounts per customer by days past due and the credit held for them, as
    they stood on `as_of` (later invoices, payments and credit notes left out), with totals.
    Reps see their customers."""

    permission_classes = [RolePermission]

    @extend_schema(
        parameters=[
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="default today"),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses=AgingReportSerializer,
    )
    def get(self, request):
        query = _valid(AgingQuerySerializer, request.query_params)
        as_of = query.get("as_of") or timezone.localdate()
        report = ledger.aging(user=request.user, as_of=as_of)
        paginator = PageNumberPagination()
        rows = paginator.paginate_queryset(report.rows, request, view=self)
        return Response(
            {
                "as_of": as_of,
                "count": paginator.page.paginator.count,
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "results": AgingRowSerializer(rows, many=True).data,
                "totals": AgingTotalsSerializer(report.totals).data,
            }
        )


class JournalExportView(APIView):
    """The accounting journal of a period as CSV: `layout=generic`, `freee`, `mf` (UTF-8 with BOM)
    or `yayoi` (弥生会計, Shift_JIS)."""

    permission_classes = [RolePermission]
    read_roles = ADMIN_AND_MANAGER

    @extend_schema(
        parameters=[JournalQuerySerializer],
        responses={(200, "text/csv"): OpenApiResponse(response=OpenApiTypes.BINARY, description="the journal CSV")},
    )
    def get(self, request):
        query = _valid(JournalQuerySerializer, request.query_params)
        content, file_name = journal.journal_csv(**query)
        charset = "shift_jis" if query["layout"] == "yayoi" else "utf-8"
        response = HttpResponse(content, content_type=f"text/csv; charset={charset}")
        response["Content-Disposition"] = f'attachment; filename="{file_name}"'
        return response
