"""Reads of contracts that need thought: who sees which, what is due for a reminder, and
whether a customer's master agreement is still in force."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from backoffice.roles import restrict_to_own_customers

from .models import Contract, ContractKind, ContractTemplate
from .terms import notice_date

IN_TERM = (Contract.Status.ISSUED, Contract.Status.SENT, Contract.Status.SIGNED)


def contracts_visible_to(user) -> QuerySet[Contract]:
    """Every contract for admins and managers; a rep's own customers' only."""
    queryset = Contract.objects.select_related("customer", "customer__sales_rep", "template", "created_by")
    return restrict_to_own_customers(queryset, user)


def contracts_matching(
    *,
    user,
    customer=None,
    kind: str = "",
    status: str = "",
    ending_before: dt.date | None = None,
    text: str = "",
) -> QuerySet[Contract]:
    contracts = contracts_visible_to(user)
    if customer is not None:
        contracts = contracts.filter(customer=customer)
    if kind:
        contracts = contracts.filter(kind=kind)
    if status:
        contracts = contracts.filter(status=status)
    if ending_before is not None:
        contracts = ending_before_filter(contracts, ending_before)
    if text:
        contracts = contracts.filter(
            Q(number__icontains=text) | Q(title__icontains=text) | Q(customer__name__icontains=text)
        )
    return contracts


def ending_before_filter(contracts: QuerySet[Contract], day: dt.date) -> QuerySet[Contract]:
    """Contracts not ended whose term (as renewed) ends before `day`."""
    return contracts.exclude(status=Contract.Status.ENDED).filter(
        Q(current_ends_on__lt=day) | Q(current_ends_on__isnull=True, ends_on__lt=day)
    )


@dataclass(frozen=True)
class DueContract:
    contract: Contract
    notice_on: dt.date | None  # the last day to give notice, when the contract renews itself
    ends_on: dt.date
    days_left: int  # until the nearer of the two dates still ahead


def contracts_due(*, today: dt.date, days: int, user=None, unreminded: bool = False) -> list[DueContract]:
    """Signed contracts that end, or reach their notice date, within `days` days from today
    (today included), nearest first. `user`: only what that user sees; `unreminded`: only
    those not yet reminded of their current term end."""
    horizon = today + dt.timedelta(days=days)
    candidates = (
        Contract.objects.select_related("customer", "customer__sales_rep")
        .filter(status=Contract.Status.SIGNED, current_ends_on__gte=today)
        .filter(
            Q(current_ends_on__lte=horizon)
            # the notice date is at most a year before the end (MAX_NOTICE_DAYS)
            | Q(notice_days__gt=0, auto_renew_months__gt=0, current_ends_on__lte=horizon + dt.timedelta(days=366))
        )
        .order_by("current_ends_on", "pk")
    )
    if user is not None:
        candidates = restrict_to_own_customers(candidates, user)
    due = []
    for contract in candidates:
        end = contract.term_end
        if unreminded and contract.reminded_for_end == end:
            continue
        renews = contract.auto_renew_months and not contract.notice_given_on
        notice = notice_date(end, contract.notice_days) if renews else None
        dates = [d for d in (notice, end) if d is not None and today <= d <= horizon]
        if not dates:
            continue
        due.append(DueContract(contract, notice, end, (min(dates) - today).days))
    return sorted(due, key=lambda d: (d.days_left, d.contract.pk))


def contracts_pending_approval(user=None) -> QuerySet[Contract]:
    contracts = Contract.objects.select_related("customer", "created_by", "template").filter(
        status=Contract.Status.PENDING_APPROVAL
    )
    return contracts.order_by("pk")


@dataclass(frozen=True)
class MasterAgreementState:
    in_force: Contract | None
    latest: Contract | None  # the most recent master agreement, in force or not

    @property
    def ended(self) -> bool:
        """The customer had a master agreement and none is in force now: the warning."""
        return self.latest is not None and self.in_force is None


def master_agreement_state(customer_id: int, *, today: dt.date) -> MasterAgreementState:
    masters = list(
        Contract.objects.filter(customer_id=customer_id, kind=ContractKind.MASTER)
        .exclude(status__in=Contract.DRAFT_STATUSES)
        .order_by("-starts_on", "-pk")
    )
    in_force = next(
        (c for c in masters if c.status == Contract.Status.SIGNED and c.starts_on <= today <= c.term_end), None
    )
    pending = next((c for c in masters if c.status in (Contract.Status.ISSUED, Contract.Status.SENT)), None)
    return MasterAgreementState(in_force=in_force or pending, latest=masters[0] if masters else None)


def current_templates() -> QuerySet[ContractTemplate]:
    return ContractTemplate.objects.filter(is_current=True).order_by("kind", "code")


@dataclass(frozen=True)
class TemplateKindGroup:
    kind: str
    label: str
    templates: list[ContractTemplate]  # current versions, each with `versions` (how many)


def templates_by_kind() -> list[TemplateKindGroup]:
    """The current version of every template, by kind in the kinds' order, each with the
    number of versions its code has (two queries)."""
    versions = dict(ContractTemplate.objects.values_list("code").annotate(n=Count("pk")).order_by())
    current = list(current_templates().select_related("created_by"))
    groups = []
    for kind, label in ContractKind.choices:
        templates = [t for t in current if t.kind == kind]
        for template in templates:
            template.versions = versions.get(template.code, 1)
        groups.append(TemplateKindGroup(kind, label, templates))
    return groups


def template_versions(code: str) -> QuerySet[ContractTemplate]:
    """Every version of a template, newest first, with how many contracts were drafted from each."""
    return (
        ContractTemplate.objects.filter(code=code)
        .select_related("created_by")
        .annotate(contract_count=Count("contracts"))
        .order_by("-version")
    )


@dataclass(frozen=True)
class WordingChange:
    kind: str  # "added", "removed", "same" (a line around a change) or "gap" (unchanged lines left out)
    text: str


def wording_changes(template: ContractTemplate, previous: ContractTemplate | None) -> list[WordingChange]:
    """The lines of `template`'s wording that differ from the version before it, with one line
    around each change: what a manager reads before making new wording the standard. Empty
    when there is no earlier version or the wording is the same."""
    if previous is None or previous.body == template.body:
        return []
    changes = []
    lines = difflib.unified_diff(previous.body.splitlines(), template.body.splitlines(), n=1, lineterm="")
    for line in list(lines)[2:]:  # past the ---/+++ header
        if line.startswith("@@"):
            changes.append(WordingChange("gap", ""))
        else:
            kind = {"+": "added", "-": "removed"}.get(line[:1], "same")
            changes.append(WordingChange(kind, line[1:]))
    return changes[1:] if changes and changes[0].kind == "gap" else changes
