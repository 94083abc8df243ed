"""The screens' shell on the server: sign-in required, the 403 page in Japanese, notifications."""

import pytest
from django.test import Client

from backoffice.models import Notification
from backoffice.notifications import notify
from backoffice.roles import Role
from tests.factories import make_user
from tests.web.pages import client_for

pytestmark = pytest.mark.django_db


def test_the_home_asks_who_you_are_first():
    response = Client().get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_a_user_without_a_role_gets_the_japanese_403_page():
    response = client_for(make_user(None, username="nobody")).get("/")

    assert response.status_code == 403
    text = response.content.decode()
    assert "権限がありません" in text
    assert "この画面を開く権限がありません。" in text


def test_the_login_page_is_japanese_and_names_the_fields():
    text = Client().get("/login/").content.decode()

    assert "ユーザー名" in text and "パスワード" in text and "ログイン" in text


def test_the_site_icon_is_served_from_our_own_static_files():
    """Browsers ask for /favicon.ico on every page (the admin's and the API docs' too)."""
    response = Client().get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/web/favicon.svg"
    assert '<link rel="icon" href="/static/web/favicon.svg"' in Client().get("/login/").content.decode()


def test_a_notification_waits_on_the_home_until_opened(mailoutbox, django_capture_on_commit_callbacks):
    rep = make_user(Role.SALES_REP, username="rep9", last_name="鈴木", first_name="一郎")
    manager = make_user(Role.MANAGER, username="mgr9")

    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[manager, manager, rep],
            text="見積 Q-2026-000001 の承認をお願いします",
            link="/quotes/1/",
            actor=rep,
        )

    assert Notification.objects.filter(recipient=manager).count() == 1
    assert not Notification.objects.filter(recipient=rep).exists()  # nobody is told of their own step
    assert [m.to for m in mailoutbox] == [["mgr9@example.jp"]]
    assert "http://localhost:8000/quotes/1/" in mailoutbox[0].body

    client = client_for(manager)
    assert "見積 Q-2026-000001 の承認をお願いします" in client.get("/").content.decode()
    note = Notification.objects.get(recipient=manager)
    response = client.post("/notifications/read/", {"id": note.pk, "next": note.link})
    assert response["Location"] == "/quotes/1/"
    assert "見積 Q-2026-000001" not in client.get("/").content.decode()


def test_the_home_page_costs_a_bounded_number_of_queries(django_assert_max_num_queries):
    client = client_for(make_user(Role.SALES_ADMIN, username="adm9"))

    with django_assert_max_num_queries(12):
        assert client.get("/").status_code == 200
