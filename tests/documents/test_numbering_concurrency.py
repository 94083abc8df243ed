import threading

import pytest
from django.db import connection, transaction

from documents.models import DocumentCounter, IssuedDocument
from documents.services import document_issue
from documents.services import issue as issuing
from tests.factories import complete_company_profile, make_user

from .factories import document_data

WORKERS = 8
COMMITTED_PER_WORKER = 25
ROLLED_BACK_PER_WORKER = 3


class Rollback(Exception):
    pass


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_issues_get_numbers_1_to_200_without_gap_or_duplicate(monkeypatch):
    """8 threads, each with its own connection, issue 25 invoices and roll back 3 more
    after taking a number: the committed numbers are exactly 1..200."""
    complete_company_profile()
    user = make_user(None, username="issuer")
    monkeypatch.setattr(issuing, "_schedule_render", lambda documents: None)  # numbering only
    start = threading.Barrier(WORKERS)
    errors = []

    def worker(index: int) -> None:
        try:
            start.wait()
            for attempt in range(COMMITTED_PER_WORKER + ROLLED_BACK_PER_WORKER):
                try:
                    with transaction.atomic():
                        document_issue(data=document_data(), user=user, source=("tests.worker", index))
                        if attempt % 9 == 4:  # 3 of the 28 attempts fail after the number was taken
                            raise Rollback
                except Rollback:
                    pass
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    total = WORKERS * COMMITTED_PER_WORKER
    assert sorted(IssuedDocument.objects.values_list("sequence", flat=True)) == list(range(1, total + 1))
    assert sorted(IssuedDocument.objects.values_list("number", flat=True)) == [
        f"INV-2026-{n:06d}" for n in range(1, total + 1)
    ]
    assert DocumentCounter.objects.get(prefix="INV", fiscal_year=2026).last_value == total
    assert IssuedDocument.objects.values("source_id").distinct().count() == WORKERS
