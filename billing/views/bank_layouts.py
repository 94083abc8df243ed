"""Screens: the CSV layouts of the company bank accounts (銀行CSVの列設定). The list shows
every account of the company profile with its layout; an account's page sets, changes or
removes it (billing.services.bank_csv_layout_save / _delete). Sales admins only."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from backoffice.api.fields import MAX_ID
from backoffice.exceptions import DomainError
from backoffice.models import BankAccount
from backoffice.roles import Role
from backoffice.screens import RoleRequiredMixin, refuse
from billing import services
from billing.forms.bank import BankCsvLayoutForm
from billing.models import BankCsvLayout


class BankLayoutListView(RoleRequiredMixin, View):
    roles = (Role.SALES_ADMIN,)

    def get(self, request):
        layouts = {layout.bank_account_id: layout for layout in BankCsvLayout.objects.all()}
        accounts = [(account, layouts.get(account.pk)) for account in BankAccount.objects.all()]
        return render(request, "billing/bank/layouts.html", {"accounts": accounts})


class BankLayoutEditView(RoleRequiredMixin, View):
    roles = (Role.SALES_ADMIN,)
    template_name = "billing/bank/layout_edit.html"

    def _account(self, pk):
        return get_object_or_404(BankAccount, pk=min(pk, MAX_ID))

    def get(self, request, pk):
        account = self._account(pk)
        layout = BankCsvLayout.objects.filter(bank_account=account).first()
        form = BankCsvLayoutForm(instance=layout)
        return render(request, self.template_name, {"form": form, "account": account, "layout": layout})

    def post(self, request, pk):
        account = self._account(pk)
        layout = BankCsvLayout.objects.filter(bank_account=account).first()
        if request.POST.get("delete"):
            services.bank_csv_layout_delete(bank_account=account, user=request.user)
            messages.success(request, _("The CSV layout of %(account)s was removed.") % {"account": account})
            return redirect("billing:bank_layouts")
        form = BankCsvLayoutForm(request.POST, instance=layout or BankCsvLayout(bank_account=account))
        if form.is_valid():
            try:
                services.bank_csv_layout_save(bank_account=account, data=form.cleaned_data, user=request.user)
            except DomainError as exc:
                refuse(form, exc)
            else:
                messages.success(request, _("The CSV layout of %(account)s was saved.") % {"account": account})
                return redirect("billing:bank_layouts")
        return render(request, self.template_name, {"form": form, "account": account, "layout": layout})


urlpatterns = [
    path("bank/layouts/", BankLayoutListView.as_view(), name="bank_layouts"),
    path("bank/layouts/<int:pk>/", BankLayoutEditView.as_view(), name="bank_layout_edit"),
]
