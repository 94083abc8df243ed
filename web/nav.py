"""The main menu: the screens grouped by the work they belong to, each link shown only to the
roles that may open it (the same rules as the views), and the section of the current page
marked. The layout renders what `navigation()` returns; a group with one link for this user is
shown as that link."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Viewer:
    is_sales_admin: bool
    is_manager: bool
    is_staff: bool
    is_superuser: bool


def everyone(viewer: Viewer) -> bool:
    return True


def sales_admin(viewer: Viewer) -> bool:
    return viewer.is_sales_admin


def sales_admin_or_manager(viewer: Viewer) -> bool:
    return viewer.is_sales_admin or viewer.is_manager


def settings_keeper(viewer: Viewer) -> bool:
    return viewer.is_sales_admin or viewer.is_superuser


def staff(viewer: Viewer) -> bool:
    return viewer.is_staff


@dataclass(frozen=True)
class Entry:
    url_name: str
    label: str
    shown_to: Callable[[Viewer], bool] = everyone


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    # Pages under these paths belong to the section even when no link points at them
    # (an order's detail page, a customer's ledger).
    paths: tuple[str, ...]
    entries: tuple[Entry, ...]


SECTIONS = (
    Section(
        "sales",
        _("Selling"),
        ("/orders/", "/quotes/", "/inquiries/", "/shipments/", "/customers/"),
        (
            Entry("orders:order_new", _("Enter an order"), sales_admin),
            Entry("orders:order_list", _("Orders")),
            Entry("orders:quote_list", _("Quotes")),
            Entry("orders:inquiry_list", _("Inquiries")),
            Entry("orders:shipment_list", _("Shipments"), sales_admin),
            Entry("orders:customer_list", _("Customers")),
        ),
    ),
    Section(
        "billing",
        _("Billing"),
        ("/billing/",),
        (
            Entry("billing:invoice_list", _("Invoices")),
            Entry("billing:closing_list", _("Closing"), sales_admin),
            Entry("billing:payment_new", _("Payments"), sales_admin),
            Entry("billing:bank_list", _("Bank statements"), sales_admin),
            Entry("billing:receivables", _("Receivables"), sales_admin_or_manager),
        ),
    ),
    Section(
        "stock",
        _("Stock and purchasing"),
        ("/products/", "/stock/", "/purchasing/"),
        (
            Entry("inventory:product_list", _("Products and stock")),
            Entry("inventory:stock_list", _("Stock"), sales_admin),
            Entry("inventory:purchase_suggestions", _("Reorder suggestions"), sales_admin),
            Entry("inventory:purchase_order_list", _("Purchasing"), sales_admin),
        ),
    ),
    Section(
        "documents",
        _("Documents"),
        ("/documents/", "/contracts/"),
        (
            Entry("documents:document_search", _("Search documents")),
            Entry("contracts:contract_list", _("Contracts")),
        ),
    ),
    Section(
        "reports",
        _("Reports"),
        ("/reports/",),
        (
            Entry("reports:dashboard", _("Sales dashboard")),
            Entry("reports:consumption_tax", _("Consumption tax"), sales_admin_or_manager),
        ),
    ),
    Section(
        "settings",
        _("Settings"),
        ("/settings/", "/admin/"),
        (
            Entry("company:settings", _("Company settings"), settings_keeper),
            Entry("admin:index", _("Admin"), staff),
        ),
    ),
)


@dataclass
class Link:
    url: str
    label: str
    current: bool = False


@dataclass
class Group:
    key: str
    label: str
    links: list[Link]
    current: bool = False

    @property
    def single(self) -> Link | None:
        """The one link of a group that has only one for this user (shown without a dropdown)."""
        return self.links[0] if len(self.links) == 1 else None


def _url(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:  # an app's screens not installed
        return None


def navigation(*, viewer: Viewer, path: str) -> list[Group]:
    """The groups of the menu this viewer sees, in order, with the current page's link and
    section marked: the link whose address is the longest start of the path, else the section
    whose paths the page lies under."""
    groups = []
    for section in SECTIONS:
        links = [
            Link(url, str(entry.label))
            for entry in section.entries
            if entry.shown_to(viewer) and (url := _url(entry.url_name))
        ]
        if links:
            groups.append(Group(section.key, str(section.label), links))
    candidates = [link for group in groups for link in group.links if path.startswith(link.url)]
    if candidates:
        best = max(candidates, key=lambda link: len(link.url))
        best.current = True
        for group in groups:
            group.current = any(link is best for link in group.links)
    else:
        by_path = {section.key: section.paths for section in SECTIONS}
        for group in groups:
            group.current = path.startswith(by_path[group.key])
    return groups
