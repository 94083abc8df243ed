from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backoffice.api.fields import BusinessDateField
from backoffice.api.model_serializer import ModelSerializer
from documents.models import IssuedDocument
from documents.rendering import KIND_LAYOUTS
from documents.types import DocumentKind


@extend_schema_field(
    {
        "type": "string",
        "enum": DocumentKind.values,
        "description": "\n".join(f"* `{kind.value}` - {KIND_LAYOUTS[kind].title}" for kind in DocumentKind),
    },
    component_name="DocumentKind",
)
class DocumentKindField(serializers.ChoiceField):
    """Its own schema component: `kind` is also a field of other apps with other choices, and
    an enum shared by the list and detail components would get a hashed name (a warning)."""

    def __init__(self, **kwargs):
        super().__init__(choices=DocumentKind.choices, **kwargs)


class CounterpartySerializer(serializers.Serializer):
    kind = serializers.CharField(source="counterparty_kind")
    id = serializers.IntegerField(source="counterparty_id", allow_null=True)
    name = serializers.CharField(source="counterparty_name")


class IssuedDocumentSerializer(ModelSerializer):
    kind = DocumentKindField(read_only=True)
    counterparty = CounterpartySerializer(source="*", read_only=True)
    issued_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = IssuedDocument
        fields = [
            "id",
            "kind",
            "number",
            "revision",
            "issued_at",
            "issued_by",
            "document_date",
            "counterparty",
            "amount",
            "sha256",
            "render_status",
            "pdf_url",
            "supersedes",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_pdf_url(self, document) -> str | None:
        """null while the PDF is still being rendered (render_status "pending" or "failed")."""
        if not document.is_rendered:
            return None
        url = reverse("document-pdf", args=[document.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class SourceSerializer(serializers.Serializer):
    type = serializers.CharField(source="source_type")
    id = serializers.CharField(source="source_id")


class IssuedDocumentDetailSerializer(IssuedDocumentSerializer):
    source = SourceSerializer(source="*", read_only=True)
    data = serializers.JSONField(read_only=True, help_text=_("The snapshot the PDF is rendered from."))

    class Meta(IssuedDocumentSerializer.Meta):
        fields = [*IssuedDocumentSerializer.Meta.fields, "fiscal_year", "rendered_at", "source", "data"]
        read_only_fields = fields


class DocumentSendSerializer(serializers.Serializer):
    to = serializers.ListField(child=serializers.EmailField(), min_length=1, max_length=20)
    cc = serializers.ListField(child=serializers.EmailField(), max_length=20, required=False, default=list)
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DocumentSendResponseSerializer(serializers.Serializer):
    detail = serializers.CharField()


class VerificationProblemSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="document_id")
    number = serializers.CharField()
    problem = serializers.ChoiceField(choices=["missing", "mismatch"])
    expected = serializers.CharField()
    actual = serializers.CharField()


class VerificationReportSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    checked = serializers.IntegerField()
    pending = serializers.IntegerField()
    problems = VerificationProblemSerializer(many=True)


class ExportQuerySerializer(serializers.Serializer):
    date_from = BusinessDateField()
    date_to = BusinessDateField()

    def validate(self, attrs):
        if attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": [_("The end date is before the start date.")]})
        return attrs
