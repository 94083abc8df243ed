import pytest

from documents.services import document_issue

from .factories import document_data


@pytest.fixture
def issue(admin_user, company, django_capture_on_commit_callbacks):
    """issue(data=None, **kwargs) -> the issued document, its PDF rendered (the on-commit task ran)."""

    def _issue(data=None, *, user=admin_user, source=("orders.invoice", 1), **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            document = document_issue(data=data or document_data(), user=user, source=source, **kwargs)
        document.refresh_from_db()
        return document

    return _issue
