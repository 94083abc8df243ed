"""The admin's order form as a browser posts it, for the admin tests."""

from django.test import Client


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def order_form(customer, line: dict, *, existing_lines: int = 0, **header) -> dict:
    """The order form with one line: `line` maps the line's fields to what is posted,
    `header` the order's fields beyond the customer and the order date."""
    return {
        "customer": customer.pk,
        "order_date": "2026-11-20",
        **header,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": str(existing_lines),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        **{f"lines-0-{name}": value for name, value in line.items()},
    }
