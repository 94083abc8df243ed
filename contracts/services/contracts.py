"""Contracts: drafted by sales admins from a template, approved by a manager when the wording
is not the standard one, issued (number, archived PDF), sent, signed (the countersigned copy
stored with its hash), renewed, ended. An issued contract is never edited."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.exceptions import InvalidInput, StateConflict
from backoffice.models import CompanyProfile
from backoffice.money import compute_totals
from backoffice.notifications import notify
from backoffice.roles import Role, require_role
from backoffice.selectors import company_profile
from backoffice.status import change_status, require_status
from documents.services import document_issue
from documents.types import CounterpartyKind, DocumentData, DocumentKind, DocumentLine, Party

from ..locking import lock_contract
from ..models import KIND_TITLES, Contract, ContractKind, ContractRenewal, ContractTemplate
from ..stamp_duty import StampDuty, stamp_duty_for
from ..terms import add_months, notice_date, payment_terms_text, renewed_end, term_months
from .templates import check_placeholders, fill_placeholders

CONTRACT_FIELDS = (
    "kind",
    "customer",
    "template",
    "title",
    "body",
    "quote",
    "order",
    "amends",
    "supersedes",
    "amount",
    "tax_rate",
    "starts_on",
    "ends_on",
    "auto_renew_months",
    "notice_days",
    "on_paper",
    "stamp_class",
    "is_construction",
    "company_signatory_title",
    "company_signatory_name",
    "customer_signatory_title",
    "customer_signatory_name",
    "note",
)
SIGNED_TYPES = {
    b"%PDF-": ("application/pdf", "pdf"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG": ("image/png", "png"),
}
LIVE_STATUSES = (Contract.Status.ISSUED, Contract.Status.SENT, Contract.Status.SIGNED)


def contract_link(contract: Contract) -> str:
    """The contract's page, where a notification leads (services do not reverse the screens' routes)."""
    return f"/contracts/{contract.pk}/"


def _sales_admins():
    return get_user_model().objects.filter(groups__name=Role.SALES_ADMIN.value, is_active=True)


def _managers():
    return get_user_model().objects.filter(groups__name=Role.MANAGER.value, is_active=True)


# --- drafts ----------------------------------------------------------------------------------


def _check(contract: Contract, *, new_template: bool) -> None:
    """What the model's validation cannot say: the template, the deal and the contract
    amended belong to this contract's kind and customer."""
    template = contract.template
    if new_template and not template.is_current:
        raise InvalidInput(_("Use the current version of the template."), field="template")
    if template.kind != contract.kind:
        raise InvalidInput(_("The template is for another kind of contract."), field="template")
    check_placeholders(contract.body)
    customer = contract.customer
    for name in ("quote", "order"):
        deal = getattr(contract, name)
        if deal is not None and deal.customer_id != customer.pk:
            raise InvalidInput(_("This deal is for another customer."), field=name)
    if contract.kind == ContractKind.AMENDMENT and contract.amends is None:
        raise InvalidInput(_("An amendment names the contract it amends."), field="amends")
    for name in ("amends", "supersedes"):
        other = getattr(contract, name)
        if other is None:
            continue
        if other.customer_id != customer.pk:
            raise InvalidInput(_("That contract is with another customer."), field=name)
        if other.status not in LIVE_STATUSES:
            raise InvalidInput(_("Only an issued contract that has not ended can be amended or replaced."), field=name)
    if contract.ends_on < contract.starts_on:
        raise InvalidInput(_("The term ends before it starts."), field="ends_on")


def _needs_approval(contract: Contract) -> bool:
    """A template that is not the standard wording, or wording changed from the template's."""
    return not contract.template.is_standard or contract.body.strip() != contract.template.body.strip()


def contract_approval_reason(contract: Contract) -> str:
    """Why a manager is asked: the template is not the standard wording, or the wording was changed."""
    template = contract.template
    if not template.is_standard:
        return _("The template %(template)s is not the standard wording.") % {"template": template}
    return _("The wording was changed from the template %(template)s.") % {"template": template}


@transaction.atomic
def contract_create(*, user, data: dict[str, Any]) -> Contract:
    """A draft from a template: its wording, title and stamp duty class unless given."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins draft contracts."))
    values = {k: v for k, v in data.items() if k in CONTRACT_FIELDS}
    template: ContractTemplate | None = values.get("template")
    if template is None:
        raise InvalidInput(_("Choose a template."), field="template")
    values.setdefault("kind", template.kind)
    values.setdefault("title", KIND_TITLES.get(values["kind"], template.name))
    values.setdefault("body", template.body)
    values.setdefault("stamp_class", template.stamp_class)
    values.setdefault("is_construction", template.is_construction)
    for name in ("title", "body"):
        if not values[name]:
            values[name] = KIND_TITLES.get(values["kind"], template.name) if name == "title" else template.body
    contract = Contract(**values, created_by=user)
    _check(contract, new_template=True)
    contract.requires_approval = _needs_approval(contract)
    contract.full_clean()
    contract.save()
    audit.record(actor=user, action="contract.create", obj=contract, changes=audit.diff({}, audit.snapshot(contract)))
    return contract


@transaction.atomic
def contract_update(*, contract: Contract, user, data: dict[str, Any]) -> Contract:
    """Edit a draft. An issued contract is never edited: amend it with a 覚書. An edit after
    approval (or while waiting for it) sends the draft back: it is approved again."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins draft contracts."))
    contract = lock_contract(contract.pk)
    require_status(
        contract,
        *Contract.DRAFT_STATUSES,
        message=_("An issued contract is never edited: amend it with a 覚書 or replace it with a new version."),
    )
    before = audit.snapshot(contract)
    changed = []
    for name, value in data.items():
        if name in CONTRACT_FIELDS and getattr(contract, name) != value:
            setattr(contract, name, value)
            changed.append(name)
    if not changed:
        return contract
    _check(contract, new_template="template" in changed)
    contract.requires_approval = _needs_approval(contract)
    contract.full_clean()
    contract.save()
    audit.record(
        actor=user, action="contract.update", obj=contract, changes=audit.diff(before, audit.snapshot(contract))
    )
    if contract.status != Contract.Status.DRAFT:
        change_status(contract, Contract.Status.DRAFT, user=user, comment=_("edited"))
    return contract


@transaction.atomic
def contract_delete(*, contract: Contract, user) -> None:
    """Throw a draft away. An issued contract is never deleted (it is in the archive with its
    number); it ends instead. The audit event keeps what the draft said."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins draft contracts."))
    contract = lock_contract(contract.pk)
    require_status(
        contract,
        *Contract.DRAFT_STATUSES,
        message=_("An issued contract is never deleted: end it, or amend it with a 覚書."),
    )
    audit.record(actor=user, action="contract.delete", obj=contract, changes=audit.diff(audit.snapshot(contract), {}))
    contract.delete()


# --- approval --------------------------------------------------------------------------------


@transaction.atomic
def contract_submit(*, contract: Contract, user) -> Contract:
    """Ask a manager to approve a contract whose wording is not the standard one."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins draft contracts."))
    contract = lock_contract(contract.pk)
    require_status(contract, Contract.Status.DRAFT, Contract.Status.REJECTED)
    if not contract.requires_approval:
        raise StateConflict(_("This contract uses the standard wording: it needs no approval, issue it."))
    if contract.status == Contract.Status.REJECTED:
        change_status(contract, Contract.Status.DRAFT, user=user)
    change_status(contract, Contract.Status.PENDING_APPROVAL, user=user)
    notify(
        recipients=_managers(),
        text=_("Contract %(title)s (%(customer)s) uses changed wording and waits for your approval.")
        % {"title": contract.title, "customer": contract.customer.name},
        link=contract_link(contract),
        actor=user,
    )
    return contract


@transaction.atomic
def contract_approve(*, contract: Contract, user, comment: str = "") -> Contract:
    require_role(user, Role.MANAGER, message=_("Only managers approve contracts."))
    contract = lock_contract(contract.pk)
    require_status(contract, Contract.Status.PENDING_APPROVAL)
    contract.approved_by = user
    contract.approval_comment = comment
    change_status(
        contract, Contract.Status.APPROVED, user=user, comment=comment, fields=["approved_by", "approval_comment"]
    )
    notify(
        recipients=[contract.created_by],
        text=_("Contract %(title)s (%(customer)s) was approved.")
        % {"title": contract.title, "customer": contract.customer.name},
        link=contract_link(contract),
        actor=user,
    )
    return contract


@transaction.atomic
def contract_reject(*, contract: Contract, user, comment: str) -> Contract:
    require_role(user, Role.MANAGER, message=_("Only managers reject contracts."))
    if not comment.strip():
        raise InvalidInput(_("Say why the contract is rejected."), field="comment")
    contract = lock_contract(contract.pk)
    require_status(contract, Contract.Status.PENDING_APPROVAL)
    contract.approval_comment = comment
    change_status(contract, Contract.Status.REJECTED, user=user, comment=comment, fields=["approval_comment"])
    notify(
        recipients=[contract.created_by],
        text=_("Contract %(title)s was sent back: %(comment)s") % {"title": contract.title, "comment": comment},
        link=contract_link(contract),
        actor=user,
    )
    return contract


# --- what the contract says ------------------------------------------------------------------


def contract_stamp_duty(contract: Contract, *, made_on: dt.date) -> StampDuty:
    return stamp_duty_for(
        stamp_class=contract.stamp_class,
        amount=contract.amount,
        on_paper=contract.on_paper,
        made_on=made_on,
        is_construction=contract.is_construction,
        term_months=term_months(contract.starts_on, contract.ends_on),
        renews=bool(contract.auto_renew_months),
    )


def _date_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _yen_text(value: Decimal) -> str:
    return f"{value:,.0f}円"


def _signatory(title: str, name: str) -> str:
    return " ".join(part for part in (title, name) if part)


def renewal_text(contract: Contract) -> str:
    """The renewal clause as the articles state it (the template's {renewal}): a sentence, or
    nothing for a contract that does not renew itself."""
    if not contract.auto_renew_months:
        return ""
    notice = f"期間満了の{contract.notice_days}日前までに" if contract.notice_days else "期間満了までに"
    return (
        f"ただし、{notice}甲乙いずれからも書面による申し出がないときは、同一条件でさらに"
        f"{contract.auto_renew_months}か月更新するものとし、以後も同様とする。"
    )


def renewal_summary(contract: Contract) -> str:
    """自動更新 as the summary box and the screens say it: 「12か月ごと（満了の90日前までの申出で終了）」."""
    if not contract.auto_renew_months:
        return "なし"
    notice = f"満了の{contract.notice_days}日前までの申出で終了" if contract.notice_days else "満了までの申出で終了"
    return f"{contract.auto_renew_months}か月ごと（{notice}）"


def contract_values(contract: Contract, profile: CompanyProfile) -> dict[str, str]:
    """The placeholders' values: the company, the customer, the term, the money, the deal."""
    customer = contract.customer
    amount = contract.amount
    totals = compute_totals([(contract.tax_rate, amount)], mode=profile.rounding_mode) if amount is not None else None
    deal = contract.order or contract.quote
    amends = contract.amends
    return {
        "company_name": profile.name,
        "company_address": profile.address,
        "company_signatory": _signatory(contract.company_signatory_title, contract.company_signatory_name),
        "customer_name": customer.name,
        "customer_address": customer.address,
        "customer_signatory": _signatory(contract.customer_signatory_title, contract.customer_signatory_name),
        "starts_on": _date_text(contract.starts_on),
        "ends_on": _date_text(contract.ends_on),
        "term_months": str(term_months(contract.starts_on, contract.ends_on)),
        "renewal": renewal_text(contract),
        "notice_days": str(contract.notice_days),
        "payment_terms": payment_terms_text(
            closing_day=customer.closing_day,
            payment_month_offset=customer.payment_month_offset,
            payment_day=customer.payment_day,
        ),
        "amount": _yen_text(amount) if amount is not None else "",
        "tax": _yen_text(totals.tax_total) if totals else "",
        "total": _yen_text(totals.total) if totals else "",
        "deal_number": (getattr(deal, "display_number", "") or getattr(deal, "number", "")) if deal else "",
        "amends_number": amends.number if amends else "",
        "amends_title": amends.title if amends else "",
        "amends_date": _date_text(amends.issue_date) if amends and amends.issue_date else "",
    }


def contract_text(contract: Contract, profile: CompanyProfile | None = None) -> str:
    """The articles as the contract prints them: the template's placeholders filled in."""
    return fill_placeholders(contract.body, contract_values(contract, profile or company_profile()))


# The example customer and deal a template's preview is filled with (nothing is saved).
EXAMPLE_DEAL_NUMBER = "SO-2026-000123"


def template_preview(*, body: str, today: dt.date | None = None, profile: CompanyProfile | None = None) -> str:
    """A template's wording as a contract from it would print, filled with the company's own
    profile and an example customer, term and amount. An unknown placeholder is refused, named."""
    from orders.models import Customer

    check_placeholders(body)
    today = today or timezone.localdate()
    starts_on = add_months(today.replace(day=1), 1)
    customer = Customer(
        code="C0000",
        name="株式会社見本商事",
        address="東京都千代田区丸の内1-1-1",
        closing_day=31,
        payment_month_offset=1,
        payment_day=31,
    )
    amended = Contract(number="CT-2026-000001", title="取引基本契約書", issue_date=starts_on - dt.timedelta(days=365))
    example = Contract(
        customer=customer,
        amends=amended,
        amount=Decimal(1000000),
        tax_rate=10,
        starts_on=starts_on,
        ends_on=add_months(starts_on, 12) - dt.timedelta(days=1),
        auto_renew_months=12,
        notice_days=90,
        company_signatory_title="代表取締役",
        company_signatory_name="山田 太郎",
        customer_signatory_title="代表取締役社長",
        customer_signatory_name="見本 一郎",
    )
    values = contract_values(example, profile or company_profile())
    values["deal_number"] = EXAMPLE_DEAL_NUMBER
    return fill_placeholders(body, values)


def contract_document(contract: Contract, *, issue_date: dt.date, profile: CompanyProfile) -> DocumentData:
    customer = contract.customer
    values = contract_values(contract, profile)
    lines, totals = [], compute_totals([], mode=profile.rounding_mode)
    if contract.amount is not None:
        lines = [
            DocumentLine(
                sku="",
                name=contract.title,
                quantity=1,
                unit="式",
                unit_price=contract.amount,
                amount=contract.amount,
                tax_rate=contract.tax_rate,
            )
        ]
        totals = compute_totals([(contract.tax_rate, contract.amount)], mode=profile.rounding_mode)
    duty = contract_stamp_duty(contract, made_on=issue_date)
    extra: dict[str, Any] = {
        "contract_title": contract.title,
        "contract_body": fill_placeholders(contract.body, values),
        "term_start": contract.starts_on,
        "term_end": contract.ends_on,
        "renewal": renewal_summary(contract),
        "stamp_duty": duty.text,
        "requires_approval": contract.requires_approval,
        "approved": True,
    }
    for key, value in (
        ("issuer_signatory", values["company_signatory"]),
        ("recipient_signatory", values["customer_signatory"]),
        ("amends_number", values["amends_number"]),
        ("deal_number", values["deal_number"]),
    ):
        if value:
            extra[key] = value
    return DocumentData(
        kind=DocumentKind.CONTRACT,
        document_date=issue_date,
        recipient=Party(
            name=customer.name,
            honorific="御中",
            postal_code=customer.postal_code,
            address=customer.address,
            phone=customer.phone,
            counterparty_kind=CounterpartyKind.CUSTOMER,
            counterparty_id=customer.pk,
        ),
        lines=lines,
        totals=totals,
        subject=contract.title,
        notes=contract.note,
        extra=extra,
    )


# --- issue, send, sign -----------------------------------------------------------------------


@transaction.atomic
def contract_issue(*, contract: Contract, user, issue_date: dt.date | None = None) -> Contract:
    """Take the contract's CT number, archive its PDF, fix its stamp duty. Only sales admins;
    wording that is not the standard needs a manager's approval first."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins issue contracts."))
    contract = lock_contract(contract.pk)
    require_status(
        contract, *Contract.DRAFT_STATUSES, message=_("This contract has already been issued: it is never edited.")
    )
    if contract.requires_approval and contract.status != Contract.Status.APPROVED:
        raise StateConflict(_("The wording differs from the standard template: a manager must approve it first."))
    if not contract.requires_approval and contract.status != Contract.Status.DRAFT:
        require_status(contract, Contract.Status.DRAFT)
    issue_date = issue_date or timezone.localdate()
    profile = company_profile()
    data = contract_document(contract, issue_date=issue_date, profile=profile)
    duty = contract_stamp_duty(contract, made_on=issue_date)
    document = document_issue(data=data, user=user, source=contract, profile=profile)
    contract.document = document
    contract.number = document.number
    contract.issue_date = issue_date
    contract.stamp_duty = duty.amount
    contract.stamp_duty_basis = duty.basis[:200]
    change_status(
        contract,
        Contract.Status.ISSUED,
        user=user,
        comment=document.number,
        fields=["document", "number", "issue_date", "stamp_duty", "stamp_duty_basis"],
    )
    notify(
        recipients=[contract.customer.sales_rep],
        text=_("Contract %(number)s %(title)s was issued.") % {"number": contract.number, "title": contract.title},
        link=contract_link(contract),
        actor=user,
    )
    return contract


@transaction.atomic
def contract_send(*, contract: Contract, user, sent_on: dt.date | None = None) -> Contract:
    """Record that the issued contract went to the customer for signature."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins send contracts."))
    contract = lock_contract(contract.pk)
    require_status(contract, Contract.Status.ISSUED, message=_("Only an issued contract is sent for signature."))
    contract.sent_on = sent_on or timezone.localdate()
    change_status(contract, Contract.Status.SENT, user=user, fields=["sent_on"])
    return contract


def signed_copy_type(content: bytes) -> tuple[str, str]:
    """(content type, extension) of a countersigned copy: a PDF, JPEG or PNG by its first bytes."""
    for magic, kind in SIGNED_TYPES.items():
        if content.startswith(magic):
            return kind
    raise InvalidInput(_("Upload the countersigned copy as a PDF, JPEG or PNG file."), field="file")


@transaction.atomic
def contract_sign(*, contract: Contract, user, content: bytes, signed_on: dt.date | None = None) -> Contract:
    """Store the countersigned copy (PDF or scan) once, with its SHA-256; the contract is then
    in force for its term. A contract it supersedes ends the day before this one starts."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins record signed contracts."))
    limit = settings.CONTRACTS_SIGNED_MAX_BYTES
    if not content:
        raise InvalidInput(_("Upload the countersigned copy."), field="file")
    if len(content) > limit:
        raise InvalidInput(
            _("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)},
            field="file",
        )
    content_type, extension = signed_copy_type(content)
    signed_on = signed_on or timezone.localdate()
    contract = lock_contract(contract.pk)
    require_status(
        contract, Contract.Status.ISSUED, Contract.Status.SENT, message=_("Only an issued contract can be signed.")
    )
    if contract.signed_file:
        raise StateConflict(_("The countersigned copy is stored already and is never replaced."))
    if signed_on < contract.issue_date:
        raise InvalidInput(_("A contract is not signed before it is issued."), field="signed_on")
    sha256 = hashlib.sha256(content).hexdigest()
    name = default_storage.save(f"contracts/signed/{contract.number}-{sha256[:12]}.{extension}", ContentFile(content))
    contract.signed_file.name = name
    contract.signed_sha256 = sha256
    contract.signed_content_type = content_type
    contract.signed_size = len(content)
    contract.signed_uploaded_by = user
    contract.signed_on = signed_on
    contract.current_ends_on = contract.ends_on
    fields = ["signed_file", "signed_sha256", "signed_content_type", "signed_size", "signed_uploaded_by"]
    change_status(
        contract, Contract.Status.SIGNED, user=user, comment=sha256, fields=[*fields, "signed_on", "current_ends_on"]
    )
    if contract.supersedes_id:
        old = lock_contract(contract.supersedes_id)
        if old.status in LIVE_STATUSES:
            _end(
                old,
                user=user,
                reason=Contract.EndReason.SUPERSEDED,
                ended_on=max(contract.starts_on - dt.timedelta(days=1), old.starts_on),
                comment=contract.number,
            )
    return contract


def contract_signed_bytes(contract: Contract) -> bytes:
    """The countersigned copy, re-hashed: a file changed since it was stored is refused."""
    if not contract.signed_file:
        raise StateConflict(_("No countersigned copy is stored."))
    try:
        with default_storage.open(contract.signed_file.name, "rb") as file:
            content = file.read()
    except OSError as exc:
        raise StateConflict(
            _("The countersigned copy is missing from the storage."), code="signed_copy_missing"
        ) from exc
    if hashlib.sha256(content).hexdigest() != contract.signed_sha256:
        raise StateConflict(
            _("The countersigned copy of %(number)s has been altered (SHA-256 mismatch).")
            % {"number": contract.number},
            code="signed_copy_tampered",
        )
    return content


# --- term: renewal and end --------------------------------------------------------------------


@transaction.atomic
def contract_renew(*, contract: Contract, user, months: int | None = None) -> Contract:
    """Extend a signed contract's term by `months` (default: its automatic renewal). The
    issued contract itself does not change; the renewal is recorded beside it."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins renew contracts."))
    contract = lock_contract(contract.pk)
    return _renew(contract, user=user, months=months, automatic=False)


def _renew(contract: Contract, *, user, months: int | None, automatic: bool) -> Contract:
    require_status(contract, Contract.Status.SIGNED, message=_("Only a signed contract in force is renewed."))
    if contract.notice_given_on:
        raise StateConflict(
            _("Notice was given on %(date)s: the contract ends on %(end)s.")
            % {"date": _date_text(contract.notice_given_on), "end": _date_text(contract.term_end)}
        )
    months = contract.auto_renew_months if months is None else months
    if not months or months < 1 or months > 120:
        raise InvalidInput(_("Renew by 1 to 120 months."), field="months")
    previous = contract.term_end
    contract.current_ends_on = renewed_end(previous, months)
    contract.save(update_fields=["current_ends_on", "updated_at"])
    ContractRenewal.objects.create(
        contract=contract,
        previous_end=previous,
        new_end=contract.current_ends_on,
        automatic=automatic,
        renewed_by=audit.actor_or_none(user),
    )
    audit.record(
        actor=user,
        action="contract.renew",
        obj=contract,
        changes={
            "term_end": {"before": previous, "after": contract.current_ends_on},
            "months": months,
            "automatic": automatic,
        },
    )
    return contract


@transaction.atomic
def contract_give_notice(*, contract: Contract, user, given_on: dt.date | None = None) -> Contract:
    """Record notice not to renew, given by either party within the notice period: the
    contract stays in force to its term end, then ends (cancelled) instead of renewing."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins end contracts."))
    contract = lock_contract(contract.pk)
    require_status(contract, Contract.Status.SIGNED, message=_("Only a signed contract in force stops renewing."))
    if not contract.auto_renew_months:
        raise StateConflict(
            _("This contract does not renew itself: it ends on %(end)s.") % {"end": _date_text(contract.term_end)}
        )
    if contract.notice_given_on:
        raise StateConflict(
            _("Notice was given on %(date)s: the contract ends on %(end)s.")
            % {"date": _date_text(contract.notice_given_on), "end": _date_text(contract.term_end)}
        )
    given_on = given_on or timezone.localdate()
    deadline = notice_date(contract.term_end, contract.notice_days) or contract.term_end
    if given_on > deadline:
        raise InvalidInput(
            _("The notice period has passed (notice was due by %(deadline)s): the contract renews on %(end)s.")
            % {"deadline": _date_text(deadline), "end": _date_text(contract.term_end + dt.timedelta(days=1))},
            field="given_on",
        )
    if given_on < contract.signed_on:
        raise InvalidInput(_("Notice is not given before the contract was signed."), field="given_on")
    contract.notice_given_on = given_on
    contract.save(update_fields=["notice_given_on", "updated_at"])
    audit.record(
        actor=user,
        action="contract.notice",
        obj=contract,
        changes={"notice_given_on": {"before": None, "after": given_on}, "ends_on": contract.term_end},
    )
    return contract


@transaction.atomic
def contract_end(
    *, contract: Contract, user, reason: str, ended_on: dt.date | None = None, comment: str = ""
) -> Contract:
    """End an issued contract: expired, cancelled (by notice or agreement), or superseded."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins end contracts."))
    if reason not in Contract.EndReason.values:
        raise InvalidInput(_("Say why the contract ends: expired, cancelled or superseded."), field="reason")
    contract = lock_contract(contract.pk)
    require_status(contract, *LIVE_STATUSES, message=_("Only an issued contract that has not ended can end."))
    ended_on = ended_on or timezone.localdate()
    if contract.issue_date and ended_on < contract.issue_date:
        raise InvalidInput(_("A contract does not end before it was issued."), field="ended_on")
    return _end(contract, user=user, reason=reason, ended_on=ended_on, comment=comment)


def _end(contract: Contract, *, user, reason: str, ended_on: dt.date, comment: str = "") -> Contract:
    contract.ended_on = ended_on
    contract.end_reason = reason
    change_status(
        contract,
        Contract.Status.ENDED,
        user=user,
        comment=comment or str(Contract.EndReason(reason).label),
        fields=["ended_on", "end_reason"],
    )
    return contract


def contracts_roll(*, today: dt.date | None = None, user=None) -> dict[str, int]:
    """The daily step (Celery beat): a signed contract past its term is renewed by its
    automatic renewal (as often as needed to reach today) or ends: expired, or cancelled
    when notice was given in time. One transaction per contract."""
    today = today or timezone.localdate()
    renewed = expired = 0
    due = Contract.objects.filter(status=Contract.Status.SIGNED, current_ends_on__lt=today)
    for pk in due.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            contract = lock_contract(pk)
            if contract.status != Contract.Status.SIGNED or contract.term_end >= today:
                continue
            if contract.notice_given_on:  # notice given in time: it ends instead of renewing
                _end(
                    contract,
                    user=user,
                    reason=Contract.EndReason.CANCELLED,
                    ended_on=contract.term_end,
                    comment=_("notice given on %(date)s") % {"date": contract.notice_given_on.strftime("%Y/%m/%d")},
                )
                expired += 1
            elif contract.auto_renew_months:
                while contract.term_end < today:
                    _renew(contract, user=user, months=None, automatic=True)
                renewed += 1
            else:
                _end(contract, user=user, reason=Contract.EndReason.EXPIRED, ended_on=contract.term_end)
                expired += 1
    return {"renewed": renewed, "expired": expired}


def contracts_remind(*, today: dt.date | None = None, days: int | None = None) -> int:
    """Tell the sales admins and the customer's rep, once per term end, about a contract
    that ends or reaches its notice date within `days` days (the daily beat task)."""
    from ..selectors import contracts_due

    today = today or timezone.localdate()
    days = settings.CONTRACTS_REMINDER_DAYS if days is None else days
    admins = list(_sales_admins())
    count = 0
    for item in contracts_due(today=today, days=days, unreminded=True):
        contract = item.contract
        with transaction.atomic():
            updated = Contract.objects.filter(pk=contract.pk).exclude(reminded_for_end=contract.term_end)
            if not updated.update(reminded_for_end=contract.term_end):
                continue
            if item.notice_on and item.notice_on >= today:
                text = _("Contract %(number)s with %(customer)s: notice by %(notice)s, or it renews on %(end)s.")
            else:
                text = _("Contract %(number)s with %(customer)s ends on %(end)s.")
            notify(
                recipients=[*admins, contract.customer.sales_rep],
                text=text
                % {
                    "number": contract.number,
                    "customer": contract.customer.name,
                    "notice": item.notice_on.strftime("%Y/%m/%d") if item.notice_on else "",
                    "end": contract.term_end.strftime("%Y/%m/%d"),
                },
                link=contract_link(contract),
            )
            count += 1
    return count
