"""Serializers of contracts and their templates, and the input of each workflow action."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from backoffice.api.fields import BusinessDateField
from backoffice.api.model_serializer import ModelSerializer
from contracts.models import Contract, ContractEndReason, ContractKind, ContractRenewal, ContractTemplate
from contracts.selectors import contracts_visible_to


class ContractTemplateSerializer(ModelSerializer):
    class Meta:
        model = ContractTemplate
        fields = [
            "id",
            "kind",
            "code",
            "version",
            "is_current",
            "name",
            "body",
            "is_standard",
            "stamp_class",
            "is_construction",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["version", "is_current", "created_by", "created_at"]
        # The code names the template across its versions; the services refuse a duplicate.
        extra_kwargs = {"code": {"validators": []}}
        validators = []


class ContractTemplateUpdateSerializer(ContractTemplateSerializer):
    class Meta(ContractTemplateSerializer.Meta):
        read_only_fields = [*ContractTemplateSerializer.Meta.read_only_fields, "code"]


class ContractRenewalSerializer(ModelSerializer):
    class Meta:
        model = ContractRenewal
        fields = ["previous_end", "new_end", "automatic", "renewed_by", "renewed_at"]


class VisibleContractField(serializers.PrimaryKeyRelatedField):
    """Another contract (amended, superseded), among those the user sees."""

    def get_queryset(self):
        return contracts_visible_to(self.context["request"].user)


class ContractSerializer(ModelSerializer):
    starts_on = BusinessDateField()
    ends_on = BusinessDateField()
    amends = VisibleContractField(required=False, allow_null=True)
    supersedes = VisibleContractField(required=False, allow_null=True)
    template = serializers.PrimaryKeyRelatedField(queryset=ContractTemplate.objects.all())
    kind = serializers.ChoiceField(choices=ContractKind.choices, required=False)
    term_end = serializers.DateField(read_only=True, help_text="The end of the term as renewed.")
    has_signed_copy = serializers.SerializerMethodField()
    # Blank until the contract ends: declared so the schema admits "" (a read-only model field
    # loses allow_blank, and the schema would then promise one of the reasons).
    end_reason = serializers.ChoiceField(choices=ContractEndReason.choices, allow_blank=True, read_only=True)
    renewals = ContractRenewalSerializer(many=True, read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "kind",
            "customer",
            "template",
            "title",
            "body",
            "status",
            "quote",
            "order",
            "amends",
            "supersedes",
            "amount",
            "tax_rate",
            "starts_on",
            "ends_on",
            "term_end",
            "auto_renew_months",
            "notice_days",
            "on_paper",
            "stamp_class",
            "is_construction",
            "stamp_duty",
            "stamp_duty_basis",
            "company_signatory_title",
            "company_signatory_name",
            "customer_signatory_title",
            "customer_signatory_name",
            "note",
            "requires_approval",
            "approved_by",
            "approval_comment",
            "issue_date",
            "document",
            "sent_on",
            "signed_on",
            "signed_sha256",
            "has_signed_copy",
            "notice_given_on",
            "ended_on",
            "end_reason",
            "renewals",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "status",
            "stamp_duty",
            "stamp_duty_basis",
            "requires_approval",
            "approved_by",
            "approval_comment",
            "issue_date",
            "document",
            "sent_on",
            "signed_on",
            "signed_sha256",
            "notice_given_on",
            "ended_on",
            "end_reason",
            "created_by",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"title": {"required": False}, "body": {"required": False}, "stamp_class": {"required": False}}

    def get_has_signed_copy(self, contract) -> bool:
        return bool(contract.signed_file)


class IssueContractSerializer(serializers.Serializer):
    issue_date = BusinessDateField(required=False, help_text="Default: today.")


class SendContractSerializer(serializers.Serializer):
    sent_on = BusinessDateField(required=False, help_text="Default: today.")


class SignContractSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The countersigned copy: PDF, JPEG or PNG, at most 10 MB.")
    signed_on = BusinessDateField(required=False, help_text="Default: today.")


class RenewContractSerializer(serializers.Serializer):
    months = serializers.IntegerField(
        required=False, min_value=1, max_value=120, help_text="Default: the contract's automatic renewal."
    )


class NoticeContractSerializer(serializers.Serializer):
    given_on = BusinessDateField(
        required=False, help_text="Default: today. At the latest the notice date (notice_days before the term end)."
    )


class EndContractSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Contract.EndReason.choices)
    ended_on = BusinessDateField(required=False, help_text="Default: today.")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ContractCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ContractRejectSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, error_messages={"blank": _("Say why the contract is rejected.")})
