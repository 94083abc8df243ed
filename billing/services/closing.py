"""The closing run (締め処理): a consolidated invoice (合計請求書) per customer who closes on
a date, in batches of customers; and the closed-period check that keeps shipping and
back-dating out of a period a closing has covered."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, F, OuterRef, Subquery, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.audit import actor_or_none
from backoffice.businessdays import add_months, day_of_month, is_closing_date
from backoffice.exceptions import InvalidInput
from backoffice.money import ZERO
from backoffice.roles import Role, require_role
from backoffice.selectors import company_profile_with_bank_accounts
from backoffice.status import change_status
from orders.models import CLOSING_DAYS, Customer, Shipment
from orders.selectors import uninvoiced_shipments

from ..locking import lock_closing_run
from ..models import BillingSettings, ClosingRun, CreditNote, Invoice, Payment
from ..selectors import closed_period
from .issuing import Balance, build_invoice, save_invoices
from .matching import apply_customer_credit
from .settings import billing_settings
from .validation import check_not_in_future


def closing_days_for(closing_date: dt.date) -> list[int]:
    """The closing days that close on this date: 31 is month end, also in a short month."""
    return [day for day in CLOSING_DAYS if is_closing_date(closing_date, day)]


def previous_closing_date(closing_date: dt.date, closing_day: int) -> dt.date:
    year, month = add_months(closing_date.year, closing_date.month, -1)
    return day_of_month(year, month, closing_day)


def closing_run(
    *,
    closing_date: dt.date,
    user,
    batch_size: int = 500,
    progress: Callable[[ClosingRun], None] | None = None,
) -> ClosingRun:
    """Invoice every consolidated customer who closes on `closing_date` with their
    uninvoiced shipments up to that date. Runs in batches of customers, one transaction
    each (so not one transaction as a whole), so PDFs render after each batch commits and
    progress is visible on the run row. Running it again creates nothing new (one
    consolidated invoice per customer and date)."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins run the closing."))
    if not isinstance(closing_date, dt.date) or isinstance(closing_date, dt.datetime):
        raise InvalidInput(_("Enter the closing date as a date."), field="closing_date")
    check_not_in_future(closing_date, "closing_date")
    days = closing_days_for(closing_date)
    customer_ids = list(
        Customer.objects.filter(invoice_mode=Customer.InvoiceMode.CONSOLIDATED, closing_day__in=days)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    run = _start(closing_date, customers=len(customer_ids), user=user)
    profile = company_profile_with_bank_accounts()  # read once and passed down
    options = billing_settings()
    try:
        for start in range(0, len(customer_ids), batch_size):
            batch = customer_ids[start : start + batch_size]
            created = _close_batch(run=run, customer_ids=batch, user=user, profile=profile, options=options)
            ClosingRun.objects.filter(pk=run.pk).update(
                customers_done=F("customers_done") + len(batch), invoices_created=F("invoices_created") + created
            )
            if progress is not None:
                run.refresh_from_db(fields=_COUNTERS)
                progress(run)
    except Exception as error:
        run.error = str(error)[:2000]
        _finish(run, ClosingRun.Status.FAILED, user=user, fields=["error"])
        raise
    run.finished_at = timezone.now()
    _finish(run, ClosingRun.Status.DONE, user=user, fields=["finished_at"])
    return run


@transaction.atomic
def _start(closing_date: dt.date, *, customers: int, user) -> ClosingRun:
    """The run row of the date, running from now: new, or the date's row run again."""
    run, _created = ClosingRun.objects.get_or_create(
        closing_date=closing_date, defaults={"created_by": actor_or_none(user)}
    )
    run = lock_closing_run(run.pk)
    run.customers_total = customers
    run.customers_done = 0
    run.started_at = timezone.now()
    run.finished_at = None
    run.error = ""
    fields = ["customers_total", "customers_done", "started_at", "finished_at", "error"]
    if run.status == ClosingRun.Status.RUNNING:  # new, or scheduled: no move
        run.save(update_fields=fields)
    else:
        change_status(run, ClosingRun.Status.RUNNING, user=user, fields=fields)
    audit.record(actor=user, action="closing.start", obj=run, changes={"customers": customers})
    return run


# What the batches count on the run row (the status is this run's own to move).
_COUNTERS = ["customers_total", "customers_done", "invoices_created"]


@transaction.atomic
def _finish(run: ClosingRun, status: str, *, user, fields: list[str]) -> None:
    """The run is done or failed: its status moves with `fields` (each batch committed on its own)."""
    run.refresh_from_db(fields=_COUNTERS)
    change_status(run, status, user=user, fields=fields)
    if status == ClosingRun.Status.DONE:
        audit.record(actor=user, action="closing.done", obj=run, changes={"invoices_created": run.invoices_created})


@transaction.atomic
def closing_schedule(*, closing_date: dt.date, user) -> ClosingRun:
    """Run the closing in the background (a Celery task after commit); the run row shows progress."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins run the closing."))
    check_not_in_future(closing_date, "closing_date")
    run, _created = ClosingRun.objects.get_or_create(
        closing_date=closing_date, defaults={"created_by": actor_or_none(user), "status": ClosingRun.Status.RUNNING}
    )
    audit.record(actor=user, action="closing.schedule", obj=run, changes={"closing_date": closing_date})
    user_id = user.pk
    transaction.on_commit(lambda: _schedule_closing(closing_date, user_id))
    return run


def _schedule_closing(closing_date: dt.date, user_id: int) -> None:
    from ..tasks import run_closing  # billing.tasks imports this module

    run_closing.delay(closing_date.isoformat(), user_id)


@transaction.atomic
def _close_batch(*, run: ClosingRun, customer_ids: list[int], user, profile, options: BillingSettings) -> int:
    """One batch of customers in one transaction (a savepoint inside a caller's); a fixed
    number of queries plus the document issue per invoice, whatever the number of
    shipments. Nothing per customer takes a savepoint of its own."""
    closing_date = run.closing_date
    # Two runs of the same date take turns batch by batch; each sees what the other made.
    lock_closing_run(run.pk)
    done = set(
        Invoice.objects.filter(kind=Invoice.Kind.CONSOLIDATED, period_end=closing_date, customer_id__in=customer_ids)
        .exclude(status=Invoice.Status.CANCELLED)
        .values_list("customer_id", flat=True)
    )
    todo = [pk for pk in customer_ids if pk not in done]
    if not todo:
        return 0
    built = []
    for item in closing_inputs(closing_date=closing_date, customer_ids=todo, options=options):
        invoice, lines = build_invoice(
            customer=item.customer,
            kind=Invoice.Kind.CONSOLIDATED,
            shipments=item.shipments,
            issue_date=closing_date,
            profile=profile,
            user=user,
            source=run,
            period=item.period,
            balance=item.balance,
            reported_credit_notes=item.credit_notes,
            closing_run=run,
        )
        built.append((invoice, lines, item.shipments))
    if not built:
        return 0
    invoices = save_invoices(built, user=user, profile=profile)
    by_customer = {invoice.customer_id: invoice.pk for invoice in invoices}
    reported = Case(*(When(customer_id=c, then=Value(i)) for c, i in by_customer.items()))
    Payment.objects.filter(
        customer_id__in=list(by_customer), reported_on__isnull=True, received_on__lte=closing_date
    ).update(reported_on=reported)
    CreditNote.objects.filter(
        customer_id__in=list(by_customer), reported_on__isnull=True, issue_date__lte=closing_date
    ).update(reported_on=reported)
    apply_customer_credit(invoices, user)
    return len(invoices)


@dataclass(frozen=True)
class ClosingInput:
    """What the closing invoices for one customer: read by the run and by its preview alike."""

    customer: Customer
    shipments: list[Shipment]
    credit_notes: list[CreditNote]
    balance: Balance
    period: tuple[dt.date, dt.date]


def closing_inputs(
    *,
    closing_date: dt.date,
    customer_ids: list[int],
    options: BillingSettings,
    shipments_by_customer: dict[int, list] | None = None,
) -> list[ClosingInput]:
    """The customers among `customer_ids` the closing of `closing_date` invoices, with their
    uninvoiced shipments, unreported payments and credit notes and previous invoice's total:
    a fixed number of queries for any number of customers. Customers with nothing to bill
    (no sales, and no balance to state unless the settings ask for statements) are left out.
    `shipments_by_customer` (the preview's light read: anything with `shipped_on`, oldest
    first) replaces the run's read of the shipments with their lines."""
    previous = (
        Invoice.objects.filter(customer=OuterRef("pk"), kind=Invoice.Kind.CONSOLIDATED)
        .exclude(status=Invoice.Status.CANCELLED)
        .order_by("-period_end", "-pk")
    )
    customers = list(
        Customer.objects.filter(pk__in=customer_ids)
        .annotate(previous_total=Subquery(previous.values("total")[:1]))
        .order_by("pk")
    )
    if shipments_by_customer is None:
        shipments_by_customer = defaultdict(list)
        for shipment in uninvoiced_shipments(customer_ids=customer_ids, up_to=closing_date):
            shipments_by_customer[shipment.customer_id].append(shipment)
    payments = {
        row["customer_id"]: row["total"]
        for row in Payment.objects.filter(
            customer_id__in=customer_ids, reported_on__isnull=True, received_on__lte=closing_date
        )
        .values("customer_id")
        .annotate(total=Sum(F("amount") + F("bank_fee")))
    }
    credit_notes: dict[int, list[CreditNote]] = defaultdict(list)
    for note in CreditNote.objects.filter(
        customer_id__in=customer_ids, reported_on__isnull=True, issue_date__lte=closing_date
    ):
        credit_notes[note.customer_id].append(note)

    inputs = []
    for customer in customers:
        shipments = shipments_by_customer.get(customer.pk, [])
        notes = credit_notes.get(customer.pk, [])
        balance = Balance(
            previous=customer.previous_total or ZERO,
            payments=payments.get(customer.pk, ZERO),
            credits=sum((n.total for n in notes), ZERO),
        )
        if not shipments and not (options.statement_without_sales and balance.carried_over != 0):
            continue
        start = previous_closing_date(closing_date, customer.closing_day) + dt.timedelta(days=1)
        if shipments:
            start = min(start, shipments[0].shipped_on)
        inputs.append(
            ClosingInput(
                customer=customer,
                shipments=shipments,
                credit_notes=notes,
                balance=balance,
                period=(start, closing_date),
            )
        )
    return inputs


def closed_period_check(customer: Customer, day: dt.date) -> None:
    """A date on or before a closing that covered this customer is locked (no shipping into
    it, no back-dating): InvalidInput on `shipped_on` otherwise."""
    if closed_period(customer, day):
        raise InvalidInput(
            _("%(date)s is in a closed billing period: choose a date after the last closing.")
            % {"date": day.isoformat()},
            field="shipped_on",
        )
