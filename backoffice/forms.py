"""Forms of the company settings screens (会社設定): they parse and check input; the
changes go through backoffice.services.company_profile_update, which audits them."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import BankAccount, CompanyProfile

MAX_BANK_ACCOUNTS = 5
SEAL_MAX_BYTES = 1024 * 1024
SEAL_MAX_PIXELS = 2000  # per side: a seal prints at about 2 cm
SEAL_FORMATS = {"PNG": "png", "JPEG": "jpg"}


class CompanyProfileForm(forms.ModelForm):
    """会社情報: the issuer as documents print it. Checked by the model's own validators
    (registration number with its check digit, postal code, phone) before the service runs."""

    class Meta:
        model = CompanyProfile
        fields = [
            "name",
            "postal_code",
            "address",
            "phone",
            "fax",
            "email",
            "registration_number",
            "rounding_mode",
            "fiscal_year_start_month",
            "holiday_rule",
            "transfer_fee_note",
        ]
        widgets = {
            "registration_number": forms.TextInput(attrs={"placeholder": "T1234567890123", "autocomplete": "off"}),
            "postal_code": forms.TextInput(attrs={"placeholder": "100-0001", "inputmode": "numeric"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration_number"].help_text = _("T followed by 13 digits; the check digit is verified.")

    def clean_registration_number(self):
        # Typed in lower case or with full-width digits, it is still the same number.
        value = self.cleaned_data.get("registration_number") or ""
        return value.translate(str.maketrans("０１２３４５６７８９Ｔｔ", "0123456789TT")).replace(" ", "").upper()


class ApprovalLimitsForm(forms.ModelForm):
    """承認基準: a quote needs a manager's approval beyond these."""

    class Meta:
        model = CompanyProfile
        fields = ["max_discount_rate", "max_quote_total"]
        labels = {
            "max_discount_rate": _("Max line discount without approval (%)"),
            "max_quote_total": _("Max quote total without approval (yen)"),
        }
        help_texts = {
            "max_discount_rate": _("A quote line discounted beyond this percentage needs a manager's approval."),
            "max_quote_total": _("A quote whose total (incl. tax) is above this needs a manager's approval."),
        }
        widgets = {
            "max_discount_rate": forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100", "class": "num"}),
            "max_quote_total": forms.NumberInput(attrs={"step": "1", "min": "0", "class": "num"}),
        }


class BankAccountForm(forms.ModelForm):
    """振込先: one account as invoices print it."""

    class Meta:
        model = BankAccount
        fields = ["bank_name", "branch_name", "account_type", "account_number", "account_holder_kana"]
        widgets = {
            "account_number": forms.TextInput(
                attrs={"inputmode": "numeric", "maxlength": "7", "placeholder": "1234567"}
            ),
            "account_holder_kana": forms.TextInput(attrs={"placeholder": "カ)サンプルシヨウジ"}),
        }

    def account(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class SealImageForm(forms.Form):
    """社印: a PNG or JPEG, checked to be one by opening it (not by its name or type)."""

    seal_image = forms.ImageField(
        label=_("Seal image"),
        help_text=_("PNG or JPEG, at most 1 MB; a square image with a transparent or white background prints best."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )

    def clean_seal_image(self):
        upload = self.cleaned_data["seal_image"]
        if upload.size > SEAL_MAX_BYTES:
            raise ValidationError(_("The seal image is larger than 1 MB."), code="too_large")
        image = getattr(upload, "image", None)  # set by ImageField once Pillow has read the file
        if image is None or image.format not in SEAL_FORMATS:
            raise ValidationError(_("Upload a PNG or JPEG image."), code="format")
        width, height = image.size
        if width > SEAL_MAX_PIXELS or height > SEAL_MAX_PIXELS:
            raise ValidationError(
                _("The seal image is at most %(max)s pixels wide and high.") % {"max": SEAL_MAX_PIXELS},
                code="too_big",
            )
        upload.name = f"seal.{SEAL_FORMATS[image.format]}"  # never the uploader's own file name
        return upload
