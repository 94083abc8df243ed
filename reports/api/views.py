"""Reports API. Each view parses its query, calls one selector and renders the result as
JSON, or as a CSV / .xlsx download with `?format=csv|xlsx`."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import ProtectedError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from backoffice.api.parsers import JSONParser
from backoffice.exceptions import InvalidInput
from backoffice.permissions import RolePermission
from backoffice.roles import Role, sees_all_customers
from reports import exports, selectors, services
from reports.models import SalesTarget

from .renderers import CSVRenderer, XLSXRenderer
from .serializers import (
    BacklogQuerySerializer,
    BacklogReportSerializer,
    ConsumptionTaxQuerySerializer,
    ConsumptionTaxReportSerializer,
    PipelineQuerySerializer,
    PipelineReportSerializer,
    SalesQuerySerializer,
    SalesReportSerializer,
    SalesTargetImportResultSerializer,
    SalesTargetImportSerializer,
    SalesTargetSerializer,
    TargetReportSerializer,
    TargetsQuerySerializer,
)

FORMAT_PARAMETER = OpenApiParameter(
    "format", OpenApiTypes.STR, enum=["json", "csv", "xlsx"], description="csv (UTF-8 with BOM) or xlsx to download"
)
DOWNLOADS = {
    (200, "text/csv"): OpenApiResponse(response=OpenApiTypes.BINARY, description="the report as CSV"),
    (200, XLSXRenderer.media_type): OpenApiResponse(response=OpenApiTypes.BINARY, description="the report as .xlsx"),
}


BAD_QUERY = OpenApiResponse(
    description="a bad query parameter (a date that is not YYYY-MM-DD, an end before the start), "
    'as {"date_to": ["..."]}; always JSON, whatever format was asked for'
)


def _query(serializer_class, params) -> dict:
    serializer = serializer_class(data=params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _filters(query: dict) -> selectors.SalesFilters:
    return selectors.SalesFilters(
        customer=query.get("customer"),
        product=query.get("product"),
        rep=query.get("rep"),
        warehouse=query.get("warehouse"),
    )


YEN, SEN = Decimal(1), Decimal("0.01")


def _sales_row(row: selectors.SalesRow) -> dict:
    # Thousands of rows: each figure is worked out once, with the selectors' rules
    # (gross margin and growth as `percent`, rounded half up to 0.1).
    amount, cost, last_year_amount, share = row.amount, row.cost, row.last_year_amount, row.share_pct
    gross_profit = amount - cost
    return {
        "key": row.key,
        "label": row.label,
        "keys": row.keys,
        "labels": row.labels,
        "quantity": int(row.quantity),
        "amount": str(amount.quantize(YEN)),
        "cost": str(cost.quantize(SEN)),
        "gross_profit": str(gross_profit.quantize(SEN)),
        "gross_margin_pct": str(selectors.percent(gross_profit, amount)) if amount > 0 else None,
        "share_pct": None if share is None else str(share),
        "last_year_quantity": int(row.last_year_quantity),
        "last_year_amount": str(last_year_amount.quantize(YEN)),
        "growth_pct": str(selectors.growth(amount, last_year_amount)) if last_year_amount else None,
    }


def sales_payload(report: selectors.SalesReport) -> dict:
    """What SalesReportSerializer gives, written out directly: a report can have thousands
    of rows, and a DRF field per cell costs more than the SQL."""
    return {
        "date_from": report.date_from.isoformat(),
        "date_to": report.date_to.isoformat(),
        "last_year_from": report.last_year_from.isoformat(),
        "last_year_to": report.last_year_to.isoformat(),
        "group_by": report.group_by,
        "rows": [_sales_row(row) for row in report.rows],
        "total": _sales_row(report.total),
    }


class ReportView(APIView):
    """A report: JSON by default, a file with ?format=csv|xlsx. Every role reads; a rep's
    figures are limited to their own customers inside the selectors.

    A report view names its query serializer, its report serializer (or a `payload`
    function writing the same JSON), the exports function making its download's table
    and the parts of the file's name, and builds the report in `report()`."""

    permission_classes = [RolePermission]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer, XLSXRenderer]
    query_serializer: type[Serializer]
    report_serializer: type[Serializer]
    payload: Callable[[Any], dict] | None = None  # a staticmethod
    table: Callable[[Any], exports.Table]  # a staticmethod
    file_stem = "report"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Each report's GET documents its own query parameters and answer.
        extend_schema_view(
            get=extend_schema(
                parameters=[cls.query_serializer, FORMAT_PARAMETER],
                responses={200: cls.report_serializer, **DOWNLOADS, 400: BAD_QUERY},
            )
        )(cls)

    def report(self, query: dict):
        """The report for the validated query."""
        raise NotImplementedError

    def file_name_parts(self, report) -> list[str]:
        """What the download's file name says after `file_stem`: the period, by default."""
        return [f"{report.date_from:%Y%m%d}", f"{report.date_to:%Y%m%d}"]

    def get(self, request):
        report = self.report(_query(self.query_serializer, request.query_params))
        file_format = getattr(request.accepted_renderer, "format", "json")
        if file_format in ("csv", "xlsx"):  # the table is made only when a file is asked for
            file_name = "_".join([self.file_stem, *self.file_name_parts(report)]) + f".{file_format}"
            return Response(self.table(report), headers={"Content-Disposition": f'attachment; filename="{file_name}"'})
        if self.payload is not None:
            return Response(self.payload(report))
        return Response(self.report_serializer(report).data)

    def finalize_response(self, request, response, *args, **kwargs):
        # Only a report's table is written as a file: errors and OPTIONS' description of
        # the view are JSON whatever format was asked for.
        renderer = getattr(request, "accepted_renderer", None)
        data = getattr(response, "data", None)
        if not isinstance(data, exports.Table) and getattr(renderer, "format", None) in ("csv", "xlsx"):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class SalesReportView(ReportView):
    """売上集計: net sales excluding tax (shipments less credit notes) grouped by one or
    two of month, day, product, customer, rep, category, with cost, gross profit, share
    and the same period last year. The total is the sum of the rows."""

    query_serializer = SalesQuerySerializer
    report_serializer = SalesReportSerializer
    payload = staticmethod(sales_payload)
    table = staticmethod(exports.sales_table)
    file_stem = "sales"

    def file_name_parts(self, report):
        return [*super().file_name_parts(report), "-".join(report.group_by)]

    def report(self, query):
        try:
            return selectors.sales_report(
                user=self.request.user,
                date_from=query["date_from"],
                date_to=query["date_to"],
                group_by=query["group_by"],
                filters=_filters(query),
            )
        except selectors.TooManyRows:
            raise InvalidInput(
                _("More than %(count)d rows: choose a shorter period or a coarser grouping.")
                % {"count": selectors.MAX_ROWS},
                field="group_by",
            ) from None


class TargetReportView(ReportView):
    """目標達成率: per rep, the month's target, actual and achievement rate, and the fiscal
    year to date. A rep sees only their own row."""

    query_serializer = TargetsQuerySerializer
    report_serializer = TargetReportSerializer
    table = staticmethod(exports.targets_table)
    file_stem = "targets"

    def file_name_parts(self, report):
        return [f"{report.month:%Y%m}"]

    def report(self, query):
        month = query.get("month") or selectors.month_start(timezone.localdate())
        return selectors.targets_report(user=self.request.user, month=month)


class BacklogReportView(ReportView):
    """受注残: confirmed order lines not yet shipped, by expected ship date."""

    query_serializer = BacklogQuerySerializer
    report_serializer = BacklogReportSerializer
    table = staticmethod(exports.backlog_table)
    file_stem = "backlog"

    def file_name_parts(self, report):
        return [f"{report.as_of:%Y%m%d}"]

    def report(self, query):
        return selectors.backlog_report(user=self.request.user, group_by=query["group_by"], filters=_filters(query))


class PipelineReportView(ReportView):
    """見積パイプライン: open issued quotes and the won rate per rep, accepted /
    (accepted + declined + expired) of the quotes issued in the period."""

    query_serializer = PipelineQuerySerializer
    report_serializer = PipelineReportSerializer
    table = staticmethod(exports.pipeline_table)
    file_stem = "pipeline"

    def report(self, query):
        return selectors.pipeline_report(
            user=self.request.user, date_from=query["date_from"], date_to=query["date_to"], filters=_filters(query)
        )


class ConsumptionTaxReportView(ReportView):
    """消費税集計: per tax rate (10%, 8% reduced, 0% exempt), the period's invoices' sales
    and tax, the credit notes' (returns and price reductions) amounts and tax, and the net,
    as the documents state them (tax once per rate per document). Booked on the
    document's own issue date (`booked_on`: an invoice's 請求日, a credit note's issue date);
    cancelled invoices are left out. Company-wide, for sales admins and managers."""

    read_roles = (Role.SALES_ADMIN, Role.MANAGER)
    query_serializer = ConsumptionTaxQuerySerializer
    report_serializer = ConsumptionTaxReportSerializer
    table = staticmethod(exports.consumption_tax_table)
    file_stem = "consumption_tax"

    def report(self, query):
        return selectors.consumption_tax_report(date_from=query["date_from"], date_to=query["date_to"])


class SalesTargetViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Monthly sales targets per rep. Managers write; a rep reads only their own."""

    serializer_class = SalesTargetSerializer
    permission_classes = [RolePermission]
    write_roles = (Role.MANAGER,)
    action_roles = {"import_csv": (Role.MANAGER,)}
    filterset_fields = ["rep"]
    ordering_fields = ["month", "rep", "amount"]

    def get_queryset(self):
        queryset = SalesTarget.objects.select_related("rep").order_by("-month", "rep_id")
        if getattr(self, "swagger_fake_view", False):
            return queryset
        if not sees_all_customers(self.request.user):
            queryset = queryset.filter(rep=self.request.user)
        month = self.request.query_params.get("month")
        if month:
            queryset = queryset.filter(month=services.parse_month(month))
        return queryset

    def perform_create(self, serializer):
        serializer.instance = services.sales_target_set(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        data = {
            "rep": serializer.instance.rep,
            "month": serializer.instance.month,
            "amount": serializer.instance.amount,
            **serializer.validated_data,
        }
        serializer.instance = services.sales_target_update(user=self.request.user, target=serializer.instance, **data)

    def perform_destroy(self, instance):
        try:
            services.sales_target_delete(user=self.request.user, target=instance)
        except ProtectedError:  # pragma: no cover - nothing refers to a target today
            raise Http404 from None

    @extend_schema(
        request={"multipart/form-data": SalesTargetImportSerializer},
        responses={200: SalesTargetImportResultSerializer, 400: OpenApiResponse(description="the file's first error")},
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser, JSONParser])
    def import_csv(self, request):
        """Set many targets at once from a CSV: rep (username), month (YYYY-MM), amount."""
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": [_("Upload the CSV file as 'file'.")]})
        if upload.size > 2 * 1024 * 1024:
            raise ValidationError({"file": [_("The file is larger than 2 MB.")]})
        result = services.sales_targets_import(user=request.user, content=upload.read())
        return Response(SalesTargetImportResultSerializer(result).data, status=status.HTTP_200_OK)
