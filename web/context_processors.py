"""What the layout needs on every page: the signed-in user's roles (for the navigation) and
their unread notifications count."""

from backoffice.models import Notification
from backoffice.roles import Role, roles_of


def shell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = roles_of(user)

    def unread() -> int:  # evaluated only where the layout shows it
        return Notification.objects.filter(recipient=user, read_at=None).count()

    return {
        "is_sales_admin": Role.SALES_ADMIN in roles,
        "is_sales_rep": Role.SALES_REP in roles,
        "is_manager": Role.MANAGER in roles,
        "unread_count": unread,
    }
