from .views import products, purchasing, stock

app_name = "inventory"

urlpatterns = [
    *products.urlpatterns,
    *purchasing.urlpatterns,
    *stock.urlpatterns,
]
