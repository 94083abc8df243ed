from django.urls import path
from rest_framework.routers import SimpleRouter

from . import ledger
from .views import (
    BankStatementLineViewSet,
    BankStatementViewSet,
    ClosingViewSet,
    CreditNoteViewSet,
    InvoiceViewSet,
    JournalExportView,
    PaymentViewSet,
    ReceivablesReportView,
)

router = SimpleRouter()
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("closings", ClosingViewSet, basename="closing")
router.register("payments", PaymentViewSet, basename="payment")
router.register("credit-notes", CreditNoteViewSet, basename="credit-note")
router.register("bank-statements", BankStatementViewSet, basename="bank-statement")
router.register("bank-statement-lines", BankStatementLineViewSet, basename="bank-statement-line")

urlpatterns = [
    path("reports/receivables/", ReceivablesReportView.as_view(), name="report-receivables"),
    path("reports/journal/", JournalExportView.as_view(), name="report-journal"),
    path("customers/<int:pk>/ledger/", ledger.CustomerLedgerView.as_view(), name="customer-ledger"),
    *router.urls,
]
