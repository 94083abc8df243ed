"""/documents/: the 電帳法 search of issued documents (kind, number, counterparty by name or
kana, date range, amount range, combined), each row's SHA-256 check, and the ZIP export of
a selection; a rep sees only their own customers' documents and exports nothing."""

import csv
import dataclasses
import datetime as dt
import io
import zipfile

import pytest
from django.test import Client

from documents.services import document_issue
from documents.types import DocumentKind
from tests.documents.factories import customer_party, document_data, field_notes_lines
from tests.factories import CustomerFactory, make_user
from tests.web.pages import client_for, text_of

pytestmark = pytest.mark.django_db

URL = "/documents/"
EXPORT = "/documents/export/"


@pytest.fixture
def today():
    return dt.date(2026, 11, 30)


@pytest.fixture
def archive(admin_user, rep_user, other_rep, company, django_capture_on_commit_callbacks):
    """rep1's customer 山田製作所 (ヤマダセイサクショ): an invoice of ¥5,975 on 11/21 and a
    quote of ¥1,357 on 11/10; supplier 東京機工 (トウキョウキコウ): a purchase order of ¥5,975
    on 11/25; rep2's customer 大阪商会 (オオサカショウカイ): an invoice of ¥2,039 on 11/05."""
    yamada = CustomerFactory(sales_rep=rep_user, name="株式会社山田製作所", name_kana="ヤマダセイサクショ")
    osaka = CustomerFactory(sales_rep=other_rep, name="株式会社大阪商会", name_kana="オオサカショウカイ")
    lines = field_notes_lines()

    def party(customer):
        return dataclasses.replace(customer_party(customer.pk, customer.name), name_kana=customer.name_kana)

    supplier = dataclasses.replace(
        customer_party(77, "東京機工株式会社"), counterparty_kind="supplier", name_kana="トウキョウキコウ"
    )
    issued = {}
    with django_capture_on_commit_callbacks(execute=True):
        for key, data in [
            ("invoice", document_data(recipient=party(yamada), document_date=dt.date(2026, 11, 21))),
            (
                "quote",
                document_data(
                    DocumentKind.QUOTE, recipient=party(yamada), lines=lines[:1], document_date=dt.date(2026, 11, 10)
                ),
            ),
            ("po", document_data(DocumentKind.PURCHASE_ORDER, recipient=supplier, document_date=dt.date(2026, 11, 25))),
            ("osaka", document_data(recipient=party(osaka), lines=lines[2:], document_date=dt.date(2026, 11, 5))),
        ]:
            issued[key] = document_issue(data=data, user=admin_user, source=None)
    for document in issued.values():
        document.refresh_from_db()
        assert document.is_rendered
    return issued


def rows(response) -> list[list[str]]:
    """Each result row's cells as text (checkbox cell dropped)."""
    assert response.status_code == 200
    html = response.content.decode()
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    found = []
    for row in body.split("</tr>")[:-1]:
        cells = [" ".join(text_of_html(cell).split()) for cell in row.split("</td>")[:-1]]
        found.append([cell for cell in cells if cell])
    return found


def text_of_html(fragment: str) -> str:
    class Fake:
        content = fragment.encode()

    return text_of(Fake)


def test_the_admin_sees_every_document_newest_first_with_its_check(admin_user, archive):
    response = client_for(admin_user).get(URL)

    assert rows(response) == [
        ["2026/11/25", "発注書", "PO-2026-000001", "東京機工株式会社 （仕入先）", "¥5,975", "検証OK", "PDFを開く"],
        ["2026/11/21", "請求書", "INV-2026-000001", "株式会社山田製作所 （得意先）", "¥5,975", "検証OK", "PDFを開く"],
        ["2026/11/10", "御見積書", "Q-2026-000001", "株式会社山田製作所 （得意先）", "¥1,357", "検証OK", "PDFを開く"],
        ["2026/11/05", "請求書", "INV-2026-000002", "株式会社大阪商会 （得意先）", "¥2,039", "検証OK", "PDFを開く"],
    ]
    text = text_of(response)
    assert "4件" in text
    assert "検索結果4件をすべてエクスポート（ZIP）" in text
    assert f'href="/documents/{archive["po"].pk}/pdf"' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"counterparty": "やまだ"}, ["INV-2026-000001", "Q-2026-000001"]),  # hiragana finds the katakana reading
        ({"counterparty": "ﾄｳｷｮｳ"}, ["PO-2026-000001"]),  # half-width kana, a supplier
        ({"counterparty": "大阪"}, ["INV-2026-000002"]),  # by name
        ({"counterparty_kind": "supplier"}, ["PO-2026-000001"]),
        ({"kind": "invoice"}, ["INV-2026-000001", "INV-2026-000002"]),
        ({"number": "inv-2026-000002"}, ["INV-2026-000002"]),
        ({"date_from": "2026-11-10", "date_to": "2026-11-21"}, ["INV-2026-000001", "Q-2026-000001"]),
        ({"amount_min": "2039", "amount_max": "5974"}, ["INV-2026-000002"]),
        (
            {"kind": "invoice", "counterparty": "ヤマダ", "date_from": "2026-11-01", "amount_min": "5975"},
            ["INV-2026-000001"],
        ),
        ({"kind": "quote", "counterparty": "オオサカ"}, []),
    ],
)
def test_the_search_conditions_combine(admin_user, archive, query, expected):
    response = client_for(admin_user).get(URL, query)

    assert sorted(row[2] for row in rows(response)) == expected
    if not expected:
        assert "該当する書類はありません。" in text_of(response)


def test_a_backwards_range_is_refused_naming_the_field(admin_user, archive):
    response = client_for(admin_user).get(URL, {"date_from": "2026-11-21", "date_to": "2026-11-10", "amount_min": "-1"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_date_to_error"' in html and "終了日が開始日より前です。" in html
    assert 'id="id_amount_min_error"' in html
    assert "<tbody>" not in html


def test_a_rep_sees_only_their_customers_documents_and_no_export(rep_user, other_rep, archive):
    mine = client_for(rep_user).get(URL)
    theirs = client_for(other_rep).get(URL)

    assert [row[2] for row in rows(mine)] == ["INV-2026-000001", "Q-2026-000001"]
    assert [row[2] for row in rows(theirs)] == ["INV-2026-000002"]
    assert 'name="ids"' not in mine.content.decode()
    assert "エクスポート（ZIP）" not in text_of(mine)
    assert client_for(rep_user).post(EXPORT, {"everything": "1"}).status_code == 403


def test_without_a_role_403_and_signed_out_the_login(archive):
    assert client_for(make_user(None, username="nobody")).get(URL).status_code == 403
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


def test_an_altered_or_missing_file_shows_on_its_row(admin_user, archive):
    invoice, quote = archive["invoice"], archive["quote"]
    with invoice.pdf.storage.open(invoice.pdf.name, "wb") as file:
        file.write(b"%PDF-1.7 altered")
    quote.pdf.storage.delete(quote.pdf.name)

    found = {row[2]: row for row in rows(client_for(admin_user).get(URL))}

    assert found["INV-2026-000001"][-2:] == ["改ざんの疑い（SHA-256不一致）", "—"]
    assert found["Q-2026-000001"][-2:] == ["ファイルなし", "—"]
    assert found["PO-2026-000001"][-2:] == ["検証OK", "PDFを開く"]


def read_zip(response) -> tuple[list[str], list[list[str]]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    index = archive.read("index.csv").decode("utf-8-sig")
    return sorted(archive.namelist()), list(csv.reader(io.StringIO(index)))


def test_the_ticked_documents_export_as_a_zip_with_their_index(admin_user, archive):
    ids = [archive["invoice"].pk, archive["po"].pk]

    response = client_for(admin_user).post(EXPORT, {"ids": ids})

    assert response["Content-Disposition"] == 'attachment; filename="documents_20261130.zip"'
    names, index = read_zip(response)
    assert names == ["index.csv", "pdf/2026-11/INV-2026-000001.pdf", "pdf/2026-11/PO-2026-000001.pdf"]
    verified = index[0].index("検証")  # the e-invoice's file and SHA-256 follow it
    assert [row[:3] + row[5:7] + [row[verified]] for row in index] == [
        ["取引年月日", "書類種別", "書類番号", "取引先名", "取引金額（税込）", "検証"],
        ["2026-11-21", "請求書", "INV-2026-000001", "株式会社山田製作所", "5975", "OK"],
        ["2026-11-25", "発注書", "PO-2026-000001", "東京機工株式会社", "5975", "OK"],
    ]


def test_everything_the_search_finds_exports_and_a_manager_may(manager_user, archive):
    response = client_for(manager_user).post(f"{EXPORT}?counterparty=やまだ", {"everything": "1"})

    names, index = read_zip(response)
    assert [row[2] for row in index[1:]] == ["Q-2026-000001", "INV-2026-000001"]
    assert names == ["index.csv", "pdf/2026-11/INV-2026-000001.pdf", "pdf/2026-11/Q-2026-000001.pdf"]


def test_exporting_nothing_ticked_says_so(admin_user, archive):
    response = client_for(admin_user).post(f"{EXPORT}?kind=invoice", {"ids": ["x"]}, follow=True)

    assert response.redirect_chain == [("/documents/?kind=invoice", 302)]
    assert "エクスポートする書類にチェックを付けてください。" in text_of(response)


def test_a_page_reads_the_documents_in_a_fixed_number_of_queries(admin_user, archive, django_assert_max_num_queries):
    client = client_for(admin_user)
    client.get(URL)
    with django_assert_max_num_queries(12):
        client.get(URL, {"counterparty": "やまだ"})
