"""Issue #17, bank files: an internet-banking CSV export read through the column layout the
admin set once per company bank account (screen, admin, service), chosen on upload or found
by the file's header; deposits become statement lines with the payer taken from the
description, withdrawals are counted and skipped."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from backoffice.exceptions import InvalidInput
from backoffice.models import BankAccount
from backoffice.services import company_profile_update
from billing import services
from billing.bankfiles.csv_layout import payer_from_description
from billing.models import BankCsvLayout, BankStatementImport, BankStatementLine, PayerName, Payment
from tests.billing.conftest import ship
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/bank-statements/"

# As a city bank's internet banking exports an account's history (Shift_JIS): lines about
# the account first, then the header, a balance brought forward, deposits and withdrawals.
MIZUHO_EXPORT = (
    "口座情報,みずほ銀行 東京営業部 普通 1234567\r\n"
    "照会期間,2026/11/01～2026/11/30\r\n"
    "\r\n"
    "日付,摘要,お支払金額,お預り金額,差引残高\r\n"
    '2026/11/01,前日残高,,,"1,000,000"\r\n'
    '2026/11/25,振込　ｶ)ﾀﾅｶｼﾖｳﾃﾝ,,"11,000","1,011,000"\r\n'
    '2026/11/26,ﾃﾞﾝｷﾘﾖｳｷﾝ,"48,400",,"962,600"\r\n'
    '2026/11/27,ﾌﾘｺﾐ ｶ)ﾔﾏﾀﾞｾｲｻｸｼﾖ,,"10,560","973,160"\r\n'
    '2026/11/30,振込手数料,440,,"972,720"\r\n'
)


@pytest.fixture
def customers(admin_user, company):
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


@pytest.fixture
def account(company):
    return company.bank_accounts.get()


@pytest.fixture
def mizuho_layout(admin_user, account):
    return services.bank_csv_layout_save(
        bank_account=account,
        data={"date_column": "日付", "deposit_column": "お預り金額", "withdrawal_column": "お支払金額",
              "description_column": "摘要", "encoding": "cp932", "date_format": "western"},
        user=admin_user,
    )  # fmt: skip


def lines():
    return [
        (line.row_number, line.transaction_date, line.amount, line.payer_name, line.status, line.customer_id)
        for line in BankStatementLine.objects.order_by("row_number")
    ]


@pytest.mark.parametrize(
    ("description", "payer"),
    [
        ("振込　ｶ)ﾀﾅｶｼﾖｳﾃﾝ", "カ)タナカシヨウテン"),
        ("振込 ｶ)ﾀﾅｶｼﾖｳﾃﾝ", "カ)タナカシヨウテン"),
        ("振込＊タナカシヨウテン", "タナカシヨウテン"),
        ("振込タナカ", "タナカ"),
        ("ﾌﾘｺﾐ ﾀﾅｶｼﾖｳﾃﾝ", "タナカシヨウテン"),
        ("フリコミ　ヤマダ　タロウ", "ヤマダ タロウ"),
        ("振込 1234567890 ﾔﾏﾀﾞ", "ヤマダ"),
        ("振込入金 ﾔﾏﾀﾞ", "ヤマダ"),
        ("ﾌﾘｺﾐﾔﾏﾀﾞ", "フリコミヤマダ"),  # no separator: the kana may be the name itself
        ("フリーダム(カ", "フリーダム(カ"),
        ("ｶ)ﾔﾏﾀﾞｾｲｻｸｼﾖ", "カ)ヤマダセイサクシヨ"),
        ("振込", "振込"),  # nothing after the prefix: the description as it is
        ("利息", "利息"),
    ],
)
def test_the_payer_is_the_description_without_the_transfer_prefix(description, payer):
    assert payer_from_description(description) == payer


def test_a_bank_export_is_read_with_the_layout_of_the_account_chosen(admin_user, customers, account, mizuho_layout):
    tanaka, yamada = customers

    statement = services.bank_statement_import(
        content=MIZUHO_EXPORT.encode("cp932"), file_name="meisai.csv", bank_account=account, user=admin_user
    )

    assert lines() == [
        (6, dt.date(2026, 11, 25), Decimal(11000), "カ)タナカシヨウテン", "matched", tanaka.pk),
        (8, dt.date(2026, 11, 27), Decimal(10560), "カ)ヤマダセイサクシヨ", "unmatched", yamada.pk),
    ]
    assert (statement.file_format, statement.bank_account, statement.withdrawals_skipped) == (
        "csv_layout",
        account,
        2,
    )
    assert statement.withdrawals_total == Decimal(48840)
    assert Payment.objects.get().customer == tanaka


def test_an_upload_without_an_account_finds_the_layout_by_its_header(admin_api, customers, account, mizuho_layout):
    file = SimpleUploadedFile("meisai.csv", MIZUHO_EXPORT.encode("cp932"), content_type="text/csv")

    response = admin_api.post(URL, {"file": file}, format="multipart")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["file_format"], body["bank_account"], body["withdrawals_skipped"], body["withdrawals_total"]) == (
        "csv_layout",
        account.pk,
        2,
        "48840",
    )
    assert [(line["row_number"], line["amount"], line["status"]) for line in body["lines"]] == [
        (6, "11000", "matched"),
        (8, "10560", "unmatched"),
    ]


def test_a_second_account_with_its_own_layout_uploaded_on_the_screen(admin_user, customers, company):
    tanaka, _yamada = customers
    company_profile_update(
        user=admin_user,
        data={"bank_accounts": [
            {"bank_name": "みずほ銀行", "branch_name": "東京営業部", "account_type": "ordinary",
             "account_number": company.bank_accounts.get().account_number, "account_holder_kana": "ｻﾝﾌﾟﾙ"},
            {"bank_name": "三井住友銀行", "branch_name": "新宿支店", "account_type": "ordinary",
             "account_number": "7654321", "account_holder_kana": "ｻﾝﾌﾟﾙ"},
        ]},
    )  # fmt: skip
    smbc = BankAccount.objects.get(account_number="7654321")
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        f"/billing/bank/layouts/{smbc.pk}/",
        {"date_column": "取引日", "deposit_column": "入金金額", "withdrawal_column": "出金金額",
         "description_column": "内容", "encoding": "utf-8", "date_format": "wareki"},
    )  # fmt: skip
    assert response.status_code == 302
    export = "取引日,入金金額,出金金額,残高,内容\nR08.11.28,11000,,511000,振込 ｶ)ﾀﾅｶｼﾖｳﾃﾝ\nR08.11.29,,3000,508000,ｶｰﾄﾞ\n"

    response = client.post(
        "/billing/bank/",
        {"file": SimpleUploadedFile("smbc.csv", export.encode("utf-8-sig")), "bank_account": smbc.pk},
    )

    assert response.status_code == 302, response.content.decode()
    statement = BankStatementImport.objects.get()
    assert (statement.bank_account, statement.withdrawals_skipped) == (smbc, 1)
    assert lines() == [(2, dt.date(2026, 11, 28), Decimal(11000), "カ)タナカシヨウテン", "matched", tanaka.pk)]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ('2026/11/31,振込　ｶ)ﾀﾅｶｼﾖｳﾃﾝ,,"11,000",', "Row 10, column 日付: “2026/11/31” is not a date"),
        ('2026/12/02,振込　ｶ)ﾀﾅｶｼﾖｳﾃﾝ,,"11,000",', "Row 10, column 日付: the date is in the future"),
        ("2026/11/30,振込　ｶ)ﾀﾅｶｼﾖｳﾃﾝ,,11000円也,", "Row 10, column お預り金額: “11000円也” is not an amount"),
        ("2026/11/30,振込　ｶ)ﾀﾅｶｼﾖｳﾃﾝ,,-500,", "Row 10, column お預り金額: the amount must be whole yen"),
        ("2026/11/30,,,500,", "Row 10, column 摘要: the description (the payer) is empty"),
    ],
)
def test_a_bad_row_is_refused_naming_row_and_column_and_nothing_is_written(
    admin_user, customers, account, mizuho_layout, row, message
):
    content = (MIZUHO_EXPORT + row + "\r\n").encode("cp932")

    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        services.bank_statement_import(content=content, bank_account=account, user=admin_user)

    assert message in str(refused.value.message)
    assert not BankStatementImport.objects.exists()
    assert not Payment.objects.exists()


def test_a_file_without_the_layouts_columns_is_refused_naming_the_column(admin_user, customers, account):
    services.bank_csv_layout_save(
        bank_account=account,
        data={"date_column": "日付", "deposit_column": "お預り金額", "withdrawal_column": "お引出金額",
              "description_column": "摘要", "encoding": "cp932", "date_format": "western"},
        user=admin_user,
    )  # fmt: skip

    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        services.bank_statement_import(content=MIZUHO_EXPORT.encode("cp932"), bank_account=account, user=admin_user)

    assert "The header row has no column お引出金額" in str(refused.value.message)


def test_a_file_no_reader_knows_is_refused(admin_user, customers):
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        services.bank_statement_import(content=MIZUHO_EXPORT.encode("cp932"), user=admin_user)

    assert "no bank account's CSV layout matches its columns" in str(refused.value.message)


def test_the_layout_survives_when_the_accounts_are_reordered_or_edited(admin_user, account, mizuho_layout):
    details = {name: getattr(account, name) for name in
               ("bank_name", "branch_name", "account_type", "account_number", "account_holder_kana")}  # fmt: skip
    other = {**details, "bank_name": "りそな銀行", "account_number": "1111111"}

    company_profile_update(user=admin_user, data={"bank_accounts": [other, details]})
    company_profile_update(user=admin_user, data={"bank_accounts": [other, {**details, "branch_name": "本店"}]})
    company_profile_update(user=admin_user, data={"bank_accounts": [{**other, "account_holder_kana": "ﾍﾝｺｳ"},
                                                                     {**details, "branch_name": "本店"}]})  # fmt: skip

    layout = BankCsvLayout.objects.select_related("bank_account").get()
    assert (layout.pk, layout.bank_account_id, layout.bank_account.branch_name) == (
        mizuho_layout.pk,
        account.pk,
        "本店",
    )
    company_profile_update(user=admin_user, data={"bank_accounts": [other]})
    assert not BankCsvLayout.objects.exists()


def test_the_layout_screens_are_for_sales_admins(admin_user, rep_user, account, mizuho_layout):
    admin, rep = Client(), Client()
    admin.force_login(admin_user)
    rep.force_login(rep_user)

    page = admin.get("/billing/bank/layouts/").content.decode()

    assert "お預り金額" in page and "お支払金額" in page
    assert rep.get("/billing/bank/layouts/").status_code == 403
    assert rep.post(f"/billing/bank/layouts/{account.pk}/", {"delete": "1"}).status_code == 403
    assert admin.post(f"/billing/bank/layouts/{account.pk}/", {"delete": "1"}).status_code == 302
    assert not BankCsvLayout.objects.exists()


def test_a_layout_needs_its_columns(admin_user, account):
    client = Client()
    client.force_login(admin_user)

    response = client.post(
        f"/billing/bank/layouts/{account.pk}/",
        {"date_column": "日付", "deposit_column": "", "description_column": "日付", "encoding": "cp932",
         "date_format": "western"},
    )  # fmt: skip

    assert response.status_code == 200
    assert not BankCsvLayout.objects.exists()


def test_the_admin_saves_a_layout_through_the_service(admin_user, account):
    client = Client()
    client.force_login(admin_user)

    response = client.post(
        "/admin/billing/bankcsvlayout/add/",
        {"bank_account": account.pk, "date_column": "日付", "deposit_column": "お預り金額", "withdrawal_column": "",
         "description_column": "摘要", "encoding": "cp932", "date_format": "western"},
    )  # fmt: skip

    assert response.status_code == 302, response.content.decode()[:2000]
    layout = BankCsvLayout.objects.get()
    assert (layout.bank_account, layout.deposit_column) == (account, "お預り金額")
