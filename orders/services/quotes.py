"""Quotes (見積): requested by reps, priced by admins, approved beyond the company's
limits by a manager, issued with a number and a PDF, revised, accepted or declined, and
turned into an order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.exceptions import InvalidInput, StateConflict
from backoffice.formatting import number
from backoffice.models import CompanyProfile
from backoffice.notifications import notify
from backoffice.roles import Role, require_role
from backoffice.selectors import company_profile
from backoffice.services import model_create
from backoffice.status import change_status, require_status, status_history
from documents.services import document_issue
from documents.types import DocumentKind

from ..locking import lock_quote
from ..models import Inquiry, Order, OrderLine, Quote, QuoteLine
from .customers import require_visible_customer
from .document_parts import sales_document
from .orders import ORDER_FIELDS
from .pricing import LineInput, replace_lines, update_with_lines

QUOTE_FIELDS = (
    "customer",
    "subject",
    "desired_delivery",
    "delivery_place",
    "payment_terms",
    "note",
    "validity_days",
    "inquiry",
)
EDITABLE_QUOTE_STATUSES = (
    Quote.Status.DRAFT,
    Quote.Status.REJECTED,
    Quote.Status.PENDING_APPROVAL,
    Quote.Status.APPROVED,
)


@transaction.atomic
def quote_create(*, user, data: dict[str, Any], lines: Sequence[LineInput]) -> Quote:
    """A quote request (reps) or a draft quote (admins): lines with a product and a
    quantity, or free text; unit prices default to the customer's price."""
    require_visible_customer(user, data.get("customer"))
    values = {k: v for k, v in data.items() if k in QUOTE_FIELDS}
    quote = model_create(model=Quote, user=user, data={**values, "requested_by": user}, action="quote.create")
    mode = company_profile().rounding_mode
    replace_lines(quote, QuoteLine, "quote", lines, user, require_prices=False, mode=mode)
    if quote.inquiry_id:
        Inquiry.objects.filter(pk=quote.inquiry_id, related_quote__isnull=True).update(related_quote=quote)
    return quote


def quote_create_from_inquiry(*, inquiry: Inquiry, user, lines: Sequence[LineInput], data=None) -> Quote:
    if inquiry.customer is None:
        raise InvalidInput(_("Register the caller as a customer before requesting a quote."), field="customer")
    return quote_create(
        user=user,
        data={"customer": inquiry.customer, "subject": inquiry.subject, "inquiry": inquiry, **(data or {})},
        lines=lines,
    )


@transaction.atomic
def quote_update(*, quote: Quote, user, data: dict[str, Any], lines: Sequence[LineInput] | None = None) -> Quote:
    """Edit a quote that is not issued yet. An edit after approval (or while waiting for
    it) sends the quote back to draft: it must be submitted again."""
    quote = lock_quote(quote.pk)
    require_status(quote, *EDITABLE_QUOTE_STATUSES, message=_("An issued quote is never edited: revise it instead."))
    if "customer" in data and data["customer"] != quote.customer:
        require_visible_customer(user, data["customer"])
    update_with_lines(quote, user=user, data=data, fields=QUOTE_FIELDS, lines=lines, require_prices=False)
    if quote.status != Quote.Status.DRAFT:
        change_status(quote, Quote.Status.DRAFT, user=user, comment=_("edited"))
    return quote


def _approval_reasons(quote: Quote, profile: CompanyProfile) -> list[str]:
    reasons = []
    for line in quote.lines.all():
        if line.discount_rate > profile.max_discount_rate:
            reasons.append(
                _("Line %(n)d discount %(rate)s%% exceeds the limit %(max)s%%.")
                % {
                    "n": line.position,
                    "rate": number(line.discount_rate),
                    "max": number(profile.max_discount_rate),
                }
            )
    if quote.total > profile.max_quote_total:
        reasons.append(
            _("Total %(total)s exceeds the limit %(max)s.")
            % {"total": f"{quote.total:,}", "max": f"{profile.max_quote_total:,}"}
        )
    return reasons


@transaction.atomic
def quote_submit(*, quote: Quote, user) -> Quote:
    """Ask for issue: within the company's limits the quote is approved at once,
    beyond them it waits for a manager."""
    quote = lock_quote(quote.pk)
    require_status(quote, Quote.Status.DRAFT, Quote.Status.REJECTED)
    if quote.status == Quote.Status.REJECTED:
        change_status(quote, Quote.Status.DRAFT, user=user)
    lines = list(quote.lines.all())
    if not lines:
        raise InvalidInput(_("Enter at least one line."), field="lines")
    missing = [line.position for line in lines if line.unit_price is None]
    if missing:
        raise InvalidInput(
            _("Lines %(lines)s have no unit price yet.") % {"lines": ", ".join(map(str, missing))}, field="lines"
        )
    reasons = _approval_reasons(quote, company_profile())
    quote.approval_reasons = reasons
    quote.save(update_fields=["approval_reasons"])
    if reasons:
        change_status(quote, Quote.Status.PENDING_APPROVAL, user=user, comment="; ".join(reasons))
        managers = get_user_model().objects.filter(groups__name=Role.MANAGER.value, is_active=True)
        notify(
            recipients=managers,
            text=_("Quote #%(pk)s %(subject)s (%(customer)s) waits for your approval.")
            % {"pk": quote.pk, "subject": quote.subject, "customer": quote.customer.name},
            link=quote_link(quote),
            actor=user,
        )
    else:
        change_status(quote, Quote.Status.APPROVED, user=user, comment=_("within limits"))
    return quote


@transaction.atomic
def quote_approve(*, quote: Quote, user, comment: str = "") -> Quote:
    require_role(user, Role.MANAGER, message=_("Only managers approve quotes."))
    quote = lock_quote(quote.pk)
    require_status(quote, Quote.Status.PENDING_APPROVAL)
    quote.approved_by = user
    quote.approval_comment = comment
    change_status(quote, Quote.Status.APPROVED, user=user, comment=comment, fields=["approved_by", "approval_comment"])
    text = _("Quote #%(pk)s %(subject)s was approved.") % {"pk": quote.pk, "subject": quote.subject}
    notify(recipients=_requester_and_submitter(quote), text=text, link=quote_link(quote), actor=user)
    return quote


@transaction.atomic
def quote_reject(*, quote: Quote, user, comment: str) -> Quote:
    require_role(user, Role.MANAGER, message=_("Only managers reject quotes."))
    if not comment.strip():
        raise InvalidInput(_("Say why the quote is rejected."), field="comment")
    quote = lock_quote(quote.pk)
    require_status(quote, Quote.Status.PENDING_APPROVAL)
    quote.approval_comment = comment
    change_status(quote, Quote.Status.REJECTED, user=user, comment=comment, fields=["approval_comment"])
    text = _("Quote #%(pk)s %(subject)s was sent back: %(comment)s") % {
        "pk": quote.pk,
        "subject": quote.subject,
        "comment": comment,
    }
    notify(recipients=_requester_and_submitter(quote), text=text, link=quote_link(quote), actor=user)
    return quote


def quote_link(quote: Quote) -> str:
    """The quote's page, where a notification leads (services do not reverse the screens' routes)."""
    return f"/quotes/{quote.pk}/"


def _requester_and_submitter(quote: Quote) -> list:
    """Who hears a manager's answer: the rep who asked for the quote and whoever submitted it."""
    submitted = status_history(quote).filter(to_status=Quote.Status.PENDING_APPROVAL).select_related("actor").last()
    return [quote.requested_by, submitted.actor if submitted is not None else None]


@transaction.atomic
def quote_issue(*, quote: Quote, user, issue_date: dt.date | None = None) -> Quote:
    """Issue an approved quote: take its Q number (a revision keeps the number of the
    quote it revises), fix the validity, archive the 御見積書 PDF."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins issue quotes."))
    quote = lock_quote(quote.pk)
    require_status(quote, Quote.Status.APPROVED, message=_("Only an approved quote can be issued."))
    issue_date = issue_date or timezone.localdate()
    quote.issue_date = issue_date
    quote.valid_until = issue_date + dt.timedelta(days=quote.validity_days)
    lines = list(quote.lines.select_related("product"))
    data = sales_document(
        kind=DocumentKind.QUOTE,
        document_date=issue_date,
        source=quote,
        lines=lines,
        subject=quote.subject,
        notes=quote.note,
        extra={
            "valid_until": quote.valid_until,
            **({"delivery_terms": quote.desired_delivery} if quote.desired_delivery else {}),
            **({"delivery_place": quote.delivery_place} if quote.delivery_place else {}),
            **({"payment_terms": quote.payment_terms} if quote.payment_terms else {}),
            "requires_approval": bool(quote.approval_reasons),
            "approved": True,
        },
    )
    previous = quote.supersedes
    document = document_issue(
        data=data,
        user=user,
        source=quote,
        supersedes=previous.document if previous is not None else None,
        revision_of_number=previous.number if previous is not None else None,
    )
    quote.document = document
    quote.number = previous.number if previous is not None else document.number
    change_status(
        quote,
        Quote.Status.ISSUED,
        user=user,
        comment=document.number,
        fields=["issue_date", "valid_until", "document", "number"],
    )
    if previous is not None:
        previous = lock_quote(previous.pk)
        if previous.status == Quote.Status.ISSUED:
            change_status(previous, Quote.Status.SUPERSEDED, user=user, comment=quote.display_number)
    notify(
        recipients=[quote.customer.sales_rep],
        text=_("Quote %(number)s %(subject)s was issued.") % {"number": quote.display_number, "subject": quote.subject},
        link=quote_link(quote),
        actor=user,
    )
    return quote


@transaction.atomic
def quote_revise(*, quote: Quote, user) -> Quote:
    """An issued quote is never edited: a revision is a new draft under the same number
    (Q-2026-000042-2). The old one stays issued until the revision is issued."""
    quote = lock_quote(quote.pk)
    require_status(quote, Quote.Status.ISSUED, message=_("Only an issued quote can be revised."))
    if Quote.objects.filter(supersedes=quote).exists():
        raise StateConflict(_("This quote already has a revision."))
    revision = model_create(
        model=Quote,
        user=user,
        data={
            **{name: getattr(quote, name) for name in QUOTE_FIELDS},
            "number": "",
            "revision": quote.revision + 1,
            "requested_by": user,
            "supersedes": quote,
        },
        action="quote.revise",
    )
    revision.number = ""
    for line in quote.lines.all():
        line.pk = None
        line.quote = revision
        line.save()
    _copy_totals(quote, revision)
    return revision


def _copy_totals(source: Quote, target: Quote | Order) -> None:
    """A revision or an order made from a quote has the quote's totals, as they stand."""
    fields = ["subtotal", "tax_total", "total", "tax_breakdown"]
    for name in fields:
        setattr(target, name, getattr(source, name))
    target.save(update_fields=fields)


@transaction.atomic
def quote_accept(*, quote: Quote, user) -> Quote:
    quote = lock_quote(quote.pk)
    require_status(quote, Quote.Status.ISSUED)
    _require_valid(quote)
    change_status(quote, Quote.Status.ACCEPTED, user=user)
    return quote


def _require_valid(quote: Quote) -> None:
    if quote.valid_until and quote.valid_until < timezone.localdate():
        raise StateConflict(_("This quote expired on %(date)s.") % {"date": quote.valid_until})


@transaction.atomic
def quote_decline(*, quote: Quote, user, comment: str = "") -> Quote:
    quote = lock_quote(quote.pk)
    require_status(quote, Quote.Status.ISSUED)
    change_status(quote, Quote.Status.DECLINED, user=user, comment=comment)
    return quote


def quotes_expire(*, today: dt.date | None = None, user=None) -> int:
    """Record expiry of issued quotes past their validity (the daily command), one
    transaction per quote. Accepted and declined quotes are never touched."""
    today = today or timezone.localdate()
    count = 0
    for pk in Quote.objects.filter(status=Quote.Status.ISSUED, valid_until__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            quote = lock_quote(pk)
            if quote.status == Quote.Status.ISSUED and quote.valid_until < today:
                change_status(quote, Quote.Status.EXPIRED, user=user, comment=str(quote.valid_until))
                count += 1
    return count


@transaction.atomic
def quote_convert(*, quote: Quote, user, data: dict[str, Any] | None = None) -> Order:
    """Turn an accepted quote into a draft order with the same lines, prices and tax rates."""
    quote = lock_quote(quote.pk)
    if Order.objects.filter(quote=quote).exists():
        raise StateConflict(_("This quote has already been converted to an order."))
    if quote.status == Quote.Status.ISSUED:
        _require_valid(quote)
    require_status(quote, Quote.Status.ACCEPTED, message=_("Only an accepted quote can be converted."))
    order = model_create(
        model=Order,
        user=user,
        data={
            "customer": quote.customer,
            "quote": quote,
            "order_date": timezone.localdate(),
            "entered_by": user,
            "note": quote.note,
            **{k: v for k, v in (data or {}).items() if k in ORDER_FIELDS},
        },
        action="order.create",
    )
    rows = [
        OrderLine(
            order=order,
            position=line.position,
            product=line.product,
            sku=line.product.sku if line.product_id else "",
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            discount_rate=line.discount_rate,
            tax_rate=line.tax_rate,
            amount=line.amount,
            tracks_stock=bool(line.product_id and line.product.track_stock),
        )
        for line in quote.lines.select_related("product")
    ]
    OrderLine.objects.bulk_create(rows)
    _copy_totals(quote, order)
    return order
