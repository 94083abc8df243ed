"""JP PINT 1.1.3 e-invoices: every kind of invoice and credit note billing issues, validated
with the official kit (../shared/pint-kit: UBL XSD + PINT shared + PINT JP rules, 0 fatal),
this project's stricter checks, the stored copy, the API and the archive export."""

import datetime as dt
import io
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal

import pytest

from billing import einvoice, services
from billing.einvoice import EInvoiceRefused, build_ubl, check_ubl
from billing.einvoice.kit import KitValidator, kit_missing
from billing.einvoice.ubl import CAC, CBC
from billing.models import Invoice
from documents.models import IssuedEInvoice
from documents.services import documents_export
from tests.billing.conftest import ship, ship_product
from tests.billing.credit_notes import goods_returned, paid_then_reduced, price_reduction

NS = {"cac": CAC, "cbc": CBC}


@pytest.fixture(scope="session")
def kit():
    reason = kit_missing()
    if reason:
        pytest.skip(f"JP PINT validation skipped: {reason}")
    return KitValidator()


def assert_valid(kit, xml: bytes):
    result = kit.validate(xml)
    assert KitValidator.fatal(result) == []
    assert result["valid"]


def text(xml: bytes, path: str) -> list[str]:
    return [element.text for element in ET.fromstring(xml).findall(path, NS)]  # noqa: S314


def tax_subtotals(xml: bytes) -> list[tuple[str, str, str, str]]:
    root = ET.fromstring(xml)  # noqa: S314
    return [
        (
            s.findtext("cac:TaxCategory/cbc:ID", namespaces=NS),
            s.findtext("cac:TaxCategory/cbc:Percent", namespaces=NS),
            s.findtext("cbc:TaxableAmount", namespaces=NS),
            s.findtext("cbc:TaxAmount", namespaces=NS),
        )
        for s in root.findall("cac:TaxTotal/cac:TaxSubtotal", NS)
    ]


def monetary(xml: bytes) -> dict[str, str]:
    total = ET.fromstring(xml).find("cac:LegalMonetaryTotal", NS)  # noqa: S314
    return {child.tag.rsplit("}", 1)[1]: child.text for child in total}


# --- every kind, validated with the official rules ------------------------------------------------


def test_per_shipment_invoice_mixed_rates_is_valid_jp_pint(kit, admin_user, per_shipment_customer):
    ship(
        admin_user,
        per_shipment_customer,
        [(1234, 10), (2345, 10), (1111, 8), (777, 8), (500, 0)],
        dt.date(2026, 11, 20),
    )
    invoice = Invoice.objects.get()

    xml = einvoice.invoice_ubl(invoice=invoice)

    assert_valid(kit, xml)
    assert ET.fromstring(xml).tag == "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice"  # noqa: S314
    assert text(xml, "cbc:ID") == [invoice.number]
    assert text(xml, "cbc:DueDate") == ["2026-12-30"]
    assert text(xml, "cac:InvoicePeriod/cbc:StartDate") == ["2026-11-20"]
    assert text(xml, "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID") == ["T7000012050002"]
    assert text(xml, "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName") == [
        "株式会社田中商店"
    ]
    # Tax once per rate (1,234 + 2,345 → 357; 1,111 + 777 → 151), not per line (507).
    assert tax_subtotals(xml) == [
        ("S", "10", "3579", "357"),
        ("AA", "8", "1888", "151"),
        ("E", "0", "500", "0"),
    ]
    assert text(xml, "cac:TaxTotal/cbc:TaxAmount") == ["508"]
    assert monetary(xml) == {
        "LineExtensionAmount": "5967",
        "TaxExclusiveAmount": "5967",
        "TaxInclusiveAmount": "6475",
        "PayableAmount": "6475",
    }
    assert text(xml, "cac:InvoiceLine/cac:Item/cbc:Name") == ["作業1", "作業2", "作業3 ※", "作業4 ※", "作業5"]
    assert text(xml, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") == ["1234567"]
    assert text(xml, "cac:InvoiceLine/cac:DocumentReference/cbc:ID")[0].startswith("DN-2026-")


def test_tax_inclusive_invoice_states_lines_without_tax(kit, admin_user, per_shipment_customer):
    per_shipment_customer.tax_mode = "inclusive"
    per_shipment_customer.save()
    ship(admin_user, per_shipment_customer, [(3000, 8), (700, 8), (11000, 10)], dt.date(2026, 11, 20))
    invoice = Invoice.objects.get()

    xml = einvoice.invoice_ubl(invoice=invoice)

    assert_valid(kit, xml)
    # 8%: 3,700 × 8/108 = 274.07 → 274 once, shared 222 / 52 by the lines; 10%: 11,000 → 1,000.
    assert tax_subtotals(xml) == [("S", "10", "10000", "1000"), ("AA", "8", "3426", "274")]
    assert text(xml, "cac:InvoiceLine/cbc:LineExtensionAmount") == ["2778", "648", "10000"]
    assert monetary(xml)["TaxInclusiveAmount"] == str(invoice.sales_total) == "14700"


def test_tax_inclusive_round_down_can_fall_outside_the_official_tolerance(kit, admin_user, per_shipment_customer):
    """A limit of the official rules, not of the export: ¥1,110 including 10 % has the tax
    1,110 × 10/110 = 100.9 → 100 (rounded down, lawful), leaving 1,010 excluding tax; the
    rule aligned-ibrp-051-jp wants 1,010 × 10 % = 101 exactly. Rounding half up never
    falls outside it (billing/README.md "JP PINT")."""
    per_shipment_customer.tax_mode = "inclusive"
    per_shipment_customer.save()
    ship(admin_user, per_shipment_customer, [(1110, 10)], dt.date(2026, 11, 20))

    xml = einvoice.invoice_ubl(invoice=Invoice.objects.get())

    assert tax_subtotals(xml) == [("S", "10", "1010", "100")]
    assert [r["id"] for r in kit.validate(xml)["results"]] == ["aligned-ibrp-051-jp"]


def test_tax_inclusive_half_up_is_valid_jp_pint(kit, admin_user, per_shipment_customer):
    from tests.factories import complete_company_profile

    complete_company_profile(rounding_mode="half_up")
    per_shipment_customer.tax_mode = "inclusive"
    per_shipment_customer.save()
    ship(admin_user, per_shipment_customer, [(1110, 10), (1106, 8)], dt.date(2026, 11, 20))

    xml = einvoice.invoice_ubl(invoice=Invoice.objects.get())

    assert_valid(kit, xml)
    assert tax_subtotals(xml) == [("S", "10", "1009", "101"), ("AA", "8", "1024", "82")]


def test_consolidated_invoice_with_carry_over_is_valid_jp_pint(kit, admin_user, customer):
    paid_then_reduced(admin_user, customer, sales=10000, paid=4000, reduction=1000)
    ship(admin_user, customer, [(2000, 10), (1000, 8)], dt.date(2026, 11, 12))
    services.closing_run(closing_date=dt.date(2026, 11, 30), user=admin_user)
    november = Invoice.objects.get(period_end=dt.date(2026, 11, 30))
    assert (november.previous_balance, november.payments_received, november.credits) == (11000, 4000, 1100)

    xml = einvoice.invoice_ubl(invoice=november)

    assert_valid(kit, xml)
    assert text(xml, "cac:InvoicePeriod/cbc:StartDate") + text(xml, "cac:InvoicePeriod/cbc:EndDate") == [
        "2026-11-01",
        "2026-11-30",
    ]
    assert tax_subtotals(xml) == [("S", "10", "2000", "200"), ("AA", "8", "1000", "80")]
    # 繰越 5,900 still owed: a negative paid amount, so the amount due is 今回御請求額.
    assert monetary(xml) == {
        "LineExtensionAmount": "3000",
        "TaxExclusiveAmount": "3000",
        "TaxInclusiveAmount": "3280",
        "PrepaidAmount": "-5900",
        "PayableAmount": "9180",
    }
    assert november.total == 9180
    assert text(xml, "cbc:Note") == [
        "前回御請求額 ¥11,000 / ご入金額 ¥4,000 / 返品・値引 ¥1,100 / 繰越金額 ¥5,900 / "
        "今回お買上げ額（税込） ¥3,280 / 今回御請求額 ¥9,180 / ※は軽減税率（8%）対象"
    ]


def test_price_reduction_credit_note_is_valid_jp_pint(kit, admin_user, customer):
    october, note = paid_then_reduced(admin_user, customer, sales=10000, paid=4000, reduction=1000)

    xml = einvoice.credit_note_ubl(credit_note=note)

    assert_valid(kit, xml)
    root = ET.fromstring(xml)  # noqa: S314
    assert root.tag == "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote"
    assert text(xml, "cbc:CreditNoteTypeCode") == ["381"]
    assert text(xml, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == [october.number]
    assert text(xml, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate") == ["2026-10-31"]
    assert text(xml, "cac:InvoicePeriod/cbc:StartDate") == ["2026-10-10"]  # the original sale
    assert tax_subtotals(xml) == [("S", "10", "1000", "100")]
    assert monetary(xml)["PayableAmount"] == "1100"
    assert text(xml, "cbc:Note") == ["返品・値引の理由: 単価訂正"]


def test_return_credit_note_with_mixed_rates_is_valid_jp_pint(kit, admin_user, per_shipment_customer, warehouse):
    from tests.factories import ProductFactory

    food = ProductFactory(sku="F-1", name="緑茶 500ml", unit="本", list_price=Decimal("150"), tax_category="reduced")
    ship_product(admin_user, per_shipment_customer, food, 10, dt.date(2026, 11, 20), warehouse)
    invoice = Invoice.objects.get()
    line = invoice.lines.get()
    note = goods_returned(admin_user, line, 3)

    xml = einvoice.credit_note_ubl(credit_note=note)

    assert_valid(kit, xml)
    assert tax_subtotals(xml) == [("AA", "8", "450", "36")]
    assert text(xml, "cac:CreditNoteLine/cbc:CreditedQuantity") == ["3"]
    assert text(xml, "cac:CreditNoteLine/cac:Item/cbc:Name") == ["緑茶 500ml ※"]


def test_tax_inclusive_price_reduction_is_valid_jp_pint(kit, admin_user, per_shipment_customer):
    per_shipment_customer.tax_mode = "inclusive"
    per_shipment_customer.save()
    ship(admin_user, per_shipment_customer, [(5500, 10), (1080, 8)], dt.date(2026, 11, 20))
    invoice = Invoice.objects.get()
    ten, eight = invoice.lines.order_by("position")
    note = price_reduction(admin_user, invoice, [(ten, 550), (eight, 108)])

    xml = einvoice.credit_note_ubl(credit_note=note)

    assert_valid(kit, xml)
    assert tax_subtotals(xml) == [("S", "10", "500", "50"), ("AA", "8", "100", "8")]
    assert [str(n) for n in note.lines.order_by("pk").values_list("net_amount", flat=True)] == text(
        xml, "cac:CreditNoteLine/cbc:LineExtensionAmount"
    )


def test_statement_invoice_without_sales_is_valid_jp_pint(kit, admin_user, customer):
    from billing.models import BillingSettings

    BillingSettings.objects.update_or_create(pk=1, defaults={"statement_without_sales": True})
    ship(admin_user, customer, [(10000, 10)], dt.date(2026, 10, 10))
    services.closing_run(closing_date=dt.date(2026, 10, 31), user=admin_user)
    services.payment_record(customer=customer, received_on=dt.date(2026, 11, 5), amount=Decimal(4000), user=admin_user)
    services.closing_run(closing_date=dt.date(2026, 11, 30), user=admin_user)
    statement = Invoice.objects.get(period_end=dt.date(2026, 11, 30))

    xml = einvoice.invoice_ubl(invoice=statement)

    assert_valid(kit, xml)
    assert monetary(xml)["PayableAmount"] == "7000"
    assert tax_subtotals(xml) == [("S", "10", "0", "0")]


# --- stable, stored once, immutable ----------------------------------------------------------------


def test_the_xml_is_the_same_every_time_and_stored_once(admin_user, per_shipment_customer):
    ship(admin_user, per_shipment_customer, [(1000, 10)], dt.date(2026, 11, 20))
    invoice = Invoice.objects.get()

    assert build_ubl(invoice.document.data) == build_ubl(invoice.document.data)
    first = einvoice.invoice_ubl(invoice=invoice)
    second = einvoice.invoice_ubl(invoice=invoice)

    assert first == second == build_ubl(invoice.document.data)
    stored = IssuedEInvoice.objects.get()
    assert stored.document == invoice.document
    import hashlib

    assert stored.sha256 == hashlib.sha256(first).hexdigest()
    assert stored.xml.name.endswith(f"{invoice.number}.xml")


def test_the_render_step_stores_the_xml_beside_the_pdf(
    admin_user, per_shipment_customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ship(admin_user, per_shipment_customer, [(1000, 10)], dt.date(2026, 11, 20))
    invoice = Invoice.objects.get()

    invoice.document.refresh_from_db()
    assert invoice.document.is_rendered
    assert IssuedEInvoice.objects.get().document_id == invoice.document_id


def test_a_stored_xml_can_be_neither_changed_nor_deleted(admin_user, per_shipment_customer):
    from documents.exceptions import DocumentImmutable

    ship(admin_user, per_shipment_customer, [(1000, 10)], dt.date(2026, 11, 20))
    einvoice.invoice_ubl(invoice=Invoice.objects.get())
    stored = IssuedEInvoice.objects.get()

    with pytest.raises(DocumentImmutable):
        stored.save()
    with pytest.raises(DocumentImmutable):
        stored.delete()
    with pytest.raises(DocumentImmutable):
        IssuedEInvoice.objects.update(sha256="0" * 64)


def test_postgresql_refuses_changing_or_deleting_a_stored_xml(admin_user, per_shipment_customer):
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    ship(admin_user, per_shipment_customer, [(1000, 10)], dt.date(2026, 11, 20))
    einvoice.invoice_ubl(invoice=Invoice.objects.get())

    for statement in ("UPDATE documents_issuedeinvoice SET sha256 = %s", "DELETE FROM documents_issuedeinvoice"):
        with (
            pytest.raises(DatabaseError, match="cannot be changed or deleted"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, ["0" * 64] if "%s" in statement else None)
    assert IssuedEInvoice.objects.count() == 1


def test_an_altered_stored_xml_is_refused(admin_user, per_shipment_customer):
    from documents.exceptions import StoredEInvoiceTampered

    ship(admin_user, per_shipment_customer, [(1000, 10)], dt.date(2026, 11, 20))
    invoice = Invoice.objects.get()
    einvoice.invoice_ubl(invoice=invoice)
    with open(IssuedEInvoice.objects.get().xml.path, "ab") as file:
        file.write(b"<!-- x -->")

    with pytest.raises(StoredEInvoiceTampered):
        einvoice.invoice_ubl(invoice=Invoice.objects.get())


# --- the project's own checks, stricter than the official rules -------------------------------------


@pytest.fixture
def valid_credit_note_xml(admin_user, customer):
    _october, note = paid_then_reduced(admin_user, customer, sales=10000, paid=4000, reduction=1000)
    return einvoice.credit_note_ubl(credit_note=note)


def test_decimal_yen_is_refused(valid_credit_note_xml):
    xml = valid_credit_note_xml.replace(b">100</cbc:TaxAmount>", b">100.5</cbc:TaxAmount>")
    with pytest.raises(EInvoiceRefused, match="TaxAmount が 100.5 です。金額は円単位の整数"):
        check_ubl(xml)


def test_credit_note_taxes_must_add_up_per_rate(valid_credit_note_xml):
    xml = valid_credit_note_xml.replace(
        b'<cbc:TaxAmount currencyID="JPY">100</cbc:TaxAmount>\n    <cac:TaxSubtotal>',
        b'<cbc:TaxAmount currencyID="JPY">110</cbc:TaxAmount>\n    <cac:TaxSubtotal>',
    )
    with pytest.raises(EInvoiceRefused, match="合計が ¥100 で、消費税額 ¥110 と一致しません"):
        check_ubl(xml)


def test_a_rate_stated_twice_is_refused(valid_credit_note_xml):
    root = ET.fromstring(valid_credit_note_xml)  # noqa: S314
    tax_total = root.find("cac:TaxTotal", NS)
    subtotal = tax_total.find("cac:TaxSubtotal", NS)
    tax_total.append(subtotal)
    tax_total.find("cbc:TaxAmount", NS).text = "200"
    with pytest.raises(EInvoiceRefused, match="10% の消費税が2回"):
        check_ubl(ET.tostring(root))


def test_registration_number_check_digit_is_verified(valid_credit_note_xml):
    # The kit's examples use T1234567890123: the official rules accept it, its check digit is wrong.
    xml = valid_credit_note_xml.replace(b"T7000012050002", b"T1234567890123")
    with pytest.raises(EInvoiceRefused, match="T1234567890123 のチェックデジットが正しくありません"):
        check_ubl(xml)


def test_a_snapshot_with_a_wrong_registration_number_is_refused(admin_user, per_shipment_customer):
    ship(admin_user, per_shipment_customer, [(1000, 10)], dt.date(2026, 11, 20))
    invoice = Invoice.objects.get()
    data = invoice.document.data
    data["issuer"]["registration_number"] = "T1234567890123"
    document = invoice.document
    document.data = data  # in memory only: what an old, wrongly issued snapshot would carry

    with pytest.raises(EInvoiceRefused, match="チェックデジット"):
        einvoice.build_for_document(document)


# --- API and export --------------------------------------------------------------------------------


def test_api_serves_the_invoice_xml(admin_api, admin_user, per_shipment_customer):
    ship(admin_user, per_shipment_customer, [(1000, 10)], dt.date(2026, 11, 20))
    invoice = Invoice.objects.get()

    response = admin_api.get(f"/api/v1/invoices/{invoice.pk}/ubl/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}.xml"'
    assert response.content == einvoice.invoice_ubl(invoice=invoice)


def test_api_serves_the_credit_note_xml_with_accept_xml(api_as, admin_user, manager_user, customer):
    _october, note = paid_then_reduced(admin_user, customer, sales=10000, paid=4000, reduction=1000)

    response = api_as(manager_user).get(f"/api/v1/credit-notes/{note.pk}/ubl/", HTTP_ACCEPT="application/xml")

    assert response.status_code == 200
    assert b"<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>" in response.content


def test_a_rep_gets_their_own_customers_xml_and_404_for_others(api_as, admin_user, rep_user, other_rep, customer):
    ship(admin_user, customer, [(1000, 10)], dt.date(2026, 11, 20))
    services.closing_run(closing_date=dt.date(2026, 11, 30), user=admin_user)
    invoice = Invoice.objects.get()

    assert api_as(rep_user).get(f"/api/v1/invoices/{invoice.pk}/ubl/").status_code == 200
    assert api_as(other_rep).get(f"/api/v1/invoices/{invoice.pk}/ubl/").status_code == 404
    assert api_as(None).get(f"/api/v1/invoices/{invoice.pk}/ubl/").status_code in (401, 403)


def test_the_documents_export_holds_the_xml_beside_the_pdf(admin_user, per_shipment_customer):
    ship(admin_user, per_shipment_customer, [(1000, 10)], dt.date(2026, 11, 20))
    invoice = Invoice.objects.get()
    xml = einvoice.invoice_ubl(invoice=invoice)
    output = io.BytesIO()

    documents_export(documents=[invoice.document], output=output)

    archive = zipfile.ZipFile(output)
    assert archive.read(f"xml/2026-11/{invoice.number}.xml") == xml
    index = archive.read("index.csv").decode("utf-8-sig").splitlines()
    assert index[0].endswith(",電子インボイス,電子インボイスSHA-256")
    assert index[1].endswith(f",xml/2026-11/{invoice.number}.xml,{IssuedEInvoice.objects.get().sha256}")


@pytest.mark.parametrize(
    ("registration_number", "peppol_id", "endpoint", "tax_id"),
    [
        ("", "", ("0188", "0000000000000"), []),  # nothing known: the placeholder
        ("T7010001008844", "", ("0221", "T7010001008844"), ["T7010001008844"]),
        ("T7010001008844", "0188:7010001008844", ("0188", "7010001008844"), ["T7010001008844"]),
    ],
)
def test_the_buyer_is_addressed_by_the_peppol_id_or_registration_number_of_its_master(
    kit, admin_user, per_shipment_customer, registration_number, peppol_id, endpoint, tax_id
):
    per_shipment_customer.registration_number = registration_number
    per_shipment_customer.peppol_id = peppol_id
    per_shipment_customer.save()
    ship(admin_user, per_shipment_customer, [(10000, 10)], dt.date(2026, 11, 20))
    invoice = Invoice.objects.get()
    # The master changes after the invoice was issued: the e-invoice states it as issued.
    per_shipment_customer.peppol_id = "0221:T7000012050002"
    per_shipment_customer.save()

    xml = einvoice.invoice_ubl(invoice=invoice)

    buyer = ET.fromstring(xml).find("cac:AccountingCustomerParty/cac:Party", NS)  # noqa: S314
    endpoint_element = buyer.find("cbc:EndpointID", NS)
    assert (endpoint_element.get("schemeID"), endpoint_element.text) == endpoint
    assert [e.text for e in buyer.findall("cac:PartyTaxScheme/cbc:CompanyID", NS)] == tax_id
    assert_valid(kit, xml)
