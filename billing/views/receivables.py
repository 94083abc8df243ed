"""Screens: receivables."""

urlpatterns = []
