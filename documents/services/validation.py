"""The checks `document_issue` and `document_preview` make before anything is written:
the kind, date, recipient, lines, totals, the kind's own fields and a complete issuer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from backoffice.exceptions import InvalidInput
from backoffice.models import PLACEHOLDER_COMPANY_NAME, CompanyProfile
from backoffice.money import TAX_RATES, TaxMode, Totals

from ..types import (
    AMOUNT,
    BANK_ACCOUNT_KEYS,
    BANK_ACCOUNTS,
    BOOL,
    DATE,
    DELIVERY_NOTES,
    EXTRA_FIELDS,
    HONORIFICS,
    INVOICE_KINDS,
    LONG_TEXT,
    QUALIFIED_KINDS,
    TEXT,
    CounterpartyKind,
    DocumentData,
    DocumentKind,
)

MAX_TEXT = {"subject": 200, "notes": 2000, "name": 200, "line_text": 200, "extra_text": 200, "long_text": 30000}


def validate_document_data(data: DocumentData, profile: CompanyProfile) -> None:
    """Raise InvalidInput naming the first field at fault; nothing is written before this passes."""
    if data.kind not in DocumentKind.values:
        raise InvalidInput(_("Unknown document kind %(kind)s.") % {"kind": data.kind}, field="kind")
    if not isinstance(data.document_date, dt.date) or isinstance(data.document_date, dt.datetime):
        raise InvalidInput(_("Enter the document date as a date."), field="document_date")
    _validate_recipient(data)
    _validate_lines(data)
    _validate_totals(data)
    _validate_extra(data)
    for name in ("subject", "notes"):
        if len(getattr(data, name)) > MAX_TEXT[name]:
            raise InvalidInput(
                _("At most %(count)d characters.") % {"count": MAX_TEXT[name]},
                field=name,
            )
    _validate_issuer(data, profile)


def _validate_recipient(data: DocumentData) -> None:
    recipient = data.recipient
    if recipient is None:
        raise InvalidInput(_("A document needs a recipient."), field="recipient")
    if not recipient.name.strip():
        raise InvalidInput(_("Enter the recipient's name."), field="recipient.name")
    if len(recipient.name) > MAX_TEXT["name"]:
        raise InvalidInput(_("At most %(count)d characters.") % {"count": MAX_TEXT["name"]}, field="recipient.name")
    if recipient.honorific not in HONORIFICS:
        raise InvalidInput(_("The honorific must be 御中, 様 or empty."), field="recipient.honorific")
    if recipient.name.rstrip().endswith(("御中", "様")):
        raise InvalidInput(_("Give the name without 御中 or 様; the honorific is added once."), field="recipient.name")
    if recipient.counterparty_kind not in CounterpartyKind.values:
        raise InvalidInput(_("The counterparty must be a customer or a supplier."), field="recipient.counterparty_kind")


def _validate_lines(data: DocumentData) -> None:
    if not data.lines and data.kind != DocumentKind.CONTRACT:  # a master agreement states no amount
        raise InvalidInput(_("A document needs at least one line."), field="lines")
    limits = settings.LIMITS
    if len(data.lines) > limits["max_lines_per_document"]:
        raise InvalidInput(
            _("At most %(count)d lines per document.") % {"count": limits["max_lines_per_document"]}, field="lines"
        )
    rates = set(TAX_RATES.values())
    for index, line in enumerate(data.lines):
        prefix = f"lines[{index}]"
        if not line.name.strip():
            raise InvalidInput(_("Enter the product name."), field=f"{prefix}.name")
        for name in ("sku", "name", "unit", "note"):
            if len(getattr(line, name)) > MAX_TEXT["line_text"]:
                raise InvalidInput(
                    _("At most %(count)d characters.") % {"count": MAX_TEXT["line_text"]}, field=f"{prefix}.{name}"
                )
        if isinstance(line.quantity, bool) or not isinstance(line.quantity, int):
            raise InvalidInput(_("The quantity must be a whole number."), field=f"{prefix}.quantity")
        if abs(line.quantity) > limits["max_quantity"]:
            raise InvalidInput(_("The quantity is too large."), field=f"{prefix}.quantity")
        for name in ("unit_price", "amount"):
            value = getattr(line, name)
            if not isinstance(value, Decimal) or not value.is_finite():
                raise InvalidInput(_("Amounts must be Decimal numbers."), field=f"{prefix}.{name}")
        if line.amount != line.amount.to_integral_value():
            raise InvalidInput(_("A line amount is whole yen."), field=f"{prefix}.amount")
        if abs(line.amount) > limits["max_amount"]:
            raise InvalidInput(_("The amount is too large."), field=f"{prefix}.amount")
        if line.tax_rate not in rates:
            raise InvalidInput(
                _("The tax rate must be one of %(rates)s.") % {"rates": ", ".join(map(str, sorted(rates)))},
                field=f"{prefix}.tax_rate",
            )
        if line.delivery_date is not None and not _extra_value_ok(DATE, line.delivery_date):
            raise InvalidInput(_("This value has the wrong type."), field=f"{prefix}.delivery_date")


def _validate_totals(data: DocumentData) -> None:
    """The totals must be those of the lines: the per-rate sums match the breakdown and the
    breakdown adds up. (The tax itself is rounded by the caller with the company's mode.)"""
    totals = data.totals
    if not isinstance(totals, Totals):
        raise InvalidInput(_("Give the totals from compute_totals()."), field="totals")
    if data.tax_mode not in TaxMode.values:
        raise InvalidInput(_("The tax mode must be exclusive or inclusive."), field="tax_mode")
    sums: dict[int, Decimal] = {}
    for line in data.lines:
        sums[line.tax_rate] = sums.get(line.tax_rate, Decimal(0)) + line.amount
    inclusive = data.tax_mode == TaxMode.INCLUSIVE
    stated = {b.rate: (b.subtotal + b.tax if inclusive else b.subtotal) for b in totals.breakdown}
    consistent = (
        stated == sums
        and totals.subtotal == sum((b.subtotal for b in totals.breakdown), Decimal(0))
        and totals.tax_total == sum((b.tax for b in totals.breakdown), Decimal(0))
        and totals.total == totals.subtotal + totals.tax_total
    )
    if not consistent:
        raise InvalidInput(_("The totals do not match the lines."), field="totals")
    if abs(totals.total) > settings.LIMITS["max_amount"]:
        raise InvalidInput(_("The amount is too large."), field="totals")


def _validate_extra(data: DocumentData) -> None:
    extra = data.extra
    for key, value in extra.items():
        kind = EXTRA_FIELDS.get(key)
        field_name = f"extra.{key}"
        if kind is None:
            raise InvalidInput(_("Unknown document field %(name)s.") % {"name": key}, field=field_name)
        if not _extra_value_ok(kind, value):
            raise InvalidInput(_("This value has the wrong type."), field=field_name)
    if data.kind in INVOICE_KINDS and "due_date" not in extra:
        raise InvalidInput(_("An invoice needs a payment due date."), field="extra.due_date")
    if data.kind == DocumentKind.CONSOLIDATED_INVOICE:
        for key in ("period_start", "period_end"):
            if key not in extra:
                raise InvalidInput(_("A consolidated invoice needs its billing period."), field=f"extra.{key}")
        zero = Decimal(0)
        expected = extra.get("previous_balance", zero) - extra.get("payments", zero) - extra.get("credits", zero)
        if extra.get("carried_over", zero) != expected:
            raise InvalidInput(
                _("The amount carried over must be the previous balance less the payments and credit notes."),
                field="extra.carried_over",
            )
    if "credit_applied" in extra and not Decimal(0) <= extra["credit_applied"] <= data.totals.total:
        raise InvalidInput(
            _("The credit applied must be between zero and the invoice's total."), field="extra.credit_applied"
        )
    if data.kind == DocumentKind.CONTRACT and not str(extra.get("contract_body", "")).strip():
        raise InvalidInput(_("A contract needs its articles."), field="extra.contract_body")
    if data.kind == DocumentKind.CREDIT_NOTE and "original_date" not in extra:
        raise InvalidInput(_("A credit note needs the date of the original sale."), field="extra.original_date")


def _extra_value_ok(kind: str, value: Any) -> bool:
    if kind == DATE:
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    if kind == AMOUNT:
        return isinstance(value, Decimal) and value.is_finite()
    if kind == BOOL:
        return isinstance(value, bool)
    if kind == TEXT:
        return isinstance(value, str) and len(value) <= MAX_TEXT["extra_text"]
    if kind == LONG_TEXT:
        return isinstance(value, str) and len(value) <= MAX_TEXT["long_text"]
    if kind == BANK_ACCOUNTS:
        return isinstance(value, list | tuple) and all(
            isinstance(a, dict) and all(isinstance(a.get(k), str) for k in BANK_ACCOUNT_KEYS) for a in value
        )
    if kind == DELIVERY_NOTES:
        return isinstance(value, list | tuple) and all(
            isinstance(n, dict)
            and isinstance(n.get("number"), str)
            and _extra_value_ok(DATE, n.get("date"))
            and _extra_value_ok(AMOUNT, n.get("amount"))
            for n in value
        )
    return False


def _validate_issuer(data: DocumentData, profile: CompanyProfile) -> None:
    if not profile.name or profile.name == PLACEHOLDER_COMPANY_NAME:
        raise InvalidInput(_("Complete the company profile: enter the company's name."), field="company.name")
    if data.kind not in QUALIFIED_KINDS:
        return
    if not profile.address:
        raise InvalidInput(_("Complete the company profile: enter the address."), field="company.address")
    if not profile.registration_number:
        raise InvalidInput(
            _("Complete the company profile: a qualified invoice needs the registration number."),
            field="company.registration_number",
        )
    if data.kind in INVOICE_KINDS and not data.extra.get("bank_accounts") and not profile.bank_accounts.all():
        raise InvalidInput(
            _("Complete the company profile: an invoice needs a bank account for the transfer."),
            field="company.bank_accounts",
        )
