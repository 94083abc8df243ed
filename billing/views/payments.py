"""Screens: payments."""

urlpatterns = []
