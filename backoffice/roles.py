"""The three roles and what each may do. One place that the API, the admin and the
screens ask, so a rule is the same everywhere."""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import Group, Permission
from django.db.models import Q, QuerySet

from .exceptions import NotAllowed


class Role(StrEnum):
    SALES_ADMIN = "sales_admin"
    SALES_REP = "sales_rep"
    MANAGER = "manager"


ALL_ROLES = frozenset(Role)


def roles_of(user) -> frozenset[Role]:
    """The user's roles; a superuser holds them all. Cached on the user object per request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_backoffice_roles", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        roles = ALL_ROLES
    else:
        names = set(user.groups.values_list("name", flat=True))
        roles = frozenset(r for r in Role if r.value in names)
    user._backoffice_roles = roles
    return roles


def has_role(user, *roles: Role) -> bool:
    return bool(roles_of(user) & set(roles))


def require_role(user, *roles: Role, message: str) -> None:
    """NotAllowed (403) with `message` unless the user has one of `roles`."""
    if not has_role(user, *roles):
        raise NotAllowed(message)


def is_sales_admin(user) -> bool:
    return has_role(user, Role.SALES_ADMIN)


def is_manager(user) -> bool:
    return has_role(user, Role.MANAGER)


def sees_all_customers(user) -> bool:
    """Admins and managers see every customer; a rep only those assigned to them."""
    return has_role(user, Role.SALES_ADMIN, Role.MANAGER)


def restrict_to_own_customers(queryset: QuerySet, user, customer_path: str = "customer") -> QuerySet:
    """Filter anything that hangs off a customer to what this user may see.

    `customer_path` is the lookup from the queryset's model to the customer ("" when
    the queryset is of customers themselves)."""
    if sees_all_customers(user):
        return queryset
    if not has_role(user, Role.SALES_REP):
        return queryset.none()
    rep_lookup = f"{customer_path}__sales_rep" if customer_path else "sales_rep"
    return queryset.filter(Q(**{rep_lookup: user}))


# The master data the sales reps and managers read but do not change.
MASTER_DATA_VIEW: dict[str, tuple[str, ...]] = dict.fromkeys(
    (
        "orders.customer",
        "orders.shiptoaddress",
        "orders.contactperson",
        "orders.customerprice",
        "inventory.product",
        "inventory.supplier",
        "inventory.warehouse",
    ),
    ("view",),
)

# Django model permissions per group, applied after every migrate so the admin
# shows each role exactly what it may touch. Apps add their models here.
ROLE_MODEL_PERMISSIONS: dict[Role, dict[str, tuple[str, ...]]] = {
    Role.SALES_ADMIN: {
        "backoffice.companyprofile": ("view", "change"),
        "backoffice.bankaccount": ("view", "add", "change", "delete"),
        "backoffice.auditevent": ("view",),
        "orders.customer": ("view", "add", "change"),
        "orders.shiptoaddress": ("view", "add", "change", "delete"),
        "orders.contactperson": ("view", "add", "change", "delete"),
        "orders.customerprice": ("view", "add", "change", "delete"),
        "inventory.product": ("view", "add", "change"),
        "inventory.supplier": ("view", "add", "change"),
        "inventory.warehouse": ("view", "add", "change"),
    },
    Role.SALES_REP: {"backoffice.companyprofile": ("view",), **MASTER_DATA_VIEW},
    Role.MANAGER: {
        "backoffice.companyprofile": ("view",),
        "backoffice.bankaccount": ("view",),
        "backoffice.auditevent": ("view",),
        **MASTER_DATA_VIEW,
    },
}


def register_model_permissions(role: Role, model_label: str, actions: tuple[str, ...]) -> None:
    """Apps call this from AppConfig.ready() to grant their own models to a role."""
    ROLE_MODEL_PERMISSIONS[role][model_label] = actions


def sync_role_permissions(**kwargs) -> None:
    for role, grants in ROLE_MODEL_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = []
        for label, actions in grants.items():
            app_label, model = label.split(".")
            for action in actions:
                perm = Permission.objects.filter(
                    content_type__app_label=app_label, codename=f"{action}_{model}"
                ).first()
                if perm is not None:
                    wanted.append(perm)
        group.permissions.set(wanted)
