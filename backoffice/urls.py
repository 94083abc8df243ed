from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from backoffice.api.http_errors import UnknownApiPath

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's init script as a file (?script=), so the page
    # runs under the Content-Security-Policy without an inline script.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="backoffice/swagger_ui.html"),
        name="api-docs",
    ),
    path("api/v1/", include("backoffice.api.urls")),
    path("api/v1/", include("orders.api.urls")),
    path("api/v1/", include("inventory.api.urls")),
    path("api/v1/", include("documents.api.urls")),
    path("api/v1/", include("billing.api.urls")),
    path("api/v1/", include("contracts.api.urls")),
    path("api/v1/", include("reports.api.urls")),
    re_path(r"^api/", UnknownApiPath.as_view()),
    path("reports/", include("reports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("web.urls")),
    path("", include("orders.urls")),
    path("", include("inventory.urls")),
    path("", include("documents.urls")),
    path("billing/", include("billing.urls")),
    path("settings/", include("backoffice.screen_urls")),
    path("contracts/", include("contracts.urls")),
]

handler400 = "backoffice.api.http_errors.bad_request"
handler403 = "backoffice.api.http_errors.permission_denied"
handler404 = "backoffice.api.http_errors.page_not_found"
handler500 = "backoffice.api.http_errors.server_error"
