from .views import bank, bank_layouts, closings, credit_notes, invoices, payments, receivables, settings

app_name = "billing"

urlpatterns = [
    *invoices.urlpatterns,
    *payments.urlpatterns,
    *receivables.urlpatterns,
    *closings.urlpatterns,
    *bank.urlpatterns,
    *bank_layouts.urlpatterns,
    *credit_notes.urlpatterns,
    *settings.urlpatterns,
]
