"""全銀 files built byte by byte as a bank writes them, for the demo's sample file
(demo/bankfile.py) and the tests, as the layouts in billing/README.md say: a number
right-aligned and zero-filled, text left-aligned and space-filled, JIS X 0201 in cp932
bytes, every record exactly 200 bytes. Written independently of the parser's tables
(billing/bankfiles/zengin.py), so the tests check the one against the other."""


def n(value: int, width: int) -> bytes:
    text = str(value).rjust(width, "0").encode("ascii")
    if len(text) != width:
        raise ValueError(f"{value} does not fit in {width} digits")
    return text


def c(text: str, width: int) -> bytes:
    data = text.encode("cp932")
    if len(data) > width:
        raise ValueError(f"{text!r} does not fit in {width} bytes")
    return data + b" " * (width - len(data))


def record(*parts: bytes) -> bytes:
    data = b"".join(parts)
    if len(data) != 200:
        raise ValueError(f"a record of {len(data)} bytes, not 200")
    return data


def header_03(*, created="081201", start="081101", end="081130", account=1234567) -> bytes:
    return record(
        b"1", b"03", b"0", created.encode(), start.encode(), end.encode(),
        n(5, 4), c("ﾐｽﾞﾎ", 15), n(110, 3), c("ﾄｳｷﾖｳ", 15), b"000", b"1", n(account, 10),
        c("ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ", 40), b"1", b"1", n(1_000_000, 14), c("", 71),
    )  # fmt: skip


def data_03(*, day="081130", deposit=True, kind=11, amount=11000, payer="", description="", number=1) -> bytes:
    return record(
        b"2", n(number, 8), day.encode(), day.encode(), b"1" if deposit else b"2", n(kind, 2),
        n(amount, 12), n(0, 12), b"000000", b"000000", b"0", n(0, 7), n(0, 3), n(0, 10),
        c(payer, 48), c("ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ", 15), c("ﾎﾝﾃﾝ", 15), c(description, 20), c("", 20), b" ",
    )  # fmt: skip


def trailer_03(*, deposits=(0, 0), withdrawals=(0, 0), records=0) -> bytes:
    return record(
        b"8", n(deposits[0], 6), n(deposits[1], 13), n(withdrawals[0], 6), n(withdrawals[1], 13),
        b"1", n(1_000_000, 14), n(records, 7), c("", 139),
    )  # fmt: skip


def header_01(*, created="081201", start="081101", end="081130", account=1234567) -> bytes:
    return record(
        b"1", b"01", b"0", created.encode(), start.encode(), end.encode(),
        n(5, 4), c("ﾐｽﾞﾎ", 15), n(110, 3), c("ﾄｳｷﾖｳ", 15), b"1", n(account, 7),
        c("ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ", 40), c("", 93),
    )  # fmt: skip


def data_01(*, day="081130", amount=11000, payer="", cancelled=False, number=1) -> bytes:
    return record(
        b"2", n(number, 6), day.encode(), day.encode(), n(amount, 10), n(0, 10), n(0, 10),
        c(payer, 48), c("ﾐﾂｲｽﾐﾄﾓ", 15), c("ｼﾝｼﾞﾕｸ", 15), b"1" if cancelled else b" ", c("", 20), c("", 52),
    )  # fmt: skip


def trailer_01(*, total=(0, 0), cancelled=(0, 0)) -> bytes:
    return record(b"8", n(total[0], 6), n(total[1], 12), n(cancelled[0], 6), n(cancelled[1], 12), c("", 163))


END = record(b"9", c("", 199))


def file(*records: bytes, newline: bytes = b"\r\n") -> bytes:
    return newline.join(records) + (newline if newline else b"")
