from rest_framework.routers import SimpleRouter

from .views import ProductViewSet, SupplierViewSet, WarehouseViewSet

router = SimpleRouter()
router.register("products", ProductViewSet, basename="product")
router.register("suppliers", SupplierViewSet, basename="supplier")
router.register("warehouses", WarehouseViewSet, basename="warehouse")

urlpatterns = router.urls
