from django.utils.translation import gettext as _
from rest_framework import serializers

from backoffice.api.model_serializer import ModelSerializer
from backoffice.models import AuditEvent, BankAccount, CompanyProfile


class BankAccountSerializer(ModelSerializer):
    class Meta:
        model = BankAccount
        fields = ["bank_name", "branch_name", "account_type", "account_number", "account_holder_kana"]


class CompanyProfileSerializer(ModelSerializer):
    bank_accounts = BankAccountSerializer(many=True, required=False)
    is_complete = serializers.BooleanField(read_only=True)

    class Meta:
        model = CompanyProfile
        fields = [
            "name",
            "postal_code",
            "address",
            "phone",
            "fax",
            "email",
            "registration_number",
            "bank_accounts",
            "rounding_mode",
            "fiscal_year_start_month",
            "holiday_rule",
            "max_discount_rate",
            "max_quote_total",
            "transfer_fee_note",
            "is_complete",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]

    def validate_bank_accounts(self, value):
        if len(value) > 5:
            raise serializers.ValidationError(_("At most 5 bank accounts."))
        return value


class AuditEventSerializer(ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = AuditEvent
        fields = ["id", "occurred_at", "actor", "action", "object_type", "object_id", "object_repr", "changes"]
        read_only_fields = fields
