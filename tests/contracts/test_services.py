"""The contract lifecycle by service: draft, approval, issue (number, PDF, stamp duty), send,
sign (hashed copy), renewal, end, the daily roll and the reminders."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest

from backoffice.exceptions import InvalidInput, NotAllowed, StateConflict
from backoffice.models import AuditEvent, Notification
from backoffice.status import status_history
from contracts import services
from contracts.models import Contract, ContractTemplate
from contracts.selectors import contracts_due, master_agreement_state
from tests.contracts.helpers import MINIMAL_PDF, PNG, draft_master, issue, pdf_text, signed

pytestmark = pytest.mark.django_db


def test_a_master_agreement_is_issued_with_its_number_stamp_duty_and_pdf(
    company, admin_user, rep_user, customer, templates, django_capture_on_commit_callbacks
):
    contract = draft_master(admin_user, customer, templates["master"])
    assert contract.status == "draft" and not contract.requires_approval
    contract = issue(contract, admin_user, django_capture_on_commit_callbacks)
    assert contract.status == "issued"
    assert contract.number == "CT-2026-000001"
    assert contract.issue_date == dt.date(2026, 12, 4)
    assert contract.stamp_duty == Decimal(4000)
    assert contract.stamp_duty_basis == "第7号文書（継続的取引の基本となる契約書）"
    assert contract.document.kind == "contract" and contract.document.number == "CT-2026-000001"
    contract.document.refresh_from_db()
    assert len(contract.document.sha256) == 64
    text = pdf_text(contract.document_id)
    for expected in (
        "取引基本契約書",
        "No. CT-2026-000001",
        "発行日 2026年12月4日",
        "株式会社サンプル商事（以下「甲」という。）と株式会社北斗精機（以下「乙」という。）",
        "2026年12月1日 〜 2027年11月30日",
        "商品の代金を毎月20日締め、翌月10日払いで",
        "第7号文書（継続的取引の基本となる契約書）：4,000円",
        "甲（住所）東京都千代田区千代田1-1",
        "乙（住所）大阪府大阪市北区梅田1-2-3",
        "（代表者）代表取締役 山田 太郎",
        "（代表者）代表取締役社長 北村 一郎",
        "12か月ごと（満了の90日前までの申出で終了）",
        "2027年11月30日までとする。ただし、期間満了の90日前までに甲乙いずれからも書面による申し出がないときは、"
        "同一条件でさらに12か月更新するものとし、以後も同様とする。",
    ):
        assert expected in text, expected
    assert Notification.objects.filter(recipient=rep_user, text__contains="CT-2026-000001").exists()


def test_an_individual_contract_prints_its_amount_tax_and_deal(
    company, admin_user, customer, templates, django_capture_on_commit_callbacks
):
    contract = services.contract_create(
        user=admin_user,
        data={
            "customer": customer,
            "template": templates["individual"],
            "starts_on": dt.date(2026, 12, 10),
            "ends_on": dt.date(2027, 1, 31),
            "amount": Decimal("1234567"),
            "stamp_class": "no2",
        },
    )
    contract = issue(contract, admin_user, django_capture_on_commit_callbacks)
    assert contract.stamp_duty == Decimal(400)  # 第2号 100万円超200万円以下
    assert contract.document.amount == Decimal("1358023")
    text = pdf_text(contract.document_id)
    assert "個別契約書" in text
    assert "契約金額は1,234,567円（消費税123,456円を除く。税込金額1,358,023円）とする。" in text
    assert "¥1,234,567（消費税 ¥123,456、税込 ¥1,358,023）" in text
    assert "第2号文書（請負に関する契約書）：400円" in text


def test_an_electronic_contract_states_that_it_needs_no_stamp(
    company, admin_user, customer, templates, django_capture_on_commit_callbacks
):
    contract = issue(
        draft_master(admin_user, customer, templates["master"], on_paper=False),
        admin_user,
        django_capture_on_commit_callbacks,
    )
    assert contract.stamp_duty == 0
    assert "電子契約のため印紙税は不要" in pdf_text(contract.document_id)


def test_an_issued_contract_is_never_edited(
    company, admin_user, customer, templates, django_capture_on_commit_callbacks
):
    contract = issue(
        draft_master(admin_user, customer, templates["master"]), admin_user, django_capture_on_commit_callbacks
    )
    with pytest.raises(StateConflict, match="覚書"):
        services.contract_update(contract=contract, user=admin_user, data={"ends_on": dt.date(2028, 11, 30)})
    with pytest.raises(StateConflict):
        services.contract_issue(contract=contract, user=admin_user)
    contract.refresh_from_db()
    assert contract.ends_on == dt.date(2027, 11, 30)


def test_an_amendment_points_at_the_contract_it_amends(
    company, admin_user, customer, templates, django_capture_on_commit_callbacks
):
    master = issue(
        draft_master(admin_user, customer, templates["master"]), admin_user, django_capture_on_commit_callbacks
    )
    with pytest.raises(InvalidInput) as refused:
        services.contract_create(
            user=admin_user,
            data={
                "customer": customer,
                "template": templates["amendment"],
                "starts_on": dt.date(2027, 1, 1),
                "ends_on": dt.date(2027, 11, 30),
            },
        )
    assert refused.value.field == "amends"
    memo = services.contract_create(
        user=admin_user,
        data={
            "customer": customer,
            "template": templates["amendment"],
            "amends": master,
            "starts_on": dt.date(2027, 1, 1),
            "ends_on": dt.date(2027, 11, 30),
        },
    )
    memo = issue(memo, admin_user, django_capture_on_commit_callbacks)
    assert memo.number == "CT-2026-000002"
    text = pdf_text(memo.document_id)
    assert "覚書" in text
    assert "ただし" not in text  # no renewal: no renewal clause
    assert "2026年12月4日付で締結した取引基本契約書（契約番号 CT-2026-000001、以下「原契約」という。）" in text
    assert "原契約CT-2026-000001" in text


def test_changed_wording_needs_a_manager_before_issue(
    company, admin_user, manager_user, customer, templates, django_capture_on_commit_callbacks
):
    contract = draft_master(admin_user, customer, templates["master"])
    contract = services.contract_update(
        contract=contract, user=admin_user, data={"body": templates["master"].body + "\n第9条（特約）\n特約事項。"}
    )
    assert contract.requires_approval
    with pytest.raises(StateConflict, match="manager|承認"):
        services.contract_issue(contract=contract, user=admin_user)
    with pytest.raises(NotAllowed):
        services.contract_approve(contract=contract, user=admin_user)
    services.contract_submit(contract=contract, user=admin_user)
    assert Notification.objects.filter(recipient=manager_user).count() == 1
    with pytest.raises(InvalidInput):
        services.contract_reject(contract=contract, user=manager_user, comment=" ")
    services.contract_approve(contract=contract, user=manager_user, comment="OK")
    contract = issue(contract, admin_user, django_capture_on_commit_callbacks)
    assert contract.status == "issued"
    assert "第9条（特約）" in pdf_text(contract.document_id)
    assert [e.to_status for e in status_history(contract)] == ["pending_approval", "approved", "issued"]


def test_only_sales_admins_draft_and_issue(company, rep_user, manager_user, customer, templates):
    with pytest.raises(NotAllowed):
        draft_master(rep_user, customer, templates["master"])
    with pytest.raises(NotAllowed):
        draft_master(manager_user, customer, templates["master"])


def test_signing_stores_the_copy_once_with_its_hash(
    company, admin_user, customer, templates, django_capture_on_commit_callbacks
):
    contract = issue(
        draft_master(admin_user, customer, templates["master"]), admin_user, django_capture_on_commit_callbacks
    )
    contract = services.contract_send(contract=contract, user=admin_user)
    assert contract.status == "sent" and contract.sent_on == dt.date(2026, 12, 4)
    with pytest.raises(InvalidInput) as refused:
        services.contract_sign(contract=contract, user=admin_user, content=b"GIF89a....")
    assert refused.value.field == "file"
    contract = services.contract_sign(contract=contract, user=admin_user, content=PNG, signed_on=dt.date(2026, 12, 4))
    assert contract.status == "signed"
    assert contract.signed_sha256 == hashlib.sha256(PNG).hexdigest()
    assert contract.signed_content_type == "image/png"
    assert contract.current_ends_on == dt.date(2027, 11, 30)
    assert services.contract_signed_bytes(contract) == PNG
    with pytest.raises(StateConflict):
        services.contract_sign(contract=contract, user=admin_user, content=MINIMAL_PDF)
    # bytes changed behind the system's back are refused
    with open(contract.signed_file.path, "wb") as file:
        file.write(PNG + b"x")
    with pytest.raises(StateConflict, match="SHA-256"):
        services.contract_signed_bytes(contract)


def test_a_too_large_copy_is_refused(
    settings, company, admin_user, customer, templates, django_capture_on_commit_callbacks
):
    settings.CONTRACTS_SIGNED_MAX_BYTES = 100
    contract = issue(
        draft_master(admin_user, customer, templates["master"]), admin_user, django_capture_on_commit_callbacks
    )
    with pytest.raises(InvalidInput) as refused:
        services.contract_sign(contract=contract, user=admin_user, content=MINIMAL_PDF + b" " * 100)
    assert refused.value.field == "file"
    assert Contract.objects.get(pk=contract.pk).status == "issued"


def test_renewal_across_month_ends_and_leap_years(
    company, admin_user, customer, templates, django_capture_on_commit_callbacks
):
    contract = signed(
        draft_master(
            admin_user, customer, templates["master"], starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2027, 2, 28)
        ),
        admin_user,
        django_capture_on_commit_callbacks,
        issue_date=dt.date(2026, 2, 20),
        signed_on=dt.date(2026, 2, 25),
    )
    contract = services.contract_renew(contract=contract, user=admin_user)
    assert contract.term_end == dt.date(2028, 2, 29)
    contract = services.contract_renew(contract=contract, user=admin_user, months=1)
    assert contract.term_end == dt.date(2028, 3, 31)
    assert contract.ends_on == dt.date(2027, 2, 28)  # what the issued contract says never changes
    assert [(r.previous_end, r.new_end) for r in contract.renewals.all()] == [
        (dt.date(2027, 2, 28), dt.date(2028, 2, 29)),
        (dt.date(2028, 2, 29), dt.date(2028, 3, 31)),
    ]
    assert AuditEvent.objects.filter(action="contract.renew", object_id=str(contract.pk)).count() == 2


def test_the_daily_roll_renews_or_expires(company, admin_user, customer, templates, django_capture_on_commit_callbacks):
    renewing = signed(
        draft_master(
            admin_user,
            customer,
            templates["master"],
            starts_on=dt.date(2025, 12, 1),
            ends_on=dt.date(2026, 1, 31),
            auto_renew_months=1,
        ),
        admin_user,
        django_capture_on_commit_callbacks,
        issue_date=dt.date(2025, 11, 20),
        signed_on=dt.date(2025, 11, 25),
    )
    expiring = signed(
        draft_master(
            admin_user,
            customer,
            templates["master"],
            starts_on=dt.date(2025, 12, 1),
            ends_on=dt.date(2026, 11, 30),
            auto_renew_months=0,
        ),
        admin_user,
        django_capture_on_commit_callbacks,
        issue_date=dt.date(2025, 11, 20),
        signed_on=dt.date(2025, 11, 25),
    )
    assert services.contracts_roll(today=dt.date(2026, 12, 4)) == {"renewed": 1, "expired": 1}
    renewing.refresh_from_db()
    expiring.refresh_from_db()
    # 2026-01-31 → 02-28 → 03-31 → ... → 2026-12-31: month ends kept
    assert renewing.term_end == dt.date(2026, 12, 31)
    assert renewing.renewals.count() == 11
    assert (
        expiring.status == "ended" and expiring.end_reason == "expired" and expiring.ended_on == dt.date(2026, 11, 30)
    )


def test_the_reminder_selection_and_mail(
    company, admin_user, rep_user, customer, templates, django_capture_on_commit_callbacks, mailoutbox
):
    def make(ends_on, renew, notice):
        return signed(
            draft_master(
                admin_user,
                customer,
                templates["master"],
                starts_on=dt.date(2026, 1, 1),
                ends_on=ends_on,
                auto_renew_months=renew,
                notice_days=notice,
            ),
            admin_user,
            django_capture_on_commit_callbacks,
            signed_on=dt.date(2026, 12, 4),
        )

    ends_in_60 = make(dt.date(2027, 2, 2), 0, 0)  # today + 60 days
    ends_in_61 = make(dt.date(2027, 2, 3), 0, 0)
    notice_in_10 = make(dt.date(2027, 3, 31), 12, 107)  # notice by 2026-12-14
    notice_passed = make(dt.date(2027, 3, 31), 12, 120)  # notice was due 2026-12-01, end 117 days away
    due = contracts_due(today=dt.date(2026, 12, 4), days=60)
    assert [(d.contract.pk, d.days_left) for d in due] == [(notice_in_10.pk, 10), (ends_in_60.pk, 60)]
    assert {ends_in_61.pk, notice_passed.pk}.isdisjoint({d.contract.pk for d in due})
    assert [d.contract.pk for d in contracts_due(today=dt.date(2026, 12, 4), days=60, user=rep_user)] == [
        notice_in_10.pk,
        ends_in_60.pk,
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.contracts_remind(today=dt.date(2026, 12, 4), days=60) == 2
    texts = sorted(
        Notification.objects.filter(recipient=rep_user, text__contains="との契約").values_list("text", flat=True)
    )
    assert texts == [
        "株式会社北斗精機との契約 CT-2026-000001 は 2027/02/02 に終了します。",
        "株式会社北斗精機との契約 CT-2026-000003 は 2026/12/14 までに申し出がなければ 2027/03/31 に更新されます。",
    ]
    assert {m.to[0] for m in mailoutbox} == {"rep1@example.jp", "admin1@example.jp"}
    # the next day only the contract that has just come within 60 days; each once per term end
    assert services.contracts_remind(today=dt.date(2026, 12, 5), days=60) == 1
    assert services.contracts_remind(today=dt.date(2026, 12, 6), days=60) == 0


def test_a_new_version_supersedes_the_old_one_when_signed(
    company, admin_user, customer, templates, django_capture_on_commit_callbacks
):
    old = signed(
        draft_master(admin_user, customer, templates["master"]), admin_user, django_capture_on_commit_callbacks
    )
    new = signed(
        draft_master(
            admin_user,
            customer,
            templates["master"],
            supersedes=old,
            starts_on=dt.date(2027, 1, 1),
            ends_on=dt.date(2027, 12, 31),
        ),
        admin_user,
        django_capture_on_commit_callbacks,
    )
    old.refresh_from_db()
    assert new.status == "signed"
    assert (old.status, old.end_reason, old.ended_on) == ("ended", "superseded", dt.date(2026, 12, 31))


def test_master_agreement_state(company, admin_user, customer, templates, django_capture_on_commit_callbacks):
    assert not master_agreement_state(customer.pk, today=dt.date(2026, 12, 4)).ended
    contract = signed(
        draft_master(admin_user, customer, templates["master"]), admin_user, django_capture_on_commit_callbacks
    )
    assert master_agreement_state(customer.pk, today=dt.date(2026, 12, 4)).in_force == contract
    services.contract_end(contract=contract, user=admin_user, reason="cancelled", ended_on=dt.date(2026, 12, 4))
    assert master_agreement_state(customer.pk, today=dt.date(2026, 12, 4)).ended


def test_a_template_edit_is_a_new_version_and_contracts_keep_theirs(company, admin_user, customer, templates):
    template = templates["master"]
    contract = draft_master(admin_user, customer, template)
    new = services.contract_template_update(template=template, user=admin_user, data={"body": template.body + "\n追記"})
    assert (new.version, new.is_current) == (2, True)
    assert ContractTemplate.objects.get(pk=template.pk).is_current is False
    contract.refresh_from_db()
    assert contract.template_id == template.pk
    with pytest.raises(InvalidInput) as refused:
        services.contract_template_update(template=new, user=admin_user, data={"body": "{unknown_field}"})
    assert refused.value.field == "body"
    with pytest.raises(InvalidInput) as refused:
        draft_master(admin_user, customer, ContractTemplate.objects.get(pk=template.pk))
    assert refused.value.field == "template"
