"""The shell as a person sees it: sign in, the home greets them by name, the menu offers what
their role may do, the language switch, and a phone-sized screen."""

from playwright.sync_api import expect

from backoffice.roles import Role


def test_a_sales_admin_signs_in_and_sees_their_menu(sign_in, named_user):
    page = sign_in(named_user(Role.SALES_ADMIN, "jimu", "佐藤", "花子"))

    expect(page.locator("h1")).to_have_text("佐藤 花子さん、こんにちは")
    expect(page.locator(".topbar .who")).to_have_text("佐藤 花子")


def test_the_language_switch_turns_the_screens_english_and_back(sign_in, named_user):
    page = sign_in(named_user(Role.SALES_REP, "eigyo", "鈴木", "一郎"))

    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Hello, 鈴木 一郎")
    page.get_by_role("button", name="日本語").click()
    expect(page.locator("h1")).to_have_text("鈴木 一郎さん、こんにちは")


def test_on_a_phone_the_menu_folds_behind_a_button(sign_in, named_user, page):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(named_user(Role.SALES_REP, "eigyo", "鈴木", "一郎"))

    nav = page.locator(".menu nav")
    expect(nav).to_be_hidden()
    page.locator(".menu > summary").click()
    expect(nav.get_by_role("link", name="ホーム")).to_be_visible()


def test_the_menu_opens_a_section_by_keyboard_and_marks_where_you_are(sign_in, named_user):
    page = sign_in(named_user(Role.SALES_ADMIN, "jimu", "佐藤", "花子"))
    billing = page.locator(".nav-group[data-section=billing]")
    bank = billing.get_by_role("link", name="入金明細")
    expect(bank).to_be_hidden()

    billing.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(bank).to_be_visible()
    page.keyboard.press("Tab")  # the section's first link
    expect(billing.get_by_role("link", name="請求書")).to_be_focused()
    page.keyboard.press("Escape")
    expect(bank).to_be_hidden()
    expect(billing.locator("summary")).to_be_focused()

    page.keyboard.press("Enter")
    bank.click()
    expect(page.locator("h1")).to_contain_text("入金明細")
    expect(page.locator(".nav-group.current")).to_have_attribute("data-section", "billing")
    expect(page.locator("nav [aria-current=page]")).to_have_text("入金明細")
    stock = page.locator(".nav-group[data-section=stock]")
    stock.locator("summary").click()  # opening another section closes this one
    expect(stock.get_by_role("link", name="発注提案")).to_be_visible()
    expect(billing.locator("details")).not_to_have_attribute("open", "")
