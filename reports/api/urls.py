from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    BacklogReportView,
    ConsumptionTaxReportView,
    PipelineReportView,
    SalesReportView,
    SalesTargetViewSet,
    TargetReportView,
)

router = SimpleRouter()
router.register("sales-targets", SalesTargetViewSet, basename="sales-target")

urlpatterns = [
    path("reports/sales/", SalesReportView.as_view(), name="report-sales"),
    path("reports/targets/", TargetReportView.as_view(), name="report-targets"),
    path("reports/backlog/", BacklogReportView.as_view(), name="report-backlog"),
    path("reports/pipeline/", PipelineReportView.as_view(), name="report-pipeline"),
    path("reports/consumption-tax/", ConsumptionTaxReportView.as_view(), name="report-consumption-tax"),
    *router.urls,
]
