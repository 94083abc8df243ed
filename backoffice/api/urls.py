from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import AuditEventViewSet, CompanyProfileView, ObtainTokenView

router = SimpleRouter()
router.register("audit-events", AuditEventViewSet, basename="audit-event")

urlpatterns = [
    path("company/", CompanyProfileView.as_view(), name="company"),
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    *router.urls,
]
