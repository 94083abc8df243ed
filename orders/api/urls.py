from rest_framework.routers import SimpleRouter

from .views import CustomerPriceViewSet, CustomerViewSet

router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("customer-prices", CustomerPriceViewSet, basename="customer-price")

urlpatterns = router.urls
