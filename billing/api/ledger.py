"""売掛金元帳 over the API: one customer's ledger for a period, the same data as the screen."""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from backoffice.api.fields import MAX_ID, BusinessDateField
from backoffice.permissions import RolePermission
from backoffice.roles import restrict_to_own_customers
from billing import ledger
from orders.models import Customer

MONEY = {"max_digits": 14, "decimal_places": 0}
KINDS = [
    (ledger.EntryKind.INVOICE, "invoice"),
    (ledger.EntryKind.CREDIT_NOTE, "credit note"),
    (ledger.EntryKind.PAYMENT, "payment"),
    (ledger.EntryKind.FEE, "bank fee"),
    (ledger.EntryKind.CREDIT_USE, "credit used on an invoice"),
]


class LedgerQuerySerializer(serializers.Serializer):
    date_from = BusinessDateField(required=False, help_text=_("first day; default the first of date_to's month"))
    date_to = BusinessDateField(required=False, help_text=_("last day (inclusive); default today"))

    def validate(self, data):
        date_to = data.get("date_to") or timezone.localdate()
        date_from = data.get("date_from") or date_to.replace(day=1)
        if date_from > date_to:
            raise serializers.ValidationError({"date_to": [_("The end date is before the start date.")]})
        return {"date_from": date_from, "date_to": date_to}


class LedgerEntrySerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=KINDS)
    description = serializers.CharField()
    number = serializers.CharField(help_text=_("the invoice's or credit note's number"))
    charge = serializers.DecimalField(**MONEY, help_text=_("sales including tax (raises the balance)"))
    received = serializers.DecimalField(**MONEY, help_text=_("payment, bank fee or credit note (lowers it)"))
    applied = serializers.DecimalField(
        **MONEY, help_text=_("credit used on an invoice: moves nothing, shown for the record")
    )
    balance = serializers.DecimalField(**MONEY)
    invoice = serializers.IntegerField(source="invoice_id", allow_null=True)


class CustomerLedgerSerializer(serializers.Serializer):
    customer = serializers.IntegerField(source="customer.pk")
    customer_code = serializers.CharField(source="customer.code")
    customer_name = serializers.CharField(source="customer.name")
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    opening_balance = serializers.DecimalField(**MONEY)
    entries = LedgerEntrySerializer(many=True)
    closing_balance = serializers.DecimalField(
        **MONEY, help_text=_("invoices − payments − bank fees − credit notes up to date_to")
    )


class CustomerLedgerView(APIView):
    """売掛金元帳: opening balance, each invoice, payment, bank fee, credit note and use of credit
    with the running balance, and the closing balance. Every role reads; a rep only their own
    customers (another's is a 404)."""

    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="customers_ledger",
        parameters=[LedgerQuerySerializer],
        responses={
            200: CustomerLedgerSerializer,
            400: OpenApiResponse(description="a bad date, named by its field"),
            404: OpenApiResponse(description="no such customer, or not one of the rep's"),
        },
    )
    def get(self, request, pk: int):
        if pk > MAX_ID:
            raise NotFound
        customers = restrict_to_own_customers(Customer.objects.all(), request.user, "")
        customer = get_object_or_404(customers, pk=pk)
        query = LedgerQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data: dict[str, dt.date] = query.validated_data
        result = ledger.customer_ledger(customer=customer, **data)
        return Response(CustomerLedgerSerializer(result).data)
