from .views import bank, closings, invoices, payments, receivables, settings

app_name = "billing"

urlpatterns = [
    *invoices.urlpatterns,
    *payments.urlpatterns,
    *receivables.urlpatterns,
    *closings.urlpatterns,
    *bank.urlpatterns,
    *settings.urlpatterns,
]
