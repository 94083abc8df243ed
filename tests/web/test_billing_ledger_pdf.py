"""The 売掛金元帳 as a PDF: title, customer, period, opening balance, the entries with the
running balance and the closing balance, the header on every page; text read with pdftotext,
exact yen."""

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest

from billing import services
from tests.billing.conftest import ship
from tests.factories import CustomerFactory
from tests.web.pages import client_for

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def customer(company, rep_user):
    return CustomerFactory(code="C002", name="株式会社田中商店", invoice_mode="per_shipment", sales_rep=rep_user)


def pdftotext(pdf: bytes) -> str:
    binary = shutil.which("pdftotext")
    if binary is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    result = subprocess.run([binary, "-layout", "-", "-"], input=pdf, capture_output=True, check=True)  # noqa: S603
    return result.stdout.decode()


def test_the_ledger_pdf_shows_the_balances_of_the_period(admin_user, customer):
    ship(admin_user, customer, [(10000, 10)], dt.date(2026, 9, 20))  # before the period: 11,000
    ship(admin_user, customer, [(20000, 10)], dt.date(2026, 10, 10))  # 22,000
    services.payment_record(
        customer=customer,
        received_on=dt.date(2026, 10, 30),
        amount=Decimal(10560),
        bank_fee=Decimal(440),
        user=admin_user,
    )

    response = client_for(admin_user).get(
        f"/billing/customers/{customer.pk}/ledger/",
        {"date_from": "2026-10-01", "date_to": "2026-11-30", "format": "pdf"},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdftotext(response.content)
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    assert lines[0] == "売掛金元帳"
    assert "得意先 C002 株式会社田中商店" in lines[1]
    assert "期間 2026/10/01 ～ 2026/11/30" in lines[2]
    assert "作成日 2026/12/01" in lines[2]
    assert "2026/10/01 前期繰越 ¥11,000" in lines
    assert any(line.startswith("2026/10/10") and line.endswith("¥22,000 ¥33,000") for line in lines)
    assert any(line.startswith("2026/10/30") and "¥10,560" in line and line.endswith("¥22,440") for line in lines)
    assert any(line.startswith("2026/10/30") and "¥440" in line and line.endswith("¥22,000") for line in lines)
    assert "2026/11/30 次期繰越（期末残高） ¥22,000 ¥11,000 ¥22,000" in lines
    assert "1/1" in text.replace(" ", "")


def test_a_long_ledger_repeats_the_header_on_every_page(admin_user, customer):
    for day in range(1, 29):
        ship(admin_user, customer, [(1000, 10)], dt.date(2026, 10, day))
        ship(admin_user, customer, [(1000, 10)], dt.date(2026, 10, day))

    response = client_for(admin_user).get(
        f"/billing/customers/{customer.pk}/ledger/",
        {"date_from": "2026-10-01", "date_to": "2026-11-30", "format": "pdf"},
    )

    pages = pdftotext(response.content).split("\f")
    pages = [page for page in pages if page.strip()]
    assert len(pages) == 2
    for number, page in enumerate(pages, start=1):
        assert "売掛金元帳" in page and "得意先 C002 株式会社田中商店" in page and "残高" in page
        assert f"{number}/2" in page.replace(" ", "")
    assert " ".join(pages[-1].split()).count("¥61,600") >= 1  # 56 × 1,100 at the end


def test_another_reps_customer_ledger_pdf_is_not_found(other_rep, customer):
    response = client_for(other_rep).get(f"/billing/customers/{customer.pk}/ledger/", {"format": "pdf"})

    assert response.status_code == 404
