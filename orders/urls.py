from .views import customers, inquiries, orders, pickers, quotes, shipments, slips

app_name = "orders"

urlpatterns = [
    *pickers.urlpatterns,
    *customers.urlpatterns,
    *inquiries.urlpatterns,
    *quotes.urlpatterns,
    *slips.urlpatterns,
    *orders.urlpatterns,
    *shipments.urlpatterns,
]
