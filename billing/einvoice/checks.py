"""What this project requires of its e-invoices beyond the official JP PINT 1.1.3 rules
(../shared/pint-kit/README.md "Limits of the official rules"): the official rules let a
decimal yen tax through on Invoices, check tax per rate and the T-number only on
Invoices, and never verify the registration number's check digit. Every export runs
check_ubl before the XML is stored or served."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from backoffice.exceptions import StateConflict
from backoffice.registration import validate_registration_number

from .ubl import CAC, CBC, CURRENCY

_WHOLE_YEN = re.compile(r"-?\d+")


class EInvoiceRefused(StateConflict):
    """The e-invoice of a document breaks a rule of Japanese invoices; the message names it."""

    default_code = "einvoice_invalid"


def _path(element: ET.Element, parents: dict) -> str:
    steps = []
    while element is not None:
        steps.append(element.tag.rsplit("}", 1)[-1])
        element = parents.get(element)
    return "/".join(reversed(steps))


def check_ubl(xml: bytes) -> None:
    """Refuse (EInvoiceRefused) an e-invoice that has a yen amount with decimals or in
    another currency, a tax that is not once per rate (a rate twice, or the per-rate taxes
    not adding up to the tax total, credit notes included), or a registration number
    that is not T + 13 digits with the right check digit."""
    root = ET.fromstring(xml)  # noqa: S314 - our own output, never outside input
    parents = {child: parent for parent in root.iter() for child in parent}
    for element in root.iter():
        currency = element.get("currencyID")
        if currency is None:
            continue
        if currency != CURRENCY:
            raise EInvoiceRefused(
                _("The e-invoice states %(path)s in %(currency)s: every amount must be in yen.")
                % {"path": _path(element, parents), "currency": currency}
            )
        if not _WHOLE_YEN.fullmatch((element.text or "").strip()):
            raise EInvoiceRefused(
                _("The e-invoice states %(path)s as %(value)s: amounts must be whole yen.")
                % {"path": _path(element, parents), "value": element.text}
            )
    for tax_total in root.findall(f"{{{CAC}}}TaxTotal"):
        stated = Decimal(tax_total.findtext(f"{{{CBC}}}TaxAmount"))
        rates, taxes = set(), Decimal(0)
        for subtotal in tax_total.findall(f"{{{CAC}}}TaxSubtotal"):
            category = subtotal.find(f"{{{CAC}}}TaxCategory")
            rate = (category.findtext(f"{{{CBC}}}ID"), category.findtext(f"{{{CBC}}}Percent"))
            if rate in rates:
                raise EInvoiceRefused(
                    _("The e-invoice states the tax of %(rate)s%% twice: tax is computed once per rate.")
                    % {"rate": rate[1]}
                )
            rates.add(rate)
            taxes += Decimal(subtotal.findtext(f"{{{CBC}}}TaxAmount"))
        if taxes != stated:
            raise EInvoiceRefused(
                _("The e-invoice's taxes per rate add up to ¥%(sum)s, not the tax total ¥%(total)s.")
                % {"sum": f"{taxes:,}", "total": f"{stated:,}"}
            )
    for scheme in root.iter(f"{{{CAC}}}PartyTaxScheme"):
        number = scheme.findtext(f"{{{CBC}}}CompanyID") or ""
        try:
            validate_registration_number(number)
        except ValidationError as exc:
            raise EInvoiceRefused(
                _("Registration number %(number)s: %(problem)s") % {"number": number, "problem": " ".join(exc.messages)}
            ) from exc
