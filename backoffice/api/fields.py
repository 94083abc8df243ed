"""Serializer fields and filters used across the apps' APIs."""

import django_filters
from django import forms
from rest_framework import serializers

from backoffice.validators import business_date

# The largest primary key (BigAutoField): a larger number names no row, and SQLite cannot
# even bind it (OverflowError), so an id input beyond it is refused as bad input.
MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    """The id of a row, given as a number (1 to MAX_ID)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class IdFilter(django_filters.NumberFilter):
    """An id query parameter: a whole number from 1 to MAX_ID (1.5 or 10**20 is a 400)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


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
