"""The accounting export (issue #17): a month with exempt sales, a return, a bank fee and an
overpayment, in the generic layout and the three packages' (弥生会計, freee会計,
マネーフォワード クラウド会計): every file balances, books sales when goods shipped, keeps
unapplied money as 前受金, and is written as the package reads it."""

import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from backoffice.exceptions import NotAllowed
from backoffice.roles import Role
from billing import journal, services
from billing.models import CreditNote, Invoice, JournalMapping
from billing.services import CreditLineInput
from tests.billing.conftest import ship
from tests.factories import CustomerFactory, make_user

pytestmark = pytest.mark.django_db

NOVEMBER = {"date_from": dt.date(2026, 11, 1), "date_to": dt.date(2026, 11, 30)}
D = Decimal


@pytest.fixture
def month(admin_user, customer, per_shipment_customer, rep_user):
    """November 2026:
    - 田中商店 (per-shipment invoices): 11/5 shipped 10% 10,000 + 8% 3,000 + exempt 2,000;
      11/12 a 1,000 price reduction on the 10% line (tax 100); 11/20 paid 14,700 with a 440 fee.
    - 山田製作所 (末締め): 11/10 and 11/17 shipped 1,235 at 10% each (tax 123 on each delivery
      note; the 合計請求書 of 11/30 computes 247 once over 2,470); 11/25 paid 5,000 before it
      was billed: 2,717 settles the 11/30 invoice, 2,283 stays 前受金.
    - 鈴木商会 (20日締め): 11/25 shipped 5,000 at 10%: sold in November, billed 12/20."""
    shipped = ship(admin_user, per_shipment_customer, [(10000, 10), (3000, 8), (2000, 0)], dt.date(2026, 11, 5))
    invoice = Invoice.objects.get(shipment_links__shipment=shipped)
    ten_percent = invoice.lines.get(tax_rate=10)
    services.credit_note_issue(
        invoice=invoice, kind=CreditNote.Kind.PRICE_REDUCTION, reason="値引",
        lines=[CreditLineInput(invoice_line=ten_percent, amount=D(1000))], user=admin_user,
        issue_date=dt.date(2026, 11, 12),
    )  # fmt: skip
    services.payment_record(
        customer=per_shipment_customer, received_on=dt.date(2026, 11, 20), amount=D(14700), bank_fee=D(440),
        user=admin_user,
    )  # fmt: skip
    ship(admin_user, customer, [(1235, 10)], dt.date(2026, 11, 10))
    ship(admin_user, customer, [(1235, 10)], dt.date(2026, 11, 17))
    services.payment_record(customer=customer, received_on=dt.date(2026, 11, 25), amount=D(5000), user=admin_user)
    twentieth = CustomerFactory(code="C020", name="鈴木商会", closing_day=20, sales_rep=rep_user)
    ship(admin_user, twentieth, [(5000, 10)], dt.date(2026, 11, 25))
    services.closing_run(closing_date=dt.date(2026, 11, 30), user=admin_user)
    return invoice


def _sales_per_rate(entries) -> dict[int, tuple[Decimal, Decimal]]:
    """(net, tax) per rate the journal books: sales less returns, and the invoices' tax rounding."""
    sums = defaultdict(lambda: [D(0), D(0)])
    for entry in entries:
        for line in entry.lines:
            sign = 1 if line.side == "credit" else -1
            if line.account in ("account.sales", "account.sales_returns") and line.taxed:
                sums[line.rate][0] += sign * (line.amount - line.tax)
                sums[line.rate][1] += sign * line.tax
            elif entry.kind == "invoice_adjustment" and line.account in ("account.sales", "account.tax_received"):
                rate = int(Invoice.objects.get(number=entry.number).tax_breakdown[0]["rate"])
                sums[rate][0 if line.account == "account.sales" else 1] += sign * line.amount
    return {rate: (net, tax) for rate, (net, tax) in sums.items()}


def _documents_per_rate(date_from, date_to) -> dict[int, tuple[Decimal, Decimal]]:
    """The consumption-tax view: the period's invoices less its credit notes, per rate, tax as each states it."""
    sums = defaultdict(lambda: [D(0), D(0)])
    invoices = Invoice.objects.filter(issue_date__range=(date_from, date_to)).exclude(status="cancelled")
    for sign, documents in ((1, invoices), (-1, CreditNote.objects.filter(issue_date__range=(date_from, date_to)))):
        for document in documents:
            for row in document.tax_breakdown:
                sums[int(row["rate"])][0] += sign * D(row["subtotal"])
                sums[int(row["rate"])][1] += sign * D(row["tax"])
    return {rate: (net, tax) for rate, (net, tax) in sums.items()}


def test_every_entry_balances_and_sales_are_booked_when_goods_ship(month):
    entries = journal.journal_entries(**NOVEMBER)

    for entry in entries:
        assert entry.total("debit") == entry.total("credit"), entry
    booked = [(e.date.day, e.kind, e.customer_name, e.total("debit")) for e in entries]
    assert booked == [
        (5, "sale", "株式会社田中商店", D(11000)),
        (5, "sale", "株式会社田中商店", D(3240)),
        (5, "sale", "株式会社田中商店", D(2000)),
        (10, "sale", "株式会社山田製作所", D(1358)),
        (12, "credit_note", "株式会社田中商店", D(1100)),
        (17, "sale", "株式会社山田製作所", D(1358)),
        (20, "payment", "株式会社田中商店", D(15140)),
        (25, "sale", "鈴木商会", D(5500)),
        (25, "payment", "株式会社山田製作所", D(5000)),
        (30, "invoice_adjustment", "株式会社山田製作所", D(1)),
        (30, "advance_applied", "株式会社山田製作所", D(2717)),
    ]
    # Sold in November at the delivery notes' figures, the 合計請求書's rounding on its date:
    assert _sales_per_rate(entries) == {10: (D(16470), D(1647)), 8: (D(3000), D(240)), 0: (D(2000), D(0))}


def test_invoice_date_basis_equals_the_invoices_and_credit_notes_per_rate(month, admin_user):
    services.billing_settings_update(user=admin_user, data={"sales_booking_basis": "invoice"})

    entries = journal.journal_entries(**NOVEMBER)

    # 鈴木商会's 11/25 shipment is billed on 12/20: not in November's books on this basis.
    assert "鈴木商会" not in {e.customer_name for e in entries}
    assert _sales_per_rate(entries) == _documents_per_rate(**NOVEMBER)
    assert _sales_per_rate(entries) == {10: (D(11470), D(1147)), 8: (D(3000), D(240)), 0: (D(2000), D(0))}


def test_payments_book_the_fee_and_keep_unapplied_money_as_advances(month):
    entries = {(e.kind, e.customer_name): e for e in journal.journal_entries(**NOVEMBER)}

    fee_paid = entries[("payment", "株式会社田中商店")]
    assert [(line.side, line.account, line.amount, line.tax) for line in fee_paid.lines] == [
        ("debit", "account.deposit_transfer", D(14700), D(0)),
        ("debit", "account.bank_fee", D(440), D(40)),
        ("credit", "account.receivable", D(15140), D(0)),
    ]
    early = entries[("payment", "株式会社山田製作所")]
    assert [(line.side, line.account, line.amount) for line in early.lines] == [
        ("debit", "account.deposit_transfer", D(5000)),
        ("credit", "account.advances", D(5000)),
    ]
    applied = entries[("advance_applied", "株式会社山田製作所")]
    assert [(line.side, line.account, line.amount) for line in applied.lines] == [
        ("debit", "account.advances", D(2717)),
        ("credit", "account.receivable", D(2717)),
    ]


def _decoded(content: bytes, encoding: str) -> list[list[str]]:
    text = content.decode(encoding)
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")  # CRLF line ends only
    return list(csv.reader(io.StringIO(text)))


def _balance(rows, debit: int, credit: int) -> tuple[Decimal, Decimal]:
    total = lambda column: sum((D(row[column]) for row in rows if row[column]), D(0))  # noqa: E731
    return total(debit), total(credit)


def test_generic_layout_balances_and_splits_tax(month):
    content, name = journal.journal_csv(**NOVEMBER, layout="generic")

    assert name == "journal-generic-20261101-20261130.csv" and content.startswith(b"\xef\xbb\xbf")
    header, *rows = _decoded(content, "utf-8-sig")
    assert header == journal.GENERIC_HEADER
    debits = sum(D(row[7]) for row in rows if row[4] == "debit")
    credits = sum(D(row[7]) for row in rows if row[4] == "credit")
    assert debits == credits == D(48414)
    exempt = [row for row in rows if row[8] == "0"]
    assert {row[10] for row in exempt} == {"非課税売上"}  # exempt goods, not 対象外
    receivable = [row for row in rows if row[5] == "売掛金"]
    assert {row[6] for row in receivable} == {
        "株式会社田中商店",
        "株式会社山田製作所",
        "鈴木商会",
    }  # 補助科目 per customer
    advances = [row for row in rows if row[5] == "前受金"]
    assert [(row[4], row[7]) for row in advances] == [("credit", "5000"), ("debit", "2717")]


def test_yayoi_layout_is_25_columns_shift_jis_and_keeps_the_whole_number(month):
    content, _name = journal.journal_csv(**NOVEMBER, layout="yayoi")

    rows = _decoded(content, "cp932")
    assert all(len(row) == 25 for row in rows)
    assert rows[0][0] == "2000"  # no header: the first row is an entry
    assert _balance(rows, 8, 14) == (D(48414), D(48414))
    consolidated = Invoice.objects.get(kind="consolidated").number  # INV-2026-000002: its rounding entry
    assert consolidated in {row[21] for row in rows}  # 仕訳メモ: the whole document number
    assert all(row[17] == "" for row in rows)  # 番号 (10 characters) left empty: no INV-2026-0
    assert any(row[16] == f"{consolidated} 株式会社山田製作所" for row in rows)  # 摘要 starts with the number
    exempt = next(row for row in rows if row[13] == "非課税売上")
    assert (exempt[10], exempt[14], exempt[15]) == ("売上高", "2000", "0")
    fee = next(row for row in rows if row[4] == "支払手数料")
    assert (fee[0], fee[7], fee[8], fee[9]) == ("2101", "課対仕入込10%適格", "440", "40")
    reduced = next(row for row in rows if row[13] == "課税売上込8%(軽)")
    assert (reduced[4], reduced[5], reduced[14], reduced[15]) == ("売掛金", "株式会社田中商店", "3240", "240")


def test_freee_layout_has_its_header_and_balances_per_entry(month):
    content, _name = journal.journal_csv(**NOVEMBER, layout="freee")

    header, *rows = _decoded(content, "utf-8-sig")
    assert header == journal.FREEE_HEADER
    assert all(len(row) == 16 for row in rows)
    assert _balance(rows, 7, 13) == (D(48414), D(48414))
    per_entry = defaultdict(lambda: [D(0), D(0)])
    for row in rows:
        per_entry[row[1]][0] += D(row[7] or 0)
        per_entry[row[1]][1] += D(row[13] or 0)
    assert all(debit == credit for debit, credit in per_entry.values())
    sale = rows[0]
    assert (sale[0], sale[3], sale[5], sale[9], sale[12], sale[13], sale[14]) == (
        "2026/11/05", "売掛金", "株式会社田中商店", "売上高", "課税売上10%", "11000", "1000",
    )  # fmt: skip


def test_money_forward_layout_has_27_columns_and_balances(month):
    content, _name = journal.journal_csv(**NOVEMBER, layout="mf")

    header, *rows = _decoded(content, "utf-8-sig")
    assert header == journal.MF_HEADER and len(header) == 27  # columns A to AA
    assert all(len(row) == 27 for row in rows)
    assert _balance(rows, 8, 16) == (D(48414), D(48414))
    categories = {row[14] for row in rows if row[10] == "売上高"}
    assert categories == {"課売 10%", "課売 8% (軽)", "非売"}


def test_the_mapping_table_changes_accounts_per_layout(month, admin_user):
    services.journal_mapping_create(
        user=admin_user, data={"layout": "yayoi", "key": "account.deposit_transfer", "value": "当座預金"}
    )
    services.journal_mapping_create(user=admin_user, data={"layout": "", "key": "sub_account", "value": "code"})

    yayoi = _decoded(journal.journal_csv(**NOVEMBER, layout="yayoi")[0], "cp932")
    generic = _decoded(journal.journal_csv(**NOVEMBER, layout="generic")[0], "utf-8-sig")

    assert "当座預金" in {row[4] for row in yayoi} and "普通預金" not in {row[4] for row in yayoi}
    assert "普通預金" in {row[5] for row in generic}
    assert {row[5] for row in yayoi if row[4] == "売掛金"} == {"C002", "C001", "C020"}


def test_a_bad_mapping_is_refused_naming_the_field(admin_user):
    with pytest.raises(ValidationError) as refused:
        services.journal_mapping_create(user=admin_user, data={"layout": "", "key": "account.cash", "value": "現金"})
    assert "key" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.journal_mapping_create(user=admin_user, data={"layout": "", "key": "sub_account", "value": "kana"})
    assert "value" in refused.value.message_dict
    assert not JournalMapping.objects.exists()
    with pytest.raises(NotAllowed):
        services.journal_mapping_create(
            user=make_user(Role.SALES_REP), data={"layout": "", "key": "account.sales", "value": "売上"}
        )
