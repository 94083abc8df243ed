from .views import bank, closings, credit_notes, invoices, payments, receivables, settings

app_name = "billing"

urlpatterns = [
    *invoices.urlpatterns,
    *payments.urlpatterns,
    *receivables.urlpatterns,
    *closings.urlpatterns,
    *bank.urlpatterns,
    *credit_notes.urlpatterns,
    *settings.urlpatterns,
]
