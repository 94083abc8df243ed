"""Screens: bank."""

urlpatterns = []
