"""Serializer fields and filters used across the apps' APIs."""

import django_filters
from rest_framework import serializers

from backoffice.validators import business_date


class BusinessDateField(serializers.DateField):
    """A date whose year is within settings.BUSINESS_YEARS."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(business_date)


class BusinessDateFilter(django_filters.DateFilter):
    """A date query parameter whose year is within settings.BUSINESS_YEARS (a 400 naming it)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [business_date])
        super().__init__(*args, **kwargs)
