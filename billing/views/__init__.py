"""The month-end screens of the billing app, one module per area; each module has its own
`urlpatterns`, which billing/urls.py joins."""
