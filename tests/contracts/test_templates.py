"""Contract templates: versions (an issued contract keeps the version it used), the placeholders
the renderer knows, the preview, and the template screens by role."""

import datetime as dt

import pytest
from django.utils import translation

from backoffice.exceptions import InvalidInput, NotAllowed, StateConflict
from backoffice.models import AuditEvent
from contracts import services
from contracts.models import Contract, ContractTemplate
from tests.contracts.helpers import draft_master, issue, pdf_text
from tests.web.pages import client_for, text_of

pytestmark = pytest.mark.django_db

NEW_ARTICLE = "第9条（反社会的勢力の排除）\n{customer_name}は反社会的勢力に該当しないことを表明する。"


def ja(message: str) -> str:
    with translation.override("ja"):
        return translation.gettext(message)


def test_an_issued_contract_keeps_the_template_version_it_used(
    company, admin_user, customer, templates, django_capture_on_commit_callbacks
):
    v1 = templates["master"]
    issued = issue(draft_master(admin_user, customer, v1), admin_user, django_capture_on_commit_callbacks)
    draft_from_v1 = draft_master(admin_user, customer, v1)

    v2 = services.contract_template_update(
        template=v1, user=admin_user, data={"body": v1.body + "\n" + NEW_ARTICLE, "is_standard": False}
    )
    assert (v2.version, v2.is_current, v2.is_standard, v2.code) == (2, True, False, "STD-MASTER")

    issued.refresh_from_db()
    assert (issued.template_id, issued.template.version, issued.body) == (v1.pk, 1, v1.body)
    assert "反社会的勢力" not in pdf_text(issued.document_id)
    assert "反社会的勢力" not in services.contract_text(issued)
    draft_from_v1.refresh_from_db()
    assert (draft_from_v1.template_id, draft_from_v1.requires_approval) == (v1.pk, False)

    from_v2 = draft_master(admin_user, customer, v2)
    assert from_v2.template.version == 2
    assert "株式会社北斗精機は反社会的勢力に該当しないことを表明する。" in services.contract_text(from_v2)
    # v2 is not the standard wording: a manager approves before it is issued
    assert from_v2.requires_approval
    event = AuditEvent.objects.get(action="contract_template.new_version")
    assert event.changes["version"] == {"before": 1, "after": 2}
    assert event.changes["is_standard"] == {"before": True, "after": False}


def test_new_wording_is_the_standard_only_once_a_manager_marks_it(
    company, admin_user, manager_user, customer, templates, django_capture_on_commit_callbacks
):
    v1 = templates["master"]
    # a sales admin's changed wording is saved as not standard, unasked
    v2 = services.contract_template_update(template=v1, user=admin_user, data={"body": v1.body + "\n" + NEW_ARTICLE})
    assert (v2.version, v2.is_standard) == (2, False)
    # asking for the standard mark on changed wording is refused, naming the field; nothing saved
    with pytest.raises(InvalidInput) as refused:
        services.contract_template_update(
            template=v2, user=admin_user, data={"body": v2.body + "\n第10条", "is_standard": True}
        )
    assert refused.value.field == "is_standard"
    assert ContractTemplate.objects.filter(code="STD-MASTER").count() == 2
    with pytest.raises(InvalidInput):
        services.contract_template_create(
            user=admin_user, data={"kind": "nda", "code": "MY-NDA", "name": "自作", "body": "本文", "is_standard": True}
        )
    assert draft_master(admin_user, customer, v2).requires_approval

    marked = services.contract_template_mark_standard(template=v2, user=manager_user)
    assert marked.is_standard
    assert not draft_master(admin_user, customer, marked).requires_approval
    event = AuditEvent.objects.get(action="contract_template.mark_standard")
    assert (event.actor, event.changes) == (manager_user, {"is_standard": {"before": False, "after": True}})
    # renaming keeps the mark (the wording is the same); the old version cannot be marked
    v3 = services.contract_template_update(template=v2, user=admin_user, data={"name": "取引基本契約書（2027年版）"})
    assert (v3.version, v3.is_standard) == (3, True)
    with pytest.raises(StateConflict):
        services.contract_template_mark_standard(template=v1, user=manager_user)
    with pytest.raises(NotAllowed):
        services.contract_template_mark_standard(template=v3, user=admin_user)


def test_a_manager_marks_the_standard_on_the_template_page_and_through_the_api(
    company, admin_user, manager_user, templates, api_as
):
    v1 = templates["nda"]
    admin = client_for(admin_user)
    edited = admin.post(
        f"/contracts/templates/{v1.pk}/edit/",
        {"name": v1.name, "stamp_class": v1.stamp_class, "body": v1.body + "\n第9条", "save": "1"},
    )
    v2 = ContractTemplate.objects.get(code="STD-NDA", is_current=True)
    assert (v2.version, v2.is_standard) == (2, False)
    assert "マネージャーが標準にするまで" in text_of(admin.get(edited["Location"]))
    url = f"/contracts/templates/{v2.pk}/"
    assert "/standard/" not in client_for(admin_user).get(url).content.decode()
    assert "標準の文言はマネージャーが決めます。" in text_of(client_for(admin_user).get(url))
    manager = client_for(manager_user)
    page = manager.get(url)
    assert f'action="/contracts/templates/{v2.pk}/standard/"' in page.content.decode()
    # what the manager decides on: the lines changed from version 1, one line around each
    changes = page.context["changes"]
    last_line = v1.body.splitlines()[-1]
    assert [(c.kind, c.text) for c in changes] == [("same", last_line), ("added", "第9条")]
    assert "第1版からの変更" in text_of(page) and "<ins>第9条</ins>" in page.content.decode()
    assert client_for(admin_user).post(f"{url}standard/").status_code == 403

    response = manager.post(f"{url}standard/")
    assert response.status_code == 302
    assert "標準の文言になりました" in text_of(manager.get(response["Location"]))
    v2.refresh_from_db()
    assert v2.is_standard

    v3 = services.contract_template_update(template=v2, user=admin_user, data={"body": v2.body + "\n第10条"})
    api = f"/api/v1/contract-templates/{v3.pk}/mark-standard/"
    assert api_as(admin_user).post(api).status_code == 403
    answer = api_as(manager_user).post(api)
    assert answer.status_code == 200 and answer.json()["is_standard"] is True
    assert api_as(manager_user).post(api).status_code == 409  # already the standard
    refused = api_as(admin_user).patch(
        f"/api/v1/contract-templates/{v3.pk}/", {"body": v3.body + "\n第11条", "is_standard": True}, format="json"
    )
    assert refused.status_code == 400 and "is_standard" in refused.json()


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("{顧客名}様", "{顧客名}"),
        ("{customer name}", "{customer name}"),
        ("{company_name}と{customer_nam}", "{customer_nam}"),
        ("{ customer_name }", "{ customer_name }"),
    ],
)
def test_an_unknown_placeholder_is_refused_by_name(company, admin_user, templates, text, named):
    template = templates["nda"]
    with pytest.raises(InvalidInput) as refused:
        services.contract_template_update(template=template, user=admin_user, data={"body": text})
    assert refused.value.field == "body"
    assert named in str(refused.value.message)
    assert "customer_name" in str(refused.value.message)  # and what may be used
    assert ContractTemplate.objects.filter(code="STD-NDA").count() == 1


def test_the_placeholders_the_renderer_knows_are_the_ones_offered(
    company, admin_user, customer, templates, django_capture_on_commit_callbacks
):
    """Every placeholder listed is filled in by the renderer (none is printed as typed)."""
    body = "".join(f"[{{{name}}}]" for name in services.PLACEHOLDERS)
    contract = draft_master(admin_user, customer, templates["master"], body=body)
    text = services.contract_text(contract)
    assert "{" not in text
    assert "[株式会社サンプル商事]" in text and "[株式会社北斗精機]" in text
    assert "[毎月20日締め、翌月10日払い]" in text


def test_the_preview_fills_an_example_customer(company, admin_user):
    body = (
        "{company_name}と{customer_name}（{customer_address}）。期間{starts_on}〜{ends_on}（{term_months}か月）。"
        "{renewal}支払は{payment_terms}。金額{amount}、消費税{tax}、合計{total}。取引{deal_number}。"
        "原契約{amends_number}（{amends_date}）。{company_signatory}／{customer_signatory}"
    )
    text = services.template_preview(body=body, today=dt.date(2026, 12, 4))
    assert text == (
        "株式会社サンプル商事と株式会社見本商事（東京都千代田区丸の内1-1-1）。期間2027年1月1日〜2027年12月31日（12か月）。"
        "ただし、期間満了の90日前までに甲乙いずれからも書面による申し出がないときは、同一条件でさらに12か月更新するものとし、"
        "以後も同様とする。支払は毎月末日締め、翌月末日払い。金額1,000,000円、消費税100,000円、合計1,100,000円。"
        "取引SO-2026-000123。原契約CT-2026-000001（2026年1月1日）。代表取締役 山田 太郎／代表取締役社長 見本 一郎"
    )
    with pytest.raises(InvalidInput) as refused:
        services.template_preview(body="{顧客名}")
    assert "{顧客名}" in str(refused.value.message)
    assert ContractTemplate.objects.count() == 4  # nothing saved


# --- screens ---------------------------------------------------------------------------------


def test_the_template_list_by_kind_with_current_version(company, admin_user, manager_user, rep_user, templates):
    v1 = templates["master"]
    services.contract_template_update(template=v1, user=admin_user, data={"body": v1.body + "\n追記"})
    response = client_for(admin_user).get("/contracts/templates/")
    assert response.status_code == 200
    page = text_of(response)
    for kind in ("取引基本契約書", "個別契約書", "覚書", "秘密保持契約書"):
        assert kind in page
    assert "取引基本契約書（標準） STD-MASTER 第2版" in page
    assert "秘密保持契約書（標準） STD-NDA 第1版" in page
    html = response.content.decode()
    assert 'href="/contracts/templates/new/"' in html
    # a manager reads them, without the edit actions; a rep does not open them
    manager_page = client_for(manager_user).get("/contracts/templates/")
    assert manager_page.status_code == 200 and "/contracts/templates/new/" not in manager_page.content.decode()
    assert client_for(rep_user).get("/contracts/templates/").status_code == 403


def test_the_contract_list_links_the_templates_for_admins_and_managers(company, admin_user, manager_user, rep_user):
    assert 'href="/contracts/templates/"' in client_for(admin_user).get("/contracts/").content.decode()
    assert 'href="/contracts/templates/"' in client_for(manager_user).get("/contracts/").content.decode()
    assert "/contracts/templates/" not in client_for(rep_user).get("/contracts/").content.decode()


def test_editing_saves_a_new_version_and_the_old_one_stays_readable(
    company, admin_user, manager_user, customer, templates
):
    v1 = templates["master"]
    contract = draft_master(admin_user, customer, v1)
    client = client_for(admin_user)
    form = client.get(f"/contracts/templates/{v1.pk}/edit/")
    assert form.status_code == 200
    assert "{payment_terms}" in text_of(form) and "{amends_number}" in text_of(form)  # the placeholders offered
    data = {
        "name": "取引基本契約書（2027年版）",
        "stamp_class": "no7",
        "is_standard": "on",
        "body": v1.body + "\n" + NEW_ARTICLE,
        "save": "",
    }
    response = client.post(f"/contracts/templates/{v1.pk}/edit/", data)
    v2 = ContractTemplate.objects.get(code="STD-MASTER", is_current=True)
    assert response.status_code == 302 and response["Location"] == f"/contracts/templates/{v2.pk}/"
    assert (v2.version, v2.name, v2.created_by) == (2, "取引基本契約書（2027年版）", admin_user)
    page = text_of(client.get(response["Location"]))
    assert ja("Saved as version %(v)d. Contracts drafted from earlier versions keep their wording.") % {"v": 2} in page
    assert "反社会的勢力" in page
    # the old version: its own wording, the contract drafted from it counted, no edit
    old = client_for(manager_user).get(f"/contracts/templates/{v1.pk}/")
    assert old.status_code == 200
    assert "反社会的勢力" not in text_of(old) and "第8条（協議）" in text_of(old)
    assert f'href="/contracts/templates/{v2.pk}/"' in old.content.decode()
    assert "/edit/" not in old.content.decode()
    assert client.get(f"/contracts/templates/{v1.pk}/edit/")["Location"] == f"/contracts/templates/{v2.pk}/edit/"
    contract.refresh_from_db()
    assert contract.template_id == v1.pk
    # saving without a change makes no version
    same = {**data, "name": v2.name, "body": v2.body}
    client.post(f"/contracts/templates/{v2.pk}/edit/", same)
    assert ContractTemplate.objects.filter(code="STD-MASTER").count() == 2


def test_an_unknown_placeholder_stays_in_the_form_named(company, admin_user, templates):
    v1 = templates["master"]
    response = client_for(admin_user).post(
        f"/contracts/templates/{v1.pk}/edit/",
        {"name": v1.name, "stamp_class": "no7", "is_standard": "on", "body": v1.body + "\n{顧客名}様", "save": ""},
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "{顧客名}" in page and "不明な差込項目" in page
    assert "{顧客名}様</textarea>" in response.content.decode()  # the input stays
    assert ContractTemplate.objects.filter(code="STD-MASTER").count() == 1


def test_the_preview_shows_the_filled_text_and_saves_nothing(company, admin_user, templates):
    v1 = templates["master"]
    response = client_for(admin_user).post(
        f"/contracts/templates/{v1.pk}/edit/",
        {"name": v1.name, "stamp_class": "no7", "is_standard": "on", "body": v1.body, "preview": "1"},
    )
    assert response.status_code == 200
    page = text_of(response)
    assert "株式会社サンプル商事（以下「甲」という。）と株式会社見本商事（以下「乙」という。）" in page
    assert "毎月末日締め、翌月末日払い" in page
    assert ContractTemplate.objects.filter(code="STD-MASTER").count() == 1


def test_a_new_template_starts_at_version_one(company, admin_user, templates):
    client = client_for(admin_user)
    data = {"kind": "nda", "code": "NDA-SHORT", "name": "秘密保持契約書（簡易）", "stamp_class": "none"}
    response = client.post("/contracts/templates/new/", {**data, "body": "{company_name}と{customer_name}は…"})
    created = ContractTemplate.objects.get(code="NDA-SHORT")
    assert response.status_code == 302 and response["Location"] == f"/contracts/templates/{created.pk}/"
    assert (created.version, created.is_current, created.is_standard, created.kind) == (1, True, False, "nda")
    taken = client.post("/contracts/templates/new/", {**data, "code": "STD-NDA", "body": "x"})
    assert taken.status_code == 400
    assert ja("A template with this code exists: edit it to make a new version.") in text_of(taken)
    bad_code = client.post("/contracts/templates/new/", {**data, "code": "秘密 保持", "body": "x"})
    assert bad_code.status_code == 400
    assert ContractTemplate.objects.filter(kind="nda").count() == 2


def test_only_sales_admins_edit_templates(company, manager_user, rep_user, templates):
    v1 = templates["master"]
    data = {"name": "x", "stamp_class": "no7", "body": "x"}
    for user in (manager_user, rep_user):
        assert client_for(user).get(f"/contracts/templates/{v1.pk}/edit/").status_code == 403
        assert client_for(user).post(f"/contracts/templates/{v1.pk}/edit/", data).status_code == 403
        assert (
            client_for(user).post("/contracts/templates/new/", {**data, "kind": "nda", "code": "X"}).status_code == 403
        )
    assert client_for(rep_user).get(f"/contracts/templates/{v1.pk}/").status_code == 403
    assert client_for(manager_user).get("/contracts/templates/999999/").status_code == 404
    assert ContractTemplate.objects.count() == 4


def test_a_draft_is_deleted_from_its_page_an_issued_contract_is_not(
    company, admin_user, rep_user, customer, templates, django_capture_on_commit_callbacks
):
    draft = draft_master(admin_user, customer, templates["master"])
    issued = issue(
        draft_master(admin_user, customer, templates["master"]), admin_user, django_capture_on_commit_callbacks
    )
    client = client_for(admin_user)
    assert f"/contracts/{draft.pk}/delete/" in client.get(f"/contracts/{draft.pk}/").content.decode()
    assert f"/contracts/{issued.pk}/delete/" not in client.get(f"/contracts/{issued.pk}/").content.decode()
    assert client_for(rep_user).post(f"/contracts/{draft.pk}/delete/").status_code == 403
    response = client.post(f"/contracts/{issued.pk}/delete/", follow=True)
    assert ja("An issued contract is never deleted: end it, or amend it with a 覚書.") in text_of(response)
    assert Contract.objects.filter(pk=issued.pk).exists()
    response = client.post(f"/contracts/{draft.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/contracts/"
    assert not Contract.objects.filter(pk=draft.pk).exists()
