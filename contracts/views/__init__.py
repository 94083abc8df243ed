"""Screens of contracts, one module per area; contracts/urls.py joins their urlpatterns."""
