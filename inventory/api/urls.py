from rest_framework.routers import SimpleRouter

from .views import (
    ProductViewSet,
    PurchaseOrderViewSet,
    StockAdjustmentViewSet,
    StockLevelViewSet,
    StockMoveViewSet,
    SupplierViewSet,
    WarehouseViewSet,
)

router = SimpleRouter()
router.register("products", ProductViewSet, basename="product")
router.register("suppliers", SupplierViewSet, basename="supplier")
router.register("warehouses", WarehouseViewSet, basename="warehouse")
router.register("stock", StockLevelViewSet, basename="stock")
router.register("stock-moves", StockMoveViewSet, basename="stock-move")
router.register("stock-adjustments", StockAdjustmentViewSet, basename="stock-adjustment")
router.register("purchase-orders", PurchaseOrderViewSet, basename="purchase-order")

urlpatterns = router.urls
