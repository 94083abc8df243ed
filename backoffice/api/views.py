import django_filters
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.signals import user_logged_in
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from backoffice.authentication import password_fingerprint
from backoffice.models import ApiToken, AuditEvent
from backoffice.permissions import IsSuperuser, RolePermission
from backoffice.roles import Role
from backoffice.selectors import company_profile
from backoffice.services import api_token_issue, api_token_revoke, api_tokens_revoke_all, company_profile_update

from .model_serializer import ModelSerializer
from .serializers import AuditEventSerializer, CompanyProfileSerializer


class CompanyProfileView(generics.RetrieveUpdateAPIView):
    """The issuer profile (singleton): everyone reads, sales admins change it."""

    serializer_class = CompanyProfileSerializer
    permission_classes = [RolePermission]

    def get_object(self):
        return company_profile()

    def perform_update(self, serializer):
        serializer.instance = company_profile_update(user=self.request.user, data=dict(serializer.validated_data))


class AuditEventFilter(django_filters.FilterSet):
    occurred_from = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_to = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lte")
    actor = django_filters.CharFilter(field_name="actor__username")

    class Meta:
        model = AuditEvent
        fields = ["object_type", "object_id", "action"]


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = AuditEvent.objects.select_related("actor")
    serializer_class = AuditEventSerializer
    permission_classes = [RolePermission]
    read_roles = (Role.SALES_ADMIN, Role.MANAGER)
    filterset_class = AuditEventFilter
    ordering_fields = ["occurred_at", "id"]
    search_fields = ["object_repr", "action"]


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class ObtainTokenView(APIView):
    """Exchange a username and password for a new API token of that user. The token
    expires after API_TOKEN_TTL_HOURS; repeated failures lock the username and the
    address out (429)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "TokenResponse", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}
            ),
            429: OpenApiResponse(description="Too many failed attempts or requests"),
        },
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The Django request: axes marks it when the attempt is refused for a lockout.
        user = authenticate(request=request._request, **serializer.validated_data)
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to sign in with the given username and password.")]}
            )
        token, key = api_token_issue(user=user)
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        return Response({"token": key, "expiry": token.expiry})


class RevokeTokenView(APIView):
    """The token this request carries stops working."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None, 400: OpenApiResponse(description="Not signed in by a token")})
    def post(self, request):
        if not isinstance(request.auth, ApiToken):
            return Response(
                {"detail": _("This request was not signed in with an API token.")}, status=status.HTTP_400_BAD_REQUEST
            )
        api_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenSerializer(ModelSerializer):
    key_prefix = serializers.SerializerMethodField(help_text="The first 8 characters of the token")

    class Meta:
        model = ApiToken
        fields = ["key_prefix", "created", "expiry"]

    def get_key_prefix(self, token) -> str:
        return token.token_key[:8]


class UserTokenListView(APIView):
    """The API tokens of a user that still work (superusers only)."""

    permission_classes = [IsSuperuser]

    @extend_schema(responses=ApiTokenSerializer(many=True))
    def get(self, request, user_id):
        user = get_object_or_404(get_user_model(), pk=user_id)
        fingerprint = password_fingerprint(user)
        tokens = [
            token
            for token in ApiToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")
            if token.password_fingerprint == fingerprint
        ]
        return Response(ApiTokenSerializer(tokens, many=True).data)


class UserTokenRevokeView(APIView):
    """Every API token of a user stops working (superusers only)."""

    permission_classes = [IsSuperuser]

    @extend_schema(request=None, responses=inline_serializer("TokensRevoked", {"revoked": serializers.IntegerField()}))
    def post(self, request, user_id):
        user = get_object_or_404(get_user_model(), pk=user_id)
        return Response({"revoked": api_tokens_revoke_all(user=user, actor=request.user)})
