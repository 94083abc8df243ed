import pytest
from django.contrib.admin.sites import site
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory

from documents.exceptions import DocumentImmutable
from documents.models import IssuedDocument

pytestmark = pytest.mark.django_db


def test_the_model_refuses_changes_and_deletion(issue):
    document = issue()
    document.amount = 1
    with pytest.raises(DocumentImmutable):
        document.save()
    with pytest.raises(DocumentImmutable):
        document.save(update_fields=["amount"])
    with pytest.raises(DocumentImmutable):
        document.delete()
    document.refresh_from_db()
    assert document.amount == 5975


def test_the_queryset_refuses_bulk_changes_and_deletion(issue):
    document = issue()
    documents = IssuedDocument.objects.filter(pk=document.pk)
    with pytest.raises(DocumentImmutable):
        documents.update(amount=1)
    with pytest.raises(DocumentImmutable):
        documents.delete()
    with pytest.raises(DocumentImmutable), transaction.atomic():
        IssuedDocument.objects.bulk_update([document], ["amount"])
    assert IssuedDocument.objects.get().amount == 5975


def test_an_instance_with_an_existing_id_cannot_overwrite_the_row(issue):
    document = issue()
    copy = IssuedDocument(**{f.attname: getattr(document, f.attname) for f in IssuedDocument._meta.concrete_fields})
    copy.amount = 1
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    assert IssuedDocument.objects.get().amount == 5975


def test_the_admin_is_read_only(issue, admin_user):
    document = issue()
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    model_admin = site._registry[IssuedDocument]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, document)
    assert not model_admin.has_delete_permission(request, document)
    assert model_admin.has_view_permission(request, document)
    assert "delete_selected" not in model_admin.get_actions(request)


def test_the_admin_pages_show_documents_without_a_save_button(issue, admin_user, client):
    document = issue()
    client.force_login(admin_user)
    page = client.get(f"/admin/documents/issueddocument/{document.pk}/change/")
    assert page.status_code == 200
    assert document.number in page.text
    assert 'name="_save"' not in page.text
    assert client.post(f"/admin/documents/issueddocument/{document.pk}/delete/").status_code == 403


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_api_has_no_write_path(issue, admin_api, method):
    document = issue()
    response = getattr(admin_api, method)(f"/api/v1/documents/{document.pk}/", {"amount": "1"})
    assert response.status_code == 405
    assert admin_api.post("/api/v1/documents/", {}).status_code == 405


@pytest.mark.postgres
def test_postgresql_refuses_changes_at_the_database(issue):
    document = issue()
    with connection.cursor() as cursor:
        for sql in (
            "UPDATE documents_issueddocument SET amount = 1 WHERE id = %s",
            "UPDATE documents_issueddocument SET sha256 = repeat('0', 64) WHERE id = %s",
            "DELETE FROM documents_issueddocument WHERE id = %s",
        ):
            with pytest.raises(IntegrityError, match="cannot be"), transaction.atomic():
                cursor.execute(sql, [document.pk])
    document.refresh_from_db()
    assert document.amount == 5975
