from rest_framework.routers import SimpleRouter

from .flow_views import InquiryViewSet, OrderViewSet, QuoteViewSet, ShipmentViewSet
from .views import CustomerPriceViewSet, CustomerViewSet

router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("customer-prices", CustomerPriceViewSet, basename="customer-price")
router.register("inquiries", InquiryViewSet, basename="inquiry")
router.register("quotes", QuoteViewSet, basename="quote")
router.register("orders", OrderViewSet, basename="order")
router.register("shipments", ShipmentViewSet, basename="shipment")

urlpatterns = router.urls
