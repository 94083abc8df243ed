"""Qualified-invoice registration numbers (適格請求書発行事業者登録番号): T + 13 digits.

For a corporation the 13 digits are its 法人番号, whose first digit is a check
digit over the other twelve: 9 - (sum of Pn x Qn) mod 9, Pn the n-th digit
counted from the right, Qn 1 for odd n and 2 for even n.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_PATTERN = re.compile(r"T\d{13}")


def corporate_number_check_digit(twelve_digits: str) -> int:
    total = 0
    for n, digit in enumerate(reversed(twelve_digits), start=1):
        total += int(digit) * (1 if n % 2 else 2)
    return 9 - total % 9


def validate_registration_number(value: str) -> None:
    if not _PATTERN.fullmatch(value or ""):
        raise ValidationError(
            _("Enter a registration number as T followed by 13 digits (e.g. T7000012050002)."),
            code="format",
        )
    digits = value[1:]
    expected = corporate_number_check_digit(digits[1:])
    if int(digits[0]) != expected:
        raise ValidationError(
            _("The check digit of registration number %(value)s is wrong: it should start T%(expected)s."),
            code="check_digit",
            params={"value": value, "expected": expected},
        )


# Peppol participant identifiers a Japanese buyer has (the EAS code list): its 法人番号 or its
# qualified-invoice registration number.
PEPPOL_SCHEMES = {"0188": "法人番号", "0221": "適格請求書発行事業者登録番号"}
_PEPPOL = re.compile(r"(\d{4}):(.+)")


def validate_corporate_number(value: str) -> None:
    """A 法人番号: 13 digits, the first the check digit over the other twelve."""
    if not re.fullmatch(r"\d{13}", value or ""):
        raise ValidationError(_("Enter a corporate number (法人番号) as 13 digits."), code="format")
    if int(value[0]) != corporate_number_check_digit(value[1:]):
        raise ValidationError(
            _("The check digit of corporate number %(value)s is wrong."), code="check_digit", params={"value": value}
        )


def validate_peppol_id(value: str) -> None:
    """A Peppol participant ID as scheme:identifier: 0188:<法人番号> or 0221:<T-number>."""
    match = _PEPPOL.fullmatch(value or "")
    if not match or match.group(1) not in PEPPOL_SCHEMES:
        raise ValidationError(
            _("Enter a Peppol ID as 0188:<corporate number> or 0221:<registration number> (e.g. 0188:7000012050002)."),
            code="format",
        )
    scheme, identifier = match.groups()
    if scheme == "0188":
        validate_corporate_number(identifier)
    else:
        validate_registration_number(identifier)
