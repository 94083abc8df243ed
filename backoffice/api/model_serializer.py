"""The project's ModelSerializer: DRF's, with the fields it builds from the model kept per class.

DRF introspects the model (each field's kwargs, validators, relations) every time a
serializer is instantiated, which was a quarter of a small GET's time and more for a
response with nested lines. The fields built are the same for every instance of a class
while the size limits some of them read (settings.LIMITS, which tests and the admin change at
run time) are the same, so they are built once per class and limits, and each instance gets
its own deep copy, as DRF gives each instance its own copy of the declared fields."""

from __future__ import annotations

import copy

from django.conf import settings
from rest_framework import serializers

_BUILT: dict[tuple, dict] = {}


class ModelSerializer(serializers.ModelSerializer):
    def get_fields(self):
        key = (type(self), tuple(sorted(settings.LIMITS.items())))
        built = _BUILT.get(key)
        if built is None:
            built = _BUILT[key] = super().get_fields()
        return copy.deepcopy(built)
