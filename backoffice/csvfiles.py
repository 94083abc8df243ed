"""Reading the CSV files people upload (orders, bank statements, targets)."""

import csv
import io

from django.utils.translation import gettext as _

from .exceptions import InvalidInput

# Japanese offices send UTF-8 (Excel adds a BOM) or Shift_JIS; cp932 is Windows' Shift_JIS.
ENCODINGS = ("utf-8-sig", "cp932")

# Python's csv module refuses a cell longer than this; no real cell comes near it.
MAX_CELL_CHARACTERS = csv.field_size_limit()


def csv_rows(content: bytes, *, field: str = "file") -> list[list[str]]:
    """The rows of an uploaded CSV, decoded from UTF-8 or Shift_JIS; anything else (another
    encoding, a NUL byte, a cell over MAX_CELL_CHARACTERS) is a 400 on `field`."""
    for encoding in ENCODINGS:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    else:
        raise InvalidInput(_("The file is neither UTF-8 nor Shift_JIS text."), field=field)
    if "\0" in text:
        line = text.count("\n", 0, text.index("\0")) + 1
        raise InvalidInput(
            _("Line %(line)d contains a NUL character: this is not a text file.") % {"line": line}, field=field
        )
    reader = csv.reader(io.StringIO(text))
    try:
        return list(reader)
    except csv.Error:
        raise InvalidInput(
            _("Line %(line)d: a cell is longer than %(max)s characters or the CSV is malformed.")
            % {"line": reader.line_num, "max": f"{MAX_CELL_CHARACTERS:,}"},
            field=field,
        ) from None
