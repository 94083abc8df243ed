from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from . import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    # Browsers ask for /favicon.ico on every page, the Django admin's and the API docs' too.
    # Lazy: the static files' manifest (production) is read at the first request.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("web/favicon.svg"), permanent=True)),
]
