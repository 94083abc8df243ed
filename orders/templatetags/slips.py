"""The print forms of the internal papers, for the order and shipment lists:
`{% slip_day_form %}` (the day's 受注伝票) and `{% picking_day_form %}` (the day's
ピッキングリスト, with the warehouse chooser)."""

from django import template

from ..forms.slips import PickingDayForm, SlipDayForm

register = template.Library()


@register.inclusion_tag("orders/slips/_slip_day_form.html")
def slip_day_form():
    return {"form": SlipDayForm()}


@register.inclusion_tag("orders/slips/_picking_day_form.html")
def picking_day_form():
    return {"form": PickingDayForm()}
