"""/settings/: company settings for sales admins (the role the API lets change the company
profile): the profile with its registration number checked, approval limits, bank accounts,
the seal image, the document number prefixes (read-only) and the billing settings. Every
change goes through the services and is audited; bad input names its field and writes nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from backoffice.models import AuditEvent, BankAccount, CompanyProfile
from billing.models import BillingSettings
from tests.web.pages import client_for, text_of

pytestmark = pytest.mark.django_db

URL = "/settings/"


def profile() -> CompanyProfile:
    return CompanyProfile.objects.get()


def profile_post(**changes) -> dict:
    data = {
        "name": "株式会社サンプル商事",
        "postal_code": "100-0001",
        "address": "東京都千代田区千代田1-1",
        "phone": "03-1234-5678",
        "fax": "",
        "email": "info@sample.example.jp",
        "registration_number": "T7000012050002",
        "rounding_mode": "down",
        "fiscal_year_start_month": "4",
        "holiday_rule": "previous",
        "transfer_fee_note": "振込手数料は貴社にてご負担ください。",
    }
    return {**data, **changes}


def png(size=(60, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, (200, 0, 0, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_home_shows_each_section(admin_user, company):
    response = client_for(admin_user).get(URL)

    assert response.status_code == 200
    text = text_of(response)
    assert "正式名称 株式会社サンプル商事" in text
    assert "登録番号 T7000012050002" in text
    assert "承認不要の明細値引率上限 10%" in text
    assert "承認不要の見積合計上限 ¥5,000,000" in text
    assert "みずほ銀行 東京営業部 普通 1234567 カ)サンプルシヨウジ" in text
    html = response.content.decode()
    assert 'href="/settings/document-numbers/"' in html
    assert 'href="/billing/settings/"' in html


@pytest.mark.parametrize("path", ["", "company/", "approval/", "bank-accounts/new/", "seal/", "document-numbers/"])
def test_a_rep_and_a_manager_get_403(rep_user, manager_user, company, path):
    assert client_for(rep_user).get(URL + path).status_code == 403
    assert client_for(manager_user).get(URL + path).status_code == 403


def test_a_rep_cannot_post_either(rep_user, company):
    response = client_for(rep_user).post(URL + "company/", profile_post(name="乗っ取り株式会社"))

    assert response.status_code == 403
    assert profile().name == "株式会社サンプル商事"
    assert client_for(rep_user).get("/billing/settings/").status_code == 403


def test_a_bad_registration_number_is_refused_next_to_the_field_and_nothing_written(admin_user, company):
    before = AuditEvent.objects.count()

    response = client_for(admin_user).post(
        URL + "company/", profile_post(name="株式会社新社名", registration_number="T1234567890123")
    )

    assert response.status_code == 200
    html = response.content.decode()
    error = html.split('id="id_registration_number_error"', 1)[1].split("</p>", 1)[0]
    assert error.endswith("登録番号 T1234567890123 のチェックデジットが正しくありません。T9 で始まるはずです。")
    assert 'id="id_name_error"' not in html
    assert profile().name == "株式会社サンプル商事"
    assert profile().registration_number == "T7000012050002"
    assert AuditEvent.objects.count() == before


def test_the_profile_is_saved_and_audited(admin_user, company):
    response = client_for(admin_user).post(
        URL + "company/",
        profile_post(name="株式会社新社名", registration_number="ｔ４０１１００１０９８９９３"),
        follow=True,
    )

    assert response.redirect_chain == [("/settings/", 302)]
    assert "会社情報を保存しました。" in text_of(response)
    assert (profile().name, profile().registration_number) == ("株式会社新社名", "T4011001098993")
    event = AuditEvent.objects.get(action="company_profile.update")
    assert event.actor == admin_user
    assert event.changes["name"] == {"before": "株式会社サンプル商事", "after": "株式会社新社名"}


def test_the_approval_limits_as_a_percentage_and_yen(admin_user, company):
    client = client_for(admin_user)

    refused = client.post(URL + "approval/", {"max_discount_rate": "120", "max_quote_total": "3000000"})
    saved = client.post(URL + "approval/", {"max_discount_rate": "12.5", "max_quote_total": "3000000"}, follow=True)

    assert 'id="id_max_discount_rate_error"' in refused.content.decode()
    assert "承認不要の明細値引率上限 12.5%" in text_of(saved)
    assert "承認不要の見積合計上限 ¥3,000,000" in text_of(saved)
    assert str(profile().max_discount_rate) == "12.50"


def accounts() -> list[str]:
    return [f"{a.bank_name} {a.account_number}" for a in BankAccount.objects.order_by("position")]


def test_bank_accounts_are_added_moved_changed_and_deleted(admin_user, company):
    client = client_for(admin_user)
    new = {
        "bank_name": "三井住友銀行",
        "branch_name": "本店営業部",
        "account_type": "checking",
        "account_number": "7654321",
        "account_holder_kana": "カ)サンプルシヨウジ",
    }

    bad = client.post(URL + "bank-accounts/new/", {**new, "account_number": "12345"})
    assert 'id="id_account_number_error"' in bad.content.decode()
    assert accounts() == ["みずほ銀行 1234567"]

    client.post(URL + "bank-accounts/new/", new)
    assert accounts() == ["みずほ銀行 1234567", "三井住友銀行 7654321"]

    second = BankAccount.objects.get(account_number="7654321")
    client.post(URL + f"bank-accounts/{second.pk}/move/", {"direction": "up"})
    assert accounts() == ["三井住友銀行 7654321", "みずほ銀行 1234567"]

    first = BankAccount.objects.get(account_number="7654321")
    client.post(URL + f"bank-accounts/{first.pk}/", {**new, "branch_name": "新宿支店"})
    assert BankAccount.objects.get(account_number="7654321").branch_name == "新宿支店"

    mizuho = BankAccount.objects.get(account_number="1234567")
    deleted = client.post(URL + f"bank-accounts/{mizuho.pk}/delete/", follow=True)
    assert "振込先口座 みずほ銀行 東京営業部 1234567 を削除しました。" in text_of(deleted)
    assert accounts() == ["三井住友銀行 7654321"]

    last = BankAccount.objects.get()
    kept = client.post(URL + f"bank-accounts/{last.pk}/delete/", follow=True)
    assert "最後の振込先口座は削除できません" in text_of(kept)
    assert accounts() == ["三井住友銀行 7654321"]
    assert AuditEvent.objects.filter(action="company_profile.update").count() == 4


def test_the_seal_upload_rejects_a_file_that_is_not_an_image(admin_user, company):
    fake = SimpleUploadedFile("seal.png", b"not an image at all", content_type="image/png")

    response = client_for(admin_user).post(URL + "seal/", {"seal_image": fake})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_seal_image_error"' in html
    assert not profile().seal_image
    assert not AuditEvent.objects.filter(action="company_profile.update").exists()


def test_the_seal_upload_rejects_a_gif(admin_user, company):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="GIF")
    gif = SimpleUploadedFile("seal.png", buffer.getvalue(), content_type="image/png")

    response = client_for(admin_user).post(URL + "seal/", {"seal_image": gif})

    assert "PNGまたはJPEGの画像をアップロードしてください。" in text_of(response)
    assert not profile().seal_image


def test_a_png_seal_is_saved_previewed_and_audited(admin_user, company, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(admin_user)

    response = client.post(URL + "seal/", {"seal_image": SimpleUploadedFile("印鑑.png", png())}, follow=True)

    assert "角印画像を保存しました。" in text_of(response)
    assert profile().seal_image.name.startswith("company/seal")
    image = client.get(URL + "seal/image/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content) == png()
    assert AuditEvent.objects.filter(action="company_profile.update").count() == 1


def test_the_document_number_prefixes_are_shown(admin_user, company):
    # Editing them is tested in tests/documents/test_number_prefixes.py.
    response = client_for(admin_user).get(URL + "document-numbers/")
    page, text = response.content.decode(), text_of(response)

    assert "請求書・合計請求書 INV （初期設定）" in text
    assert '<strong class="mono">PO</strong>' in page and "発注書" in text


def test_the_billing_settings_are_saved_and_audited(admin_user, company):
    client = client_for(admin_user)

    refused = client.post("/billing/settings/", {"bank_fee_tolerance": "-1"})
    saved = client.post(
        "/billing/settings/",
        {"statement_without_sales": "on", "bank_fee_tolerance": "660", "sales_booking_basis": "invoice"},
    )

    assert 'id="id_bank_fee_tolerance_error"' in refused.content.decode()
    assert saved.status_code == 302 and saved["Location"] == "/settings/"
    current = BillingSettings.objects.get()
    assert (current.statement_without_sales, str(current.bank_fee_tolerance)) == (True, "660")
    assert current.sales_booking_basis == "invoice"
    assert AuditEvent.objects.filter(action="billing_settings.update").count() == 1
