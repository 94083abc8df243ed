from .views import customers, inquiries, orders, quotes, shipments

app_name = "orders"

urlpatterns = [
    *customers.urlpatterns,
    *inquiries.urlpatterns,
    *quotes.urlpatterns,
    *orders.urlpatterns,
    *shipments.urlpatterns,
]
