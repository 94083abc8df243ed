"""E-mailing invoices: all the invoices of a closing run in one step, each to its
customer's billing contacts, and a failed mail sent again. The mail itself and its send
log (requested, delivered or failed, re-sent) belong to documents (`document_send`).

Who receives an invoice comes from the customer, never typed per mail: the contacts
flagged "receives invoices and documents by e-mail" (the first is To, the others CC) and
the customer's own e-mail address in CC; with no flagged contact, the customer's address
is To. A customer with no address at all is reported, not skipped in silence."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.exceptions import DomainError, InvalidInput
from backoffice.roles import Role, require_role
from documents.models import DocumentMailing
from documents.services import document_resend, document_send
from orders.models import ContactPerson, Customer

from ..locking import lock_closing_run
from ..models import ClosingRun, Invoice


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
def closing_send_invoices(*, run: ClosingRun, user, resend_failed: bool = False) -> SendReport:
    """E-mail every invoice of the run once. An invoice whose mail was requested or delivered
    is not sent again; one whose last attempt failed is sent again only with `resend_failed`.
    The run row is locked so two clicks take turns (the second finds everything sent); the
    mails go out after commit, by the delivery task, which writes their outcome on the log."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins send invoices."))
    run = lock_closing_run(run.pk)
    if run.status != ClosingRun.Status.DONE:
        raise InvalidInput(_("The closing has not finished: send its invoices once it is done."), field="run")
    invoices = list(closing_invoices(run))
    latest = latest_mailings(invoice.document_id for invoice in invoices)
    report = SendReport()
    for invoice in invoices:
        last = latest.get(invoice.document_id)
        try:
            if last is None:
                recipients = invoice_recipients(invoice.customer)
                if not recipients.to:
                    report.no_address.append(invoice)
                    continue
                document_send(document=invoice.document, user=user, to=recipients.to, cc=recipients.cc)
                report.sent.append(invoice)
            elif last.status != DocumentMailing.Status.FAILED:
                report.already_sent.append(invoice)
            elif resend_failed:
                document_resend(mailing=last, user=user)
                report.resent.append(invoice)
            else:
                report.failed_before.append(invoice)
        except DomainError as error:  # one invoice's refusal is reported; the others still go
            report.refused.append((invoice, str(error.message)))
    audit.record(
        actor=user,
        action="closing.send_invoices",
        obj=run,
        changes={
            "sent": [i.number for i in report.sent],
            "resent": [i.number for i in report.resent],
            "no_address": [i.number for i in report.no_address],
            "refused": [i.number for i, _message in report.refused],
        },
    )
    return report


@transaction.atomic
def invoice_mailing_resend(*, invoice: Invoice, mailing: DocumentMailing, user) -> DocumentMailing:
    """Send one invoice's failed mail again (same addresses, a new attempt in the log)."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins send invoices."))
    if mailing.document_id != invoice.document_id:
        raise InvalidInput(_("This send log belongs to another document."), field="mailing")
    return document_resend(mailing=mailing, user=user)
