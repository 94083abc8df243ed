"""The 全銀協 fixed-length formats banks deliver statements in (billing/README.md, "Bank
files", has the column tables and where they were checked):

- 入出金取引明細 (種別コード 03): every deposit (入払区分 1) and withdrawal (2) of an account;
- 振込入金通知 (種別コード 01): the transfers credited to an account.

A file is 200-byte records, with or without CR LF (or LF) between them, in JIS X 0201
(Shift_JIS / cp932 bytes; payer names in half-width kana). Each record starts with its
データ区分: 1 header, 2 data, 8 trailer, 9 end. A file is one or more groups of a header, its
data records and a trailer, then one end record. Numbers are zero-filled on the left, text
is space-filled on the right; fields are cut by byte, then decoded.

Everything is checked before anything is returned: the length of every record, its kind,
the order of the kinds, the digits of every number, every date, and each trailer's counts
and sums against its group's data records. A refusal names the record number (1 = the first
record of the file) and the field, in the user's language.

Dates are YYMMDD in 和暦 as the standard says (令和 from 2019/05/01: "010501"; 平成 up to
2019/04/30: "310430"). Some banks offer 西暦 YYMMDD instead; a file is read as 西暦 only when
its header's 作成日 is not a recent date in 和暦 but is one in 西暦 (see `_calendar`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.exceptions import InvalidInput

from .common import MAX_AMOUNT, ParsedStatement, StatementRow

RECORD_LENGTH = 200
DEPOSITS_AND_WITHDRAWALS = "03"  # 入出金取引明細
TRANSFER_NOTICES = "01"  # 振込入金通知
FORMATS = {DEPOSITS_AND_WITHDRAWALS: "zengin_03", TRANSFER_NOTICES: "zengin_01"}
MAX_DATA_RECORDS = 5000

REIWA_START = dt.date(2019, 5, 1)
HEISEI_END = dt.date(2019, 4, 30)
# A header's 作成日 further back than this is not how a file just downloaded is dated.
RECENT_DAYS = 400

# (name as the standard writes it, length, "N" number | "C" text | "D" date YYMMDD, optional)
Field = tuple[str, int, str, bool]

HEADER_03: list[Field] = [
    ("データ区分", 1, "N", False),
    ("種別コード", 2, "N", False),
    ("コード区分", 1, "N", False),
    ("作成日", 6, "D", False),
    ("勘定日（自）", 6, "D", False),
    ("勘定日（至）", 6, "D", False),
    ("銀行コード", 4, "N", False),
    ("銀行名", 15, "C", True),
    ("支店コード", 3, "N", False),
    ("支店名", 15, "C", True),
    ("ダミー", 3, "C", True),
    ("預金種目", 1, "N", False),
    ("口座番号", 10, "N", False),
    ("口座名", 40, "C", True),
    ("貸越区分", 1, "N", True),
    ("通帳・証書区分", 1, "N", True),
    ("取引前残高", 14, "N", True),
    ("ダミー", 71, "C", True),
]
DATA_03: list[Field] = [
    ("データ区分", 1, "N", False),
    ("照会番号", 8, "N", True),
    ("勘定日", 6, "D", False),
    ("預入・払出日", 6, "D", True),
    ("入払区分", 1, "N", False),
    ("取引区分", 2, "N", True),
    ("取引金額", 12, "N", False),
    ("うち他店券金額", 12, "N", True),
    ("交換呈示日", 6, "D", True),
    ("不渡返還日", 6, "D", True),
    ("手形・小切手区分", 1, "N", True),
    ("手形・小切手番号", 7, "N", True),
    ("僚店番号", 3, "N", True),
    ("振込依頼人コード", 10, "N", True),
    ("振込依頼人名または契約者番号", 48, "C", True),
    ("仕向銀行名", 15, "C", True),
    ("仕向店名", 15, "C", True),
    ("摘要内容", 20, "C", True),
    ("EDI情報", 20, "C", True),
    ("ダミー", 1, "C", True),
]
TRAILER_03: list[Field] = [
    ("データ区分", 1, "N", False),
    ("入金件数", 6, "N", False),
    ("入金額合計", 13, "N", False),
    ("出金件数", 6, "N", False),
    ("出金額合計", 13, "N", False),
    ("貸越区分", 1, "N", True),
    ("取引後残高", 14, "N", True),
    ("データ・レコード件数", 7, "N", False),
    ("ダミー", 139, "C", True),
]
HEADER_01: list[Field] = [
    ("データ区分", 1, "N", False),
    ("種別コード", 2, "N", False),
    ("コード区分", 1, "N", False),
    ("作成日", 6, "D", False),
    ("勘定日（自）", 6, "D", False),
    ("勘定日（至）", 6, "D", False),
    ("銀行コード", 4, "N", False),
    ("銀行名", 15, "C", True),
    ("支店コード", 3, "N", False),
    ("支店名", 15, "C", True),
    ("預金種目", 1, "N", False),
    ("口座番号", 7, "N", False),
    ("口座名", 40, "C", True),
    ("ダミー", 93, "C", True),
]
DATA_01: list[Field] = [
    ("データ区分", 1, "N", False),
    ("照会番号", 6, "N", True),
    ("勘定日", 6, "D", False),
    ("起算日", 6, "D", True),
    ("金額", 10, "N", False),
    ("うち他店券金額", 10, "N", True),
    ("振込依頼人コード", 10, "N", True),
    ("振込依頼人名", 48, "C", True),
    ("仕向銀行名", 15, "C", True),
    ("仕向店名", 15, "C", True),
    ("取消区分", 1, "N", True),
    ("EDI情報", 20, "C", True),
    ("ダミー", 52, "C", True),
]
TRAILER_01: list[Field] = [
    ("データ区分", 1, "N", False),
    ("振込合計件数", 6, "N", False),
    ("振込合計金額", 12, "N", False),
    ("取消合計件数", 6, "N", True),
    ("取消合計金額", 12, "N", True),
    ("ダミー", 163, "C", True),
]
LAYOUTS = {
    DEPOSITS_AND_WITHDRAWALS: {"1": HEADER_03, "2": DATA_03, "8": TRAILER_03},
    TRANSFER_NOTICES: {"1": HEADER_01, "2": DATA_01, "8": TRAILER_01},
}


@dataclass(frozen=True)
class AccountStatementRecord:
    """A data record of 入出金取引明細: one deposit (入払区分 1) or withdrawal (2)."""

    record: int
    booked_on: dt.date  # 勘定日
    deposit: bool  # 入払区分 1 = 入金
    transaction_kind: str  # 取引区分: 10 現金, 11 振込, 12 他店券入金, 13 交換, 14 振替, 18 その他, 19 訂正
    amount: Decimal  # 取引金額
    payer_name: str  # 振込依頼人名 (a withdrawal: the 口座振替 contract number)
    description: str  # 摘要内容
    edi: str  # EDI情報


@dataclass(frozen=True)
class TransferNoticeRecord:
    """A data record of 振込入金通知: one transfer credited, or the cancellation (取消区分 1)
    of one notified before."""

    record: int
    booked_on: dt.date  # 勘定日
    amount: Decimal  # 金額
    payer_name: str  # 振込依頼人名
    cancelled: bool  # 取消区分 1
    edi: str  # EDI情報


KIND_LABELS = {"1": "ヘッダー", "2": "データ", "8": "トレーラ", "9": "エンド"}


def looks_like_zengin(content: bytes) -> bool:
    """A 全銀 file rather than a CSV: it starts like a header record (データ区分 1, then
    種別コード, コード区分 and 作成日: nine digits) and its first line has no comma. Its
    length is checked by `parse`, which names a record of the wrong length."""
    first_line = content.split(b"\n", 1)[0]
    return content[:1] == b"1" and content[1:10].isdigit() and b"," not in first_line


def _refuse(record: int, kind: str, field: str, problem: str):
    raise InvalidInput(
        _("Record %(record)d (%(kind)s), %(field)s: %(problem)s")
        % {"record": record, "kind": KIND_LABELS.get(kind, kind), "field": field, "problem": problem},
        field="file",
    )


def _records(content: bytes) -> list[bytes]:
    """The file cut into records: at its line breaks when it has any, else every 200 bytes.
    A trailing EOF mark (0x1A) and empty lines at the end are no records."""
    content = content.rstrip(b"\x1a")
    if b"\n" in content:
        records = [line.rstrip(b"\r") for line in content.split(b"\n")]
        while records and not records[-1].strip():
            records.pop()
    else:
        records = [content[start : start + RECORD_LENGTH] for start in range(0, len(content), RECORD_LENGTH)]
    for number, record in enumerate(records, start=1):
        if len(record) != RECORD_LENGTH:
            raise InvalidInput(
                _("Record %(record)d is %(length)d bytes long; every record of a 全銀 file is 200 bytes.")
                % {"record": number, "length": len(record)},
                field="file",
            )
    return records


def _calendar(created: str, today: dt.date) -> str:
    """ "wareki" (the standard) or "western": how this file writes its years, decided once
    from the header's 作成日. 西暦 only when 作成日 is no recent date in 和暦 but one in 西暦
    ("261130" in 2026: 平成26年 = 2014, long ago; 2026/11/30, yesterday)."""

    def recent(day: dt.date | None) -> bool:
        return day is not None and 0 <= (today - day).days <= RECENT_DAYS

    def safely(read) -> dt.date | None:
        try:
            return read(created, today)
        except ValueError:
            return None

    if not recent(safely(wareki_date)) and recent(safely(western_date)):
        return "western"
    return "wareki"


class EraError(ValueError):
    """A day that its era does not have (令和元年4月30日, 平成31年5月1日)."""


def wareki_date(text: str, today: dt.date) -> dt.date:
    """YYMMDD in 和暦: 令和 when that year is not after next year, else 平成. 令和元年 begins on
    2019/05/01 and 平成31年 ends on 2019/04/30; a day outside its era is refused."""
    year, month, day = int(text[:2]), int(text[2:4]), int(text[4:6])
    if year == 0:
        raise EraError(_("year 00 is no year of an era"))
    if 2018 + year <= today.year + 1:
        date = dt.date(2018 + year, month, day)
        if date < REIWA_START:
            raise EraError(_("令和 begins on 2019/05/01 (令和元年 = R01)"))
        return date
    date = dt.date(1988 + year, month, day)
    if date > HEISEI_END:
        raise EraError(_("平成 ended on 2019/04/30 (平成31年)"))
    return date


def western_date(text: str, today: dt.date) -> dt.date:
    return dt.date(2000 + int(text[:2]), int(text[2:4]), int(text[4:6]))


class _Reader:
    def __init__(self, today: dt.date):
        self.today = today
        self.calendar = "wareki"

    def fields(self, raw: bytes, number: int, layout: list[Field]) -> dict:
        kind = raw[:1].decode("ascii", "replace")
        values, start = {}, 0
        for name, length, type_, optional in layout:
            cell = raw[start : start + length]
            start += length
            if name == "ダミー":
                continue
            try:
                text = cell.decode("cp932")
            except UnicodeDecodeError:
                _refuse(number, kind, name, _("not JIS X 0201 / Shift_JIS text"))
            if type_ == "C":
                values[name] = text.rstrip(" \u3000")
                continue
            if optional and (not text.strip() or (type_ == "D" and text == "000000")):
                values[name] = None
                continue
            if not (text.isascii() and text.isdigit()):
                _refuse(
                    number,
                    kind,
                    name,
                    _("“%(value)s” is not a number of %(length)d digits") % {"value": text, "length": length},
                )
            if type_ == "N":
                values[name] = int(text)
                continue
            read = wareki_date if self.calendar == "wareki" else western_date
            try:
                values[name] = read(text, self.today)
            except ValueError as error:
                problem = _("“%(value)s” is not a date (YYMMDD)") % {"value": text}
                _refuse(number, kind, name, f"{problem} ({error})" if isinstance(error, EraError) else problem)
            if name == "勘定日" and values[name] > self.today:
                _refuse(number, kind, name, _("the date is in the future"))
        return values


def parse(content: bytes, *, today: dt.date | None = None) -> ParsedStatement:
    """The deposits of a 全銀 file (see the module's docstring), or InvalidInput."""
    today = today or timezone.localdate()
    records = _records(content)
    code = records[0][1:3].decode("ascii", "replace")
    if code not in LAYOUTS:
        raise InvalidInput(
            _(
                "Record 1 (ヘッダー), 種別コード: %(code)s is not a statement this system reads "
                "(01 振込入金通知 or 03 入出金取引明細)."
            )
            % {"code": code},
            field="file",
        )
    layouts = LAYOUTS[code]
    reader = _Reader(today)
    rows: list[StatementRow] = []
    withdrawals, withdrawals_total, cancellations = 0, Decimal(0), 0
    group: list = []  # the data records since the last header
    account_number = None
    in_group = ended = False
    for number, raw in enumerate(records, start=1):
        kind = raw[:1].decode("ascii", "replace")
        if ended:
            _refuse(number, kind, "データ区分", _("a record after the end record (9)"))
        if kind not in ("1", "2", "8", "9"):
            _refuse(number, kind, "データ区分", _("“%(kind)s” is no record kind (1, 2, 8 or 9)") % {"kind": kind})
        if kind == "1":
            if in_group:
                _refuse(number, kind, "データ区分", _("a header before the trailer (8) of the previous group"))
            if raw[1:3].decode("ascii", "replace") != code:
                _refuse(
                    number,
                    kind,
                    "種別コード",
                    _("every header of a file must have the same 種別コード (%(code)s)") % {"code": code},
                )
            if raw[3:4] != b"0":
                _refuse(number, kind, "コード区分", _("only JIS (0) files are read; download the file as JIS"))
            if number == 1:
                reader.calendar = _calendar(raw[4:10].decode("ascii", "replace"), today)
            header = reader.fields(raw, number, layouts["1"])
            account_number = account_number if number > 1 else header["口座番号"]
            group, in_group = [], True
        elif kind == "2":
            if not in_group:
                _refuse(number, kind, "データ区分", _("a data record outside a header and its trailer"))
            if len(rows) + withdrawals + cancellations >= MAX_DATA_RECORDS:
                raise InvalidInput(_("At most %(count)d rows per file.") % {"count": MAX_DATA_RECORDS}, field="file")
            values = reader.fields(raw, number, layouts["2"])
            record = _data_03(values, number) if code == DEPOSITS_AND_WITHDRAWALS else _data_01(values, number)
            group.append(record)
        elif kind == "8":
            if not in_group:
                _refuse(number, kind, "データ区分", _("a trailer without its header"))
            values = reader.fields(raw, number, layouts["8"])
            if code == DEPOSITS_AND_WITHDRAWALS:
                _check_trailer_03(values, group, number)
            else:
                _check_trailer_01(values, group, number)
            for record in group:
                if isinstance(record, AccountStatementRecord) and not record.deposit:
                    withdrawals += 1
                    withdrawals_total += record.amount
                elif isinstance(record, TransferNoticeRecord) and record.cancelled:
                    cancellations += 1
                else:
                    rows.append(_row(record))
            in_group = False
        else:
            if in_group:
                _refuse(number, kind, "データ区分", _("the end record (9) before the trailer (8)"))
            ended = True
    if in_group:
        raise InvalidInput(
            _("Record %(record)d: the file ends without the trailer (8) of its last group.") % {"record": len(records)},
            field="file",
        )
    if not ended:
        raise InvalidInput(
            _("Record %(record)d: the file ends without its end record (9).") % {"record": len(records)},
            field="file",
        )
    return ParsedStatement(
        file_format=FORMATS[code],
        rows=rows,
        withdrawals=withdrawals,
        withdrawals_total=withdrawals_total,
        cancellations=cancellations,
        account_number=account_number,
    )


def _amount(value: int, number: int, field: str) -> Decimal:
    if value <= 0 or value > MAX_AMOUNT:
        _refuse(number, "2", field, _("the amount must be whole yen above zero"))
    return Decimal(value)


def _data_03(values: dict, number: int) -> AccountStatementRecord:
    if values["入払区分"] not in (1, 2):
        _refuse(
            number, "2", "入払区分", _("%(value)s is neither 1 (入金) nor 2 (出金)") % {"value": values["入払区分"]}
        )
    return AccountStatementRecord(
        record=number,
        booked_on=values["勘定日"],
        deposit=values["入払区分"] == 1,
        transaction_kind=f"{values['取引区分']:02d}" if values["取引区分"] is not None else "",
        amount=_amount(values["取引金額"], number, "取引金額"),
        payer_name=values["振込依頼人名または契約者番号"],
        description=values["摘要内容"],
        edi=values["EDI情報"],
    )


def _data_01(values: dict, number: int) -> TransferNoticeRecord:
    if values["取消区分"] not in (None, 0, 1):
        _refuse(number, "2", "取消区分", _("%(value)s is neither blank nor 1 (取消)") % {"value": values["取消区分"]})
    return TransferNoticeRecord(
        record=number,
        booked_on=values["勘定日"],
        amount=_amount(values["金額"], number, "金額"),
        payer_name=values["振込依頼人名"],
        cancelled=values["取消区分"] == 1,
        edi=values["EDI情報"],
    )


def _mismatch(number: int, field: str, stated, counted):
    _refuse(
        number,
        "8",
        field,
        _("the trailer says %(stated)s, the data records of its group make %(counted)s")
        % {"stated": f"{stated:,}", "counted": f"{counted:,}"},
    )


def _check_trailer_03(values: dict, group: list[AccountStatementRecord], number: int) -> None:
    deposits = [record.amount for record in group if record.deposit]
    withdrawals = [record.amount for record in group if not record.deposit]
    for field, stated, counted in (
        ("入金件数", values["入金件数"], len(deposits)),
        ("入金額合計", values["入金額合計"], sum(deposits)),
        ("出金件数", values["出金件数"], len(withdrawals)),
        ("出金額合計", values["出金額合計"], sum(withdrawals)),
        ("データ・レコード件数", values["データ・レコード件数"], len(group)),
    ):
        if stated != counted:
            _mismatch(number, field, stated, counted)


def _check_trailer_01(values: dict, group: list[TransferNoticeRecord], number: int) -> None:
    """振込合計 counts every data record; a bank that leaves its cancellations out of it is
    read as well. 取消合計, when given, counts the cancellations."""
    cancelled = [record.amount for record in group if record.cancelled]
    everything = [record.amount for record in group]
    credited = [record.amount for record in group if not record.cancelled]
    if values["振込合計件数"] not in (len(everything), len(credited)):
        _mismatch(number, "振込合計件数", values["振込合計件数"], len(everything))
    if values["振込合計金額"] not in (sum(everything), sum(credited)):
        _mismatch(number, "振込合計金額", values["振込合計金額"], sum(everything))
    if values["取消合計件数"] is not None and values["取消合計件数"] != len(cancelled):
        _mismatch(number, "取消合計件数", values["取消合計件数"], len(cancelled))
    if values["取消合計金額"] is not None and values["取消合計金額"] != sum(cancelled):
        _mismatch(number, "取消合計金額", values["取消合計金額"], sum(cancelled))


NO_PAYER_NAME = "(名義不明)"


def _row(record: AccountStatementRecord | TransferNoticeRecord) -> StatementRow:
    """A deposit as a statement row: the payer is the 振込依頼人名, else (a cash deposit) the
    摘要, else a fixed mark that is never learned as a payer name."""
    payer = record.payer_name.strip() or getattr(record, "description", "").strip() or NO_PAYER_NAME
    return StatementRow(number=record.record, date=record.booked_on, amount=record.amount, payer_name=payer)
