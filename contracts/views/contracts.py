"""Screens: contracts. The list (filters by kind, status, customer, ending date), a contract's
page with the actions its status and the user's role allow, the countersigned copy, and two
htmx fragments other apps' pages load by url name: a customer's contracts, and the warning
that a customer's master agreement has ended (orders cannot import contracts)."""

import io

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backoffice.api.fields import MAX_ID
from backoffice.exceptions import DomainError
from backoffice.roles import Role, has_role, restrict_to_own_customers
from backoffice.screens import refuse, role_required
from backoffice.status import status_history
from orders.models import Customer, Order, Quote

from .. import selectors, services
from ..forms import CommentForm, ContractFilterForm, ContractForm, EndForm, NoticeForm, RenewForm, SignForm
from ..models import Contract, ContractKind
from ..terms import notice_date

PAGE_SIZE = 50


@role_required()
def contract_list(request):
    form = ContractFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    contracts = selectors.contracts_matching(
        user=request.user,
        kind=filters.get("kind", ""),
        status=filters.get("status", ""),
        ending_before=filters.get("ending_before"),
        text=filters.get("q", ""),
    )
    page = Paginator(contracts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "contracts/list.html", {"form": form, "page_obj": page, "contracts": page.object_list})


@role_required(Role.SALES_ADMIN)
def contract_edit(request, pk=None):
    """A new draft (?customer= preselects the customer), or a draft's changes. An issued
    contract is never edited: its page offers no edit."""
    contract = _visible(request, pk) if pk else None
    if contract is not None and not contract.is_draft:
        return redirect("contracts:contract_detail", pk=contract.pk)
    initial = _new_contract_initial(request) if contract is None else {}
    if request.GET.get("customer", "").isdigit():  # htmx: the customer changed, so the contracts it may amend
        initial.setdefault("customer", min(int(request.GET["customer"]), MAX_ID))
    form = ContractForm(request.POST or None, instance=contract, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            if contract is None:
                contract = services.contract_create(user=request.user, data=data)
            else:
                contract = services.contract_update(
                    contract=Contract.objects.get(pk=contract.pk), user=request.user, data=data
                )
        except DomainError as exc:
            refuse(form, exc)
        else:
            return redirect("contracts:contract_detail", pk=contract.pk)
    return render(
        request,
        "contracts/edit.html",
        {"form": form, "contract": contract},
        status=400 if request.method == "POST" else 200,
    )


def _new_contract_initial(request) -> dict:
    """?order= or ?quote=: an individual contract for that deal (its customer, amount, rate and
    term). contract_edit reads ?customer= for any draft, the new one included."""
    query = request.GET
    initial = {}
    for name, model in (("quote", Quote), ("order", Order)):
        if query.get(name, "").isdigit():
            deals = restrict_to_own_customers(model.objects.exclude(number=""), request.user)
            deal = deals.filter(pk=min(int(query[name]), MAX_ID)).first()
            if deal is not None:
                template = selectors.current_templates().filter(kind=ContractKind.INDIVIDUAL).first()
                initial.update(customer=deal.customer_id, **{name: deal.pk})
                rates = {row["rate"] for row in deal.tax_breakdown}
                if len(rates) == 1:  # one rate: the contract states the deal's amount at it
                    initial.update(amount=deal.subtotal, tax_rate=rates.pop())
                if template is not None:
                    initial["template"] = template.pk
                initial.update(_deal_term(deal))
    return initial


def _deal_term(deal) -> dict:
    """The term an individual contract for this deal starts with: from the order's date (a
    quote's: today) to the delivery date the customer asked for, when the order has one."""
    starts_on = getattr(deal, "order_date", None) or timezone.localdate()
    ends_on = getattr(deal, "requested_date", None)
    term = {"starts_on": starts_on}
    if ends_on is not None and ends_on >= starts_on:
        term["ends_on"] = ends_on
    return term


def _visible(request, pk) -> Contract:
    return get_object_or_404(
        selectors.contracts_visible_to(request.user).prefetch_related("renewals"), pk=min(pk, MAX_ID)
    )


@role_required()
def contract_detail(request, pk, forms=None):
    contract = _visible(request, pk)
    labels = dict(Contract.Status.choices)
    history = [
        {"event": event, "label": labels.get(event.to_status, event.to_status)}
        for event in status_history(contract).select_related("actor")
    ]
    user = request.user
    is_admin = has_role(user, Role.SALES_ADMIN)
    status = contract.status
    S = Contract.Status
    context = {
        "contract": contract,
        "history": history,
        "text": services.contract_text(contract) if contract.is_draft else "",
        "notice_on": notice_date(contract.term_end, contract.notice_days)
        if contract.auto_renew_months and not contract.notice_given_on
        else None,
        "renewal": services.renewal_summary(contract),
        "duty": services.contract_stamp_duty(contract, made_on=contract.issue_date or timezone.localdate()),
        "can_edit": is_admin and contract.is_draft,
        "can_issue": is_admin and (status == S.APPROVED or (status == S.DRAFT and not contract.requires_approval)),
        "can_submit": is_admin and status in (S.DRAFT, S.REJECTED) and contract.requires_approval,
        "can_approve": has_role(user, Role.MANAGER) and status == S.PENDING_APPROVAL,
        "can_send": is_admin and status == S.ISSUED,
        "can_sign": is_admin and status in (S.ISSUED, S.SENT),
        "can_renew": is_admin and status == S.SIGNED and not contract.notice_given_on,
        "can_give_notice": is_admin
        and status == S.SIGNED
        and bool(contract.auto_renew_months)
        and not contract.notice_given_on,
        "can_end": is_admin and status in (S.ISSUED, S.SENT, S.SIGNED),
        "sign_form": SignForm(),
        "renew_form": RenewForm(),
        "notice_form": NoticeForm(),
        "end_form": EndForm(),
        "comment_form": CommentForm(),
        **(forms or {}),
    }
    return render(request, "contracts/detail.html", context, status=400 if forms else 200)


def _act(request, pk, step, form_class=None, form_name=None, **kwargs):
    """Run one service on a contract the user sees; a refusal goes back onto the page."""
    contract = _visible(request, pk)
    form = form_class(request.POST, request.FILES) if form_class else None
    if form is not None and not form.is_valid():
        return contract_detail(request, pk, forms={form_name: form})
    try:
        step(contract, form.cleaned_data if form is not None else {})
    except DomainError as exc:
        if form is None:
            messages.error(request, str(exc.message))
            return redirect("contracts:contract_detail", pk=pk)
        if exc.field and exc.field in form.fields:
            form.add_error(exc.field, str(exc.message))
        else:
            form.add_error(None, str(exc.message))
        return contract_detail(request, pk, forms={form_name: form})
    return redirect("contracts:contract_detail", pk=pk)


@require_POST
@role_required(Role.SALES_ADMIN)
def contract_issue(request, pk):
    return _act(request, pk, lambda c, d: services.contract_issue(contract=c, user=request.user))


@require_POST
@role_required(Role.SALES_ADMIN)
def contract_delete(request, pk):
    """Throw a draft away; an issued contract is refused (it ends instead)."""
    contract = _visible(request, pk)
    try:
        services.contract_delete(contract=contract, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("contracts:contract_detail", pk=pk)
    messages.success(request, _("The draft was deleted."))
    return redirect("contracts:contract_list")


@require_POST
@role_required(Role.SALES_ADMIN)
def contract_submit(request, pk):
    return _act(request, pk, lambda c, d: services.contract_submit(contract=c, user=request.user))


@require_POST
@role_required(Role.MANAGER)
def contract_approve(request, pk):
    return _act(
        request,
        pk,
        lambda c, d: services.contract_approve(contract=c, user=request.user, comment=d["comment"]),
        CommentForm,
        "comment_form",
    )


@require_POST
@role_required(Role.MANAGER)
def contract_reject(request, pk):
    return _act(
        request,
        pk,
        lambda c, d: services.contract_reject(contract=c, user=request.user, comment=d["comment"]),
        CommentForm,
        "comment_form",
    )


@require_POST
@role_required(Role.SALES_ADMIN)
def contract_send(request, pk):
    return _act(request, pk, lambda c, d: services.contract_send(contract=c, user=request.user))


@require_POST
@role_required(Role.SALES_ADMIN)
def contract_sign(request, pk):
    def sign(contract, data):
        services.contract_sign(
            contract=contract, user=request.user, content=data["file"].read(), signed_on=data["signed_on"]
        )

    return _act(request, pk, sign, SignForm, "sign_form")


@require_POST
@role_required(Role.SALES_ADMIN)
def contract_renew(request, pk):
    return _act(
        request,
        pk,
        lambda c, d: services.contract_renew(contract=c, user=request.user, months=d["months"]),
        RenewForm,
        "renew_form",
    )


@require_POST
@role_required(Role.SALES_ADMIN)
def contract_give_notice(request, pk):
    return _act(
        request,
        pk,
        lambda c, d: services.contract_give_notice(contract=c, user=request.user, given_on=d["given_on"]),
        NoticeForm,
        "notice_form",
    )


@require_POST
@role_required(Role.SALES_ADMIN)
def contract_end(request, pk):
    return _act(
        request,
        pk,
        lambda c, d: services.contract_end(
            contract=c, user=request.user, reason=d["reason"], ended_on=d["ended_on"], comment=d["comment"]
        ),
        EndForm,
        "end_form",
    )


@role_required()
def contract_signed_copy(request, pk):
    contract = _visible(request, pk)
    try:
        content = services.contract_signed_bytes(contract)
    except DomainError as exc:
        raise Http404(str(exc.message)) from exc
    extension = contract.signed_file.name.rsplit(".", 1)[-1]
    return FileResponse(
        io.BytesIO(content), content_type=contract.signed_content_type, filename=f"{contract.number}-signed.{extension}"
    )


def _customer(request, customer_pk) -> Customer:
    customers = restrict_to_own_customers(Customer.objects.all(), request.user, customer_path="")
    return get_object_or_404(customers, pk=min(customer_pk, MAX_ID))


@role_required()
def customer_contracts(request, customer_pk):
    """htmx fragment on the customer's page: their contracts and their state."""
    customer = _customer(request, customer_pk)
    contracts = selectors.contracts_matching(user=request.user, customer=customer).order_by("-starts_on", "-pk")
    state = selectors.master_agreement_state(customer.pk, today=timezone.localdate())
    return render(
        request,
        "contracts/_customer_contracts.html",
        {"customer": customer, "contracts": list(contracts[:50]), "state": state},
    )


@role_required()
def master_agreement_warning(request, customer_pk):
    """htmx fragment on order and quote pages: a warning when the customer's master agreement has ended."""
    customer = _customer(request, customer_pk)
    state = selectors.master_agreement_state(customer.pk, today=timezone.localdate())
    return render(request, "contracts/_master_warning.html", {"customer": customer, "state": state})


@role_required()
def home_queue(request):
    """htmx fragment on the home page: contracts ending or reaching their notice date soon
    (sales admins: all; reps: their customers'), and for managers the contracts waiting for approval."""
    user = request.user
    today = timezone.localdate()
    days = settings.CONTRACTS_REMINDER_DAYS
    due = (
        selectors.contracts_due(today=today, days=days, user=user)
        if has_role(user, Role.SALES_ADMIN, Role.SALES_REP)
        else []
    )
    pending = (
        [
            {"contract": contract, "reason": services.contract_approval_reason(contract)}
            for contract in selectors.contracts_pending_approval()[:20]
        ]
        if has_role(user, Role.MANAGER)
        else []
    )
    return render(request, "contracts/_home_queue.html", {"due": due, "days": days, "pending": pending, "today": today})


urlpatterns = [
    path("", contract_list, name="contract_list"),
    path("new/", contract_edit, name="contract_new"),
    path("<int:pk>/", contract_detail, name="contract_detail"),
    path("<int:pk>/edit/", contract_edit, name="contract_edit"),
    path("<int:pk>/issue/", contract_issue, name="contract_issue"),
    path("<int:pk>/submit/", contract_submit, name="contract_submit"),
    path("<int:pk>/delete/", contract_delete, name="contract_delete"),
    path("<int:pk>/approve/", contract_approve, name="contract_approve"),
    path("<int:pk>/reject/", contract_reject, name="contract_reject"),
    path("<int:pk>/send/", contract_send, name="contract_send"),
    path("<int:pk>/sign/", contract_sign, name="contract_sign"),
    path("<int:pk>/renew/", contract_renew, name="contract_renew"),
    path("<int:pk>/notice/", contract_give_notice, name="contract_notice"),
    path("<int:pk>/end/", contract_end, name="contract_end"),
    path("<int:pk>/signed-copy/", contract_signed_copy, name="contract_signed_copy"),
    path("home-queue/", home_queue, name="home_queue"),
    path("customers/<int:customer_pk>/", customer_contracts, name="customer_contracts"),
    path("customers/<int:customer_pk>/master-warning/", master_agreement_warning, name="master_warning"),
]
