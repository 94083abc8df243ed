from .views import customers, inquiries, orders, pickers, quotes, shipments

app_name = "orders"

urlpatterns = [
    *pickers.urlpatterns,
    *customers.urlpatterns,
    *inquiries.urlpatterns,
    *quotes.urlpatterns,
    *orders.urlpatterns,
    *shipments.urlpatterns,
]
