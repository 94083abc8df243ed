"""Issue #17, bank files: the 全銀 fixed-length statements (入出金取引明細, 振込入金通知) go
through the one import service, the API and the upload screen; deposits become statement
lines matched as a CSV's are, withdrawals and cancelled notices are counted and skipped, and a
file whose records or trailer do not add up is refused naming the record, writing nothing."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from backoffice.exceptions import InvalidInput
from backoffice.kana import kana_key
from billing import services
from billing.bankfiles import zengin
from billing.ledger import customer_ledger
from billing.models import BankStatementImport, BankStatementLine, Invoice, PayerName, Payment
from billing.services.bank_statements import bank_line_proposals
from demo import zengin_files as z
from tests.billing.conftest import ship
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/bank-statements/"
# Typed by hand from the layout, not by demo/zengin_files.py: a second reading of the spec.
SAMPLE_FILE = Path(__file__).resolve().parent / "files" / "zengin_nyushukkin_sample.txt"


@pytest.fixture
def customers(admin_user, company):
    """田中商店, whose payer name was learned, and 山田製作所, found by its kana; each owes 11,000."""
    tanaka = CustomerFactory(
        code="C005", name="株式会社田中商店", name_kana="タナカシヨウテン", invoice_mode="per_shipment"
    )
    yamada = CustomerFactory(
        code="C001", name="株式会社山田製作所", name_kana="ヤマダセイサクシヨ", invoice_mode="per_shipment"
    )
    ship(admin_user, tanaka, [(10000, 10)], dt.date(2026, 11, 10))
    ship(admin_user, yamada, [(10000, 10)], dt.date(2026, 11, 10))
    PayerName.objects.create(customer=tanaka, name="カ)タナカシヨウテン")
    return tanaka, yamada


def statement_03(newline=b"\r\n", trailer=None):
    return z.file(
        z.header_03(),
        z.data_03(day="081128", amount=11000, payer="ｶ)ﾀﾅｶｼﾖｳﾃﾝ", number=1),
        z.data_03(day="081130", deposit=False, kind=14, amount=55000, description="ﾃﾞﾝｷﾘﾖｳｷﾝ", number=2),
        z.data_03(day="081130", amount=10560, payer="ｶ)ﾔﾏﾀﾞｾｲｻｸｼﾖ", number=3),
        trailer or z.trailer_03(deposits=(2, 21560), withdrawals=(1, 55000), records=3),
        z.END,
        newline=newline,
    )


def lines():
    return [
        (line.row_number, line.transaction_date, line.amount, line.payer_name, line.status, line.customer_id)
        for line in BankStatementLine.objects.order_by("row_number")
    ]


def test_a_deposit_and_withdrawal_statement_imports_its_deposits_and_counts_the_withdrawal(admin_user, customers):
    tanaka, yamada = customers

    statement = services.bank_statement_import(content=statement_03(), file_name="0512.txt", user=admin_user)

    assert lines() == [
        (2, dt.date(2026, 11, 28), Decimal(11000), "カ)タナカシヨウテン", "matched", tanaka.pk),
        (4, dt.date(2026, 11, 30), Decimal(10560), "カ)ヤマダセイサクシヨ", "unmatched", yamada.pk),
    ]
    assert (statement.file_format, statement.withdrawals_skipped, statement.withdrawals_total) == (
        "zengin_03",
        1,
        Decimal(55000),
    )
    payment = Payment.objects.get()
    assert (payment.customer, payment.amount, payment.received_on) == (tanaka, Decimal(11000), dt.date(2026, 11, 28))
    assert Invoice.objects.get(customer=tanaka).status == "paid"
    assert Invoice.objects.get(customer=yamada).open_amount == Decimal(11000)  # proposed, waits for an admin


def test_records_without_line_breaks_read_the_same(admin_user, customers):
    content = statement_03(newline=b"")
    assert len(content) == 6 * 200

    services.bank_statement_import(content=content, user=admin_user)

    assert [line[:4] for line in lines()] == [
        (2, dt.date(2026, 11, 28), Decimal(11000), "カ)タナカシヨウテン"),
        (4, dt.date(2026, 11, 30), Decimal(10560), "カ)ヤマダセイサクシヨ"),
    ]


def test_the_account_in_the_header_names_the_company_bank_account(admin_user, customers, company):
    account = company.bank_accounts.first()
    content = z.file(
        z.header_03(account=int(account.account_number)),
        z.data_03(amount=11000, payer="ｶ)ﾀﾅｶｼﾖｳﾃﾝ"),
        z.trailer_03(deposits=(1, 11000), records=1),
        z.END,
    )

    statement = services.bank_statement_import(content=content, user=admin_user)

    assert statement.bank_account == account


def test_a_transfer_notice_uploaded_through_the_api_skips_its_cancelled_notice(admin_api, customers):
    tanaka, _yamada = customers
    content = z.file(
        z.header_01(),
        z.data_01(day="081127", amount=11000, payer="ｶ)ﾀﾅｶｼﾖｳﾃﾝ", number=1),
        z.data_01(day="081127", amount=3000, payer="ｽｽﾞｷ ｲﾁﾛｳ", cancelled=True, number=2),
        z.trailer_01(total=(2, 14000), cancelled=(1, 3000)),
        z.END,
    )

    response = admin_api.post(
        URL, {"file": SimpleUploadedFile("furikomi.txt", content, content_type="text/plain")}, format="multipart"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["file_format"], body["cancellations_skipped"], body["withdrawals_skipped"]) == ("zengin_01", 1, 0)
    assert [(line["row_number"], line["transaction_date"], line["amount"], line["payer_name"], line["status"])
            for line in body["lines"]] == [(2, "2026-11-27", "11000", "カ)タナカシヨウテン", "matched")]  # fmt: skip
    assert Payment.objects.get().customer == tanaka


def test_the_upload_screen_takes_a_zengin_file(admin_user, customers):
    client = Client()
    client.force_login(admin_user)

    response = client.post("/billing/bank/", {"file": SimpleUploadedFile("0512.txt", statement_03())})

    statement = BankStatementImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/billing/bank/{statement.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "全銀 入出金取引明細" in page
    assert "カ)ヤマダセイサクシヨ" in page
    assert "¥55,000" in page  # the withdrawal skipped, in the summary


@pytest.mark.parametrize(
    ("trailer", "message"),
    [
        (z.trailer_03(deposits=(2, 21000), withdrawals=(1, 55000), records=3), "Record 5 (トレーラ), 入金額合計"),
        (z.trailer_03(deposits=(3, 21560), withdrawals=(1, 55000), records=3), "Record 5 (トレーラ), 入金件数"),
        (z.trailer_03(deposits=(2, 21560), withdrawals=(1, 50000), records=3), "Record 5 (トレーラ), 出金額合計"),
        (z.trailer_03(deposits=(2, 21560), withdrawals=(1, 55000), records=4), "データ・レコード件数"),
    ],
)
def test_a_trailer_that_does_not_add_up_is_refused_naming_the_record_and_nothing_is_written(
    admin_api, customers, trailer, message
):
    content = statement_03(trailer=trailer)

    response = admin_api.post(
        URL, {"file": SimpleUploadedFile("bad.txt", content)}, format="multipart", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert message in str(response.json())
    assert not BankStatementImport.objects.exists()
    assert not BankStatementLine.objects.exists()
    assert not Payment.objects.exists()


def test_the_trailer_message_says_both_figures(admin_user, customers):
    content = statement_03(trailer=z.trailer_03(deposits=(2, 21000), withdrawals=(1, 55000), records=3))

    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        services.bank_statement_import(content=content, user=admin_user)

    assert str(refused.value.message) == (
        "Record 5 (トレーラ), 入金額合計: the trailer says 21,000, the data records of its group make 21,560"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (z.file(z.header_03(), z.data_03()[:199], z.END), "Record 2 is 199 bytes long"),
        (z.header_03() + z.data_03() + b"2" * 150, "Record 3 is 150 bytes long"),
        (z.file(z.header_03(), b"7" + z.data_03()[1:], z.END), "Record 2 (7), データ区分"),
        (z.file(z.header_03(), z.data_03(day="081131"), z.trailer_03(deposits=(1, 11000), records=1), z.END),
         "Record 2 (データ), 勘定日: “081131” is not a date"),
        (z.file(z.header_03(), z.data_03(day="081202"), z.trailer_03(deposits=(1, 11000), records=1), z.END),
         "Record 2 (データ), 勘定日: the date is in the future"),
        (z.file(z.header_03(), z.data_03(amount=0), z.trailer_03(records=1), z.END), "取引金額"),
        (z.file(z.header_03(), z.data_03(), z.trailer_03(deposits=(1, 11000), records=1)),
         "without its end record (9)"),
        (z.file(z.header_03(), z.data_03(), z.END),
         "Record 3 (エンド), データ区分: the end record (9) before the trailer (8)"),
        (z.file(b"121" + z.header_03()[3:], z.END), "21"),
        (z.file(b"1031" + z.header_03()[4:], z.END), "コード区分"),
    ],
)  # fmt: skip
def test_a_malformed_file_is_refused_naming_the_record(admin_user, customers, content, message):
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        services.bank_statement_import(content=content, user=admin_user)

    assert message in str(refused.value.message)
    assert refused.value.field == "file"
    assert not BankStatementImport.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("310430", dt.date(2019, 4, 30)),  # 平成31年4月30日, the last day of 平成
        ("010501", dt.date(2019, 5, 1)),  # 令和元年5月1日 = R01, the first day of 令和
        ("081130", dt.date(2026, 11, 30)),  # 令和8年
        ("301231", dt.date(2018, 12, 31)),  # 平成30年
    ],
)
def test_japanese_era_dates_across_the_change_of_era(text, expected):
    assert zengin.wareki_date(text, dt.date(2026, 12, 1)) == expected


@pytest.mark.parametrize("text", ["010430", "310501", "000101", "081131"])
def test_a_day_its_era_does_not_have_is_no_date(text):
    with pytest.raises(ValueError):
        zengin.wareki_date(text, dt.date(2026, 12, 1))


def test_the_change_of_era_in_a_file(admin_user, customers):
    content = z.file(
        z.header_03(created="010510", start="310426", end="010510"),
        z.data_03(day="310426", amount=1000, payer="ｽｽﾞｷ ｲﾁﾛｳ", number=1),
        z.data_03(day="010507", amount=2000, payer="ｽｽﾞｷ ｲﾁﾛｳ", number=2),
        z.trailer_03(deposits=(2, 3000), records=2),
        z.END,
    )

    services.bank_statement_import(content=content, user=admin_user)

    assert [line[1] for line in lines()] == [dt.date(2019, 4, 26), dt.date(2019, 5, 7)]


def test_a_file_dated_in_western_years_is_read_as_such(admin_user, customers):
    content = z.file(
        z.header_03(created="261201", start="261101", end="261130"),
        z.data_03(day="261130", amount=11000, payer="ｶ)ﾀﾅｶｼﾖｳﾃﾝ"),
        z.trailer_03(deposits=(1, 11000), records=1),
        z.END,
    )

    services.bank_statement_import(content=content, user=admin_user)

    assert lines()[0][1] == dt.date(2026, 11, 30)


def test_a_cash_deposit_without_payer_name_takes_the_description_and_is_never_learned(admin_user, customers):
    tanaka, _yamada = customers
    content = z.file(
        z.header_03(),
        z.data_03(kind=10, amount=5000, description="ｹﾞﾝｷﾝ"),
        z.data_03(kind=10, amount=7000),
        z.trailer_03(deposits=(2, 12000), records=2),
        z.END,
    )
    services.bank_statement_import(content=content, user=admin_user)
    nameless = BankStatementLine.objects.get(row_number=3)

    services.bank_line_confirm(line=nameless, customer=tanaka, user=admin_user)

    assert [line[3] for line in lines()] == ["ゲンキン", "(名義不明)"]
    assert list(PayerName.objects.values_list("name", flat=True)) == ["カ)タナカシヨウテン"]


def test_a_sample_file_typed_by_hand_imports(admin_user, customers):
    statement = services.bank_statement_import(content=SAMPLE_FILE.read_bytes(), user=admin_user)

    assert statement.file_format == "zengin_03"
    assert statement.lines.count() == 3
    assert statement.withdrawals_skipped == 2


def test_every_record_layout_of_the_reader_is_200_bytes():
    for layouts in zengin.LAYOUTS.values():
        for fields in layouts.values():
            assert sum(length for _name, length, _type, _optional in fields) == 200


@pytest.mark.parametrize("kind", ["03", "01"])
def test_three_customers_learned_by_kana_and_short_by_the_fee_as_a_sales_admin_expects(admin_user, customers, kind):
    """Issue #17's acceptance: deposits from three customers in either 全銀 format: one by its
    learned payer name (matched at once), one short by the bank fee under its learned name
    (matched at once, the shortfall recorded as the fee), one first-time by kana (proposed;
    confirmed by the admin, which learns the name). Their 売掛金元帳 balances end at zero."""
    tanaka, yamada = customers
    suzuki = CustomerFactory(
        code="C009", name="鈴木工業株式会社", name_kana="スズキコウギヨウ", invoice_mode="per_shipment"
    )
    ship(admin_user, suzuki, [(20000, 10)], dt.date(2026, 11, 12))  # 22,000 owed
    PayerName.objects.create(customer=suzuki, name=kana_key("ｽｽﾞｷｺｳｷﾞﾖｳ(ｶ"))  # learned from an earlier transfer
    deposits = [("081126", 11000, "ｶ)ﾀﾅｶｼﾖｳﾃﾝ"), ("081127", 21560, "ｽｽﾞｷｺｳｷﾞﾖｳ(ｶ"), ("081130", 11000, "ｶ)ﾔﾏﾀﾞｾｲｻｸｼﾖ")]
    if kind == "03":
        records = [z.header_03()]
        records += [z.data_03(day=d, amount=a, payer=p, number=i) for i, (d, a, p) in enumerate(deposits, 1)]
        records.append(z.trailer_03(deposits=(3, 43560), records=3))
    else:
        records = [z.header_01()]
        records += [z.data_01(day=d, amount=a, payer=p, number=i) for i, (d, a, p) in enumerate(deposits, 1)]
        records.append(z.trailer_01(total=(3, 43560)))

    services.bank_statement_import(content=z.file(*records, z.END), file_name=f"{kind}.txt", user=admin_user)

    assert [
        (line.amount, line.status, line.customer_id) for line in BankStatementLine.objects.order_by("row_number")
    ] == [
        (Decimal(11000), "matched", tanaka.pk),
        (Decimal(21560), "matched", suzuki.pk),
        (Decimal(11000), "unmatched", yamada.pk),
    ]
    fee_payment = Payment.objects.get(customer=suzuki)
    assert (fee_payment.amount, fee_payment.bank_fee, fee_payment.received_on) == (
        Decimal(21560),
        Decimal(440),
        dt.date(2026, 11, 27),
    )
    kana_line = BankStatementLine.objects.get(customer=yamada)
    proposal = bank_line_proposals([kana_line])[kana_line.pk]
    assert (proposal.customer, proposal.invoice, proposal.bank_fee) == (yamada, Invoice.objects.get(customer=yamada), 0)
    services.bank_line_confirm(line=kana_line, customer=yamada, user=admin_user, invoice=proposal.invoice)

    assert list(PayerName.objects.filter(customer=yamada).values_list("name", flat=True)) == ["カ)ヤマダセイサクシヨ"]
    assert set(Invoice.objects.values_list("status", flat=True)) == {"paid"}
    for customer in (tanaka, yamada, suzuki):
        statement = customer_ledger(customer=customer, date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 30))
        assert statement.closing_balance == 0, customer
