"""The UBL 2.1 Invoice / CreditNote of an issued document, following JP PINT 1.1.3.

Built from the document's stored snapshot (IssuedDocument.data): the lines, the per-rate
subtotals and taxes, the totals, the issuer and the recipient exactly as they were issued
and printed on the PDF. Nothing is recomputed except the tax-exclusive amount of each line
of a tax-inclusive document (UBL lines are tax-exclusive), which shares each rate's stored
tax among its lines exactly as backoffice.money.net_amounts does. The same snapshot always
gives the same bytes (standard library only: no timestamps, fixed element order).

Mapping (paths relative to the root; see billing/README.md "JP PINT"):
- ID, IssueDate, DueDate (invoices), InvoiceTypeCode 380 / CreditNoteTypeCode 381, JPY
- 取引年月日: InvoicePeriod (per-shipment: the shipping date; 合計請求書: the period; credit
  note: the original sale's date) and each line's delivery date as its InvoicePeriod
- seller: T-number as PartyTaxScheme/CompanyID (VAT) and EndpointID (scheme 0221)
- buyer: RegistrationName; its Peppol ID (customer master) or T-number (0221) as EndpointID,
  its T-number as tax id when known
- lines: Item/Name (※ on reduced-rate items), ClassifiedTaxCategory S 10 / AA 8 / E 0
- TaxTotal: one TaxSubtotal per rate, the stored subtotal and tax
- PaymentMeans 30 per bank account; PaymentTerms: the transfer-fee note
- credit note: BillingReference to the original invoice
- 合計請求書: the balance (前回御請求額, ご入金額, 返品・値引, 繰越金額) as the Note, the carried-
  over amount as PrepaidAmount (negative when owed), so PayableAmount is 今回御請求額
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from backoffice.money import REDUCED_RATES, ZERO
from documents.types import DocumentData, DocumentKind, Issuer, Party

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

CUSTOMIZATION_ID = "urn:peppol:pint:billing-1@jp-1"
PROFILE_ID = "urn:peppol:bis:billing"
CURRENCY = "JPY"
UNIT_CODE = "H87"  # piece: the printed unit (箱, 個, 式 …) goes with the item as 表示単位名称
# The buyer's Peppol ID when the customer master holds none (no registration number):
# ICD 0188 (法人番号) with thirteen zeros, which is no real number (its check digit fails).
UNKNOWN_BUYER_ENDPOINT = ("0188", "0000000000000")
ACCOUNT_TYPES = {"ordinary": "普通", "checking": "当座"}

for _prefix, _uri in (("cac", CAC), ("cbc", CBC)):
    ET.register_namespace(_prefix, _uri)


def tax_category(rate: int) -> str:
    """JP PINT tax category of a rate: S standard 10 %, AA reduced 8 %, E exempt 0 %."""
    if rate == 0:
        return "E"
    return "AA" if rate in REDUCED_RATES else "S"


def _yen(value: Decimal) -> str:
    return str(value.quantize(Decimal(1))) if value == value.to_integral_value() else str(value)


def _sub(parent: ET.Element, ns: str, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ns}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _cbc(parent: ET.Element, tag: str, text: str | None, **attrs: str) -> ET.Element | None:
    """A basic element, left out when empty (PINT forbids empty elements)."""
    text = "" if text is None else str(text).strip()
    if not text:
        return None
    return _sub(parent, CBC, tag, text, **attrs)


def _amount(parent: ET.Element, tag: str, value: Decimal) -> ET.Element:
    return _sub(parent, CBC, tag, _yen(value), currencyID=CURRENCY)


def _cac(parent: ET.Element, tag: str) -> ET.Element:
    return _sub(parent, CAC, tag)


def _date(value: dt.date) -> str:
    return value.isoformat()


def _period(parent: ET.Element, start: dt.date, end: dt.date) -> None:
    period = _cac(parent, "InvoicePeriod")
    _cbc(period, "StartDate", _date(start))
    _cbc(period, "EndDate", _date(end))


def _tax_scheme(parent: ET.Element) -> None:
    _cbc(_cac(parent, "TaxScheme"), "ID", "VAT")


def _address(parent: ET.Element, postal_code: str, address: str) -> None:
    postal = _cac(parent, "PostalAddress")
    _cbc(postal, "StreetName", address)
    _cbc(postal, "PostalZone", postal_code.replace("-", ""))
    _cbc(_cac(postal, "Country"), "IdentificationCode", "JP")


def _seller(root: ET.Element, issuer: Issuer) -> None:
    party = _cac(_cac(root, "AccountingSupplierParty"), "Party")
    _cbc(party, "EndpointID", issuer.registration_number, schemeID="0221")
    _cbc(_cac(party, "PartyName"), "Name", issuer.name)
    _address(party, issuer.postal_code, issuer.address)
    tax = _cac(party, "PartyTaxScheme")
    _cbc(tax, "CompanyID", issuer.registration_number)
    _tax_scheme(tax)
    _cbc(_cac(party, "PartyLegalEntity"), "RegistrationName", issuer.name)
    if issuer.phone or issuer.email:
        contact = _cac(party, "Contact")
        _cbc(contact, "Telephone", issuer.phone)
        _cbc(contact, "ElectronicMail", issuer.email)


def buyer_endpoint(recipient: Party) -> tuple[str, str]:
    """(scheme, identifier) of the buyer's Peppol ID: the one its master names, else its
    registration number (0221), else the placeholder (no real participant)."""
    if recipient.peppol_id:
        scheme, identifier = recipient.peppol_id.split(":", 1)
        return scheme, identifier
    if recipient.registration_number:
        return "0221", recipient.registration_number
    return UNKNOWN_BUYER_ENDPOINT


def _buyer(root: ET.Element, recipient: Party) -> None:
    party = _cac(_cac(root, "AccountingCustomerParty"), "Party")
    scheme, value = buyer_endpoint(recipient)
    _cbc(party, "EndpointID", value, schemeID=scheme)
    if recipient.counterparty_id is not None:
        _cbc(_cac(party, "PartyIdentification"), "ID", str(recipient.counterparty_id))
    _cbc(_cac(party, "PartyName"), "Name", recipient.name)
    _address(party, recipient.postal_code, recipient.address)
    if recipient.registration_number:
        tax = _cac(party, "PartyTaxScheme")
        _cbc(tax, "CompanyID", recipient.registration_number)
        _tax_scheme(tax)
    _cbc(_cac(party, "PartyLegalEntity"), "RegistrationName", recipient.name)
    if recipient.phone:
        _cbc(_cac(party, "Contact"), "Telephone", recipient.phone)


def _payment_means(root: ET.Element, issuer: Issuer, accounts: list[dict[str, str]] | None, number: str) -> None:
    for account in accounts if accounts is not None else issuer.bank_accounts:
        means = _cac(root, "PaymentMeans")
        _cbc(means, "PaymentMeansCode", "30", name="Credit transfer")
        _cbc(means, "PaymentID", number)
        financial = _cac(means, "PayeeFinancialAccount")
        _cbc(financial, "ID", account["account_number"])
        _cbc(financial, "Name", account["account_holder_kana"])
        branch = _cac(financial, "FinancialInstitutionBranch")
        _cbc(branch, "Name", f"{account['branch_name']}（{ACCOUNT_TYPES.get(account['account_type'], '')}）")
        _cbc(_cac(branch, "FinancialInstitution"), "Name", account["bank_name"])


def line_net_amounts(data: DocumentData) -> list[Decimal]:
    """Each line's amount excluding tax. Tax-exclusive lines are their amounts; for a
    tax-inclusive document the stored tax of each rate is shared among that rate's lines in
    proportion to their amounts, the yen left after flooring going to the largest
    remainders (earlier lines first) — backoffice.money.net_amounts, applied to the tax
    the document states rather than a tax computed again."""
    amounts = [line.amount for line in data.lines]
    if data.tax_mode != "inclusive":
        return amounts
    tax_of = {b.rate: b.tax for b in data.totals.breakdown}
    by_rate: dict[int, list[int]] = {}
    for index, line in enumerate(data.lines):
        by_rate.setdefault(int(line.tax_rate), []).append(index)
    nets = [ZERO] * len(amounts)
    for rate, indexes in by_rate.items():
        tax, whole = tax_of.get(rate, ZERO), sum((amounts[i] for i in indexes), ZERO)
        shares = {i: (tax * amounts[i] / whole if whole else ZERO) for i in indexes}
        taxes = {i: share.to_integral_value(rounding=ROUND_FLOOR) for i, share in shares.items()}
        left = int(tax - sum(taxes.values(), ZERO))
        for i in sorted(indexes, key=lambda i: (taxes[i] - shares[i], i))[:left]:
            taxes[i] += 1
        for i in indexes:
            nets[i] = amounts[i] - taxes[i]
    return nets


def _notes(data: DocumentData) -> str:
    extra = data.extra
    parts = []
    if data.kind == DocumentKind.CONSOLIDATED_INVOICE:
        parts.append(
            "前回御請求額 {previous} / ご入金額 {payments} / 返品・値引 {credits} / 繰越金額 {carried} / "
            "今回お買上げ額（税込） {sales} / 今回御請求額 {billed}".format(
                previous=_printed_yen(extra.get("previous_balance", ZERO)),
                payments=_printed_yen(extra.get("payments", ZERO)),
                credits=_printed_yen(extra.get("credits", ZERO)),
                carried=_printed_yen(extra.get("carried_over", ZERO)),
                sales=_printed_yen(data.totals.total),
                billed=_printed_yen(extra.get("carried_over", ZERO) + data.totals.total),
            )
        )
    if extra.get("credit_applied"):
        parts.append(f"前回までのお預り金充当 {_printed_yen(extra['credit_applied'])}")
    if data.kind == DocumentKind.CREDIT_NOTE:
        parts.append(f"返品・値引の理由: {extra.get('reason', '')}".rstrip(": "))
    if any(int(line.tax_rate) in REDUCED_RATES for line in data.lines):
        parts.append("※は軽減税率（8%）対象")
    if data.subject:
        parts.append(data.subject)
    if data.notes:
        parts.append(data.notes)
    return " / ".join(part for part in parts if part)


def _printed_yen(value: Decimal) -> str:
    return f"¥{value:,}" if value >= 0 else f"-¥{-value:,}"


def _line(root: ET.Element, credit: bool, position: int, line, net: Decimal, invoice_kind: bool) -> None:
    element = _cac(root, "CreditNoteLine" if credit else "InvoiceLine")
    _cbc(element, "ID", str(position))
    if not invoice_kind:
        _cbc(element, "Note", line.note)
    _cbc(element, "CreditedQuantity" if credit else "InvoicedQuantity", str(line.quantity), unitCode=UNIT_CODE)
    _amount(element, "LineExtensionAmount", net)
    if line.delivery_date is not None:
        _period(element, line.delivery_date, line.delivery_date)
    if invoice_kind and line.note:  # the delivery note (納品書) the line was shipped with
        _cbc(_cac(element, "DocumentReference"), "ID", line.note)
    item = _cac(element, "Item")
    rate = int(line.tax_rate)
    _cbc(item, "Name", f"{line.name} ※" if rate in REDUCED_RATES else line.name)
    if line.sku:
        _cbc(_cac(item, "SellersItemIdentification"), "ID", line.sku)
    category = _cac(item, "ClassifiedTaxCategory")
    _cbc(category, "ID", tax_category(rate))
    _cbc(category, "Percent", str(rate))
    _tax_scheme(category)
    if line.unit:
        prop = _cac(item, "AdditionalItemProperty")
        _cbc(prop, "Name", "表示単位名称")
        _cbc(prop, "Value", line.unit)
    price = _cac(element, "Price")
    if line.quantity and (net != line.amount or line.unit_price != line.unit_price.to_integral_value()):
        # A tax-inclusive or fractional unit price is no whole-yen net price: the price is
        # stated for the line's whole quantity, so quantity x price / base = the line's net amount.
        _amount(price, "PriceAmount", net)
        _cbc(price, "BaseQuantity", str(line.quantity), unitCode=UNIT_CODE)
    else:
        _amount(price, "PriceAmount", line.unit_price if line.quantity else ZERO)


def build_ubl(snapshot: dict[str, Any], *, original_issue_date: dt.date | None = None) -> bytes:
    """The UBL XML of an issued document's snapshot (IssuedDocument.data)."""
    data = DocumentData.from_json(snapshot["document"])
    issuer = Issuer.from_json(snapshot["issuer"])
    number = snapshot["number"]
    extra = data.extra
    credit = data.kind == DocumentKind.CREDIT_NOTE
    invoice_kind = not credit
    # The root in the default namespace (as UBL documents usually are): ElementTree cannot
    # serialise a default namespace beside unqualified attributes, so it is declared by hand.
    root = ET.Element("CreditNote" if credit else "Invoice", {"xmlns": NS_CREDIT_NOTE if credit else NS_INVOICE})
    _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    _cbc(root, "ProfileID", PROFILE_ID)
    _cbc(root, "ID", number)
    _cbc(root, "IssueDate", _date(data.document_date))
    if invoice_kind:
        _cbc(root, "DueDate", _date(extra["due_date"]))
        _cbc(root, "InvoiceTypeCode", "380")
    else:
        _cbc(root, "CreditNoteTypeCode", "381")
    _cbc(root, "Note", _notes(data))
    _cbc(root, "DocumentCurrencyCode", CURRENCY)
    if data.kind == DocumentKind.CONSOLIDATED_INVOICE:
        _period(root, extra["period_start"], extra["period_end"])
    elif invoice_kind:
        day = extra.get("transaction_date") or data.document_date
        _period(root, day, day)
    else:
        day = extra.get("original_date") or data.document_date
        _period(root, day, day)
        reference = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
        _cbc(reference, "ID", extra.get("original_number"))
        if original_issue_date is not None:
            _cbc(reference, "IssueDate", _date(original_issue_date))
    _seller(root, issuer)
    _buyer(root, data.recipient)
    if invoice_kind:
        _payment_means(root, issuer, extra.get("bank_accounts"), number)
        if issuer.transfer_fee_note:
            _cbc(_cac(root, "PaymentTerms"), "Note", issuer.transfer_fee_note)
    totals = data.totals
    tax_total = _cac(root, "TaxTotal")
    _amount(tax_total, "TaxAmount", totals.tax_total)
    for breakdown in totals.breakdown:
        subtotal = _cac(tax_total, "TaxSubtotal")
        _amount(subtotal, "TaxableAmount", breakdown.subtotal)
        _amount(subtotal, "TaxAmount", breakdown.tax)
        category = _cac(subtotal, "TaxCategory")
        _cbc(category, "ID", tax_category(breakdown.rate))
        _cbc(category, "Percent", str(breakdown.rate))
        _tax_scheme(category)
    nets = line_net_amounts(data)
    monetary = _cac(root, "LegalMonetaryTotal")
    _amount(monetary, "LineExtensionAmount", sum(nets, ZERO))
    _amount(monetary, "TaxExclusiveAmount", totals.subtotal)
    _amount(monetary, "TaxInclusiveAmount", totals.total)
    prepaid = ZERO
    if data.kind == DocumentKind.CONSOLIDATED_INVOICE:
        prepaid = -extra.get("carried_over", ZERO)  # money owed from before is a negative "paid amount"
    elif extra.get("credit_applied"):
        prepaid = extra["credit_applied"]
    if prepaid:
        _amount(monetary, "PrepaidAmount", prepaid)
    _amount(monetary, "PayableAmount", totals.total - prepaid)
    for position, (line, net) in enumerate(zip(data.lines, nets, strict=True), start=1):
        _line(root, credit, position, line, net, invoice_kind)
    ET.indent(root, space="  ")
    # Serialised to text and encoded once: ElementTree's byte output goes through a codec
    # writer per fragment, several times slower for a long invoice.
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode").encode() + b"\n"
