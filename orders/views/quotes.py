"""Screens: quotes."""

urlpatterns = []
