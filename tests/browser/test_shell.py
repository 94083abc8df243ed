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
    page.locator(".menu summary").click()
    expect(nav.get_by_role("link", name="ホーム")).to_be_visible()
