"""Screens: invoices."""

urlpatterns = []
