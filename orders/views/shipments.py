"""Screens: shipments."""

urlpatterns = []
