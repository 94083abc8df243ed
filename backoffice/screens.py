"""What every screen view shares, so each app's views stay thin: sign-in and the role rules
(the same `backoffice.roles` the API asks), and a service's refusal shown on the form next to
the field it names.

    class OrderCreateView(RoleRequiredMixin, FormView):
        roles = (Role.SALES_ADMIN,)

        def form_valid(self, form):
            try:
                order = order_create(user=self.request.user, data=..., lines=...)
            except DomainError as exc:
                return self.form_invalid(refuse(form, exc))
"""

from __future__ import annotations

import functools
import re

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .exceptions import DomainError
from .roles import Role, has_role

ALL = tuple(Role)


class RoleRequiredMixin(LoginRequiredMixin):
    """Signed in, and holding one of `roles` (default: any role). Anyone else gets the 403
    page, in Japanese."""

    roles: tuple[Role, ...] = ALL

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_role(request.user, *self.roles):
            raise PermissionDenied(_("Your role may not open this page."))
        return super().dispatch(request, *args, **kwargs)


def role_required(*roles: Role):
    """The function-view form of RoleRequiredMixin: `@role_required(Role.SALES_ADMIN)`."""
    wanted = roles or ALL

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *wanted):
                raise PermissionDenied(_("Your role may not open this page."))
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


_INDEXED = re.compile(r"^(?P<prefix>\w+)\[(?P<index>\d+)\]\.(?P<field>\w+)$")


def refuse(form, exc: DomainError, *, formset=None):
    """Put a service's refusal on the form: next to the field it names when the form (or,
    for `lines[2].quantity`, the formset's third form) has that field, else at the top.
    Returns the form, for `return self.form_invalid(refuse(form, exc))`."""
    field = exc.field or ""
    match = _INDEXED.match(field)
    if match and formset is not None:
        index = int(match["index"])
        if index < len(formset.forms) and match["field"] in formset.forms[index].fields:
            formset.forms[index].add_error(match["field"], str(exc.message))
            return form
    if field in form.fields:
        form.add_error(field, str(exc.message))
    else:
        form.add_error(None, str(exc.message))
    return form
