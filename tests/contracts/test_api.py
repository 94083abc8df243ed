"""The contracts API: CRUD of drafts, the workflow actions, permissions, filters, errors."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from contracts.models import Contract
from tests.contracts.helpers import MINIMAL_PDF, draft_master, issue, signed
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/contracts/"


def draft_payload(customer, template, **extra):
    return {
        "customer": customer.pk,
        "template": template.pk,
        "starts_on": "2026-12-01",
        "ends_on": "2027-11-30",
        "auto_renew_months": 12,
        "notice_days": 90,
        **extra,
    }


def test_the_whole_lifecycle_through_the_api(
    company, admin_api, customer, templates, django_capture_on_commit_callbacks
):
    response = admin_api.post(URL, draft_payload(customer, templates["master"]), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["kind"], body["title"], body["stamp_class"]) == (
        "draft",
        "master",
        "取引基本契約書",
        "no7",
    )
    pk = body["id"]
    assert admin_api.patch(f"{URL}{pk}/", {"notice_days": 60}, format="json").json()["notice_days"] == 60
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(f"{URL}{pk}/issue/", {"issue_date": "2026-12-04"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["number"], response.json()["stamp_duty"]) == ("CT-2026-000001", "4000")
    # never edited once issued
    response = admin_api.patch(f"{URL}{pk}/", {"notice_days": 30}, format="json")
    assert response.status_code == 409
    assert "覚書" in response.json()["detail"]
    assert admin_api.post(f"{URL}{pk}/issue/", {}, format="json").status_code == 409
    assert admin_api.post(f"{URL}{pk}/send/", {"sent_on": "2026-12-04"}, format="json").json()["status"] == "sent"
    upload = SimpleUploadedFile("signed.pdf", MINIMAL_PDF, content_type="application/pdf")
    response = admin_api.post(f"{URL}{pk}/sign/", {"file": upload, "signed_on": "2026-12-05"}, format="multipart")
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["has_signed_copy"]) == ("signed", True)
    copy = admin_api.get(f"{URL}{pk}/signed-copy/")
    assert copy.status_code == 200 and b"".join(copy.streaming_content) == MINIMAL_PDF
    response = admin_api.post(f"{URL}{pk}/renew/", {}, format="json")
    assert response.json()["term_end"] == "2028-11-30"
    assert response.json()["ends_on"] == "2027-11-30"
    response = admin_api.post(f"{URL}{pk}/end/", {"reason": "cancelled", "ended_on": "2027-03-31"}, format="json")
    assert (response.json()["status"], response.json()["end_reason"]) == ("ended", "cancelled")
    assert admin_api.post(f"{URL}{pk}/renew/", {}, format="json").status_code == 409


def test_bad_input_names_the_field(company, admin_api, customer, templates):
    response = admin_api.post(URL, draft_payload(customer, templates["master"], ends_on="2026-11-01"), format="json")
    assert response.status_code == 400
    assert "ends_on" in response.json()
    response = admin_api.post(URL, draft_payload(customer, templates["amendment"]), format="json")
    assert response.status_code == 400 and "amends" in response.json()
    response = admin_api.post(URL, draft_payload(customer, templates["master"], auto_renew_months=500), format="json")
    assert response.status_code == 400 and "auto_renew_months" in response.json()
    assert not Contract.objects.exists()


def test_roles(
    company,
    admin_user,
    rep_api,
    other_rep,
    api_as,
    manager_api,
    customer,
    templates,
    django_capture_on_commit_callbacks,
):
    mine = issue(
        draft_master(admin_user, customer, templates["master"]), admin_user, django_capture_on_commit_callbacks
    )
    other_customer = CustomerFactory(sales_rep=other_rep)
    theirs = draft_master(admin_user, other_customer, templates["master"])
    assert [c["id"] for c in rep_api.get(URL).json()["results"]] == [mine.pk]
    assert rep_api.get(f"{URL}{theirs.pk}/").status_code == 404
    assert rep_api.post(URL, draft_payload(customer, templates["master"]), format="json").status_code == 403
    assert rep_api.post(f"{URL}{mine.pk}/send/", {}, format="json").status_code == 403
    assert manager_api.post(f"{URL}{theirs.pk}/issue/", {}, format="json").status_code == 403
    assert rep_api.get("/api/v1/contract-templates/").status_code == 403
    assert manager_api.get("/api/v1/contract-templates/").status_code == 200


def test_manager_approval_of_changed_wording(company, admin_api, admin_user, manager_api, customer, templates):
    body = templates["master"].body + "\n第9条（特約）\n特約。"
    pk = admin_api.post(URL, draft_payload(customer, templates["master"], body=body), format="json").json()["id"]
    assert admin_api.post(f"{URL}{pk}/issue/", {}, format="json").status_code == 409
    assert admin_api.post(f"{URL}{pk}/submit/", {}, format="json").json()["status"] == "pending_approval"
    assert manager_api.post(f"{URL}{pk}/reject/", {"comment": ""}, format="json").status_code == 400
    assert manager_api.post(f"{URL}{pk}/approve/", {"comment": "OK"}, format="json").json()["status"] == "approved"


def test_filters(company, admin_api, admin_user, customer, templates, django_capture_on_commit_callbacks):
    early = signed(
        draft_master(admin_user, customer, templates["master"], ends_on=dt.date(2027, 1, 31)),
        admin_user,
        django_capture_on_commit_callbacks,
    )
    late = draft_master(admin_user, customer, templates["master"], ends_on=dt.date(2028, 1, 31))
    assert [c["id"] for c in admin_api.get(URL, {"ending_before": "2027-06-01"}).json()["results"]] == [early.pk]
    assert [c["id"] for c in admin_api.get(URL, {"status": "draft"}).json()["results"]] == [late.pk]
    assert admin_api.get(URL, {"customer": customer.pk, "kind": "nda"}).json()["count"] == 0
    assert admin_api.get(URL, {"ending_before": "20270601"}).status_code == 400


def test_templates_are_versioned_through_the_api(company, admin_api, templates):
    template = templates["nda"]
    response = admin_api.patch(
        f"/api/v1/contract-templates/{template.pk}/", {"name": "秘密保持契約書（2027年版）"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["version"], response.json()["is_current"]) == (2, True)
    response = admin_api.post(
        "/api/v1/contract-templates/",
        {"kind": "nda", "code": "STD-NDA", "name": "x", "body": "x", "stamp_class": "none"},
        format="json",
    )
    assert response.status_code == 400 and "code" in response.json()


def test_the_schema_documents_the_contract_actions(admin_api):
    schema = admin_api.get("/api/schema/", {"format": "json"}).json()
    issue_op = schema["paths"]["/api/v1/contracts/{id}/issue/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(issue_op["responses"])
    assert "/api/v1/contract-templates/" in schema["paths"]


def test_a_draft_is_deleted_and_audited_an_issued_contract_never(
    company, admin_api, admin_user, rep_api, manager_api, customer, templates, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    from backoffice.models import AuditEvent

    draft = draft_master(admin_user, customer, templates["master"])
    issued = issue(
        draft_master(admin_user, customer, templates["master"]), admin_user, django_capture_on_commit_callbacks
    )
    assert APIClient().delete(f"{URL}{draft.pk}/").status_code == 401
    assert rep_api.delete(f"{URL}{draft.pk}/").status_code == 403
    assert manager_api.delete(f"{URL}{draft.pk}/").status_code == 403
    assert admin_api.delete(f"{URL}999999/").status_code == 404

    response = admin_api.delete(f"{URL}{issued.pk}/")
    assert response.status_code == 409
    with translation.override("ja"):
        refused = translation.gettext("An issued contract is never deleted: end it, or amend it with a 覚書.")
    assert response.json() == {"detail": refused}
    assert Contract.objects.filter(pk=issued.pk, status="issued", number="CT-2026-000001").exists()

    assert admin_api.delete(f"{URL}{draft.pk}/").status_code == 204
    assert not Contract.objects.filter(pk=draft.pk).exists()
    event = AuditEvent.objects.get(action="contract.delete")
    assert (event.actor, event.object_id) == (admin_user, str(draft.pk))
    assert event.changes["customer_id"] == {"before": customer.pk, "after": None}
    assert admin_api.delete(f"{URL}{draft.pk}/").status_code == 404


def test_a_draft_waiting_for_approval_is_deleted(company, admin_api, customer, templates):
    body = templates["master"].body + "\n第9条（特約）\n特約。"
    pk = admin_api.post(URL, draft_payload(customer, templates["master"], body=body), format="json").json()["id"]
    assert admin_api.post(f"{URL}{pk}/submit/", {}, format="json").json()["status"] == "pending_approval"
    assert admin_api.delete(f"{URL}{pk}/").status_code == 204
    assert not Contract.objects.exists()


def test_put_and_patch_change_a_draft_only(
    company, admin_api, admin_user, customer, templates, django_capture_on_commit_callbacks
):
    pk = admin_api.post(URL, draft_payload(customer, templates["master"]), format="json").json()["id"]
    response = admin_api.put(f"{URL}{pk}/", draft_payload(customer, templates["master"], notice_days=30), format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["notice_days"], response.json()["status"]) == (30, "draft")
    response = admin_api.patch(f"{URL}{pk}/", {"ends_on": "2026-11-30"}, format="json")
    assert response.status_code == 400 and "ends_on" in response.json()
    response = admin_api.patch(f"{URL}{pk}/", {"notice_days": "many"}, format="json")
    assert response.status_code == 400 and "notice_days" in response.json()
    assert Contract.objects.get(pk=pk).notice_days == 30

    issue(Contract.objects.get(pk=pk), admin_user, django_capture_on_commit_callbacks)
    response = admin_api.put(f"{URL}{pk}/", draft_payload(customer, templates["master"], notice_days=10), format="json")
    assert response.status_code == 409
    assert set(response.json()) == {"detail"}
    response = admin_api.patch(f"{URL}{pk}/", {"note": "後から"}, format="json")
    assert response.status_code == 409
    assert Contract.objects.get(pk=pk).notice_days == 30 and Contract.objects.get(pk=pk).note == ""


def test_the_schema_documents_deleting_a_draft(admin_api):
    schema = admin_api.get("/api/schema/", {"format": "json"}).json()
    delete = schema["paths"]["/api/v1/contracts/{id}/"]["delete"]
    assert {"204", "401", "403", "404", "409"} <= set(delete["responses"])
    for method in ("put", "patch"):
        assert "409" in schema["paths"]["/api/v1/contracts/{id}/"][method]["responses"]
