"""An internet-banking CSV export (日付, 摘要, お支払金額, お預り金額, 差引残高; or 取引日,
入金金額, 出金金額, 内容, …) read through the column mapping of its company bank account
(`billing.models.BankCsvLayout`).

The header row is the first of the file's first rows that names the layout's date and
deposit columns (exports often start with lines about the account). Below it, a row with a
deposit is a statement row; a row with only a withdrawal is counted and skipped; a row
with no date or no amount at all (a carried-forward balance, a blank line, a total) is
skipped. A date or an amount that cannot be read is refused with its row and column.
The payer name is the description column without the bank's transfer prefix
(`payer_from_description`)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.exceptions import InvalidInput

from .common import MAX_AMOUNT, ParsedStatement, StatementRow

HEADER_SEARCH_ROWS = 20
MAX_ROWS = 5000
MAX_PAYER_LENGTH = 100

ERAS = {"R": 2018, "令和": 2018, "H": 1988, "平成": 1988}
_WESTERN = re.compile(r"^(\d{4})[/\-.年]?(\d{1,2})[/\-.月]?(\d{1,2})日?$")
_WESTERN_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_WAREKI = re.compile(r"^(R|H|令和|平成)(\d{1,2}|元)[/\-.年](\d{1,2})[/\-.月](\d{1,2})日?$")

# 振込 as banks write it before the payer's name in a description: the kanji, with or without
# a separator ("振込 ﾔﾏﾀﾞ", "振込＊ヤマダ", "振込ヤマダ"), or the kana フリコミ (ﾌﾘｺﾐ), which must
# be followed by a separator so that a name that merely starts with those sounds keeps them.
# A 10-digit 振込依頼人コード right after the prefix goes too.
_PREFIX = re.compile(r"^(?:(?:振込入金|振込み|振込)[\s*:・]*|(?:フリコミ|フリコミキン)[\s*:・]+)(?:\d{10}\s+)?")


def payer_from_description(text: str) -> str:
    """The payer in a description: "振込　ｶ)ﾔﾏﾀﾞｾｲｻｸｼﾖ" → "カ)ヤマダセイサクシヨ",
    "ﾌﾘｺﾐ ﾀﾅｶｼﾖｳﾃﾝ" → "タナカシヨウテン"; a description without the prefix is the name as
    it is. Widths are folded (NFKC), as `backoffice.kana.kana_key` will do anyway."""
    folded = unicodedata.normalize("NFKC", text or "").strip()
    rest = _PREFIX.sub("", folded, count=1).strip()
    return rest or folded


def _cell_name(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().lstrip("\ufeff").strip('"').strip()


def _decode(content: bytes, encoding: str) -> str:
    try:
        text = content.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError:
        raise InvalidInput(
            _("The file is not %(encoding)s text; check the encoding of the account's CSV layout.")
            % {"encoding": "Shift_JIS" if encoding == "cp932" else "UTF-8"},
            field="file",
        ) from None
    if "\0" in text:
        raise InvalidInput(_("The file contains a NUL character: this is not a text file."), field="file")
    return text


def _rows(text: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text))
    try:
        return list(reader)
    except csv.Error:
        raise InvalidInput(
            _("Line %(line)d: the CSV is malformed.") % {"line": reader.line_num}, field="file"
        ) from None


def _header_index(rows: list[list[str]], layout) -> int | None:
    wanted = {_cell_name(layout.date_column), _cell_name(layout.deposit_column)}
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if wanted <= {_cell_name(cell) for cell in row}:
            return index
    return None


def headers_match(content: bytes, layout) -> bool:
    """Whether the file has a header row with every column the layout names (for choosing
    the layout of an upload that names no account)."""
    try:
        text = content.decode("utf-8-sig" if layout.encoding == "utf-8" else layout.encoding)
        rows = list(csv.reader(io.StringIO(text)))
    except (UnicodeDecodeError, csv.Error):
        return False
    index = _header_index(rows, layout)
    return index is not None and {_cell_name(name) for name in layout.columns} <= {
        _cell_name(cell) for cell in rows[index]
    }


def parse_date(text: str, date_format: str) -> dt.date:
    """A date as the layout says the bank writes it; ValueError when it is not one."""
    text = unicodedata.normalize("NFKC", text).replace(" ", "")
    if date_format == "wareki":
        match = _WAREKI.match(text)
        if not match:
            raise ValueError(text)
        era, year, month, day = match.groups()
        year = 1 if year == "元" else int(year)
        date = dt.date(ERAS[era] + year, int(month), int(day))
        if (ERAS[era] == 2018 and date < dt.date(2019, 5, 1)) or (ERAS[era] == 1988 and date > dt.date(2019, 4, 30)):
            raise ValueError(text)
        return date
    match = _WESTERN_DIGITS.match(text) or _WESTERN.match(text)
    if not match:
        raise ValueError(text)
    return dt.date(*(int(part) for part in match.groups()))


def _amount(text: str) -> Decimal | None:
    """Yen as exports write them ("12,345", "￥12,345", "12,345円"); None when blank or 0."""
    cleaned = unicodedata.normalize("NFKC", text or "").strip().replace(",", "").replace("¥", "").replace("円", "")
    cleaned = cleaned.replace("\\", "").strip()
    if cleaned in ("", "-", "0"):
        return None
    value = Decimal(cleaned)  # InvalidOperation for anything else
    return value if value != 0 else None


def parse(content: bytes, layout, *, today: dt.date | None = None) -> ParsedStatement:
    today = today or timezone.localdate()
    rows = _rows(_decode(content, layout.encoding))
    header_index = _header_index(rows, layout)
    if header_index is None:
        raise InvalidInput(
            _("No header row with the columns %(columns)s of the layout of %(account)s was found.")
            % {"columns": "、".join(layout.columns), "account": layout.bank_account},
            field="file",
        )
    header = [_cell_name(cell) for cell in rows[header_index]]
    positions = {}
    for key in ("date_column", "deposit_column", "withdrawal_column", "description_column"):
        name = _cell_name(getattr(layout, key))
        if not name:
            continue
        if name not in header:
            raise InvalidInput(
                _("The header row has no column %(column)s (the layout of %(account)s names it).")
                % {"column": name, "account": layout.bank_account},
                field="file",
            )
        positions[key] = header.index(name)
    statement_rows, withdrawals, withdrawals_total = [], 0, Decimal(0)
    for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(key, row=row):
            index = positions.get(key)
            return row[index].strip() if index is not None and index < len(row) else ""

        amounts = {}
        for key in ("deposit_column", "withdrawal_column"):
            try:
                amounts[key] = _amount(cell(key))
            except InvalidOperation:
                raise InvalidInput(
                    _("Row %(row)d, column %(column)s: “%(value)s” is not an amount.")
                    % {"row": number, "column": getattr(layout, key), "value": cell(key)},
                    field="file",
                ) from None
        deposit, withdrawal = amounts["deposit_column"], amounts["withdrawal_column"]
        if not cell("date_column") or (deposit is None and withdrawal is None):
            continue  # a balance brought forward, a total, a note
        try:
            day = parse_date(cell("date_column"), layout.date_format)
        except ValueError:
            raise InvalidInput(
                _("Row %(row)d, column %(column)s: “%(value)s” is not a date in the layout's format.")
                % {"row": number, "column": layout.date_column, "value": cell("date_column")},
                field="file",
            ) from None
        if day > today:
            raise InvalidInput(
                _("Row %(row)d, column %(column)s: the date is in the future.")
                % {"row": number, "column": layout.date_column},
                field="file",
            )
        if deposit is None:
            withdrawals += 1
            withdrawals_total += abs(withdrawal)
            continue
        if deposit < 0 or deposit != deposit.to_integral_value() or deposit > MAX_AMOUNT:
            raise InvalidInput(
                _("Row %(row)d, column %(column)s: the amount must be whole yen above zero.")
                % {"row": number, "column": layout.deposit_column},
                field="file",
            )
        if len(statement_rows) >= MAX_ROWS:
            raise InvalidInput(_("At most %(count)d rows per file.") % {"count": MAX_ROWS}, field="file")
        payer = payer_from_description(cell("description_column"))
        if not payer:
            raise InvalidInput(
                _("Row %(row)d, column %(column)s: the description (the payer) is empty.")
                % {"row": number, "column": layout.description_column},
                field="file",
            )
        statement_rows.append(
            StatementRow(number=number, date=day, amount=deposit, payer_name=payer[:MAX_PAYER_LENGTH])
        )
    return ParsedStatement(
        file_format="csv_layout", rows=statement_rows, withdrawals=withdrawals, withdrawals_total=withdrawals_total
    )
