"""What the layout needs on every page: the signed-in user's roles, the menu (web.nav) and
their unread notifications count."""

from backoffice.models import Notification
from backoffice.roles import Role, roles_of
from web.nav import Viewer, navigation


def shell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = roles_of(user)

    def unread() -> int:  # evaluated only where the layout shows it
        return Notification.objects.filter(recipient=user, read_at=None).count()

    is_sales_admin, is_manager = Role.SALES_ADMIN in roles, Role.MANAGER in roles

    def nav() -> list:  # evaluated only where the layout shows it (not in htmx fragments)
        viewer = Viewer(
            is_sales_admin=is_sales_admin, is_manager=is_manager, is_staff=user.is_staff, is_superuser=user.is_superuser
        )
        return navigation(viewer=viewer, path=request.path)

    return {
        "is_sales_admin": is_sales_admin,
        "is_sales_rep": Role.SALES_REP in roles,
        "is_manager": is_manager,
        "unread_count": unread,
        "nav": nav,
    }
