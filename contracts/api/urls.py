from rest_framework.routers import SimpleRouter

from .views import ContractTemplateViewSet, ContractViewSet

router = SimpleRouter()
router.register("contracts", ContractViewSet, basename="contract")
router.register("contract-templates", ContractTemplateViewSet, basename="contract-template")

urlpatterns = router.urls
