"""Every error under /api/ answers JSON, also those raised before or outside a DRF view
(an unknown URL, a body over the size limit, an unhandled exception).

DRF's exception handler covers errors inside its views; Django's own error views
(`handler400`/`403`/`404`/`500`) and the body-size check cover the rest. Outside /api/
the screens keep Django's HTML pages.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework.exceptions import NotFound
from rest_framework.views import APIView

from backoffice.formatting import number

API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def _too_large() -> JsonResponse:
    return JsonResponse(
        {
            "detail": _("The request body is larger than %(max)s bytes.")
            % {"max": number(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}
        },
        status=413,
    )


class UnknownApiPath(APIView):
    """Every path under /api/ that no route matches: a JSON 404 for any method, also with
    DEBUG on (where Django would show its HTML debug page instead of handler404)."""

    authentication_classes = []
    permission_classes = []
    schema = None

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise NotFound


def bad_request(request, exception, template_name=defaults.ERROR_400_TEMPLATE_NAME):
    if isinstance(exception, RequestDataTooBig) and _is_api(request):
        return _too_large()
    if _is_api(request):
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    return defaults.bad_request(request, exception, template_name)


def permission_denied(request, exception, template_name=defaults.ERROR_403_TEMPLATE_NAME):
    if _is_api(request):
        return JsonResponse({"detail": _("You do not have permission to perform this action.")}, status=403)
    return defaults.permission_denied(request, exception, template_name)


def page_not_found(request, exception, template_name=defaults.ERROR_404_TEMPLATE_NAME):
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception, template_name)


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    if _is_api(request):
        return JsonResponse({"detail": _("A server error occurred.")}, status=500)
    return defaults.server_error(request, template_name)


class RequestSizeLimitMiddleware:
    """A declared body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused with 413 before anything
    reads it (Django itself raises only when `request.body` is read, and DRF's parsers
    stream past that check)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and _is_api(request):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return JsonResponse({"Content-Length": [_("Not a number.")]}, status=400)
            if length > limit:
                return _too_large()
        return self.get_response(request)
