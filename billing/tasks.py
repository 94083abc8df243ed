"""Celery tasks: thin wrappers around the services (eager unless a broker is configured)."""

import contextlib
import datetime as dt

from celery import shared_task
from django.contrib.auth import get_user_model

from .models import ClosingSend
from .services import closing_run, closing_send_invoices


@shared_task(bind=True)
def run_closing(self, closing_date: str, user_id: int) -> dict:
    """The closing run for large runs; progress is on the ClosingRun row and, with a result
    backend, in the task state (PROGRESS, {"done", "total"})."""
    user = get_user_model().objects.get(pk=user_id)

    def progress(run) -> None:
        # Without a result backend the run row is the progress.
        with contextlib.suppress(NotImplementedError, AttributeError):
            self.update_state(state="PROGRESS", meta={"done": run.customers_done, "total": run.customers_total})

    run = closing_run(closing_date=dt.date.fromisoformat(closing_date), user=user, progress=progress)
    return {"closing_date": closing_date, "status": run.status, "invoices_created": run.invoices_created}


@shared_task(bind=True)
def send_closing_invoices(self, send_id: int) -> dict:
    """E-mail all the invoices of a closing run; progress is on the ClosingSend row and,
    with a result backend, in the task state (PROGRESS, {"done", "total"}), as run_closing's.
    A send already finished (the task delivered twice) does nothing again."""
    send = ClosingSend.objects.select_related("run", "requested_by").get(pk=send_id)
    if send.status != ClosingSend.Status.RUNNING:
        return {"send": send_id, "status": send.status}

    def progress(send) -> None:
        with contextlib.suppress(NotImplementedError, AttributeError):
            self.update_state(state="PROGRESS", meta={"done": send.invoices_done, "total": send.invoices_total})

    report = closing_send_invoices(run=send.run, user=send.requested_by, send=send, progress=progress)
    return {"send": send_id, "status": ClosingSend.Status.DONE, "requested": report.requested}
