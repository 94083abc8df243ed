"""The CSV files people upload (orders, bank statements, targets) and the spreadsheet
cells we write (journal, reports, the documents' index)."""

import csv
import io
import re
from decimal import Decimal

from django.utils.translation import gettext as _

from .exceptions import InvalidInput
from .formatting import number

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
            % {"line": reader.line_num, "max": number(MAX_CELL_CHARACTERS)},
            field=field,
        ) from None


# A text cell starting with one of these is read as a formula by Excel and LibreOffice
# (OWASP "CSV injection"); a number written as a number is never a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def spreadsheet_cell(value) -> str | int | Decimal:
    """A value as it may be written to a CSV or xlsx cell: numbers stay numbers, None is
    empty, and text that a spreadsheet would run as a formula is quoted with `'`."""
    if value is None:
        return ""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_text(rows, header=None) -> str:
    """CSV text (CRLF line ends, as spreadsheets and accounting packages expect) whose
    every cell went through spreadsheet_cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header is not None:
        writer.writerow([spreadsheet_cell(value) for value in header])
    writer.writerows([spreadsheet_cell(value) for value in row] for row in rows)
    return buffer.getvalue()
