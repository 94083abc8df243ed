"""Screens: company settings (会社設定), for sales admins, the role the API lets change the
company profile (backoffice.api.views.CompanyProfileView: everyone reads, sales admins write).

- `/settings/`: the home, each section summarised with a link to change it; the document
  number prefixes (documents) and the billing settings (billing) are their apps' own screens,
  linked by url name (backoffice imports neither).
- `/settings/company/`: 会社情報 (name, address, registration number with its check digit, ...).
- `/settings/approval/`: 承認基準 (max discount rate as a percentage, max quote total).
- `/settings/bank-accounts/...`: 振込先 (add, change, move up or down, delete).
- `/settings/seal/`: 社印 (a PNG or JPEG, previewed; the file is checked to be an image).

Every change is one call of backoffice.services.company_profile_update, which validates,
saves and records the audit event; a refusal stays on the form next to its field."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from .exceptions import DomainError
from .forms import MAX_BANK_ACCOUNTS, ApprovalLimitsForm, BankAccountForm, CompanyProfileForm, SealImageForm
from .models import CompanyProfile
from .roles import Role
from .screens import RoleRequiredMixin, refuse
from .selectors import company_profile, company_profile_with_bank_accounts
from .services import company_profile_update

BANK_FIELDS = BankAccountForm.Meta.fields


def _accounts(profile: CompanyProfile) -> list[dict[str, str]]:
    return [{name: getattr(account, name) for name in BANK_FIELDS} for account in profile.bank_accounts.all()]


def _update(form, *, user, data) -> CompanyProfile | None:
    """The service call; its refusal put on the form (next to the field it names)."""
    try:
        return company_profile_update(user=user, data=data)
    except DomainError as exc:
        refuse(form, exc)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    return None


class SettingsView(RoleRequiredMixin, View):
    roles = (Role.SALES_ADMIN,)


class SettingsHomeView(SettingsView):
    def get(self, request):
        profile = company_profile_with_bank_accounts()
        return render(request, "backoffice/settings/home.html", {"profile": profile})


class ProfileFormView(SettingsView):
    """Edit a part of the profile with a model form of CompanyProfile's fields."""

    form_class = CompanyProfileForm
    template_name = "backoffice/settings/profile.html"
    done_message = gettext_lazy("Saved.")

    def get(self, request):
        return render(request, self.template_name, {"form": self.form_class(instance=company_profile())})

    def post(self, request):
        # The form checks a copy: the model's validators run, nothing is saved here.
        form = self.form_class(request.POST, instance=company_profile())
        if form.is_valid() and _update(form, user=request.user, data=dict(form.cleaned_data)) is not None:
            messages.success(request, self.done_message)
            return redirect("company:settings")
        return render(request, self.template_name, {"form": form})


class CompanyProfileEditView(ProfileFormView):
    done_message = gettext_lazy("The company profile was saved.")


class ApprovalLimitsView(ProfileFormView):
    form_class = ApprovalLimitsForm
    template_name = "backoffice/settings/approval.html"
    done_message = gettext_lazy("The approval limits were saved.")


class BankAccountView(SettingsView):
    """Add (no pk) or change one account. The service replaces the whole list, so an
    account is named by its place in it (pk for the link, position for the change)."""

    template_name = "backoffice/settings/bank_account.html"

    def _place(self, profile, pk):
        accounts = list(profile.bank_accounts.all())
        if pk is None:
            return accounts, None
        for index, account in enumerate(accounts):
            if account.pk == pk:
                return accounts, index
        raise Http404

    def get(self, request, pk=None):
        profile = company_profile_with_bank_accounts()
        accounts, index = self._place(profile, pk)
        if index is None and len(accounts) >= MAX_BANK_ACCOUNTS:
            messages.error(request, _("At most 5 bank accounts."))
            return redirect("company:settings")
        form = BankAccountForm(instance=None if index is None else accounts[index])
        return render(request, self.template_name, {"form": form, "adding": index is None})

    def post(self, request, pk=None):
        profile = company_profile_with_bank_accounts()
        accounts, index = self._place(profile, pk)
        form = BankAccountForm(request.POST)
        if index is None and len(accounts) >= MAX_BANK_ACCOUNTS:
            form.add_error(None, _("At most 5 bank accounts."))
        if form.is_valid():
            wanted = _accounts(profile)
            if index is None:
                wanted.append(form.account())
            else:
                wanted[index] = form.account()
            if _update(form, user=request.user, data={"bank_accounts": wanted}) is not None:
                messages.success(request, _("The bank account was saved."))
                return redirect("company:settings")
        return render(request, self.template_name, {"form": form, "adding": index is None})


class BankAccountMoveView(SettingsView):
    def post(self, request, pk):
        profile = company_profile_with_bank_accounts()
        accounts = list(profile.bank_accounts.all())
        index = next((i for i, account in enumerate(accounts) if account.pk == pk), None)
        if index is None:
            raise Http404
        target = index - 1 if request.POST.get("direction") == "up" else index + 1
        if 0 <= target < len(accounts):
            wanted = _accounts(profile)
            wanted[index], wanted[target] = wanted[target], wanted[index]
            company_profile_update(user=request.user, data={"bank_accounts": wanted})
            messages.success(request, _("The order of the bank accounts was changed."))
        return redirect("company:settings")


class BankAccountDeleteView(SettingsView):
    """Issued invoices keep their own copy of a bank account, so any may go (its bank CSV
    layout goes with it; bank statements imported for it forget it), except the last one:
    invoices cannot be issued without one."""

    def post(self, request, pk):
        profile = company_profile_with_bank_accounts()
        accounts = list(profile.bank_accounts.all())
        index = next((i for i, account in enumerate(accounts) if account.pk == pk), None)
        if index is None:
            raise Http404
        if len(accounts) == 1:
            messages.error(request, _("The last bank account cannot be deleted: invoices print it. Add another first."))
            return redirect("company:settings")
        wanted = _accounts(profile)
        removed = wanted.pop(index)
        company_profile_update(user=request.user, data={"bank_accounts": wanted})
        messages.success(
            request,
            _("The bank account %(bank)s %(branch)s %(number)s was deleted.")
            % {"bank": removed["bank_name"], "branch": removed["branch_name"], "number": removed["account_number"]},
        )
        return redirect("company:settings")


class SealView(SettingsView):
    template_name = "backoffice/settings/seal.html"

    def get(self, request):
        return render(request, self.template_name, {"form": SealImageForm(), "profile": company_profile()})

    def post(self, request):
        profile = company_profile()
        form = SealImageForm(request.POST, request.FILES)
        # The old file stays: documents issued with it re-check its SHA-256 when rendered.
        if form.is_valid() and _update(form, user=request.user, data=dict(form.cleaned_data)) is not None:
            messages.success(request, _("The seal image was saved."))
            return redirect("company:seal")
        return render(request, self.template_name, {"form": form, "profile": profile})


class SealRemoveView(SettingsView):
    def post(self, request):
        if company_profile().seal_image:
            company_profile_update(user=request.user, data={"seal_image": ""})
            messages.success(request, _("The seal image was removed; documents issued from now on print no seal."))
        return redirect("company:seal")


class SealImageView(SettingsView):
    """The stored seal image, for the preview (media files are not served by URL)."""

    def get(self, request):
        seal = company_profile().seal_image
        if not seal:
            raise Http404
        try:
            file = seal.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        content_type = "image/png" if seal.name.lower().endswith(".png") else "image/jpeg"
        response = FileResponse(file, content_type=content_type)
        response["Cache-Control"] = "no-store"
        return response
