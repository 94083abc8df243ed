"""Status badges: every status a screen can show has a colour that says what it means
(done green, waiting amber, failed or cancelled red, under way blue, not started or over grey)."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.template import Context, Template

from web.templatetags.web import TONES

CSS = Path(__file__).resolve().parents[2] / "web" / "static" / "web" / "app.css"

# The models whose status the screens show as a badge.
BADGED = [
    "orders.Inquiry",
    "orders.Quote",
    "orders.Order",
    "orders.Shipment",
    "inventory.StockDemand",
    "inventory.PurchaseOrder",
    "documents.DocumentMailing",
    "billing.ClosingRun",
    "billing.ClosingSend",
    "billing.Invoice",
    "billing.BankStatementLine",
    "contracts.Contract",
]


def status_values(label: str) -> list[str]:
    return [value for value, _ in apps.get_model(label)._meta.get_field("status").choices]


def test_every_status_of_every_model_with_a_status_has_a_colour():
    models_with_status = {
        model._meta.label
        for model in apps.get_models()
        if any(f.name == "status" and getattr(f, "choices", None) for f in model._meta.get_fields())
    }
    assert models_with_status <= set(BADGED), "a new model with a status: add it to BADGED and TONES"

    missing = [(label, value) for label in BADGED for value in status_values(label) if value not in TONES]

    assert missing == []


def test_each_colour_is_a_badge_class_of_the_stylesheet():
    defined = set(re.findall(r"\.badge-([a-z]+)\s*\{", CSS.read_text()))

    assert set(TONES.values()) == {"success", "warning", "danger", "info", "neutral"}
    assert set(TONES.values()) <= defined


@pytest.mark.parametrize(
    ("label", "status", "tone"),
    [
        ("billing.ClosingRun", "running", "info"),
        ("billing.ClosingRun", "done", "success"),
        ("billing.ClosingRun", "failed", "danger"),
        ("documents.DocumentMailing", "requested", "warning"),
        ("documents.DocumentMailing", "delivered", "success"),
        ("orders.Order", "cancelled", "danger"),
        ("orders.Order", "on_hold", "warning"),
        ("orders.Order", "draft", "neutral"),
        ("orders.Quote", "pending_approval", "warning"),
        ("orders.Quote", "expired", "neutral"),
        ("billing.Invoice", "paid", "success"),
        ("billing.BankStatementLine", "unmatched", "warning"),
        ("contracts.Contract", "signed", "success"),
        ("inventory.PurchaseOrder", "received", "success"),
    ],
)
def test_the_badge_shows_the_status_name_in_its_colour(label, status, tone):
    obj = apps.get_model(label)(status=status)

    html = Template("{% load web %}{% status_badge obj %}").render(Context({"obj": obj}))

    assert html == (f'<span class="badge badge-{tone}" data-status="{status}">{obj.get_status_display()}</span>')
