import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from backoffice.models import AuditEvent, CompanyProfile, IdempotencyRecord
from tests.factories import VALID_REGISTRATION_NUMBER, complete_company_profile

pytestmark = pytest.mark.django_db

COMPANY_URL = "/api/v1/company/"


def test_fresh_database_has_placeholder_company_that_is_incomplete(rep_api):
    response = rep_api.get(COMPANY_URL)

    assert response.status_code == 200
    assert response.data["name"] == "(未設定)"
    assert response.data["is_complete"] is False
    assert response.data["rounding_mode"] == "down"
    assert response.data["holiday_rule"] == "previous"


def test_admin_completes_company_profile_with_bank_account_and_audit(admin_api, admin_user):
    payload = {
        "name": "株式会社サンプル商事",
        "postal_code": "100-0001",
        "address": "東京都千代田区千代田1-1",
        "registration_number": VALID_REGISTRATION_NUMBER,
        "bank_accounts": [
            {
                "bank_name": "みずほ銀行",
                "branch_name": "東京営業部",
                "account_type": "ordinary",
                "account_number": "1234567",
                "account_holder_kana": "カ)サンプルシヨウジ",
            }
        ],
        "rounding_mode": "half_up",
    }

    response = admin_api.patch(COMPANY_URL, payload)

    assert response.status_code == 200, response.data
    assert response.data["is_complete"] is True
    assert response.data["bank_accounts"][0]["account_number"] == "1234567"
    profile = CompanyProfile.objects.get()
    assert profile.rounding_mode == "half_up"
    event = AuditEvent.objects.get(action="company_profile.update")
    assert event.actor == admin_user
    assert event.changes["registration_number"] == {"before": "", "after": VALID_REGISTRATION_NUMBER}
    assert event.changes["bank_accounts"]["after"][0]["bank_name"] == "みずほ銀行"


@pytest.mark.parametrize(
    ("payload", "field", "fragment"),
    [
        ({"registration_number": "T1234567890123"}, "registration_number", "T9"),
        ({"registration_number": "12345"}, "registration_number", "T"),
        ({"fiscal_year_start_month": 13}, "fiscal_year_start_month", ""),
        ({"rounding_mode": "banker"}, "rounding_mode", ""),
        ({"max_discount_rate": "150"}, "max_discount_rate", ""),
        ({"name": "x" * 10_000}, "name", ""),
        (
            {
                "bank_accounts": [
                    {"bank_name": "A", "branch_name": "B", "account_number": "12", "account_holder_kana": "カ"}
                ]
            },
            "bank_accounts",
            "",
        ),
    ],
)
def test_company_bad_input_names_the_field_and_writes_nothing(admin_api, payload, field, fragment):
    before = CompanyProfile.objects.values().get()

    response = admin_api.patch(COMPANY_URL, payload)

    assert response.status_code == 400
    assert field in response.data
    assert fragment in json.dumps(response.data, ensure_ascii=False)
    assert CompanyProfile.objects.values().get() == before
    assert not AuditEvent.objects.exists()


def test_only_sales_admins_change_the_company(rep_api, manager_api):
    assert rep_api.patch(COMPANY_URL, {"name": "X"}).status_code == 403
    assert manager_api.patch(COMPANY_URL, {"name": "X"}).status_code == 403


def test_malformed_json_is_400_not_500(admin_api):
    response = admin_api.generic("PATCH", COMPANY_URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.data


def test_unauthenticated_is_401():
    assert Client().get(COMPANY_URL).status_code in (401, 403)
    response = Client().get(COMPANY_URL, HTTP_AUTHORIZATION="Token nope")
    assert response.status_code == 401


def test_user_without_role_is_403(api_as, db):
    from tests.factories import make_user

    assert api_as(make_user(None)).get(COMPANY_URL).status_code == 403


def test_token_from_username_and_password(admin_user):
    client = Client()
    response = client.post(
        reverse("auth-token"), {"username": "admin1", "password": "pass-Word-123"}, content_type="application/json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert client.get(COMPANY_URL, HTTP_AUTHORIZATION=f"Token {token}").status_code == 200

    bad = client.post(reverse("auth-token"), {"username": "admin1", "password": "x"}, content_type="application/json")
    assert bad.status_code == 400
    assert "non_field_errors" in bad.json()


def test_audit_events_for_admins_and_managers_filterable_by_object(admin_api, manager_api, rep_api):
    complete_company_profile()
    admin_api.patch(COMPANY_URL, {"phone": "03-9999-0000"})
    profile = CompanyProfile.objects.get()

    response = manager_api.get(
        "/api/v1/audit-events/", {"object_type": "backoffice.companyprofile", "object_id": profile.pk}
    )

    assert response.status_code == 200
    assert response.data["count"] == 1
    assert response.data["results"][0]["changes"]["phone"] == {"before": "03-1234-5678", "after": "03-9999-0000"}
    assert rep_api.get("/api/v1/audit-events/").status_code == 403


def test_audit_events_are_append_only(admin_user):
    complete_company_profile()
    from backoffice import audit

    event = audit.record(actor=admin_user, action="x", obj=CompanyProfile.objects.get())
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_idempotency_key_replays_the_first_response(admin_user):
    client = Client()
    client.force_login(admin_user)
    body = {"code": "W1", "name": "本社倉庫"}

    first = client.post("/api/v1/warehouses/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = client.post("/api/v1/warehouses/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    different = client.post(
        "/api/v1/warehouses/", {"code": "W2", "name": "x"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )

    assert first.status_code == 201
    assert second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert different.status_code == 422
    from inventory.models import Warehouse

    assert Warehouse.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_idempotency_keys_are_per_user_and_expire(admin_user, settings):
    from tests.factories import make_user

    other = make_user("sales_admin", username="admin2")
    body = {"code": "W1", "name": "本社倉庫"}
    c1, c2 = Client(), Client()
    c1.force_login(admin_user)
    c2.force_login(other)
    assert (
        c1.post("/api/v1/warehouses/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="same").status_code
        == 201
    )
    # another user with the same key is a new request: the code is now taken
    assert (
        c2.post("/api/v1/warehouses/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="same").status_code
        == 400
    )

    IdempotencyRecord.objects.update(created_at="2000-01-01T00:00:00Z")
    again = c1.post("/api/v1/warehouses/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="same")
    assert again.status_code == 400  # expired: ran again, and the code is taken


def test_money_is_serialised_as_strings(admin_api):
    complete_company_profile(max_quote_total=Decimal("5000000"))
    assert admin_api.get(COMPANY_URL).data["max_quote_total"] == "5000000"
