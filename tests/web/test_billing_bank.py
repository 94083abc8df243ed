"""The bank statement screens: upload, the review of one import (matched at once by a learned
payer name, proposed by kana, unmatched), confirming (the payer name learned) or ignoring,
bad files refused with the row named and nothing written, and the roles."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from billing.models import BankStatementImport, BankStatementLine, Invoice, PayerName, Payment
from tests.billing.conftest import ship
from tests.factories import CustomerFactory
from tests.web.pages import client_for, text_of

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)
HEADER = "日付,金額,振込依頼人名\n"


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def tanaka(admin_user, company):
    """Learned payer name タナカシヨウテン; one invoice of 11,000."""
    customer = CustomerFactory(
        code="C002", name="株式会社田中商店", name_kana="タナカシヨウテン", invoice_mode="per_shipment"
    )
    ship(admin_user, customer, [(10000, 10)], dt.date(2026, 11, 10))
    PayerName.objects.create(customer=customer, name="タナカシヨウテン")
    return customer


@pytest.fixture
def yamada(admin_user, company):
    """Never paid before; one invoice of 22,000."""
    customer = CustomerFactory(
        code="C001", name="株式会社山田製作所", name_kana="ヤマダセイサクシヨ", invoice_mode="per_shipment"
    )
    ship(admin_user, customer, [(20000, 10)], dt.date(2026, 11, 12))
    return customer


@pytest.fixture
def sato(admin_user, company):
    """Pays under a person's name; one invoice of 5,500."""
    customer = CustomerFactory(
        code="C003", name="株式会社佐藤工業", name_kana="サトウコウギヨウ", invoice_mode="per_shipment"
    )
    ship(admin_user, customer, [(5000, 10)], dt.date(2026, 11, 13))
    return customer


def upload(client, text: str, name="statement.csv", encoding="cp932"):
    file = SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")
    return client.post("/billing/bank/", {"file": file})


def test_an_upload_matches_a_learned_payer_proposes_a_kana_match_and_leaves_the_rest(admin_user, tanaka, yamada, sato):
    client = client_for(admin_user)
    rows = "2026-11-30,10560,ﾀﾅｶｼﾖｳﾃﾝ\n2026-11-30,22000,ｶ)ﾔﾏﾀﾞｾｲｻｸｼﾖ\n2026-11-30,5500,ｻﾄｳﾀﾛｳ\n"

    response = upload(client, HEADER + rows)

    statement = BankStatementImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/billing/bank/{statement.pk}/"
    page = client.get(response["Location"])
    text = text_of(page)
    tanaka_invoice, yamada_invoice, _sato_invoice = Invoice.objects.order_by("pk")
    assert "入金明細 statement.csv を取り込みました。" in text
    assert (
        f"2 2026/11/30 タナカシヨウテン ¥10,560 自動消込 C002 株式会社田中商店 {tanaka_invoice.number} ¥10,560 ¥440"
        in text
    )
    assert (
        f"3 2026/11/30 カ)ヤマダセイサクシヨ ¥22,000 初回カナ一致（要確認） C001 株式会社山田製作所 "
        f"{yamada_invoice.number} ¥22,000 ¥0 確定 選択 対象外にする" in text
    )
    assert "4 2026/11/30 サトウタロウ ¥5,500 未照合 — — 得意先を選択 対象外にする" in text
    assert Payment.objects.count() == 1  # only the learned name was recorded

    listing = text_of(client.get("/billing/bank/"))
    assert "2026/12/01 10:00 statement.csv admin1 3 1 0 2 0" in listing


def test_confirming_a_kana_proposal_records_the_payment_on_its_invoice_and_learns_the_name(admin_user, yamada):
    client = client_for(admin_user)
    upload(client, HEADER + "2026-11-30,21560,ｶ)ﾔﾏﾀﾞｾｲｻｸｼﾖ\n")  # 22,000 less a 440 fee
    line = BankStatementLine.objects.get()
    invoice = Invoice.objects.get()
    form = client.get(f"/billing/bank/lines/{line.pk}/confirm/").context["form"]
    assert (form["invoice"].value(), form["bank_fee"].value()) == (invoice.pk, Decimal(440))  # the shortfall

    response = client.post(
        f"/billing/bank/lines/{line.pk}/confirm/", {"customer": yamada.pk, "invoice": invoice.pk, "bank_fee": "440"}
    )

    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.customer, payment.amount, payment.bank_fee) == (yamada, Decimal(21560), Decimal(440))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.open_amount) == ("paid", Decimal(0))
    assert PayerName.objects.get().customer == yamada
    line.refresh_from_db()
    assert line.status == "confirmed"
    page = text_of(client.get(response["Location"]))
    assert "カ)ヤマダセイサクシヨ からの入金 ¥21,560 を 株式会社山田製作所 の入金として登録しました。" in page
    assert f"確定済 C001 株式会社山田製作所 {invoice.number} ¥21,560 ¥440" in page


def test_an_unmatched_transfer_is_confirmed_with_the_customer_and_invoice_the_admin_picks(admin_user, sato):
    client = client_for(admin_user)
    upload(client, HEADER + "2026-11-30,5500,ｻﾄｳﾀﾛｳ\n")
    line = BankStatementLine.objects.get()
    invoice = Invoice.objects.get()

    form = client.get(f"/billing/bank/lines/{line.pk}/confirm/", {"customer": sato.pk})
    assert f"{invoice.number}（期日 2026/12/30、未入金 ¥5,500）" in text_of(form)
    assert form.context["form"]["bank_fee"].value() is None  # paid in full: no fee, the field left blank

    response = client.post(f"/billing/bank/lines/{line.pk}/confirm/", {"customer": sato.pk, "invoice": invoice.pk})

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_amount) == ("paid", Decimal(5500))
    assert PayerName.objects.get().name == "サトウタロウ"
    # the next transfer under that name is matched at once
    ship(admin_user, sato, [(3000, 10)], dt.date(2026, 11, 20))
    upload(client, HEADER + "2026-11-30,3300,ｻﾄｳﾀﾛｳ\n", name="next.csv")
    assert BankStatementLine.objects.get(statement__file_name="next.csv").status == "matched"


def test_confirming_without_a_customer_says_so_and_records_nothing(admin_user, sato):
    client = client_for(admin_user)
    upload(client, HEADER + "2026-11-30,5500,ｻﾄｳﾀﾛｳ\n")
    line = BankStatementLine.objects.get()

    response = client.post(f"/billing/bank/lines/{line.pk}/confirm/", {"customer": "", "bank_fee": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["customer"] == ["この項目は必須です。"]
    assert not Payment.objects.exists()


def test_a_bank_fee_larger_than_the_invoice_leaves_open_is_refused_next_to_the_fee(admin_user, sato):
    client = client_for(admin_user)
    upload(client, HEADER + "2026-11-30,5500,ｻﾄｳﾀﾛｳ\n")
    line = BankStatementLine.objects.get()
    invoice = Invoice.objects.get()

    response = client.post(
        f"/billing/bank/lines/{line.pk}/confirm/", {"customer": sato.pk, "invoice": invoice.pk, "bank_fee": "5500"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["bank_fee"]
    assert not Payment.objects.exists()


def test_ignoring_a_transfer_records_nothing(admin_user, sato):
    client = client_for(admin_user)
    upload(client, HEADER + "2026-11-30,12,ﾘｿｸ\n")
    line = BankStatementLine.objects.get()

    response = client.post(f"/billing/bank/lines/{line.pk}/ignore/")

    line.refresh_from_db()
    assert line.status == "ignored"
    assert not Payment.objects.exists()
    assert "入金 ¥12 を対象外にしました。" in text_of(client.get(response["Location"]))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("日付,金額\n2026-11-30,100\n", "見出し行に date, amount, payer_name の列が必要です（不足: payer_name）。"),
        (
            HEADER + "2026-11-30,5500,ｻﾄｳ\n2026-11-30,-1,ｻﾄｳ\n",
            "3 行目: 金額は 0 より大きい円単位の整数にしてください。",
        ),
        (HEADER + "2026-13-01,5500,ｻﾄｳ\n", "2 行目:"),
        (HEADER, "ファイルに入金明細がありません。"),
    ],
)
def test_a_bad_file_is_refused_with_the_row_named_and_nothing_written(admin_user, sato, content, message):
    response = upload(client_for(admin_user), content)

    assert response.status_code == 200
    assert message in text_of(response)
    assert not BankStatementImport.objects.exists()
    assert not Payment.objects.exists()


def test_the_same_file_twice_is_refused(admin_user, sato):
    client = client_for(admin_user)
    upload(client, HEADER + "2026-11-30,5500,ｻﾄｳﾀﾛｳ\n")

    response = upload(client, HEADER + "2026-11-30,5500,ｻﾄｳﾀﾛｳ\n")

    assert "このファイルは取込済みです。" in text_of(response)
    assert BankStatementImport.objects.count() == 1


def test_managers_read_without_actions_and_reps_are_refused(admin_user, manager_user, rep_user, sato):
    upload(client_for(admin_user), HEADER + "2026-11-30,5500,ｻﾄｳﾀﾛｳ\n")
    statement = BankStatementImport.objects.get()
    line = BankStatementLine.objects.get()
    manager = client_for(manager_user)

    page = manager.get(f"/billing/bank/{statement.pk}/")
    assert page.status_code == 200
    assert "得意先を選択" not in text_of(page)
    assert "入金明細の取込" not in text_of(manager.get("/billing/bank/"))
    assert manager.post(f"/billing/bank/lines/{line.pk}/ignore/").status_code == 403
    assert upload(manager, HEADER + "2026-11-30,1,ｱ\n").status_code == 403
    rep = client_for(rep_user)
    assert rep.get("/billing/bank/").status_code == 403
    assert rep.get(f"/billing/bank/{statement.pk}/").status_code == 403


def test_the_import_page_reads_in_a_fixed_number_of_queries(admin_user, tanaka, sato, django_assert_max_num_queries):
    client = client_for(admin_user)
    upload(client, HEADER + "2026-11-30,10560,ﾀﾅｶｼﾖｳﾃﾝ\n2026-11-30,5500,ｻﾄｳﾀﾛｳ\n2026-11-30,7,ﾘｿｸ\n")
    statement = BankStatementImport.objects.get()

    with django_assert_max_num_queries(20):
        assert client.get(f"/billing/bank/{statement.pk}/").status_code == 200
