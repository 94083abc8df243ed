"""The OpenAPI schema documents every answer an operation can give, errors included.

drf-spectacular documents the success response of each operation; the error answers come
from the one exception handler (backoffice.api.exception_handler) and the middleware, the
same for every operation, so they are added here once rather than per view.
"""

from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ERROR = inline_serializer("Error", fields={"detail": serializers.CharField()})
# A refused input names its fields: {"quantity": ["..."]}, or {"detail": "..."} when no field
# is at fault; some carry more keys (the CSV import's "rows").
FIELD_ERRORS = OpenApiResponse(OpenApiTypes.OBJECT, description="Bad input: each field at fault with its messages.")

ALWAYS = {
    "400": FIELD_ERRORS,
    "401": OpenApiResponse(ERROR, description="Not signed in, or the token is not valid."),
    "403": OpenApiResponse(ERROR, description="The user's role does not allow this."),
    "404": OpenApiResponse(ERROR, description="No such object, or not one the user may see."),
    "409": OpenApiResponse(
        OpenApiTypes.OBJECT, description="The object is not in a state that allows this (e.g. already issued)."
    ),
}
WITH_BODY = {
    "413": OpenApiResponse(ERROR, description="The request body is over the size limit."),
    "415": OpenApiResponse(ERROR, description="Unsupported content type."),
}
POST_ONLY = {
    "422": OpenApiResponse(ERROR, description="The Idempotency-Key was used before with another body."),
}
THROTTLED = {"429": OpenApiResponse(ERROR, description="Too many requests; retry later.")}


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = dict(ALWAYS)
        if self.method in ("POST", "PUT", "PATCH"):
            errors |= WITH_BODY
        if self.method == "POST":
            errors |= POST_ONLY
        if self.view.get_throttles():
            errors |= THROTTLED
        for code, response in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses
