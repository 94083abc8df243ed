"""PDF rendering benchmark (not a test): documents per second, side by side with baselines.

    .venv/bin/python bench/pdf.py [--runs 40] [--batch 1000] [--quick]

Prints, for a 30-line and a 300-line invoice rendered N times each:
  - ours: documents.rendering.render_pdf, embedded TrueType font, as customers get it;
  - canvas: a minimal reportlab canvas drawing the same strings with the same embedded
    font, no layout (the practical limit on this machine);
  - WeasyPrint: the same invoice from HTML, if WeasyPrint is importable (not a dependency).
Then the day's batch of 200 受注伝票 in one PDF against 200 納品書 of the same lines,
rendered in the same run, interleaved (goal: the slips take at most 1.3x the time).
Then the month-end batch: issue (numbered, archived) and render 1,000 invoices on a
throw-away SQLite database, rendering with 1 and with 2 worker processes (what 1 or 2
Celery workers do; no database lock is held while rendering), and the issue rate of one
number sequence. BENCH_DATABASE_URL=postgres://.../scratch runs the batch on PostgreSQL
(it migrates and writes into that database: give it a scratch one).
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from unittest import mock

from common import ROOT, scratch_dir

sys.path.insert(0, str(ROOT))
SCRATCH = scratch_dir("bench-pdf-")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{SCRATCH / 'bench.sqlite3'}")
os.environ["MEDIA_ROOT"] = str(SCRATCH / "media")
os.environ["CELERY_BROKER_URL"] = ""  # eager tasks
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import fixtures  # noqa: E402
from django.db import connections, transaction  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from backoffice.formatting import yen  # noqa: E402
from backoffice.money import compute_totals, line_amount  # noqa: E402
from documents.fonts import document_font  # noqa: E402
from documents.rendering import date_jp, render_pdf  # noqa: E402
from documents.rendering.order_slip import OrderSlipData, SlipLine, SlipParty, render_order_slips  # noqa: E402
from documents.types import DocumentData, DocumentKind, DocumentLine, Issuer, Party  # noqa: E402

PRODUCTS = [
    ("業務用コピー用紙 A4 500枚×5冊", "箱", 10),
    ("トナーカートリッジ ブラック 大容量", "個", 10),
    ("有機栽培緑茶ティーバッグ 100包", "箱", 8),
    ("ドリップコーヒー 深煎り 50袋", "箱", 8),
    ("オフィスチェア メッシュ 肘付き", "脚", 10),
    ("ボールペン 0.5mm 黒 10本入", "箱", 10),
]
# The issuer of bench/fixtures.py, without an e-mail address (as this bench always printed it).
ISSUER = Issuer(
    **{key: fixtures.ISSUER[key] for key in ("name", "postal_code", "address", "phone", "registration_number")},
    bank_accounts=({**fixtures.BANK_ACCOUNT, "account_type": str(fixtures.BANK_ACCOUNT["account_type"])},),
    transfer_fee_note="振込手数料は貴社にてご負担ください。",
)


def invoice(lines_count: int, customer_id: int = 1) -> DocumentData:
    lines = []
    for i in range(lines_count):
        name, unit, rate = PRODUCTS[i % len(PRODUCTS)]
        price = Decimal(480 + (i * 37) % 9000)
        quantity = 1 + i % 12
        lines.append(DocumentLine(f"P-{i:05d}", name, quantity, unit, price, line_amount(quantity, price), rate))
    return DocumentData(
        kind=DocumentKind.INVOICE,
        document_date=dt.date(2026, 11, 30),
        recipient=Party(
            name="株式会社山田製作所",
            postal_code="530-0001",
            address="大阪府大阪市北区梅田1-2-3",
            counterparty_id=customer_id,
        ),
        lines=lines,
        totals=compute_totals((line.tax_rate, line.amount) for line in lines),
        subject="2026年11月分",
        extra={"due_date": dt.date(2026, 12, 31)},
    )


# --- the engines -------------------------------------------------------------------------------------


def ours(data: DocumentData) -> bytes:
    return render_pdf(data, number="INV-2026-000123", issuer=ISSUER)


def canvas_baseline(data: DocumentData) -> bytes:
    """Every string our invoice shows, the same embedded font, fixed positions (30 rows on
    the first page, 40 after), no layout: no measuring, wrapping, tables or rules."""
    import io

    font = document_font().name
    buffer = io.BytesIO()
    canv = Canvas(buffer, pagesize=A4, invariant=1, initialFontName=font)
    width, height = A4
    lines = list(data.lines)
    chunks = [lines[:30]] + [lines[i : i + 40] for i in range(30, len(lines), 40)]
    columns = [15 * mm, 39 * mm, 113 * mm, 129 * mm, 141 * mm, 165 * mm]
    recipient = data.recipient
    first_page = [
        f"〒{recipient.postal_code}",
        recipient.address,
        recipient.addressee,
        "下記の通りご請求申し上げます。",
        "ご請求金額（税込）",
        f"{yen(data.totals.total)}-",
        "件名",
        data.subject,
        "お支払期限",
        date_jp(data.extra["due_date"]),
        ISSUER.name,
        f"〒{ISSUER.postal_code}",
        ISSUER.address,
        f"TEL {ISSUER.phone}",
        f"登録番号 {ISSUER.registration_number}",
    ]
    closing = ["※は軽減税率対象"]
    for line in data.totals.breakdown:
        closing += [f"{line.rate}%対象", yen(line.subtotal), f"消費税（{line.rate}%）", yen(line.tax)]
    closing += ["小計（税抜）", yen(data.totals.subtotal), "消費税合計", yen(data.totals.tax_total)]
    closing += ["合計（税込）", yen(data.totals.total), "お振込先"]
    account = ISSUER.bank_accounts[0]
    closing += [account["bank_name"], account["branch_name"], "普通", account["account_number"]]
    closing += [f"口座名義 {account['account_holder_kana']}", ISSUER.transfer_fee_note]
    closing.append(f"お支払期限：{date_jp(data.extra['due_date'])}までに上記口座へお振込みください。")
    for page, chunk in enumerate(chunks, start=1):
        canv.setFont(font, 18)
        canv.drawCentredString(width / 2, height - 25 * mm, "請求書")
        canv.setFont(font, 9)
        canv.drawRightString(width - 15 * mm, height - 35 * mm, "No. INV-2026-000123")
        canv.drawRightString(width - 15 * mm, height - 40 * mm, f"発行日 {date_jp(data.document_date)}")
        y = height - 50 * mm
        if page == 1:
            for offset, text in enumerate(first_page):
                canv.drawString(15 * mm if offset < 10 else 125 * mm, y - (offset % 10) * 12, text)
            y -= 130
        for x, title in zip(columns, ["品番", "品名", "数量", "単位", "単価", "金額"], strict=True):
            canv.drawString(x, y, title)
        for line in chunk:
            y -= 14
            mark = " ※" if line.tax_rate == 8 else ""
            cells = [line.sku, line.name + mark, f"{line.quantity:,}", line.unit, f"{line.unit_price:,}"]
            for x, text in zip(columns, [*cells, f"{line.amount:,}"], strict=True):
                canv.drawString(x, y, text)
        if page == len(chunks):
            for offset, text in enumerate(closing):
                canv.drawString(110 * mm + (offset % 2) * 40 * mm, y - 20 - (offset // 2) * 12, text)
        canv.drawCentredString(width / 2, 10 * mm, f"{page} / {len(chunks)}")
        canv.drawString(15 * mm, 10 * mm, "INV-2026-000123")
        canv.showPage()
    canv.save()
    return buffer.getvalue()


def weasyprint_engine():
    try:
        import weasyprint
    except ImportError:
        return None
    font_url = Path(document_font().path).as_uri() if document_font().embedded else ""

    def render(data: DocumentData) -> bytes:
        rows = "".join(
            f"<tr><td>{line.sku}</td><td>{line.name}</td><td class=n>{line.quantity:,}</td><td>{line.unit}</td>"
            f"<td class=n>{line.unit_price:,}</td><td class=n>{line.amount:,}</td></tr>"
            for line in data.lines
        )
        taxes = "".join(
            f"<tr><td>{b.rate}%対象</td><td class=n>{yen(b.subtotal)}</td></tr>"
            f"<tr><td>消費税（{b.rate}%）</td><td class=n>{yen(b.tax)}</td></tr>"
            for b in data.totals.breakdown
        )
        html = f"""<html><head><style>
            @font-face {{ font-family: jp; src: url("{font_url}"); }}
            @page {{ size: A4; margin: 36mm 15mm 14mm;
                     @bottom-center {{ content: counter(page) " / " counter(pages); }} }}
            body {{ font-family: jp; font-size: 8.5pt; }} h1 {{ text-align: center; letter-spacing: 6pt; }}
            table {{ border-collapse: collapse; width: 100%; }} td, th {{ border: 0.4pt solid #888; padding: 2pt; }}
            thead {{ display: table-header-group; background: #e6ebf2; }} .n {{ text-align: right; }}
            .issuer {{ float: right; width: 70mm; }} .totals {{ width: 90mm; margin-left: auto; }}
            </style></head><body>
            <h1>請求書</h1><p style="text-align:right">No. INV-2026-000123<br>発行日 {date_jp(data.document_date)}</p>
            <div class=issuer>{ISSUER.name}<br>{ISSUER.address}<br>TEL {ISSUER.phone}<br>
            登録番号 {ISSUER.registration_number}</div>
            <p style="font-size:14pt">{data.recipient.addressee}</p><p>ご請求金額 {yen(data.totals.total)}-</p>
            <table><thead><tr><th>品番</th><th>品名</th><th>数量</th><th>単位</th><th>単価</th><th>金額</th></tr></thead>
            <tbody>{rows}</tbody></table>
            <table class=totals>{taxes}<tr><td>合計（税込）</td><td class=n>{yen(data.totals.total)}</td></tr></table>
            </body></html>"""
        return weasyprint.HTML(string=html).write_pdf()

    return render


def docs_per_second(engines: dict, data: DocumentData, runs: dict[str, int]) -> dict[str, float]:
    """Interleaved: one render of each engine per round, so a change in machine load
    during the run hits every engine alike."""
    spent = dict.fromkeys(engines, 0.0)
    for engine in engines.values():
        engine(data)  # warm up: font parse, imports
    for round_ in range(max(runs.values())):
        for label, engine in engines.items():
            if round_ < runs[label]:
                start = time.perf_counter()
                engine(data)
                spent[label] += time.perf_counter() - start
    return {label: runs[label] / spent[label] for label in engines}


# --- the day's 受注伝票 against as many 納品書 ---------------------------------------------------


def slips_and_notes(count: int, lines_count: int) -> tuple[list[OrderSlipData], list[DocumentData]]:
    """`count` orders of `lines_count` lines each, as 受注伝票 and as 納品書 (same lines, party, totals)."""
    slips, notes = [], []
    for n in range(count):
        lines = []
        for i in range(lines_count):
            name, unit, rate = PRODUCTS[(n + i) % len(PRODUCTS)]
            price = Decimal(480 + ((n + i) * 37) % 9000)
            quantity = 1 + (n + i) % 12
            lines.append(DocumentLine(f"P-{i:05d}", name, quantity, unit, price, line_amount(quantity, price), rate))
        totals = compute_totals((line.tax_rate, line.amount) for line in lines)
        number = f"SO-2026-{n + 1:06d}"
        slips.append(
            OrderSlipData(
                number=number,
                order_date=dt.date(2026, 12, 3),
                customer=SlipParty(
                    "株式会社山田製作所", "C0001", "530-0001", "大阪府大阪市北区梅田1-2-3", "06-1234-5678"
                ),
                ship_to=None,
                customer_po_number=f"PO-{n:05d}",
                sales_rep="鈴木 一郎",
                entered_by="佐藤 花子",
                requested_date=dt.date(2026, 12, 10),
                status="受注確定",
                lines=tuple(
                    SlipLine(
                        position=i + 1,
                        sku=line.sku,
                        name=line.name,
                        quantity=line.quantity,
                        unit=line.unit,
                        unit_price=line.unit_price,
                        amount=line.amount,
                        allocated=line.quantity - i % 2,
                        backordered=i % 2,
                        expected_date=dt.date(2026, 12, 15) if i % 2 else None,
                    )
                    for i, line in enumerate(lines)
                ),
                subtotal=totals.subtotal,
                tax_total=totals.tax_total,
                total=totals.total,
                note="午前中必着",
            )
        )
        notes.append(
            DocumentData(
                kind=DocumentKind.DELIVERY_NOTE,
                document_date=dt.date(2026, 12, 3),
                recipient=Party(name="株式会社山田製作所", postal_code="530-0001", address="大阪府大阪市北区梅田1-2-3"),
                lines=lines,
                totals=totals,
                subject=f"ご注文 {number}",
                extra={"order_number": f"PO-{n:05d}"},
            )
        )
    return slips, notes


def slips_against_notes(count: int, lines_count: int, rounds: int) -> tuple[float, float]:
    """Seconds for the day's batch of `count` slips (one PDF) and for `count` delivery notes
    (one PDF each, as they are issued), best of `rounds`, the two interleaved."""
    slips, notes = slips_and_notes(count, lines_count)
    render_order_slips(slips[:2])  # warm up
    render_pdf(notes[0], number="DN-2026-000001", issuer=ISSUER)
    best_slips = best_notes = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        render_order_slips(slips, company=ISSUER.name)
        best_slips = min(best_slips, time.perf_counter() - start)
        start = time.perf_counter()
        for n, note in enumerate(notes):
            render_pdf(note, number=f"DN-2026-{n + 1:06d}", issuer=ISSUER)
        best_notes = min(best_notes, time.perf_counter() - start)
    return best_slips, best_notes


def print_slips_against_notes(count: int, lines_count: int, rounds: int) -> None:
    slips_seconds, notes_seconds = slips_against_notes(count, lines_count, rounds)
    print()
    print(f"the day's batch: {count} orders of {lines_count} lines, best of {rounds}")
    print(f"  {count} 受注伝票, one PDF        {slips_seconds:6.2f} s  = {count / slips_seconds:6.1f} slips/s")
    print(f"  {count} 納品書, one PDF each     {notes_seconds:6.2f} s  = {count / notes_seconds:6.1f} notes/s")
    print(f"  slips / notes time          {slips_seconds / notes_seconds:6.2f}x   (goal <= 1.30x)")


# --- the month-end batch -------------------------------------------------------------------------------


def prepare_database():
    from django.contrib.auth import get_user_model

    fixtures.migrate()
    fixtures.company_profile(email="", transfer_fee_note=ISSUER.transfer_fee_note)
    user, _ = get_user_model().objects.get_or_create(username="bench")
    return user


def issue_batch(user, count: int, lines: int, threads: int = 1) -> tuple[list[int], float]:
    """Issue `count` invoices, each in its own transaction, renders deferred; returns ids and seconds."""
    from documents.services import document_issue

    ids: list[int] = []
    lock = threading.Lock()

    def worker(share: int) -> None:
        data = invoice(lines)
        try:
            for _ in range(share):
                with transaction.atomic():
                    document = document_issue(data=data, user=user, source=("bench.invoice", 0))
                with lock:
                    ids.append(document.pk)
        finally:
            if threads > 1:
                connections.close_all()

    with mock.patch("documents.services.issue._schedule_render"):  # render separately, timed on its own
        start = time.perf_counter()
        if threads == 1:
            worker(count)
        else:
            workers = [threading.Thread(target=worker, args=(count // threads,)) for _ in range(threads)]
            for thread in workers:
                thread.start()
            for thread in workers:
                thread.join()
        return ids, time.perf_counter() - start


def _render_ids(ids: list[int]) -> None:
    from documents.services import document_render, documents_in_chunks

    for document in documents_in_chunks(ids):
        document_render(document)
    connections.close_all()


def render_with_workers(ids: list[int], workers: int) -> float:
    connections.close_all()  # the forked workers open their own connections
    shares = [ids[i::workers] for i in range(workers)]
    context = multiprocessing.get_context("fork")
    start = time.perf_counter()
    processes = [context.Process(target=_render_ids, args=(share,)) for share in shares]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=40, help="renders of the 30-line invoice (300-line: runs / 4)")
    parser.add_argument("--batch", type=int, default=1000, help="invoices in the month-end batch")
    parser.add_argument("--quick", action="store_true", help="few runs, batch of 100")
    parser.add_argument("--slips", type=int, default=200, help="orders in the day's batch of 受注伝票")
    parser.add_argument("--slip-lines", type=int, default=10, help="lines per order in that batch")
    parser.add_argument("--only-slips", action="store_true", help="only the 受注伝票 / 納品書 figure")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.batch = 8, 100
    if args.only_slips:
        print_slips_against_notes(args.slips, args.slip_lines, rounds=3)
        return

    font = document_font()
    print(f"font: {font.path or font.name} ({'embedded TrueType' if font.embedded else 'built-in CID, NOT embedded'})")
    weasy = weasyprint_engine()
    print()
    print(f"{'documents/second':<24}{'30 lines':>12}{'300 lines':>12}")
    engines = {"ours (platypus layout)": ours, "canvas baseline": canvas_baseline}
    if weasy is not None:
        engines["WeasyPrint (HTML)"] = weasy
    slow = {"WeasyPrint (HTML)": 10}
    small = docs_per_second(engines, invoice(30), {k: max(2, args.runs // slow.get(k, 1)) for k in engines})
    large = docs_per_second(engines, invoice(300), {k: max(1, args.runs // 4 // slow.get(k, 1)) for k in engines})
    results = {label: (small[label], large[label]) for label in engines}
    for label, (per_second_small, per_second_large) in results.items():
        print(f"{label:<24}{per_second_small:>12.1f}{per_second_large:>12.2f}")
    ours_small, ours_large = results["ours (platypus layout)"]
    canvas_small, canvas_large = results["canvas baseline"]
    print()
    print(f"ours / canvas, 30 lines : {ours_small / canvas_small:.2f}x   (goal >= 0.70x)")
    print(f"ours / canvas, 300 lines: {ours_large / canvas_large:.2f}x   (goal >= 0.67x, i.e. within 1.5x)")
    if weasy is not None:
        weasy_small, weasy_large = results["WeasyPrint (HTML)"]
        print(f"ours / WeasyPrint, 30 lines : {ours_small / weasy_small:.1f}x   (goal >= 20x)")
        print(f"ours / WeasyPrint, 300 lines: {ours_large / weasy_large:.1f}x")
    print_slips_against_notes(args.slips, args.slip_lines, rounds=1 if args.quick else 3)

    user = prepare_database()
    vendor = connections["default"].vendor
    print()
    print(f"month-end batch of {args.batch} 30-line invoices on {vendor}:")
    ids_one, issue_seconds = issue_batch(user, args.batch, 30)
    print(
        f"  issue (number + archive, 1 thread)   {issue_seconds:6.1f} s  = {args.batch / issue_seconds:6.0f} issues/s"
    )
    render_one = render_with_workers(ids_one, 1)
    print(f"  render + store, 1 worker             {render_one:6.1f} s  = {args.batch / render_one:6.1f} docs/s")
    print(f"  issue + render, 1 worker             {issue_seconds + render_one:6.1f} s")
    ids_two, issue_seconds_two = issue_batch(user, args.batch, 30)
    render_two = render_with_workers(ids_two, 2)
    print(f"  render + store, 2 workers            {render_two:6.1f} s  = {args.batch / render_two:6.1f} docs/s")
    print(f"  issue + render, 2 workers            {issue_seconds_two + render_two:6.1f} s")
    _, contended = issue_batch(user, 400, 30, threads=8)
    print(f"  one sequence, 8 threads issuing      {400 / contended:6.0f} issues/s (serialised on the counter row)")


if __name__ == "__main__":
    main()
