"""Document data for tests: plain dataclasses, as the apps that issue documents build them."""

import datetime as dt
import io
from decimal import Decimal

import pypdf

from backoffice.money import compute_totals, line_amount
from documents.types import DocumentData, DocumentKind, DocumentLine, Party

DOCUMENT_DATE = dt.date(2026, 11, 21)
EXTRA_BY_KIND = {
    DocumentKind.QUOTE: {
        "valid_until": dt.date(2026, 12, 21),
        "delivery_terms": "受注後2週間",
        "payment_terms": "月末締め翌月末払い",
    },
    DocumentKind.ORDER_CONFIRMATION: {"order_number": "PO-778", "delivery_date": dt.date(2026, 12, 5)},
    DocumentKind.DELIVERY_NOTE: {"delivery_date": dt.date(2026, 11, 21), "order_number": "PO-778"},
    DocumentKind.INVOICE: {"due_date": dt.date(2026, 12, 31)},
    DocumentKind.CONSOLIDATED_INVOICE: {
        "due_date": dt.date(2026, 12, 31),
        "period_start": dt.date(2026, 11, 1),
        "period_end": dt.date(2026, 11, 30),
        "previous_balance": Decimal("50000"),
        "payments": Decimal("30000"),
        "carried_over": Decimal("20000"),
        "delivery_notes": [
            {"number": "DN-2026-000010", "date": dt.date(2026, 11, 5), "amount": Decimal("3579")},
            {"number": "DN-2026-000011", "date": dt.date(2026, 11, 20), "amount": Decimal("1888")},
        ],
    },
    DocumentKind.CREDIT_NOTE: {
        "original_number": "INV-2026-000001",
        "original_date": dt.date(2026, 11, 1),
        "reason": "破損品の返品",
    },
    DocumentKind.PURCHASE_ORDER: {"delivery_date": dt.date(2026, 12, 1), "delivery_place": "本社倉庫"},
    DocumentKind.CONTRACT: {"contract_title": "契約書", "contract_body": "第1条（目的）\n取引の条件を定める。"},
}


def customer_party(customer_id: int | None = 1, name: str = "株式会社山田製作所", honorific: str = "御中") -> Party:
    return Party(
        name=name,
        honorific=honorific,
        postal_code="530-0001",
        address="大阪府大阪市北区梅田1-2-3",
        counterparty_kind="customer",
        counterparty_id=customer_id,
    )


def field_notes_lines() -> list[DocumentLine]:
    """The FIELD-NOTES example: 10% lines 1,234 + 2,345, 8% lines 1,111 + 777 → tax 357 + 151."""
    return [
        DocumentLine("P-001", "コピー用紙 A4", 1, "箱", Decimal("1234"), Decimal("1234"), 10),
        DocumentLine("P-002", "トナーカートリッジ", 1, "個", Decimal("2345"), Decimal("2345"), 10),
        DocumentLine("F-001", "緑茶ティーバッグ", 1, "箱", Decimal("1111"), Decimal("1111"), 8),
        DocumentLine("F-002", "ドリップコーヒー", 1, "箱", Decimal("777"), Decimal("777"), 8),
    ]


def numbered_lines(count: int) -> list[DocumentLine]:
    lines = []
    for i in range(count):
        price = Decimal(100 + i)
        rate = 8 if i % 5 == 0 else 10
        lines.append(DocumentLine(f"SKU-{i:04d}", f"テスト商品{i:04d}", 2, "個", price, line_amount(2, price), rate))
    return lines


def document_data(
    kind: str = DocumentKind.INVOICE,
    *,
    lines: list[DocumentLine] | None = None,
    recipient: Party | None = None,
    document_date: dt.date = DOCUMENT_DATE,
    subject: str = "11月分",
    notes: str = "",
    **extra,
) -> DocumentData:
    lines = field_notes_lines() if lines is None else lines
    return DocumentData(
        kind=kind,
        document_date=document_date,
        recipient=customer_party() if recipient is None else recipient,
        lines=lines,
        totals=compute_totals((line.tax_rate, line.amount) for line in lines),
        subject=subject,
        notes=notes,
        extra={**EXTRA_BY_KIND[DocumentKind(kind)], **extra},
    )


def pdf_text(pdf: bytes) -> list[str]:
    """The extractable text of each page."""
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]
