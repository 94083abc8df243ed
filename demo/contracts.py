"""Contracts in the demo: a master agreement in force with automatic renewal, one ending soon
(on the home page's reminders), a draft NDA, and an individual contract with a special clause
waiting for the manager's approval. Loaded once."""

import datetime as dt

from django.utils import timezone

from contracts import services
from contracts.models import Contract, ContractTemplate
from contracts.terms import add_months
from orders.models import Customer

# A stand-in for the scan of the countersigned paper (a real upload is a PDF, JPEG or PNG).
SIGNED_SCAN = b"%PDF-1.4\n% demo: countersigned copy\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def load_contracts(users: dict) -> None:
    if Contract.objects.exists():
        return
    admin = users["sales_admin"]
    today = timezone.localdate()
    templates = {t.kind: t for t in ContractTemplate.objects.filter(is_current=True)}
    customers = list(Customer.objects.order_by("code")[:3])
    if len(customers) < 3 or "master" not in templates:
        return
    ours = {"company_signatory_title": "代表取締役", "company_signatory_name": "佐藤 健一"}

    def signed_master(customer, starts_on, ends_on, renew, notice, signatory):
        contract = services.contract_create(
            user=admin,
            data={
                "customer": customer,
                "template": templates["master"],
                "starts_on": starts_on,
                "ends_on": ends_on,
                "auto_renew_months": renew,
                "notice_days": notice,
                "customer_signatory_title": "代表取締役",
                "customer_signatory_name": signatory,
                **ours,
            },
        )
        issued_on = min(today, starts_on - dt.timedelta(days=7))
        contract = services.contract_issue(contract=contract, user=admin, issue_date=issued_on)
        services.contract_send(contract=contract, user=admin, sent_on=issued_on)
        return services.contract_sign(contract=contract, user=admin, content=SIGNED_SCAN, signed_on=issued_on)

    # In force: started last April, renews every 12 months unless notice 90 days before the end.
    start = dt.date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    signed_master(customers[0], start, add_months(start, 12) - dt.timedelta(days=1), 12, 90, "山本 一郎")
    # Ending soon: a one-year agreement without renewal that ends in 40 days.
    end = today + dt.timedelta(days=40)
    signed_master(customers[1], add_months(end, -12) + dt.timedelta(days=1), end, 0, 0, "中村 花子")
    services.contract_create(
        user=admin,
        data={
            "customer": customers[2],
            "template": templates["nda"],
            "starts_on": today,
            "ends_on": add_months(today, 24) - dt.timedelta(days=1),
            **ours,
        },
    )
    if "individual" in templates:
        # A special clause added to the standard wording: the manager is asked to approve it.
        template = templates["individual"]
        special = "\n\n特約　納品後30日以内に限り、未開封品の返品を受け付ける。"
        individual = services.contract_create(
            user=admin,
            data={
                "customer": customers[0],
                "template": template,
                "body": template.body + special,
                "starts_on": today,
                "ends_on": add_months(today, 6) - dt.timedelta(days=1),
                "amount": 1_200_000,
                **ours,
            },
        )
        services.contract_submit(contract=individual, user=admin)
