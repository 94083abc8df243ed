"""Every write of the orders app: customers and their prices, inquiries, quotes,
orders and shipments. Keyword-only service functions that validate, write inside
transaction.atomic, append status events and audit events, and call inventory/ for
stock and documents/ for numbered PDFs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.db import compiled_rows, correlated_sum, update_rows
from backoffice.exceptions import InvalidInput, NotAllowed, StateConflict
from backoffice.formatting import number, percent
from backoffice.kana import with_kana_key
from backoffice.money import ZERO, TaxLine, Totals, compute_totals, line_amount, net_amounts
from backoffice.roles import Role, has_role, require_role
from backoffice.selectors import company_profile
from backoffice.services import model_create, model_update
from backoffice.status import change_status, change_status_many, require_status
from backoffice.unitofwork import unit_of_work
from inventory.models import Product

from .models import (
    ContactPerson,
    Customer,
    CustomerPrice,
    Inquiry,
    Order,
    OrderLine,
    Quote,
    QuoteLine,
    Shipment,
    ShipmentLine,
    ShipToAddress,
)
from .selectors import unit_prices_for

_NESTED = {"ship_to_addresses": ShipToAddress, "contacts": ContactPerson}


def _replace_nested(customer: Customer, data: dict[str, Any]) -> dict[str, Any]:
    """Replace ship-to addresses and contacts when the input names them; returns the audit diff."""
    changes = {}
    for name, model in _NESTED.items():
        if name not in data:
            continue
        related = getattr(customer, name)
        before = [audit.snapshot(item, _nested_fields(model)) for item in related.all()]
        related.all().delete()
        for item_data in data[name]:
            item = model(customer=customer, **item_data)
            item.full_clean()
            item.save()
        after = [audit.snapshot(item, _nested_fields(model)) for item in related.all()]
        if before != after:
            changes[name] = {"before": before, "after": after}
    return changes


def _nested_fields(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if f.name not in {"id", "customer"}]


@unit_of_work()
def customer_create(*, user, data: dict[str, Any]) -> Customer:
    nested = {name: data.pop(name) for name in _NESTED if name in data}
    customer = model_create(model=Customer, user=user, data=with_kana_key(data), action="customer.create")
    changes = _replace_nested(customer, nested)
    if changes:
        audit.record(actor=user, action="customer.update", obj=customer, changes=changes)
    return customer


@unit_of_work()
def customer_update(*, customer: Customer, user, data: dict[str, Any]) -> Customer:
    nested = {name: data.pop(name) for name in _NESTED if name in data}
    customer = model_update(instance=customer, user=user, data=with_kana_key(data), action="customer.update")
    changes = _replace_nested(customer, nested)
    if changes:
        audit.record(actor=user, action="customer.update", obj=customer, changes=changes)
    return customer


@unit_of_work()
def customer_price_set(*, user, customer: Customer, product, unit_price) -> CustomerPrice:
    """Set (or change) the customer's own unit price for a product."""
    price = CustomerPrice.objects.filter(customer=customer, product=product).first()
    if price is None:
        return model_create(
            model=CustomerPrice,
            user=user,
            data={"customer": customer, "product": product, "unit_price": unit_price},
            action="customer_price.create",
        )
    return model_update(instance=price, user=user, data={"unit_price": unit_price}, action="customer_price.update")


@unit_of_work()
def customer_price_delete(*, user, price: CustomerPrice) -> None:
    audit.record(actor=user, action="customer_price.delete", obj=price, changes=audit.diff(audit.snapshot(price), {}))
    price.delete()


# ---------------------------------------------------------------------------
# Sales flow building blocks: transitions, lines, totals
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    """One line as entered: a product with a quantity, or a free-text line (description).

    Unit, tax rate and unit price left empty (""/None) come from the product and the
    customer's price. A product line's tax rate is its product's: a different rate is
    refused unless `tax_rate_override` says it is meant (sales admins; audited)."""

    quantity: int
    product: Product | None = None
    description: str = ""
    unit_price: Decimal | None = None
    discount_rate: Decimal = ZERO
    unit: str = ""
    tax_rate: int | None = None
    tax_rate_override: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LineInput:
        return cls(**{k: v for k, v in data.items() if v is not None or k == "unit_price"})


@dataclass(frozen=True)
class PricedLine:
    position: int
    product: Product | None
    sku: str
    description: str
    quantity: int
    unit: str
    unit_price: Decimal | None
    discount_rate: Decimal
    tax_rate: int
    amount: Decimal
    tracks_stock: bool
    customer_price: Decimal | None
    product_tax_rate: int | None = None  # set when the line's rate was overridden


def price_lines(
    *,
    customer: Customer,
    lines: Sequence[LineInput],
    user,
    require_prices: bool,
    mode: str,
    field: str = "lines",
) -> list[PricedLine]:
    """Validate and price lines for a customer: product active, quantity within limits,
    unit price defaulting to the customer's price (得意先別単価 / 掛率), amount rounded
    by the company mode. Only sales admins may price below the customer price or give
    a discount."""
    limits = settings.LIMITS
    if not lines:
        raise InvalidInput(_("Enter at least one line."), field=field)
    if len(lines) > limits["max_lines_per_document"]:
        raise InvalidInput(
            _("At most %(max)d lines per document.") % {"max": limits["max_lines_per_document"]}, field=field
        )
    products = [line.product for line in lines if line.product is not None]
    customer_prices = unit_prices_for(customer=customer, products=products, rounding_mode=mode)
    is_admin = has_role(user, Role.SALES_ADMIN)
    priced = []
    for position, line in enumerate(lines, start=1):
        where = f"{field}[{position - 1}]"
        if not 1 <= line.quantity <= limits["max_quantity"]:
            raise InvalidInput(
                _("Line %(n)d: quantity must be from 1 to %(max)s.") % {"n": position, "max": limits["max_quantity"]},
                field=f"{where}.quantity",
            )
        product = line.product
        if product is not None and not product.is_active:
            raise InvalidInput(
                _("Line %(n)d: product %(sku)s is inactive.") % {"n": position, "sku": product.sku},
                field=f"{where}.product",
            )
        if product is None and not line.description:
            raise InvalidInput(
                _("Line %(n)d: choose a product or enter a description.") % {"n": position},
                field=f"{where}.description",
            )
        customer_price = customer_prices.get(product.pk) if product is not None else None
        unit_price = line.unit_price if line.unit_price is not None else customer_price
        if unit_price is None and require_prices:
            raise InvalidInput(_("Line %(n)d: enter a unit price.") % {"n": position}, field=f"{where}.unit_price")
        if unit_price is not None and not ZERO <= unit_price <= limits["max_unit_price"]:
            raise InvalidInput(
                _("Line %(n)d: the unit price must be from 0 to %(max)s.")
                % {"n": position, "max": limits["max_unit_price"]},
                field=f"{where}.unit_price",
            )
        discount = line.discount_rate or ZERO
        if not ZERO <= discount <= 100:
            raise InvalidInput(
                _("Line %(n)d: the discount rate must be from 0 to 100.") % {"n": position},
                field=f"{where}.discount_rate",
            )
        if not is_admin:
            if discount:
                raise NotAllowed(_("Line %(n)d: only sales admins give discounts.") % {"n": position})
            if customer_price is not None and unit_price is not None and unit_price < customer_price:
                raise NotAllowed(
                    _("Line %(n)d: only sales admins price below the customer price %(price)s.")
                    % {"n": position, "price": customer_price}
                )
        tax_rate = line.tax_rate if line.tax_rate is not None else (product.tax_rate if product is not None else 10)
        if tax_rate not in (0, 8, 10):
            raise InvalidInput(
                _("Line %(n)d: tax rate must be 10, 8 or 0.") % {"n": position}, field=f"{where}.tax_rate"
            )
        overridden = product is not None and tax_rate != product.tax_rate
        if overridden and not line.tax_rate_override:
            raise InvalidInput(
                _(
                    "Line %(n)d: %(sku)s is taxed at %(product_rate)s, not %(rate)s. "
                    "Leave the tax rate empty, or mark it as a deliberate override."
                )
                % {
                    "n": position,
                    "sku": product.sku,
                    "product_rate": percent(product.tax_rate),
                    "rate": percent(tax_rate),
                },
                field=f"{where}.tax_rate",
            )
        if overridden and not is_admin:
            raise NotAllowed(_("Line %(n)d: only sales admins override a product's tax rate.") % {"n": position})
        amount = line_amount(line.quantity, unit_price, mode, discount) if unit_price is not None else ZERO
        if amount > limits["max_amount"]:
            raise InvalidInput(_("Line %(n)d: the amount is too large.") % {"n": position}, field=f"{where}.quantity")
        priced.append(
            PricedLine(
                position=position,
                product=product,
                sku=product.sku if product is not None else "",
                description=(line.description or (product.name if product is not None else ""))[:200],
                quantity=line.quantity,
                unit=line.unit or (product.unit if product is not None else "式"),
                unit_price=unit_price,
                discount_rate=discount,
                tax_rate=tax_rate,
                amount=amount,
                tracks_stock=bool(product is not None and product.track_stock),
                customer_price=customer_price,
                product_tax_rate=product.tax_rate if overridden else None,
            )
        )
    return priced


def totals_for(rated_amounts: Iterable[tuple[int, Decimal]], *, customer: Customer, mode: str) -> dict[str, Any]:
    """Totals fields (subtotal, tax_total, total, tax_breakdown) for a customer's
    (tax rate, amount) pairs: tax once per rate, tax-inclusive customers extracted once per rate."""
    totals = compute_totals(
        rated_amounts,
        mode=mode,
        tax_mode=customer.tax_mode,
    )
    return {
        "subtotal": totals.subtotal,
        "tax_total": totals.tax_total,
        "total": totals.total,
        "tax_breakdown": [
            {"rate": b.rate, "subtotal": str(b.subtotal), "tax": str(b.tax), "total": str(b.total)}
            for b in totals.breakdown
        ],
    }


def totals_object(obj) -> Totals:
    """The stored totals of a quote/order/shipment as a backoffice.money.Totals."""
    return Totals(
        subtotal=obj.subtotal,
        tax_total=obj.tax_total,
        total=obj.total,
        breakdown=tuple(
            TaxLine(rate=b["rate"], subtotal=Decimal(b["subtotal"]), tax=Decimal(b["tax"])) for b in obj.tax_breakdown
        ),
    )


def _write_lines(model, parent_field: str, parent, priced: Sequence[PricedLine], *, user, replace: bool = True) -> None:
    if replace:
        model.objects.filter(**{parent_field: parent}).delete()
    fields = {f.name for f in model._meta.concrete_fields}
    rows = []
    for line in priced:
        values = {k: v for k, v in line.__dict__.items() if k in fields and k != "customer_price"}
        rows.append(model(**{parent_field: parent}, **values))
    model.objects.bulk_create(rows)
    # A rate other than the product's was asked for explicitly: keep who did it and why it differs.
    audit.record_many(
        actor=user,
        action=f"{parent._meta.model_name}.tax_rate_override",
        items=[
            (
                parent,
                {"line": line.position, "sku": line.sku, "product_rate": line.product_tax_rate, "rate": line.tax_rate},
            )
            for line in priced
            if line.product_tax_rate is not None
        ],
    )


def _priced_with_totals(
    customer: Customer, lines: Sequence[LineInput], user, *, require_prices: bool
) -> tuple[list[PricedLine], dict[str, Any]]:
    """A quote's or an order's priced lines and its totals fields."""
    mode = company_profile().rounding_mode
    priced = price_lines(customer=customer, lines=lines, user=user, require_prices=require_prices, mode=mode)
    return priced, totals_for([(line.tax_rate, line.amount) for line in priced], customer=customer, mode=mode)


def _replace_lines(parent: Quote | Order, model, parent_field: str, lines, user, *, require_prices: bool) -> None:
    """Replace a quote's or an order's lines and save its new totals."""
    priced, totals = _priced_with_totals(parent.customer, lines, user, require_prices=require_prices)
    _write_lines(model, parent_field, parent, priced, user=user)
    for name, value in totals.items():
        setattr(parent, name, value)
    parent.save(update_fields=[*totals, "updated_at"])


# ---------------------------------------------------------------------------
# Inquiries (顧客対応)
# ---------------------------------------------------------------------------

INQUIRY_FIELDS = ("customer", "caller_name", "contact_name", "channel", "subject", "body", "category", "assigned_to")


@unit_of_work()
def inquiry_create(*, user, data: dict[str, Any]) -> Inquiry:
    """Log a customer contact. Assigning a rep hands it off to them at once."""
    if not data.get("customer") and not data.get("caller_name"):
        raise InvalidInput(_("Choose a customer or enter the caller's name."), field="customer")
    _require_visible_customer(user, data.get("customer"))
    values = {k: v for k, v in data.items() if k in INQUIRY_FIELDS}
    values["received_by"] = user
    if values.get("assigned_to") is not None:
        values["status"] = Inquiry.Status.HANDED_OFF
    return model_create(model=Inquiry, user=user, data=values, action="inquiry.create")


@unit_of_work()
def inquiry_update(*, inquiry: Inquiry, user, data: dict[str, Any]) -> Inquiry:
    data = {k: v for k, v in data.items() if k in (*INQUIRY_FIELDS, "resolution", "related_quote", "related_order")}
    if data.get("assigned_to") is not None and inquiry.status == Inquiry.Status.OPEN:
        data["status"] = Inquiry.Status.HANDED_OFF
    return model_update(instance=inquiry, user=user, data=data, action="inquiry.update")


@unit_of_work()
def inquiry_hand_off(*, inquiry: Inquiry, user, assigned_to) -> Inquiry:
    if inquiry.status == Inquiry.Status.RESOLVED:
        raise StateConflict(_("This inquiry is already resolved."))
    if not has_role(assigned_to, Role.SALES_REP, Role.SALES_ADMIN, Role.MANAGER):
        raise InvalidInput(_("Hand inquiries to a sales rep, admin or manager."), field="assigned_to")
    return model_update(
        instance=inquiry,
        user=user,
        data={"assigned_to": assigned_to, "status": Inquiry.Status.HANDED_OFF},
        action="inquiry.hand_off",
    )


@unit_of_work()
def inquiry_resolve(*, inquiry: Inquiry, user, resolution: str = "") -> Inquiry:
    if inquiry.status == Inquiry.Status.RESOLVED:
        raise StateConflict(_("This inquiry is already resolved."))
    return model_update(
        instance=inquiry,
        user=user,
        data={"status": Inquiry.Status.RESOLVED, "resolution": resolution},
        action="inquiry.resolve",
    )


def _require_visible_customer(user, customer: Customer | None) -> None:
    from backoffice.roles import sees_all_customers

    if customer is not None and not sees_all_customers(user) and customer.sales_rep_id != user.pk:
        raise InvalidInput(_("This customer is not one of yours."), field="customer")


# ---------------------------------------------------------------------------
# Quotes (見積)
# ---------------------------------------------------------------------------

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


@unit_of_work()
def quote_create(*, user, data: dict[str, Any], lines: Sequence[LineInput]) -> Quote:
    """A quote request (reps) or a draft quote (admins): lines with a product and a
    quantity, or free text; unit prices default to the customer's price."""
    _require_visible_customer(user, data.get("customer"))
    values = {k: v for k, v in data.items() if k in QUOTE_FIELDS}
    quote = model_create(model=Quote, user=user, data={**values, "requested_by": user}, action="quote.create")
    _replace_lines(quote, QuoteLine, "quote", lines, user, require_prices=False)
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


def _lock_quote(quote: Quote) -> Quote:
    return Quote.objects.select_for_update().select_related("customer").get(pk=quote.pk)


@unit_of_work()
def quote_update(*, quote: Quote, user, data: dict[str, Any], lines: Sequence[LineInput] | None = None) -> Quote:
    """Edit a quote that is not issued yet. An edit after approval (or while waiting for
    it) sends the quote back to draft: it must be submitted again."""
    quote = _lock_quote(quote)
    require_status(quote, *EDITABLE_QUOTE_STATUSES, message=_("An issued quote is never edited: revise it instead."))
    if "customer" in data and data["customer"] != quote.customer:
        _require_visible_customer(user, data["customer"])
    values = {k: v for k, v in data.items() if k in QUOTE_FIELDS}
    if values:
        model_update(instance=quote, user=user, data=values, action="quote.update")
    if lines is not None:
        _replace_lines(quote, QuoteLine, "quote", lines, user, require_prices=False)
        audit.record(actor=user, action="quote.lines", obj=quote, changes={"lines": len(lines), "total": quote.total})
    if quote.status != Quote.Status.DRAFT:
        change_status(quote, Quote.Status.DRAFT, user=user, comment=_("edited"))
    return quote


def _approval_reasons(quote: Quote) -> list[str]:
    profile = company_profile()
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


@unit_of_work()
def quote_submit(*, quote: Quote, user) -> Quote:
    """Ask for issue: within the company's limits the quote is approved at once,
    beyond them it waits for a manager."""
    quote = _lock_quote(quote)
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
    reasons = _approval_reasons(quote)
    quote.approval_reasons = reasons
    quote.save(update_fields=["approval_reasons"])
    if reasons:
        change_status(quote, Quote.Status.PENDING_APPROVAL, user=user, comment="; ".join(reasons))
    else:
        change_status(quote, Quote.Status.APPROVED, user=user, comment=_("within limits"))
    return quote


@unit_of_work()
def quote_approve(*, quote: Quote, user, comment: str = "") -> Quote:
    require_role(user, Role.MANAGER, message=_("Only managers approve quotes."))
    quote = _lock_quote(quote)
    require_status(quote, Quote.Status.PENDING_APPROVAL)
    quote.approved_by = user
    quote.approval_comment = comment
    change_status(quote, Quote.Status.APPROVED, user=user, comment=comment, fields=["approved_by", "approval_comment"])
    return quote


@unit_of_work()
def quote_reject(*, quote: Quote, user, comment: str) -> Quote:
    require_role(user, Role.MANAGER, message=_("Only managers reject quotes."))
    if not comment.strip():
        raise InvalidInput(_("Say why the quote is rejected."), field="comment")
    quote = _lock_quote(quote)
    require_status(quote, Quote.Status.PENDING_APPROVAL)
    quote.approval_comment = comment
    change_status(quote, Quote.Status.REJECTED, user=user, comment=comment, fields=["approval_comment"])
    return quote


def customer_party(customer: Customer):
    from documents.types import CounterpartyKind, Party

    return Party(
        name=customer.name,
        honorific=customer.honorific,
        postal_code=customer.postal_code,
        address=customer.address,
        phone=customer.phone,
        counterparty_kind=CounterpartyKind.CUSTOMER,
        counterparty_id=customer.pk,
    )


def discount_note(rate: Decimal) -> str:
    """The note a discounted line carries on the 御見積書, 注文請書 and 納品書: 「値引 12.5%」."""
    return f"値引 {percent(rate)}" if rate else ""


def _document_lines(lines) -> list:
    from documents.types import DocumentLine

    return [
        DocumentLine(
            sku=line.product.sku if line.product_id else "",
            name=line.description,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            amount=line.amount,
            tax_rate=line.tax_rate,
            note=discount_note(line.discount_rate),
        )
        for line in lines
    ]


@unit_of_work()
def quote_issue(*, quote: Quote, user, issue_date: dt.date | None = None) -> Quote:
    """Issue an approved quote: take its Q number (a revision keeps the number of the
    quote it revises), fix the validity, archive the 御見積書 PDF."""
    from documents.services import document_issue
    from documents.types import DocumentData, DocumentKind

    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins issue quotes."))
    quote = _lock_quote(quote)
    require_status(quote, Quote.Status.APPROVED, message=_("Only an approved quote can be issued."))
    issue_date = issue_date or timezone.localdate()
    quote.issue_date = issue_date
    quote.valid_until = issue_date + dt.timedelta(days=quote.validity_days)
    lines = list(quote.lines.select_related("product"))
    data = DocumentData(
        kind=DocumentKind.QUOTE,
        document_date=issue_date,
        recipient=customer_party(quote.customer),
        lines=_document_lines(lines),
        totals=totals_object(quote),
        tax_mode=quote.customer.tax_mode,
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
        previous = _lock_quote(previous)
        if previous.status == Quote.Status.ISSUED:
            change_status(previous, Quote.Status.SUPERSEDED, user=user, comment=quote.display_number)
    return quote


@unit_of_work()
def quote_revise(*, quote: Quote, user) -> Quote:
    """An issued quote is never edited: a revision is a new draft under the same number
    (Q-2026-000042-2). The old one stays issued until the revision is issued."""
    quote = _lock_quote(quote)
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
    for name in ("subtotal", "tax_total", "total", "tax_breakdown"):
        setattr(revision, name, getattr(quote, name))
    revision.save(update_fields=["subtotal", "tax_total", "total", "tax_breakdown"])
    return revision


@unit_of_work()
def quote_accept(*, quote: Quote, user) -> Quote:
    quote = _lock_quote(quote)
    require_status(quote, Quote.Status.ISSUED)
    if quote.valid_until and quote.valid_until < timezone.localdate():
        raise StateConflict(_("This quote expired on %(date)s.") % {"date": quote.valid_until})
    change_status(quote, Quote.Status.ACCEPTED, user=user)
    return quote


@unit_of_work()
def quote_decline(*, quote: Quote, user, comment: str = "") -> Quote:
    quote = _lock_quote(quote)
    require_status(quote, Quote.Status.ISSUED)
    change_status(quote, Quote.Status.DECLINED, user=user, comment=comment)
    return quote


def quotes_expire(*, today: dt.date | None = None, user=None) -> int:
    """Record expiry of issued quotes past their validity (the daily command). Accepted
    and declined quotes are never touched."""
    today = today or timezone.localdate()
    count = 0
    for pk in Quote.objects.filter(status=Quote.Status.ISSUED, valid_until__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            quote = Quote.objects.select_for_update().get(pk=pk)
            if quote.status == Quote.Status.ISSUED and quote.valid_until < today:
                change_status(quote, Quote.Status.EXPIRED, user=user, comment=str(quote.valid_until))
                count += 1
    return count


@unit_of_work()
def quote_convert(*, quote: Quote, user, data: dict[str, Any] | None = None) -> Order:
    """Turn an accepted quote into a draft order with the same lines, prices and tax rates."""
    quote = _lock_quote(quote)
    if Order.objects.filter(quote=quote).exists():
        raise StateConflict(_("This quote has already been converted to an order."))
    if quote.status == Quote.Status.ISSUED and quote.valid_until and quote.valid_until < timezone.localdate():
        raise StateConflict(_("This quote expired on %(date)s.") % {"date": quote.valid_until})
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
    for name in ("subtotal", "tax_total", "total", "tax_breakdown"):
        setattr(order, name, getattr(quote, name))
    order.save(update_fields=["subtotal", "tax_total", "total", "tax_breakdown"])
    return order


# ---------------------------------------------------------------------------
# Orders (受注)
# ---------------------------------------------------------------------------

ORDER_FIELDS = ("customer", "customer_po_number", "order_date", "requested_date", "ship_to", "note")
OPEN_ORDER_STATUSES = (
    Order.Status.ON_HOLD,
    Order.Status.CONFIRMED,
    Order.Status.PARTIALLY_SHIPPED,
)

# Open receivables of a customer come from billing/, which depends on orders and not the
# other way round: billing registers its selector here when it is loaded.
_receivables_providers: list = []


def register_receivables_provider(provider) -> None:
    """provider() -> an expression over Customer rows: that customer's open receivables
    (issued, unpaid invoices less unmatched credit). Read in the credit check's one query."""
    if provider not in _receivables_providers:
        _receivables_providers.append(provider)


def _receivables_expressions() -> list:
    return [provider() for provider in _receivables_providers]


def _check_ship_to(data: dict[str, Any], customer: Customer) -> None:
    ship_to = data.get("ship_to")
    if ship_to is not None and ship_to.customer_id != customer.pk:
        raise InvalidInput(_("This ship-to address belongs to another customer."), field="ship_to")


@unit_of_work()
def order_create(*, user, data: dict[str, Any], lines: Sequence[LineInput]) -> Order:
    """Enter an order (phone, fax, mail, CSV): a draft until confirmed."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins enter orders."))
    customer = data.get("customer")
    if customer is None:
        raise InvalidInput(_("Choose a customer."), field="customer")
    if not customer.is_active:
        raise InvalidInput(_("Customer %(code)s is inactive.") % {"code": customer.code}, field="customer")
    _check_ship_to(data, customer)
    values = {k: v for k, v in data.items() if k in ORDER_FIELDS}
    values.setdefault("order_date", timezone.localdate())
    # Priced first: the order row is written once, with its totals, and bad lines write nothing.
    priced, totals = _priced_with_totals(customer, lines, user, require_prices=True)
    order = model_create(
        model=Order, user=user, data={**values, **totals, "entered_by": user}, action="order.create", validate=False
    )
    _write_lines(OrderLine, "order", order, priced, user=user, replace=False)
    return order


def _lock_order(order: Order) -> Order:
    return Order.objects.select_for_update().select_related("customer").get(pk=order.pk)


@unit_of_work()
def order_update(*, order: Order, user, data: dict[str, Any], lines: Sequence[LineInput] | None = None) -> Order:
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins change orders."))
    order = _lock_order(order)
    require_status(order, Order.Status.DRAFT, message=_("Only a draft order can be edited."))
    _check_ship_to(data, data.get("customer", order.customer))
    values = {k: v for k, v in data.items() if k in ORDER_FIELDS}
    if values:
        model_update(instance=order, user=user, data=values, action="order.update")
    if lines is not None:
        _replace_lines(order, OrderLine, "order", lines, user, require_prices=True)
        audit.record(actor=user, action="order.lines", obj=order, changes={"lines": len(lines), "total": order.total})
    return order


@dataclass(frozen=True)
class CreditCheck:
    limit: Decimal | None
    receivables: Decimal
    open_orders: Decimal
    this_order: Decimal

    @property
    def exposure(self) -> Decimal:
        return self.receivables + self.open_orders + self.this_order

    @property
    def exceeded(self) -> bool:
        return self.limit is not None and self.exposure > self.limit

    def message(self) -> str:
        return _(
            "Credit limit %(limit)s exceeded: open receivables %(receivables)s + open orders %(orders)s"
            " + this order %(order)s = %(exposure)s."
        ) % {
            "limit": f"¥{self.limit:,}",
            "receivables": f"¥{self.receivables:,}",
            "orders": f"¥{self.open_orders:,}",
            "order": f"¥{self.this_order:,}",
            "exposure": f"¥{self.exposure:,}",
        }


def _exposure_query(customer: int, order: int):
    open_orders = Order.objects.filter(status__in=OPEN_ORDER_STATUSES).exclude(pk=order)
    uninvoiced_shipped = Shipment.objects.filter(status=Shipment.Status.SHIPPED, invoiced=False).exclude(
        order__status__in=OPEN_ORDER_STATUSES
    )
    return Customer.objects.filter(pk=customer).values_list(
        correlated_sum(open_orders, "total"),
        correlated_sum(uninvoiced_shipped, "total"),
        *_receivables_expressions(),
    )


def credit_check(order: Order) -> CreditCheck:
    """Open receivables + open (not yet invoiced) orders + this order against the limit,
    in one query (compiled once: it is read on every confirm)."""
    customer = order.customer
    ((orders_total, shipped_total, *receivables),) = compiled_rows(
        _exposure_query, customer=customer.pk, order=order.pk
    )
    return CreditCheck(
        limit=customer.credit_limit,
        receivables=sum(receivables, ZERO) + shipped_total,
        open_orders=orders_total,
        this_order=order.total,
    )


@dataclass(frozen=True)
class LineStockAnswer:
    """What the admin tells the customer, per line: "30 today, the other 20 on 12/11"."""

    line_id: int
    position: int
    sku: str
    description: str
    ordered: int
    allocated_now: int
    backordered: int
    expected_date: dt.date | None
    unit: str = ""
    on_hold: bool = False

    @property
    def message(self) -> str:
        """The answer in words, in the user's language (Japanese by default), naming the
        product by code and name with the quantities in its unit:
        「A-100 ステンレスボルト M8: 30 箱 即日出荷、残り 20 箱は 12/11 出荷予定」.
        Empty for an order held for credit (nothing is allocated yet)."""
        if self.on_hold:
            return ""
        values = {
            "item": " ".join(part for part in (self.sku, self.description) if part),
            "unit": self.unit,
            "quantity": self.ordered,
            "now": self.allocated_now,
            "rest": self.backordered,
            "date": self.expected_date.strftime("%m/%d") if self.expected_date else _("a date not yet known"),
        }
        if not self.backordered:
            return _("%(item)s: %(quantity)d %(unit)s, all ship today") % values
        if self.allocated_now:
            return _("%(item)s: %(now)d %(unit)s ship today, the other %(rest)d %(unit)s ship on %(date)s") % values
        return _("%(item)s: %(rest)d %(unit)s await stock, ship on %(date)s") % values


@dataclass(frozen=True)
class ConfirmResult:
    order: Order
    lines: tuple[LineStockAnswer, ...]
    on_hold: bool
    message: str


def _take_order_number(order: Order) -> str:
    from documents.services import number_take
    from documents.types import DocumentKind

    return number_take(
        kind=DocumentKind.ORDER_CONFIRMATION,
        document_date=order.order_date,
        start_month=company_profile().fiscal_year_start_month,
    )


def _demand_label(order: Order, line: OrderLine) -> str:
    """How inventory's messages and lists name the line's demand: 「受注 SO-2026-000007 の 2
    行目」. Stored with the demand: call it in the company's language, not the user's."""
    return _("Order %(number)s, line %(position)d") % {"number": order.number, "position": line.position}


@unit_of_work()
def order_confirm(*, order: Order, user, release_hold: bool = False) -> ConfirmResult:
    """Confirm an order: check the credit limit (over it, the order waits on hold for a
    manager), take its SO number, allocate stock line by line through inventory/, and
    answer per line what ships now and when the rest comes."""
    from inventory.selectors import expected_dates
    from inventory.services import DemandRequest, demands_create_and_allocate

    order = _lock_order(order)
    if release_hold:
        require_role(user, Role.MANAGER, message=_("Only managers release orders held for credit."))
        require_status(order, Order.Status.ON_HOLD, message=_("This order is not on hold."))
    else:
        require_role(user, Role.SALES_ADMIN, message=_("Only sales admins confirm orders."))
        require_status(order, Order.Status.DRAFT, message=_("Only a draft order can be confirmed."))
    lines = list(order.lines.select_related("product").filter(cancelled=False))
    if not lines:
        raise InvalidInput(_("Enter at least one line."), field="lines")
    inactive = [line.sku for line in lines if line.product_id and not line.product.is_active]
    if inactive:
        raise InvalidInput(_("Inactive products: %(skus)s.") % {"skus": ", ".join(inactive)}, field="lines")
    numbered = []  # saved with the status change below
    if not order.number:
        order.number = _take_order_number(order)
        numbered = ["number"]

    if not release_hold and order.customer.credit_limit is not None:
        check = credit_check(order)
        if check.exceeded:
            order.hold_reason = check.message()
            change_status(
                order,
                Order.Status.ON_HOLD,
                user=user,
                comment=order.hold_reason,
                fields=["hold_reason", *numbered],
            )
            answers = tuple(
                LineStockAnswer(
                    line.pk, line.position, line.sku, line.description, line.quantity, 0, 0, None, line.unit, True
                )
                for line in lines
            )
            return ConfirmResult(order=order, lines=answers, on_hold=True, message=order.hold_reason)

    stock_lines = [line for line in lines if line.tracks_stock]
    with translation.override(settings.LANGUAGE_CODE):
        requests = [
            DemandRequest(
                reference=line.demand_reference,
                product=line.product,
                quantity=line.quantity,
                priority_date=order.order_date,
                priority_number=order.number,
                label=_demand_label(order, line),
            )
            for line in stock_lines
        ]
    results = demands_create_and_allocate(requests=requests, user=user)
    by_line = {line.pk: result for line, result in zip(stock_lines, results, strict=True)}
    dates = expected_dates([result.demand for result in results])
    answers = []
    for line in lines:
        result = by_line.get(line.pk)
        if result is None:  # a service line: nothing to allocate, ready now
            answers.append(
                LineStockAnswer(
                    line.pk,
                    line.position,
                    line.sku,
                    line.description,
                    line.quantity,
                    line.quantity,
                    0,
                    order.order_date,
                    line.unit,
                )
            )
            continue
        backordered = result.demand.backordered
        answers.append(
            LineStockAnswer(
                line_id=line.pk,
                position=line.position,
                sku=line.sku,
                description=line.description,
                ordered=line.quantity,
                allocated_now=result.allocated_now,
                backordered=backordered,
                expected_date=dates.get(result.demand.pk) if backordered else timezone.localdate(),
                unit=line.unit,
            )
        )
    order.confirmed_at = timezone.now()
    order.hold_reason = ""
    change_status(order, Order.Status.CONFIRMED, user=user, fields=["confirmed_at", "hold_reason", *numbered])
    return ConfirmResult(order=order, lines=tuple(answers), on_hold=False, message=_confirm_message(answers))


def _confirm_message(answers: Sequence[LineStockAnswer]) -> str:
    """One line of text per order line, every line (also those that ship in full)."""
    return "\n".join(answer.message for answer in answers)


@unit_of_work()
def order_cancel(*, order: Order, user, reason: str = "") -> Order:
    """Cancel an order that has shipped nothing: allocations are released (and serve
    other waiting orders). Shipped goods come back through a return, not a cancel."""
    from inventory.selectors import demands_by_reference
    from inventory.services import demand_cancel

    require_role(user, Role.SALES_ADMIN, Role.MANAGER, message=_("Only sales admins and managers cancel orders."))
    order = _lock_order(order)
    require_status(
        order,
        Order.Status.DRAFT,
        Order.Status.ON_HOLD,
        Order.Status.CONFIRMED,
        message=_("Lines already shipped cannot be cancelled: record a return instead."),
    )
    lines = list(order.lines.all())
    if any(line.shipped_quantity for line in lines):
        raise StateConflict(_("Lines already shipped cannot be cancelled: record a return instead."))
    Shipment.objects.filter(order=order, status=Shipment.Status.DRAFT).update(status=Shipment.Status.CANCELLED)
    demands = demands_by_reference([line.demand_reference for line in lines if line.tracks_stock])
    for demand in demands.values():
        demand_cancel(demand=demand, user=user)
    order.lines.update(cancelled=True)
    change_status(order, Order.Status.CANCELLED, user=user, comment=reason)
    return order


@unit_of_work()
def order_confirmation_issue(*, order: Order, user) -> Order:
    """Issue the 注文請書 (order confirmation) for a confirmed order, under the order's number."""
    from documents.services import document_issue
    from documents.types import DocumentData, DocumentKind

    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins issue documents."))
    order = _lock_order(order)
    require_status(
        order,
        Order.Status.CONFIRMED,
        Order.Status.PARTIALLY_SHIPPED,
        Order.Status.SHIPPED,
        Order.Status.INVOICED,
        message=_("Confirm the order before issuing its confirmation."),
    )
    if order.confirmation_document_id:
        raise StateConflict(_("The order confirmation has already been issued."))
    lines = list(order.lines.select_related("product").filter(cancelled=False))
    data = DocumentData(
        kind=DocumentKind.ORDER_CONFIRMATION,
        document_date=timezone.localdate(),
        recipient=customer_party(order.customer),
        lines=_document_lines(lines),
        totals=totals_object(order),
        tax_mode=order.customer.tax_mode,
        subject=_("Order %(number)s") % {"number": order.number},
        notes=order.note,
        extra={
            **({"order_number": order.customer_po_number} if order.customer_po_number else {}),
            **({"delivery_date": order.requested_date} if order.requested_date else {}),
        },
    )
    # The 注文請書 confirms this order: it carries the order's own number (taken from the
    # SO sequence when the order was confirmed), not a second number from that sequence.
    order.confirmation_document = document_issue(data=data, user=user, source=order, number=order.number)
    order.save(update_fields=["confirmation_document", "updated_at"])
    return order


def _refresh_order_status(order: Order, order_lines: Iterable[OrderLine], user) -> None:
    """Shipped or partially shipped, from all the (current) lines of the locked order."""
    lines = [line for line in order_lines if not line.cancelled]
    shipped_all = all(line.shipped_quantity >= line.quantity for line in lines)
    shipped_any = any(line.shipped_quantity for line in lines)
    target = Order.Status.SHIPPED if shipped_all else Order.Status.PARTIALLY_SHIPPED if shipped_any else order.status
    if target != order.status:
        change_status(order, target, user=user)


# ---------------------------------------------------------------------------
# Shipments and delivery notes (出荷・納品)
# ---------------------------------------------------------------------------

# A shipment dated inside a closed billing period must not be created: billing/ (which
# owns closings) registers its check here when loaded.
_closed_period_checks: list = []
# Steps to take once a shipment has shipped (billing/ registers per-shipment invoicing).
_after_ship_hooks: list = []


def register_closed_period_check(check) -> None:
    """check(customer, date) -> None, or raise InvalidInput when the date is in a closed period."""
    if check not in _closed_period_checks:
        _closed_period_checks.append(check)


def register_after_ship(hook) -> None:
    """hook(shipment=..., lines=..., user=...) runs in the shipping transaction after the
    delivery note; `lines` are the shipment's lines with their order lines loaded."""
    if hook not in _after_ship_hooks:
        _after_ship_hooks.append(hook)


def _pending_on_shipments(order: int):
    """(order line, quantity) on the order's draft shipments."""
    return (
        ShipmentLine.objects.filter(shipment__order=order, shipment__status=Shipment.Status.DRAFT)
        .values("order_line")
        .annotate(total=Sum("quantity"))
        .values_list("order_line", "total")
    )


def _shippable_by_line(order: Order, order_lines: Sequence[OrderLine]) -> dict[int, int]:
    """Per order line: how much may go on a new shipment = allocated (stock lines) or
    ordered (service lines), less shipped, less what draft shipments already hold."""
    from inventory.selectors import demands_by_reference

    lines = [line for line in order_lines if not line.cancelled]
    demands = demands_by_reference(
        [line.demand_reference for line in lines if line.tracks_stock], with_allocations=False
    )
    pending = dict(compiled_rows(_pending_on_shipments, order=order.pk))
    shippable = {}
    for line in lines:
        if line.tracks_stock:
            demand = demands.get(line.demand_reference)
            ready = demand.allocated if demand is not None else 0
        else:
            ready = line.quantity - line.shipped_quantity
        shippable[line.pk] = max(0, ready - pending.get(line.pk, 0))
    return shippable


@unit_of_work()
def shipment_create(*, order: Order, user, lines: Sequence[tuple[int, int]] | None = None) -> Shipment:
    """Prepare a shipment of one order: `lines` is [(order_line_id, quantity)], or None
    for everything allocated and not yet shipped."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins prepare shipments."))
    order = _lock_order(order)
    require_status(
        order,
        Order.Status.CONFIRMED,
        Order.Status.PARTIALLY_SHIPPED,
        message=_("Only a confirmed order can be shipped."),
    )
    order_lines = {line.pk: line for line in order.lines.select_related("product")}
    shippable = _shippable_by_line(order, order_lines.values())
    if lines is None:
        lines = [(line_id, quantity) for line_id, quantity in shippable.items() if quantity > 0]
        if not lines:
            raise StateConflict(_("Nothing is allocated and ready to ship on this order."))
    if len(lines) > settings.LIMITS["max_lines_per_document"]:
        raise InvalidInput(_("Too many lines."), field="lines")
    seen = set()
    for index, (line_id, quantity) in enumerate(lines):
        if line_id not in shippable:
            raise InvalidInput(
                _("Line %(n)d is not a line of this order.") % {"n": index + 1}, field=f"lines[{index}].order_line"
            )
        if line_id in seen:
            raise InvalidInput(_("Line %(n)d is listed twice.") % {"n": index + 1}, field=f"lines[{index}].order_line")
        seen.add(line_id)
        if quantity <= 0:
            raise InvalidInput(_("Quantities must be at least 1."), field=f"lines[{index}].quantity")
        if quantity > shippable[line_id]:
            raise InvalidInput(
                _("Only %(ready)d can ship on this line (allocated and not yet on a shipment), not %(quantity)d.")
                % {"ready": shippable[line_id], "quantity": quantity},
                field=f"lines[{index}].quantity",
            )
    mode = company_profile().rounding_mode
    rows = []
    for line_id, quantity in lines:
        line = order_lines[line_id]
        amount = line_amount(quantity, line.unit_price, mode, line.discount_rate)
        unit_cost = line.product.cost if line.product_id else ZERO
        rows.append(ShipmentLine(order_line=line, quantity=quantity, amount=amount, unit_cost=unit_cost))
    rated = [(order_lines[row.order_line_id].tax_rate, row.amount) for row in rows]
    totals = totals_for(rated, customer=order.customer, mode=mode)
    # Each line's net as the delivery note states it (an invoice may restate it).
    for row, net in zip(rows, net_amounts(rated, mode=mode, tax_mode=order.customer.tax_mode), strict=True):
        row.net_amount = net
    shipment = model_create(
        model=Shipment,
        user=user,
        data={
            "order": order,
            "customer": order.customer,
            "sales_rep_id": order.customer.sales_rep_id,
            "tax_mode": order.customer.tax_mode,
            "created_by": user,
            **totals,
        },
        action="shipment.create",
        validate=False,
    )
    for row in rows:
        row.shipment = shipment
    ShipmentLine.objects.bulk_create(rows)
    return shipment


@unit_of_work()
def shipment_ship(*, shipment: Shipment, user, shipped_on: dt.date | None = None) -> Shipment:
    """The goods leave: stock moves out of the warehouses, the order lines record what
    shipped, and the 納品書 is issued with its DN number. A shipped shipment never changes."""
    from documents.services import document_issue
    from documents.types import DocumentData, DocumentKind
    from inventory.selectors import demands_by_reference
    from inventory.services import ShipmentItem, stock_ship

    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins ship."))
    # The order first, then the shipment: the same lock order as shipment_create and order_cancel.
    order = _lock_order(Order(pk=shipment.order_id))
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    require_status(shipment, Shipment.Status.DRAFT, message=_("This shipment has already shipped or was cancelled."))
    shipped_on = shipped_on or timezone.localdate()
    if shipped_on > timezone.localdate():
        raise InvalidInput(_("The shipping date cannot be in the future."), field="shipped_on")
    if shipped_on < order.order_date:
        raise InvalidInput(_("The shipping date cannot be before the order date."), field="shipped_on")
    for check in _closed_period_checks:
        check(order.customer, shipped_on)
    # All the order's lines once: the shipment's lines point into them, and the order's
    # status after shipping is read from them.
    lines_of_order = {line.pk: line for line in order.lines.all()}
    lines = list(shipment.lines.all())
    for line in lines:
        line.order_line = lines_of_order[line.order_line_id]
    stock_lines = [line for line in lines if line.order_line.tracks_stock]
    demands = demands_by_reference([line.order_line.demand_reference for line in stock_lines], with_allocations=False)
    for line in stock_lines:
        demand = demands.get(line.order_line.demand_reference)
        if demand is None or demand.allocated < line.quantity:
            raise StateConflict(
                _("Line %(n)d: only %(allocated)d allocated, cannot ship %(quantity)d.")
                % {
                    "n": line.order_line.position,
                    "allocated": demand.allocated if demand else 0,
                    "quantity": line.quantity,
                }
            )
    if stock_lines:
        stock_ship(
            items=[
                ShipmentItem(demand=demands[line.order_line.demand_reference], quantity=line.quantity)
                for line in stock_lines
            ],
            reference=f"orders.Shipment:{shipment.pk}",
            user=user,
        )
    # The order row is locked, so its lines' shipped quantities are current: one UPDATE.
    order_lines = [line.order_line for line in lines]
    for line in lines:
        line.order_line.shipped_quantity += line.quantity
    update_rows(OrderLine, order_lines, ["shipped_quantity"])

    data = DocumentData(
        kind=DocumentKind.DELIVERY_NOTE,
        document_date=shipped_on,
        recipient=customer_party(order.customer),
        lines=[_delivery_line(line) for line in lines],
        totals=totals_object(shipment),
        tax_mode=order.customer.tax_mode,
        subject=_("Order %(number)s") % {"number": order.number},
        extra={**({"order_number": order.customer_po_number} if order.customer_po_number else {})},
    )
    document = document_issue(data=data, user=user, source=shipment)
    shipment.delivery_note = document
    shipment.number = document.number
    shipment.shipped_on = shipped_on
    shipment.shipped_by = user
    shipment.sales_rep_id = order.customer.sales_rep_id  # the sale belongs to the rep of the day it ships
    change_status(
        shipment,
        Shipment.Status.SHIPPED,
        user=user,
        comment=document.number,
        fields=["delivery_note", "number", "shipped_on", "shipped_by", "sales_rep"],
    )
    _refresh_order_status(order, lines_of_order.values(), user)
    shipment.customer = order.customer  # loaded with the order: the hooks need not read it again
    for hook in _after_ship_hooks:
        hook(shipment=shipment, lines=lines, user=user)
    return shipment


def _delivery_line(line: ShipmentLine):
    from documents.types import DocumentLine

    order_line = line.order_line
    return DocumentLine(
        sku=order_line.sku,
        name=order_line.description,
        quantity=line.quantity,
        unit=order_line.unit,
        unit_price=order_line.unit_price,
        amount=line.amount,
        tax_rate=order_line.tax_rate,
        note=discount_note(order_line.discount_rate),
    )


@unit_of_work()
def shipment_cancel(*, shipment: Shipment, user) -> Shipment:
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins cancel shipments."))
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    require_status(shipment, Shipment.Status.DRAFT, message=_("A shipped shipment never changes: record a return."))
    change_status(shipment, Shipment.Status.CANCELLED, user=user)
    return shipment


# --- for billing ---


def _orders_all_invoiced(**filters):
    """(pk, number) of the shipped orders among these whose shipped goods are all invoiced."""
    from django.db.models import Exists, OuterRef

    uninvoiced = Shipment.objects.filter(order=OuterRef("pk"), status=Shipment.Status.SHIPPED, invoiced=False)
    return (
        Order.objects.filter(status=Order.Status.SHIPPED, **filters)
        .exclude(Exists(uninvoiced))
        .values_list("pk", "number")
        .order_by("pk")
    )


def _all_invoiced(order: int):
    return _orders_all_invoiced(pk=order)


@unit_of_work()
def shipments_mark_invoiced(*, shipments: Sequence[Shipment], user) -> int:
    """Billing has invoiced these shipped shipments: flag them, and move each order whose
    shipped goods are now all invoiced from shipped to invoiced (a partially shipped order
    stays as it is). A fixed number of queries for any number of shipments."""
    shipments = sorted({s.pk: s for s in shipments}.values(), key=lambda s: s.pk)
    if not shipments:
        return 0
    marked = Shipment.objects.filter(
        pk__in=[s.pk for s in shipments], status=Shipment.Status.SHIPPED, invoiced=False
    ).update(invoiced=True)
    if marked != len(shipments):
        raise StateConflict(_("A shipment is not shipped or has already been invoiced."), code="already_invoiced")
    for shipment in shipments:
        shipment.invoiced = True
    order_ids = sorted({s.order_id for s in shipments})
    if len(order_ids) == 1:  # a per-shipment invoice: compiled once
        rows = compiled_rows(_all_invoiced, order=order_ids[0])
    else:
        rows = _orders_all_invoiced(pk__in=order_ids)
    orders = [Order(pk=pk, number=number, status=Order.Status.SHIPPED) for pk, number in rows]
    change_status_many(orders, Order.Status.INVOICED, user=user)
    audit.record_many(
        actor=user,
        action="shipment.invoiced",
        items=[(shipment, {"invoiced": {"before": False, "after": True}}) for shipment in shipments],
    )
    return marked


@unit_of_work()
def shipment_lines_restate_net(*, lines: Sequence[ShipmentLine]) -> int:
    """The invoice that bills these shipped lines states their amounts excluding tax
    (`net_amount` set on each: a consolidated invoice extracts a tax-inclusive customer's
    tax once per rate over the whole period, not per delivery note). One UPDATE per 500."""
    return update_rows(ShipmentLine, lines, ["net_amount"])


@unit_of_work()
def shipments_mark_uninvoiced(*, shipment_ids: Sequence[int], user) -> int:
    """A cancelled invoice gives its shipments back to billing, and their invoiced orders
    go back to shipped (an order is invoiced only once all it shipped is invoiced)."""
    shipment_ids = sorted(set(shipment_ids))
    marked = Shipment.objects.filter(pk__in=shipment_ids, invoiced=True).update(invoiced=False)
    shipments = list(Shipment.objects.filter(pk__in=shipment_ids).only("pk", "number", "order_id"))
    audit.record_many(
        actor=user,
        action="shipment.uninvoiced",
        items=[(shipment, {"invoiced": {"before": True, "after": False}}) for shipment in shipments],
    )
    orders = list(
        Order.objects.filter(pk__in={s.order_id for s in shipments}, status=Order.Status.INVOICED)
        .only("pk", "number", "status")
        .order_by("pk")
    )
    change_status_many(orders, Order.Status.SHIPPED, user=user)
    return marked
