"""The inventory screens, one module per area; each module has its own `urlpatterns`,
which inventory/urls.py joins: products and their stock answer, purchasing (発注, 入荷),
stock (levels per warehouse, the ledger, stock take)."""
