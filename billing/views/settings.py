"""Screens: the billing settings (請求設定), linked from the company settings: whether the
closing invoices a balance without sales, and the bank fee tolerance of the bank statement
import. Sales admins, as billing.services.billing_settings_update requires; it validates,
saves and records the audit event."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from backoffice.exceptions import DomainError
from backoffice.roles import Role
from backoffice.screens import RoleRequiredMixin, refuse
from billing.forms.settings import BillingSettingsForm
from billing.services.settings import billing_settings, billing_settings_update


class BillingSettingsView(RoleRequiredMixin, View):
    roles = (Role.SALES_ADMIN,)
    template_name = "billing/settings/edit.html"

    def get(self, request):
        return render(request, self.template_name, {"form": BillingSettingsForm(instance=billing_settings())})

    def post(self, request):
        form = BillingSettingsForm(request.POST, instance=billing_settings())
        if form.is_valid():
            try:
                billing_settings_update(user=request.user, data=dict(form.cleaned_data))
            except DomainError as exc:
                refuse(form, exc)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("The billing settings were saved."))
                return redirect("company:settings")
        return render(request, self.template_name, {"form": form})


urlpatterns = [
    path("settings/", BillingSettingsView.as_view(), name="settings"),
]
