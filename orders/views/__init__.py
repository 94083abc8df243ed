"""The sales office screens of the orders app, one module per area; each module has its own
`urlpatterns`, which orders/urls.py joins."""
