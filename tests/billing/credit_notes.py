"""Credit notes as the billing tests issue them."""

import datetime as dt
from decimal import Decimal

from billing import services
from billing.models import Invoice
from billing.services import CreditLineInput
from tests.billing.conftest import ship


def price_reduction(user, invoice, amounts, *, reason="値引", issue_date=None):
    """A 値引 credit note on `invoice`: `amounts` is [(invoice line, yen off it)]."""
    return services.credit_note_issue(
        invoice=invoice,
        kind="price_reduction",
        lines=[CreditLineInput(invoice_line=line, amount=Decimal(amount)) for line, amount in amounts],
        reason=reason,
        user=user,
        issue_date=issue_date,
    )


def goods_returned(user, line, quantity, *, reason="返品"):
    """A 返品 credit note: `quantity` units of the invoice line come back."""
    return services.credit_note_issue(
        invoice=line.invoice,
        kind="return",
        lines=[CreditLineInput(invoice_line=line, quantity=quantity)],
        reason=reason,
        user=user,
    )


def paid_then_reduced(user, customer, *, sales, paid, reduction):
    """October: `sales` + 10% shipped and closed. November: `paid` received on the 5th and
    `reduction` (+ tax) taken off October's line on the 15th. Returns (October's invoice,
    the credit note)."""
    ship(user, customer, [(sales, 10)], dt.date(2026, 10, 10))
    services.closing_run(closing_date=dt.date(2026, 10, 31), user=user)
    october = Invoice.objects.get(period_end=dt.date(2026, 10, 31))
    services.payment_record(customer=customer, received_on=dt.date(2026, 11, 5), amount=Decimal(paid), user=user)
    note = price_reduction(
        user, october, [(october.lines.get(), reduction)], reason="単価訂正", issue_date=dt.date(2026, 11, 15)
    )
    return october, note
