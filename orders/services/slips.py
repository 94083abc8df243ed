"""Printing the internal papers: 受注伝票 (one order or the day's batch) and 出荷指示書 /
ピッキングリスト. Nothing is issued (no number taken, nothing archived); a slip's prints
are recorded, and every print after the first is stamped 再印刷 with its time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.exceptions import StateConflict
from backoffice.roles import Role, require_role
from backoffice.selectors import company_profile
from documents.fonts import require_embedded_font
from documents.rendering.order_slip import render_order_slips
from documents.rendering.picking_list import render_picking_list
from inventory.models import Warehouse

from ..models import Order, OrderSlipPrint, Shipment
from ..slips import day_picking_data, order_slip_data, printed_before, shipment_picking_data


def order_slips_print(*, orders: Sequence[Order], user) -> bytes:
    """The 受注伝票 of these orders (the caller has checked the user sees them), one PDF,
    one order from a new page; each print is recorded. An order printed before is stamped
    再印刷 with this print's time. Rendered before the prints are written, so a failed
    render records nothing, and no transaction is held open while it renders."""
    require_role(user, Role.SALES_ADMIN, Role.SALES_REP, Role.MANAGER, message=_("You may not print order slips."))
    orders = list(orders)
    if not orders:
        raise StateConflict(_("There are no orders to print."))
    for order in orders:
        if not order.number or order.status == Order.Status.DRAFT:
            raise StateConflict(_("A draft order has no slip yet: confirm it first."))
    require_embedded_font()
    now = timezone.now()
    reprinted = printed_before(o.pk for o in orders)
    slips = order_slip_data(orders, reprinted_at=timezone.localtime(now), reprinted=reprinted)
    pdf = render_order_slips(slips, company=company_profile().name)
    _record_prints(orders=orders, user=user, at=now)
    return pdf


@transaction.atomic
def _record_prints(*, orders: Sequence[Order], user, at: dt.datetime) -> None:
    OrderSlipPrint.objects.bulk_create([OrderSlipPrint(order=o, printed_at=at, printed_by=user) for o in orders])
    audit.record_many(actor=user, action="order.slip_printed", items=[(order, None) for order in orders])


def shipment_picking_list(*, shipment: Shipment, user) -> bytes:
    """One shipment's 出荷指示書 / ピッキングリスト (sales admins)."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins print picking lists."))
    if shipment.status == Shipment.Status.CANCELLED:
        raise StateConflict(_("A cancelled shipment has nothing to pick."))
    require_embedded_font()
    return render_picking_list(shipment_picking_data(shipment), company=company_profile().name)


def day_picking_list(*, on: dt.date, warehouse: Warehouse | None, user) -> bytes:
    """The day's ピッキングリスト, every warehouse or one (sales admins)."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins print picking lists."))
    require_embedded_font()
    return render_picking_list(day_picking_data(on, warehouse=warehouse), company=company_profile().name)
