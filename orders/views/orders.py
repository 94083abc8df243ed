"""Screens: orders."""

urlpatterns = []
