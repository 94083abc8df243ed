"""E-mailing invoices: all the invoices of a closing run in one step (a Celery task with
its progress on a ClosingSend row, as the closing run's), each to its customer's billing
contacts, and a failed mail sent again. The mail itself and its send
log (requested, delivered or failed, re-sent) belong to documents (`document_send`).

Who receives an invoice comes from the customer, never typed per mail: the contacts
flagged "receives invoices and documents by e-mail" (the first is To, the others CC) and
the customer's own e-mail address in CC; with no flagged contact, the customer's address
is To. A customer with no address at all is reported, not skipped in silence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.exceptions import DomainError, InvalidInput
from backoffice.roles import Role, require_role
from backoffice.status import change_status
from documents.models import DocumentMailing
from documents.services import document_resend, document_send
from orders.models import ContactPerson, Customer

from ..locking import lock_closing_run
from ..models import ClosingRun, ClosingSend, ClosingSendItem, Invoice


@dataclass(frozen=True)
class Recipients:
    to: list[str]
    cc: list[str]


def invoice_recipients(customer: Customer) -> Recipients:
    """To and CC of the customer's invoices (contacts prefetched or not)."""
    flagged = []
    for contact in customer.contacts.all():
        address = contact.email.strip()
        if contact.receives_documents and address and address.lower() not in {a.lower() for a in flagged}:
            flagged.append(address)
    own = customer.email.strip()
    if not flagged:
        return Recipients(to=[own] if own else [], cc=[])
    cc = flagged[1:]
    if own and own.lower() not in {a.lower() for a in flagged}:
        cc.append(own)
    return Recipients(to=flagged[:1], cc=cc)


@dataclass
class SendReport:
    """What the send step did with each invoice of the run."""

    sent: list[Invoice] = field(default_factory=list)
    resent: list[Invoice] = field(default_factory=list)
    already_sent: list[Invoice] = field(default_factory=list)  # requested or delivered before: not again
    failed_before: list[Invoice] = field(default_factory=list)  # failed earlier, not asked to re-send
    no_address: list[Invoice] = field(default_factory=list)
    refused: list[tuple[Invoice, str]] = field(default_factory=list)  # e.g. the PDF not ready yet

    @property
    def requested(self) -> int:
        return len(self.sent) + len(self.resent)


def closing_invoices(run: ClosingRun):
    """The run's invoices (cancelled ones left out), by customer code, with what sending needs."""
    contacts = ContactPerson.objects.order_by("pk")
    return (
        Invoice.objects.filter(closing_run=run)
        .exclude(status=Invoice.Status.CANCELLED)
        .select_related("customer", "document")
        .prefetch_related(Prefetch("customer__contacts", queryset=contacts))
        .order_by("customer__code", "pk")
    )


def latest_mailings(document_ids) -> dict[int, DocumentMailing]:
    """Each document's latest attempt (one query)."""
    latest: dict[int, DocumentMailing] = {}
    for mailing in DocumentMailing.objects.filter(document_id__in=list(document_ids)).order_by("requested_at", "pk"):
        latest[mailing.document_id] = mailing
    return latest


@transaction.atomic
def closing_send_schedule(*, run: ClosingRun, user, resend_failed: bool = False) -> ClosingSend:
    """Send all the run's invoices in the background (a Celery task after commit), like the
    run itself: the send row shows the progress. While a send of the run is under way, a
    second click adds none: the same send's task is queued again (it skips what it did)."""
    _check_may_send(user)
    run = lock_closing_run(run.pk)
    _check_run_done(run)
    send = run.sends.filter(status=ClosingSend.Status.RUNNING).order_by("pk").first()
    if send is None:
        send = _send_start(run=run, user=user, resend_failed=resend_failed)
    send_id = send.pk
    transaction.on_commit(lambda: _schedule_send(send_id))
    return send


def _schedule_send(send_id: int) -> None:
    from ..tasks import send_closing_invoices  # billing.tasks imports these services

    send_closing_invoices.delay(send_id)


def _check_may_send(user) -> None:
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins send invoices."))


def _check_run_done(run: ClosingRun) -> None:
    if run.status != ClosingRun.Status.DONE:
        raise InvalidInput(_("The closing has not finished: send its invoices once it is done."), field="run")


def _send_start(*, run: ClosingRun, user, resend_failed: bool) -> ClosingSend:
    send = ClosingSend.objects.create(
        run=run,
        resend_failed=resend_failed,
        invoices_total=closing_invoices(run).count(),
        requested_by=audit.actor_or_none(user),
        requested_at=timezone.now(),
    )
    audit.record(
        actor=user,
        action="closing.send_schedule",
        obj=run,
        changes={"send": send.pk, "resend_failed": resend_failed, "invoices": send.invoices_total},
    )
    return send


def closing_send_invoices(
    *,
    run: ClosingRun,
    user,
    resend_failed: bool = False,
    send: ClosingSend | None = None,
    batch_size: int = 50,
    progress: Callable[[ClosingSend], None] | None = None,
) -> SendReport:
    """E-mail every invoice of the run once (the task's step; called directly it makes its
    own send row). An invoice whose mail was requested or delivered is not sent again; one
    whose last attempt failed is sent again only with `resend_failed`. In batches of
    invoices, one transaction each, holding the run row (two sends take turns, and each
    sees the other's mails), so the progress shows and each batch's mails leave when it
    commits (the delivery task writes their outcome on the send log). Every invoice gets
    one item on the send saying what was done with it; an invoice that already has one (the
    task run again) is not touched."""
    _check_may_send(user)
    if send is None:
        with transaction.atomic():
            locked = lock_closing_run(run.pk)
            _check_run_done(locked)
            send = _send_start(run=locked, user=user, resend_failed=resend_failed)
    resend_failed = send.resend_failed
    invoice_ids = list(closing_invoices(run).values_list("pk", flat=True))
    report = SendReport()
    try:
        for start in range(0, len(invoice_ids), batch_size):
            _send_batch(send=send, invoice_ids=invoice_ids[start : start + batch_size], user=user, report=report)
            if progress is not None:
                send.refresh_from_db(fields=["invoices_done", "invoices_total"])
                progress(send)
    except Exception as error:
        send.error = str(error)[:2000]
        send.finished_at = timezone.now()
        with transaction.atomic():
            change_status(send, ClosingSend.Status.FAILED, user=user, fields=["error", "finished_at"])
        raise
    send.finished_at = timezone.now()
    with transaction.atomic():
        send.refresh_from_db(fields=["invoices_done", "invoices_total", "status"])
        if send.status == ClosingSend.Status.RUNNING:  # a second task of the same send finished it already
            change_status(send, ClosingSend.Status.DONE, user=user, fields=["finished_at"])
        audit.record(
            actor=user,
            action="closing.send_invoices",
            obj=run,
            changes={
                "send": send.pk,
                "sent": [i.number for i in report.sent],
                "resent": [i.number for i in report.resent],
                "no_address": [i.number for i in report.no_address],
                "refused": [i.number for i, _message in report.refused],
            },
        )
    return report


@transaction.atomic
def _send_batch(*, send: ClosingSend, invoice_ids: list[int], user, report: SendReport) -> None:
    run = lock_closing_run(send.run_id)
    _check_run_done(run)  # the run cannot be run again under this lock; a rerun in between is refused
    handled = set(
        ClosingSendItem.objects.filter(send=send, invoice_id__in=invoice_ids).values_list("invoice_id", flat=True)
    )
    invoices = [i for i in closing_invoices(run).filter(pk__in=invoice_ids) if i.pk not in handled]
    latest = latest_mailings(invoice.document_id for invoice in invoices)
    items = []
    for invoice in invoices:
        last = latest.get(invoice.document_id)
        item = ClosingSendItem(send=send, invoice=invoice)
        try:
            if last is None:
                recipients = invoice_recipients(invoice.customer)
                if not recipients.to:
                    report.no_address.append(invoice)
                    item.outcome = ClosingSendItem.Outcome.NO_ADDRESS
                else:
                    item.mailing = document_send(
                        document=invoice.document, user=user, to=recipients.to, cc=recipients.cc
                    )
                    item.outcome = ClosingSendItem.Outcome.SENT
                    report.sent.append(invoice)
            elif last.status != DocumentMailing.Status.FAILED:
                item.outcome = ClosingSendItem.Outcome.ALREADY_SENT
                report.already_sent.append(invoice)
            elif send.resend_failed:
                item.mailing = document_resend(mailing=last, user=user)
                item.outcome = ClosingSendItem.Outcome.RESENT
                report.resent.append(invoice)
            else:
                item.outcome = ClosingSendItem.Outcome.FAILED_BEFORE
                report.failed_before.append(invoice)
        except DomainError as error:  # one invoice's refusal is recorded; the others still go
            item.outcome, item.reason, item.mailing = ClosingSendItem.Outcome.REFUSED, str(error.message)[:300], None
            report.refused.append((invoice, str(error.message)))
        items.append(item)
    ClosingSendItem.objects.bulk_create(items)
    ClosingSend.objects.filter(pk=send.pk).update(invoices_done=F("invoices_done") + len(items))


def closing_send_report(send: ClosingSend) -> SendReport:
    """What a finished (or running) send did, from its items: for the run's page."""
    report = SendReport()
    lists = {
        ClosingSendItem.Outcome.SENT: report.sent,
        ClosingSendItem.Outcome.RESENT: report.resent,
        ClosingSendItem.Outcome.ALREADY_SENT: report.already_sent,
        ClosingSendItem.Outcome.FAILED_BEFORE: report.failed_before,
        ClosingSendItem.Outcome.NO_ADDRESS: report.no_address,
    }
    for item in send.items.select_related("invoice__customer").order_by("invoice__customer__code", "invoice_id"):
        if item.outcome == ClosingSendItem.Outcome.REFUSED:
            report.refused.append((item.invoice, item.reason))
        else:
            lists[item.outcome].append(item.invoice)
    return report


@transaction.atomic
def invoice_mailing_resend(*, invoice: Invoice, mailing: DocumentMailing, user) -> DocumentMailing:
    """Send one invoice's failed mail again (same addresses, a new attempt in the log)."""
    _check_may_send(user)
    if mailing.document_id != invoice.document_id:
        raise InvalidInput(_("This send log belongs to another document."), field="mailing")
    return document_resend(mailing=mailing, user=user)
