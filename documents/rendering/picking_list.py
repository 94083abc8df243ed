"""出荷指示書 / ピッキングリスト: what the warehouse picks, per warehouse and product, with
the orders each quantity goes to. One shipment's list, or the day's (every shipment of the
day, the same product's quantities added up). Plain data in, PDF bytes out; each warehouse
starts a new page, so each can be handed to its own floor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from backoffice.formatting import number

from ..fonts import document_font
from .papers import Column, FactsBlock, GridTable, Paper, PaperHeader, TextLine, render_papers

SHIPMENT_TITLE = "出荷指示書"  # one shipment's
DAY_TITLE = "ピッキングリスト"  # the day's, every shipment
INTERNAL = "社内用"


@dataclass(frozen=True)
class PickDestination:
    """Where some of a row's quantity goes: an order (and its customer) on a shipment."""

    order_number: str
    customer: str
    shipment: str  # the shipment's number, or 出荷準備 #id before it ships
    quantity: int


@dataclass(frozen=True)
class PickRow:
    sku: str
    name: str
    unit: str
    quantity: int
    destinations: tuple[PickDestination, ...]


@dataclass(frozen=True)
class PickingSection:
    warehouse_code: str
    warehouse_name: str
    rows: tuple[PickRow, ...]


@dataclass(frozen=True)
class PickingListData:
    title: str  # SHIPMENT_TITLE or DAY_TITLE
    number: str  # what the list is of: a shipment's number / 出荷準備 #id, or the day
    date: dt.date
    date_label: str  # what the date is: 出荷日, or 作成日 for a shipment not yet shipped
    facts: tuple[tuple[str, str], ...]  # the head: 出荷, 受注番号, 得意先, 納品先 ... or 出荷日, 出荷件数
    sections: tuple[PickingSection, ...]  # one per warehouse; none: nothing to pick


COLUMNS = (
    Column("No.", 8, numeric=True),
    Column("品番", 24),
    Column("品名", 50, wraps=True),
    Column("数量", 15, numeric=True),
    Column("単位", 12),
    Column("出荷先（受注番号・得意先・数量）", 60, wraps=True),
    Column("確認", 11),
)


def _destination_text(destination: PickDestination, *, several: bool) -> str:
    text = f"{destination.order_number} {destination.customer}"
    return f"{text} ×{number(destination.quantity)}" if several else text


def _row(index: int, row: PickRow) -> tuple[str, ...]:
    several = len(row.destinations) > 1
    return (
        str(index),
        row.sku,
        row.name,
        number(row.quantity),
        row.unit,
        "\n".join(_destination_text(d, several=several) for d in row.destinations),
        "",
    )


def _facts(data: PickingListData, section: PickingSection | None) -> FactsBlock:
    facts = list(data.facts)
    if section is not None:
        facts.insert(0, ("倉庫", f"{section.warehouse_code} {section.warehouse_name}"))
        total = sum(row.quantity for row in section.rows)
        facts.append(("ピッキング", f"{len(section.rows)}品目 計{number(total)}"))
    half = (len(facts) + 1) // 2
    return FactsBlock(facts[:half], facts[half:], document_font().name)


def render_picking_list(data: PickingListData, *, company: str = "") -> bytes:
    font = document_font().name
    papers = []
    for section in data.sections:
        story: list[Flowable] = [
            _facts(data, section),
            Spacer(0, 5 * mm),
            GridTable.of(COLUMNS, [_row(i, row) for i, row in enumerate(section.rows, start=1)], font),
            Spacer(0, 4 * mm),
            TextLine("ピッキング者：＿＿＿＿＿＿＿＿　　確認者：＿＿＿＿＿＿＿＿", font),
        ]
        header = PaperHeader(
            title=data.title,
            number=data.number,
            date=data.date,
            date_label=data.date_label,
            stamps=(INTERNAL,),
            footer=f"{section.warehouse_code} {section.warehouse_name}",
        )
        papers.append(Paper(header, story))
    if not papers:
        story = [_facts(data, None), Spacer(0, 8 * mm), TextLine("ピッキングする出荷はありません。", font, 11)]
        papers.append(Paper(PaperHeader(data.title, data.number, data.date, data.date_label, (INTERNAL,)), story))
    return render_papers(papers, title=f"{data.title} {data.number}", author=company, date=data.date)
