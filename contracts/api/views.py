"""API of contracts. Views parse input, call one service, render the result."""

import io

import django_filters
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from backoffice.api.fields import BusinessDateFilter
from backoffice.api.renderers import JPEGRenderer, PDFRenderer, PNGRenderer
from backoffice.api.schema import ERROR
from backoffice.permissions import RolePermission
from backoffice.roles import Role
from contracts import services
from contracts.models import Contract, ContractTemplate
from contracts.selectors import contracts_visible_to, ending_before_filter
from contracts.services.contracts import SIGNED_TYPES

from .serializers import (
    ContractCommentSerializer,
    ContractRejectSerializer,
    ContractSerializer,
    ContractTemplateSerializer,
    ContractTemplateUpdateSerializer,
    EndContractSerializer,
    IssueContractSerializer,
    NoticeContractSerializer,
    RenewContractSerializer,
    SendContractSerializer,
    SignContractSerializer,
)

ADMIN = (Role.SALES_ADMIN,)


class ContractFilter(django_filters.FilterSet):
    ending_before = BusinessDateFilter(method="filter_ending_before", label="term (as renewed) ends before")

    class Meta:
        model = Contract
        fields = ["customer", "kind", "status", "number", "template"]

    def filter_ending_before(self, queryset, name, value):
        return ending_before_filter(queryset, value)


@extend_schema_view(
    destroy=extend_schema(
        summary="Delete a draft",
        description="Only a draft (also one waiting for approval, approved or sent back) is deleted; "
        "an issued contract never is (409): end it, or amend it with a 覚書.",
        responses={
            204: OpenApiResponse(description="The draft is deleted."),
            409: OpenApiResponse(ERROR, description="The contract has been issued: it is never deleted."),
        },
    ),
    update=extend_schema(
        responses={200: ContractSerializer, 409: OpenApiResponse(ERROR, description="Issued: never edited.")}
    ),
    partial_update=extend_schema(
        responses={200: ContractSerializer, 409: OpenApiResponse(ERROR, description="Issued: never edited.")}
    ),
)
class ContractViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """契約書: sales admins draft, issue, send, record the signature, renew and end; managers
    approve wording changed from the standard; a rep reads their own customers' contracts."""

    serializer_class = ContractSerializer
    permission_classes = [RolePermission]
    filterset_class = ContractFilter
    search_fields = ["number", "title", "customer__name", "customer__code"]
    ordering_fields = ["id", "starts_on", "ends_on", "current_ends_on", "issue_date"]
    action_roles = {
        "submit": ADMIN,
        "approve": (Role.MANAGER,),
        "reject": (Role.MANAGER,),
        "issue": ADMIN,
        "send": ADMIN,
        "sign": ADMIN,
        "renew": ADMIN,
        "notice": ADMIN,
        "end": ADMIN,
    }

    def get_queryset(self):
        return contracts_visible_to(self.request.user).prefetch_related("renewals")

    def perform_create(self, serializer):
        serializer.instance = services.contract_create(user=self.request.user, data=dict(serializer.validated_data))

    def perform_update(self, serializer):
        serializer.instance = services.contract_update(
            contract=serializer.instance, user=self.request.user, data=dict(serializer.validated_data)
        )

    def perform_destroy(self, instance):
        services.contract_delete(contract=instance, user=self.request.user)

    def _done(self, contract, code=status.HTTP_200_OK):
        contract = self.get_queryset().get(pk=contract.pk)
        return Response(ContractSerializer(contract, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=None, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Ask a manager to approve wording that differs from the standard template."""
        return self._done(services.contract_submit(contract=self.get_object(), user=request.user))

    @extend_schema(request=ContractCommentSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = _valid(ContractCommentSerializer, request)
        return self._done(services.contract_approve(contract=self.get_object(), user=request.user, **data))

    @extend_schema(request=ContractRejectSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = _valid(ContractRejectSerializer, request)
        return self._done(services.contract_reject(contract=self.get_object(), user=request.user, **data))

    @extend_schema(request=IssueContractSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        """Number (CT-…), archived PDF with its SHA-256, stamp duty fixed. Never edited afterwards."""
        data = _valid(IssueContractSerializer, request)
        return self._done(services.contract_issue(contract=self.get_object(), user=request.user, **data))

    @extend_schema(request=SendContractSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        data = _valid(SendContractSerializer, request)
        return self._done(services.contract_send(contract=self.get_object(), user=request.user, **data))

    @extend_schema(request={"multipart/form-data": SignContractSerializer}, responses=ContractSerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def sign(self, request, pk=None):
        """Upload the countersigned copy (PDF or scan); stored once with its SHA-256."""
        data = _valid(SignContractSerializer, request)
        upload = data.pop("file")
        contract = services.contract_sign(contract=self.get_object(), user=request.user, content=upload.read(), **data)
        return self._done(contract)

    @extend_schema(request=RenewContractSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        data = _valid(RenewContractSerializer, request)
        return self._done(services.contract_renew(contract=self.get_object(), user=request.user, **data))

    @extend_schema(request=NoticeContractSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def notice(self, request, pk=None):
        """Notice not to renew, given within the notice period: the contract ends at its term end."""
        data = _valid(NoticeContractSerializer, request)
        return self._done(services.contract_give_notice(contract=self.get_object(), user=request.user, **data))

    @extend_schema(request=EndContractSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        data = _valid(EndContractSerializer, request)
        return self._done(services.contract_end(contract=self.get_object(), user=request.user, **data))

    @extend_schema(
        summary="The countersigned copy, verified against its SHA-256",
        responses={
            **{(200, content_type): OpenApiTypes.BINARY for content_type, _extension in SIGNED_TYPES.values()},
            409: OpenApiResponse(description="No copy stored, or its bytes no longer match their SHA-256."),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="signed-copy",
        renderer_classes=[renderers.JSONRenderer, PDFRenderer, JPEGRenderer, PNGRenderer],
    )
    def signed_copy(self, request, pk=None):
        contract = self.get_object()
        content = services.contract_signed_bytes(contract)
        extension = contract.signed_file.name.rsplit(".", 1)[-1]
        return FileResponse(
            io.BytesIO(content),
            content_type=contract.signed_content_type,
            filename=f"{contract.number}-signed.{extension}",
        )


class ContractTemplateViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """契約書のひな形: sales admins write them; every change is a new version (the response is
    the new version), and a contract keeps the version it was drafted from. A sales admin's
    new wording is not the standard (its contracts need approval) until a manager marks it
    (`mark-standard`); asking for `is_standard` on changed wording is refused (400)."""

    serializer_class = ContractTemplateSerializer
    permission_classes = [RolePermission]
    filterset_fields = ["kind", "code", "is_current", "is_standard"]
    ordering_fields = ["id", "code", "version"]
    read_roles = (Role.SALES_ADMIN, Role.MANAGER)
    action_roles = {"mark_standard": (Role.MANAGER,)}

    def get_queryset(self):
        return ContractTemplate.objects.all().order_by("code", "-version")

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return ContractTemplateUpdateSerializer
        return ContractTemplateSerializer

    def perform_create(self, serializer):
        serializer.instance = services.contract_template_create(
            user=self.request.user, data=dict(serializer.validated_data)
        )

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        template = services.contract_template_update(
            template=serializer.instance, user=request.user, data=dict(serializer.validated_data)
        )
        return Response(ContractTemplateSerializer(template).data)

    @extend_schema(request=None, responses=ContractTemplateSerializer)
    @action(detail=True, methods=["post"], url_path="mark-standard")
    def mark_standard(self, request, pk=None):
        """A manager makes the current version's wording the standard (409 for an earlier
        version, or one that already is)."""
        template = services.contract_template_mark_standard(template=self.get_object(), user=request.user)
        return Response(ContractTemplateSerializer(template).data)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
