import django_filters
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from backoffice.models import AuditEvent
from backoffice.permissions import RolePermission
from backoffice.roles import Role
from backoffice.selectors import company_profile
from backoffice.services import company_profile_update

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
    """Exchange a username and password for the API token of that user."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request=request, **serializer.validated_data)
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to sign in with the given username and password.")]}
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
