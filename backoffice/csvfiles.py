"""Reading the CSV files people upload (orders, bank statements, targets)."""

import csv
import io

from django.utils.translation import gettext as _

from .exceptions import InvalidInput

# Japanese offices send UTF-8 (Excel adds a BOM) or Shift_JIS; cp932 is Windows' Shift_JIS.
ENCODINGS = ("utf-8-sig", "cp932")


def csv_rows(content: bytes, *, field: str = "file") -> list[list[str]]:
    """The rows of an uploaded CSV, decoded from UTF-8 or Shift_JIS; anything else is a
    400 on `field`."""
    for encoding in ENCODINGS:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return list(csv.reader(io.StringIO(text)))
    raise InvalidInput(_("The file is neither UTF-8 nor Shift_JIS text."), field=field)
