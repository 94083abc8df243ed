"""Screens: inquiries."""

urlpatterns = []
