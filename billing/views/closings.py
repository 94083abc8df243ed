"""Screens: closings."""

urlpatterns = []
