"""The plain data other apps hand to `documents.services.document_issue`.

Every value is what the document shows: `documents` never looks anything up in
another app. Build a `DocumentData` from your own model, with totals from
`backoffice.money.compute_totals`, and issue it::

    from documents.types import DocumentData, DocumentKind, DocumentLine, Party
    from documents.services import document_issue

    data = DocumentData(
        kind=DocumentKind.INVOICE,
        document_date=date(2026, 11, 21),
        recipient=Party(name="株式会社顧客", honorific="御中", counterparty_kind="customer", counterparty_id=12),
        lines=[DocumentLine(sku="P-1", name="コピー用紙", quantity=10, unit="箱", unit_price=Decimal("2500"),
                            amount=Decimal("25000"), tax_rate=10)],
        totals=compute_totals([(10, Decimal("25000"))], mode=profile.rounding_mode),
        extra={"due_date": date(2026, 12, 31)},
    )
    document = document_issue(data=data, user=request.user, source=invoice)

`extra` holds the blocks only some kinds print; `EXTRA_FIELDS` lists every key
and its type (unknown keys are refused so a typo never silently vanishes):

- quote / order confirmation / purchase order: `valid_until` (有効期限, date),
  `valid_for` (text, e.g. 「発行日より30日」), `delivery_date` (納期, date),
  `delivery_terms` (納期 as text), `delivery_place` (納品場所), `payment_terms` (支払条件),
  `order_number` (ご注文番号 / 貴社注文番号)
- invoice / consolidated invoice: `due_date` (支払期限, required), `bank_accounts`
  (振込先, list of dicts with bank_name, branch_name, account_type "ordinary"/"checking",
  account_number, account_holder_kana; default: the company profile's accounts)
- invoice: `transaction_date` (取引年月日, the day the goods were delivered),
  `credit_applied` (前回までのお預り金充当: customer credit that settles part of this
  invoice when it is issued; the amount due is the total less it)
- consolidated invoice: `period_start`, `period_end` (required), `previous_balance`
  (前回御請求額), `payments` (ご入金額, money received), `credits` (返品・値引, the credit
  notes' totals), `carried_over` (繰越金額 = previous − payments − credits),
  `delivery_notes` (list of dicts with number, date, amount excluding tax)
- credit note: `original_date` (the original sale's date, required), `original_number`,
  `reason`
- delivery note: `receipt` (bool: the PDF carries a 受領書 page, the same items with a
  受領印 box, for a customer who signs on delivery)
- contract (契約書 and its 覚書): `contract_title` (the title printed, e.g. 取引基本契約書),
  `contract_body` (the articles, filled in, required; long text), `term_start`, `term_end`
  (契約期間), `renewal` (自動更新 as text), `stamp_duty` (収入印紙 as text),
  `issuer_signatory`, `recipient_signatory` (title and name of each party's signatory),
  `amends_number` (the contract a 覚書 amends), `deal_number` (the quote or order); its lines
  may be empty (a master agreement has no amount)
- any kind: `requires_approval`, `approved` (a document that requires approval and is
  not approved renders with a DRAFT / 下書き watermark and without the seal)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.money import TaxLine, TaxMode, Totals


class DocumentKind(models.TextChoices):
    QUOTE = "quote", _("quote")
    ORDER_CONFIRMATION = "order_confirmation", _("order confirmation")
    DELIVERY_NOTE = "delivery_note", _("delivery note")
    INVOICE = "invoice", _("invoice")
    CONSOLIDATED_INVOICE = "consolidated_invoice", _("consolidated invoice")
    CREDIT_NOTE = "credit_note", _("credit note")
    PURCHASE_ORDER = "purchase_order", _("purchase order")
    CONTRACT = "contract", _("contract")


class CounterpartyKind(models.TextChoices):
    CUSTOMER = "customer", _("customer")
    SUPPLIER = "supplier", _("supplier")


HONORIFICS = ("御中", "様", "")

# Kinds that are qualified invoices (or their return counterpart): the issuer must be
# complete, with a registration number.
QUALIFIED_KINDS = frozenset({DocumentKind.INVOICE, DocumentKind.CONSOLIDATED_INVOICE, DocumentKind.CREDIT_NOTE})
INVOICE_KINDS = frozenset({DocumentKind.INVOICE, DocumentKind.CONSOLIDATED_INVOICE})

DATE, TEXT, AMOUNT, BOOL, BANK_ACCOUNTS, DELIVERY_NOTES = "date", "text", "amount", "bool", "bank", "notes"
LONG_TEXT = "long_text"

EXTRA_FIELDS: dict[str, str] = {
    "valid_until": DATE,
    "valid_for": TEXT,
    "delivery_date": DATE,
    "delivery_terms": TEXT,
    "delivery_place": TEXT,
    "payment_terms": TEXT,
    "order_number": TEXT,
    "due_date": DATE,
    "bank_accounts": BANK_ACCOUNTS,
    "period_start": DATE,
    "period_end": DATE,
    "previous_balance": AMOUNT,
    "payments": AMOUNT,
    "credits": AMOUNT,
    "carried_over": AMOUNT,
    "transaction_date": DATE,
    "credit_applied": AMOUNT,
    "delivery_notes": DELIVERY_NOTES,
    "original_number": TEXT,
    "original_date": DATE,
    "reason": TEXT,
    "requires_approval": BOOL,
    "approved": BOOL,
    "receipt": BOOL,
    "contract_title": TEXT,
    "contract_body": LONG_TEXT,
    "term_start": DATE,
    "term_end": DATE,
    "renewal": TEXT,
    "stamp_duty": TEXT,
    "issuer_signatory": TEXT,
    "recipient_signatory": TEXT,
    "amends_number": TEXT,
    "deal_number": TEXT,
}
BANK_ACCOUNT_KEYS = ("bank_name", "branch_name", "account_type", "account_number", "account_holder_kana")


@dataclass(frozen=True)
class Party:
    """The recipient. `name` is printed as given, followed by the honorific:
    「株式会社○○ 御中」 for a company, 「株式会社○○ 営業部 山田様」 for a person."""

    name: str
    honorific: str = "御中"
    postal_code: str = ""
    address: str = ""
    phone: str = ""
    registration_number: str = ""
    peppol_id: str = ""  # scheme:identifier, where it receives e-invoices (JP PINT EndpointID)
    counterparty_kind: str = CounterpartyKind.CUSTOMER
    counterparty_id: int | None = None
    name_kana: str = ""  # the reading, for the archive's search by kana; never printed

    @property
    def addressee(self) -> str:
        return f"{self.name} {self.honorific}".strip()


@dataclass(frozen=True)
class DocumentLine:
    sku: str
    name: str
    quantity: int
    unit: str
    unit_price: Decimal
    amount: Decimal  # quantity x unit price after discount, rounded to the yen
    tax_rate: int  # 10, 8 or 0, as stored on the source line
    note: str = ""
    delivery_date: dt.date | None = None  # the day this line's goods were delivered (invoices)


@dataclass(frozen=True)
class DocumentData:
    kind: str
    document_date: dt.date
    recipient: Party | None
    lines: tuple[DocumentLine, ...]
    totals: Totals
    tax_mode: str = TaxMode.EXCLUSIVE
    subject: str = ""
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "lines", tuple(self.lines))

    @property
    def is_draft(self) -> bool:
        """Needs an approval it has not got: watermark, no seal."""
        return bool(self.extra.get("requires_approval")) and not self.extra.get("approved")

    # --- the JSON snapshot stored with the issued document -------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "document_date": self.document_date.isoformat(),
            "recipient": _party_to_json(self.recipient),
            "lines": [_line_to_json(line) for line in self.lines],
            "totals": {
                "subtotal": str(self.totals.subtotal),
                "tax_total": str(self.totals.tax_total),
                "total": str(self.totals.total),
                "breakdown": [
                    {"rate": b.rate, "subtotal": str(b.subtotal), "tax": str(b.tax)} for b in self.totals.breakdown
                ],
            },
            "tax_mode": str(self.tax_mode),
            "subject": self.subject,
            "notes": self.notes,
            "extra": {key: _extra_to_json(EXTRA_FIELDS[key], value) for key, value in sorted(self.extra.items())},
        }

    @classmethod
    def from_json(cls, payload: dict[str, Any]) -> DocumentData:
        totals = payload["totals"]
        recipient = payload["recipient"]
        return cls(
            kind=payload["kind"],
            document_date=dt.date.fromisoformat(payload["document_date"]),
            recipient=Party(**recipient) if recipient else None,
            lines=[
                DocumentLine(
                    **{
                        **line,
                        "unit_price": Decimal(line["unit_price"]),
                        "amount": Decimal(line["amount"]),
                        "delivery_date": _date_or_none(line.get("delivery_date")),
                    }
                )
                for line in payload["lines"]
            ],
            totals=Totals(
                subtotal=Decimal(totals["subtotal"]),
                tax_total=Decimal(totals["tax_total"]),
                total=Decimal(totals["total"]),
                breakdown=tuple(
                    TaxLine(rate=b["rate"], subtotal=Decimal(b["subtotal"]), tax=Decimal(b["tax"]))
                    for b in totals["breakdown"]
                ),
            ),
            tax_mode=payload["tax_mode"],
            subject=payload["subject"],
            notes=payload["notes"],
            extra={key: _extra_from_json(EXTRA_FIELDS[key], value) for key, value in payload["extra"].items()},
        )


@dataclass(frozen=True)
class Issuer:
    """The company profile as it stood when the document was issued (part of the snapshot)."""

    name: str
    postal_code: str = ""
    address: str = ""
    phone: str = ""
    fax: str = ""
    email: str = ""
    registration_number: str = ""
    bank_accounts: tuple[dict[str, str], ...] = ()
    transfer_fee_note: str = ""
    seal_name: str = ""  # file storage name of the seal image, "" for none
    seal_sha256: str = ""

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "bank_accounts": [dict(b) for b in self.bank_accounts]}

    @classmethod
    def from_json(cls, payload: dict[str, Any]) -> Issuer:
        return cls(**{**payload, "bank_accounts": tuple(payload["bank_accounts"])})


def _party_to_json(party: Party | None) -> dict[str, Any] | None:
    if party is None:
        return None
    payload = {**party.__dict__, "counterparty_kind": str(party.counterparty_kind)}
    if not party.name_kana:
        del payload["name_kana"]  # snapshots of parties without a reading stay as they were
    return payload


def _line_to_json(line: DocumentLine) -> dict[str, Any]:
    payload = {**line.__dict__, "unit_price": str(line.unit_price), "amount": str(line.amount)}
    if line.delivery_date is None:
        del payload["delivery_date"]  # snapshots of lines without one stay as they were
    else:
        payload["delivery_date"] = line.delivery_date.isoformat()
    return payload


def _date_or_none(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _extra_to_json(kind: str, value: Any) -> Any:
    if kind == DATE:
        return value.isoformat()
    if kind == AMOUNT:
        return str(value)
    if kind == DELIVERY_NOTES:
        return [{"number": n["number"], "date": n["date"].isoformat(), "amount": str(n["amount"])} for n in value]
    if kind == BANK_ACCOUNTS:
        return [{key: account[key] for key in BANK_ACCOUNT_KEYS} for account in value]
    return value


def _extra_from_json(kind: str, value: Any) -> Any:
    if kind == DATE:
        return dt.date.fromisoformat(value)
    if kind == AMOUNT:
        return Decimal(value)
    if kind == DELIVERY_NOTES:
        return [
            {"number": n["number"], "date": dt.date.fromisoformat(n["date"]), "amount": Decimal(n["amount"])}
            for n in value
        ]
    return value
