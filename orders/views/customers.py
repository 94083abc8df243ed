"""Screens: customers."""

urlpatterns = []
