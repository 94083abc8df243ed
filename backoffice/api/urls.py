from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    AuditEventViewSet,
    CompanyProfileView,
    ObtainTokenView,
    RevokeTokenView,
    UserTokenListView,
    UserTokenRevokeView,
)

router = SimpleRouter()
router.register("audit-events", AuditEventViewSet, basename="audit-event")

urlpatterns = [
    path("company/", CompanyProfileView.as_view(), name="company"),
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    path("auth/token/revoke/", RevokeTokenView.as_view(), name="auth-token-revoke"),
    path("users/<int:user_id>/tokens/", UserTokenListView.as_view(), name="user-tokens"),
    path("users/<int:user_id>/tokens/revoke/", UserTokenRevokeView.as_view(), name="user-tokens-revoke"),
    *router.urls,
]
