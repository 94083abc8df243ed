"""Every write of billing, one module per sub-domain; this package exports the public
services so callers import `billing.services` (or `from billing import services`).

- settings: billing_settings, billing_settings_update
- invoices: shipment_ship_and_bill (shipping is a billing step: orders ships, billing
  checks the period and invoices per-shipment customers), invoice_issue_for_shipment,
  invoice_cancel; issuing builds and saves invoices for them and the closing
- closing: closing_run, closing_schedule, closed_period_check (closing_inputs, shared
  with the read-only preview in billing/closing_preview.py)
- mailing: closing_send_schedule (the send-all as a Celery task, progress on a
  ClosingSend row), closing_send_invoices (the task's step: all a run's invoices to each
  customer's billing contacts, once, an item per invoice), closing_send_report,
  invoice_mailing_resend (a failed mail again); the send log is documents'
- payments: payment_record, payment_allocate; matching writes allocations, applies
  customer credit and holds the bank-fee rule
- credit_notes: credit_note_issue
- bank_statements: bank_statement_import (全銀 files, CSV, bank CSV exports), bank_line_confirm,
  bank_line_ignore
- bank_layouts: bank_csv_layout_save, bank_csv_layout_delete (a company bank account's CSV layout)
- validation: the checks of amounts and dates they share

How the balance works: an invoice is settled on its own sales (sales_total) by
allocations of payments (amount + the bank fee they carry) and of credit notes. Money
or credit not matched to any invoice is customer credit, used by the next invoice.
A consolidated invoice prints the running balance: previous 今回御請求額, the payments
and credit notes recorded since (each reported once), the carried-over rest, and this
period's sales and tax.

Entry points (called by the API, the admin, commands and tasks) are
`@transaction.atomic`; what only runs inside another step is `savepoint=False`.
"""

from .bank_layouts import bank_csv_layout_delete, bank_csv_layout_save
from .bank_statements import bank_line_confirm, bank_line_ignore, bank_statement_import
from .closing import closed_period_check, closing_days_for, closing_run, closing_schedule, previous_closing_date
from .credit_notes import CreditLineInput, credit_note_issue
from .invoices import invoice_cancel, invoice_issue_for_shipment, shipment_ship_and_bill
from .mailing import (
    closing_send_invoices,
    closing_send_report,
    closing_send_schedule,
    invoice_mailing_resend,
    invoice_recipients,
)
from .matching import bank_fee_shortfall
from .payments import AllocationInput, payment_allocate, payment_record
from .settings import billing_settings, billing_settings_update, journal_mapping_create, journal_mapping_update
from .validation import check_amount

__all__ = [
    "journal_mapping_create",
    "journal_mapping_update",
    "AllocationInput",
    "CreditLineInput",
    "bank_csv_layout_delete",
    "bank_csv_layout_save",
    "bank_fee_shortfall",
    "bank_line_confirm",
    "bank_line_ignore",
    "bank_statement_import",
    "billing_settings",
    "billing_settings_update",
    "check_amount",
    "closed_period_check",
    "closing_days_for",
    "closing_run",
    "closing_schedule",
    "closing_send_invoices",
    "closing_send_report",
    "closing_send_schedule",
    "credit_note_issue",
    "invoice_cancel",
    "invoice_issue_for_shipment",
    "invoice_mailing_resend",
    "invoice_recipients",
    "shipment_ship_and_bill",
    "payment_allocate",
    "payment_record",
    "previous_closing_date",
]
