"""DRF permission classes built on roles.py."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .roles import Role, has_role, roles_of


class HasAnyRole(BasePermission):
    """The default: a signed-in user holding at least one role."""

    def has_permission(self, request, view) -> bool:
        return bool(roles_of(request.user))


class RolePermission(BasePermission):
    """Reads for `read_roles`, writes for `write_roles`, set on the view.

    Defaults: every role reads, only sales admins write."""

    def has_permission(self, request, view) -> bool:
        read_roles = getattr(view, "read_roles", tuple(Role))
        write_roles = getattr(view, "write_roles", (Role.SALES_ADMIN,))
        action_roles = getattr(view, "action_roles", {}).get(getattr(view, "action", None))
        if action_roles is not None:
            return has_role(request.user, *action_roles)
        if request.method in SAFE_METHODS:
            return has_role(request.user, *read_roles)
        return has_role(request.user, *write_roles)


class IsSuperuser(BasePermission):
    """Account administration (other users' API tokens): superusers only. The three roles
    run the business; none of them manages accounts."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_superuser)
