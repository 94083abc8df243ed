"""A contract's life as the roles see it: the sales admin drafts a master agreement with wording
changed from the standard → the manager finds it in the approval inbox beside the quotes and
approves it → the admin issues it (number, stamp duty, PDF), marks it sent, uploads the
countersigned scan, renews it and ends it → the rep sees it on their home and their customer's
page, and the warning on the customer's order once it has ended. And a template edited into a
new version while the contract keeps the old one."""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from backoffice.roles import Role
from contracts.models import Contract, ContractTemplate
from orders import services as order_services
from orders.services import LineInput
from tests.contracts.helpers import MINIMAL_PDF, draft_master, signed, standard_templates
from tests.factories import CustomerFactory, ProductFactory, WarehouseFactory, complete_company_profile


def sign_out(page):
    page.context.clear_cookies()


def jdate(day: dt.date) -> str:
    return day.strftime("%Y/%m/%d")


def test_a_master_agreement_from_draft_to_end(sign_in, named_user, page, live_server):
    complete_company_profile()
    standard_templates()
    admin = named_user(Role.SALES_ADMIN, "jimu", "佐藤", "花子")
    manager = named_user(Role.MANAGER, "bucho", "田中", "部長")
    rep = named_user(Role.SALES_REP, "eigyo", "鈴木", "一郎")
    customer = CustomerFactory(code="C001", name="株式会社山田製作所", sales_rep=rep, closing_day=20)
    today = timezone.localdate()
    starts_on, ends_on = today - dt.timedelta(days=300), today + dt.timedelta(days=30)
    page.on("dialog", lambda dialog: dialog.accept())

    # The admin drafts it from the customer's card, with an article of their own.
    sign_in(admin)
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    page.locator("#customer-contracts").get_by_role("link", name="契約書を作成").click()
    expect(page.locator("#id_customer")).to_have_value(str(customer.pk))
    page.get_by_label("ひな形").select_option(label="取引基本契約書（標準） 第1版")
    page.get_by_label("開始日").fill(starts_on.isoformat())
    page.get_by_label("終了日").fill(ends_on.isoformat())
    page.get_by_label("自動更新（月数）").fill("12")
    page.get_by_label("解約予告期間（日数）").fill("10")
    page.get_by_label("当社署名者の役職").fill("代表取締役")
    page.get_by_label("当社署名者の氏名").fill("山田 太郎")
    page.get_by_label("本文").fill(
        "{company_name}と{customer_name}は、次のとおり取引基本契約を締結する。\n"
        "第1条（支払）代金は{payment_terms}とする。\n第2条（有効期間）{starts_on}から{ends_on}まで。{renewal}"
    )
    page.get_by_role("button", name="下書きを保存").click()
    contract = Contract.objects.get()
    contract_url = f"{live_server.url}/contracts/{contract.pk}/"
    expect(page).to_have_url(contract_url)
    expect(page.locator("h1 .badge")).to_have_text("下書き")
    expect(page.get_by_text("標準から変更あり")).to_be_visible()
    expect(page.get_by_text("代金は毎月20日締め、翌月末日払いとする。")).to_be_visible()
    expect(page.get_by_role("button", name="発行")).to_have_count(0)  # changed wording: approval first
    page.get_by_role("button", name="承認を依頼").click()
    expect(page.locator("h1 .badge")).to_have_text("承認待ち")
    sign_out(page)

    # The manager finds it in the approval inbox, beside the quotes, and approves it.
    sign_in(manager)
    inbox = page.locator("#approvals")
    expect(inbox.locator("#contract-approvals")).to_contain_text("承認待ちの契約書")
    inbox.get_by_role("link", name="取引基本契約書").click()
    expect(page).to_have_url(contract_url)
    page.get_by_role("button", name="承認", exact=True).click()
    expect(page.locator("h1 .badge")).to_have_text("承認済み")
    sign_out(page)

    # The admin issues it: its number, the stamp duty, the PDF; then sent, signed, renewed.
    sign_in(admin)
    page.goto(contract_url)
    page.get_by_role("button", name="発行").click()
    contract.refresh_from_db()
    assert re.fullmatch(r"CT-\d{4}-000001", contract.number)
    expect(page.locator("h1")).to_contain_text(contract.number)
    expect(page.locator("h1 .badge")).to_have_text("発行済み")
    expect(page.get_by_text("¥4,000 第7号文書（継続的取引の基本となる契約書）")).to_be_visible()
    pdf = page.request.get(live_server.url + page.get_by_role("link", name="PDF").get_attribute("href"))
    assert pdf.status == 200 and pdf.body()[:5] == b"%PDF-"
    expect(page.get_by_role("link", name="編集")).to_have_count(0)  # never edited once issued
    page.get_by_role("button", name="送付済みにする").click()
    expect(page.locator("h1 .badge")).to_have_text("送付済")
    page.get_by_label("先方署名済みの契約書（PDF・JPEG・PNG）").set_input_files(
        files=[{"name": "signed.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}]
    )
    page.get_by_role("button", name="署名済み契約書をアップロード").click()
    expect(page.locator("h1 .badge")).to_have_text("締結済")
    expect(page.get_by_text(Contract.objects.get().signed_sha256).first).to_be_visible()
    assert page.request.get(f"{contract_url}signed-copy/").body() == MINIMAL_PDF
    sign_out(page)

    # The rep: the contract on their home (it ends within 60 days) and on the customer's page.
    sign_in(rep)
    due = page.locator("#contracts-due")
    expect(due).to_contain_text(contract.number)
    expect(due).to_contain_text(jdate(ends_on))
    expect(due).to_contain_text(jdate(ends_on - dt.timedelta(days=10)))  # the notice date
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.locator("#customer-contracts")).to_contain_text(f"{contract.number} 取引基本契約書")
    expect(page.locator("#customer-contracts")).to_contain_text("締結済")
    expect(page.locator("#customer-contracts").get_by_role("link", name="契約書を作成")).to_have_count(0)
    page.goto(contract_url)
    expect(page.get_by_role("button", name="更新")).to_have_count(0)
    sign_out(page)

    # The admin renews it by 12 months, then ends it by agreement.
    sign_in(admin)
    page.goto(contract_url)
    page.get_by_label("月数").fill("12")
    page.get_by_role("button", name="更新", exact=True).click()
    renewed = Contract.objects.get().current_ends_on
    assert renewed > ends_on
    expect(page.locator("dl.facts").first).to_contain_text(jdate(renewed))
    page.get_by_label("理由").select_option("cancelled")
    page.get_by_label("終了日").fill(today.isoformat())
    page.get_by_role("button", name="契約を終了").click()
    expect(page.locator("h1 .badge")).to_have_text("終了")
    sign_out(page)

    # The customer's next order warns the rep that the master agreement is no longer in force.
    WarehouseFactory(code="TOKYO", name="東京倉庫", is_default=True)
    order = order_services.order_create(
        user=admin, data={"customer": customer}, lines=[LineInput(product=ProductFactory(), quantity=1)]
    )
    sign_in(rep)
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    expect(page.get_by_role("alert")).to_contain_text(
        f"株式会社山田製作所との取引基本契約書（{contract.number}）は有効ではありません。"
    )


def test_a_template_is_edited_into_a_new_version(sign_in, named_user, page, live_server):
    complete_company_profile()
    standard_templates()
    admin = named_user(Role.SALES_ADMIN, "jimu", "佐藤", "花子")
    manager = named_user(Role.MANAGER, "bucho", "田中", "部長")

    sign_in(admin)
    page.goto(f"{live_server.url}/contracts/")
    page.locator('.page-header a[href="/contracts/templates/"]').click()
    expect(page.locator("#kind-nda")).to_contain_text("STD-NDA")
    page.locator("#kind-nda").get_by_role("link", name="秘密保持契約書（標準）").click()
    v1 = ContractTemplate.objects.get(code="STD-NDA")
    expect(page).to_have_url(f"{live_server.url}/contracts/templates/{v1.pk}/")
    page.locator(".page-header .actions a").click()
    expect(page.locator("#placeholders")).to_contain_text("{customer_name}")
    body = page.locator("#id_body")
    body.fill(body.input_value() + "\n第5条（損害賠償）{顧客名}は…")
    page.locator("button[name=save]").click()
    expect(page.locator("#id_body_error")).to_contain_text("{顧客名}")
    assert ContractTemplate.objects.filter(code="STD-NDA").count() == 1
    body.fill(body.input_value().replace("{顧客名}", "{customer_name}"))
    page.locator("button[name=preview]").click()
    expect(page.locator("#preview")).to_contain_text("第5条（損害賠償）株式会社見本商事は…")
    page.locator("button[name=save]").click()
    v2 = ContractTemplate.objects.get(code="STD-NDA", is_current=True)
    assert v2.version == 2
    expect(page).to_have_url(f"{live_server.url}/contracts/templates/{v2.pk}/")
    expect(page.locator("#versions")).to_contain_text("第2版")
    expect(page.locator("#versions").get_by_role("link", name="第1版")).to_be_visible()
    sign_out(page)

    # A manager reads the versions; no edit offered.
    sign_in(manager)
    page.goto(f"{live_server.url}/contracts/templates/{v1.pk}/")
    expect(page.locator(".contract-text")).not_to_contain_text("第5条")
    expect(page.locator(".page-header .actions")).to_have_count(0)


def test_a_new_contract_amends_only_a_contract_of_the_customer_chosen(
    sign_in, named_user, page, live_server, django_capture_on_commit_callbacks
):
    complete_company_profile()
    templates = standard_templates()
    admin = named_user(Role.SALES_ADMIN, "jimu", "佐藤", "花子")
    yamada = CustomerFactory(code="C001", name="株式会社山田製作所", name_kana="ヤマダセイサクシヨ")
    hokuto = CustomerFactory(code="C002", name="株式会社北斗精機", name_kana="ホクトセイキ")
    capture = django_capture_on_commit_callbacks
    signed(draft_master(admin, yamada, templates["master"]), admin, capture)
    theirs = signed(draft_master(admin, hokuto, templates["master"]), admin, capture)

    sign_in(admin)
    page.goto(f"{live_server.url}/contracts/new/")
    expect(page.locator("#id_amends option")).to_have_count(3)  # none chosen yet: both, and the blank
    page.locator(".picker-search").fill("ほくと")
    expect(page.locator("#id_customer")).to_have_value(str(hokuto.pk))
    expect(page.locator("#id_amends option")).to_have_count(2)
    expect(page.locator("#id_amends")).to_contain_text(theirs.number)
    expect(page.locator("#id_supersedes option")).to_have_count(2)
