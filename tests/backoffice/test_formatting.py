"""Issue #12 item 4: percentages and quantities as people read them, in one helper,
also as template filters (never Decimal.normalize()'s 1E+1)."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from backoffice.formatting import number, percent, yen


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *((Decimal(n).quantize(Decimal("0.01")), f"{n}%") for n in range(0, 101, 5)),
        (Decimal("12.50"), "12.5%"),
        (Decimal("12.5"), "12.5%"),
        (Decimal("0.00"), "0%"),
        (Decimal("1E+1"), "10%"),
        (Decimal("100.00"), "100%"),
        (Decimal("7.25"), "7.25%"),
        (8, "8%"),
        ("10.00", "10%"),
        (None, ""),
    ],
    ids=str,
)
def test_percent(value, expected):
    assert percent(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1200, "1,200"),
        (Decimal("1200.000"), "1,200"),
        (Decimal("1E+3"), "1,000"),
        (Decimal("2.50"), "2.5"),
        (Decimal("-0.00"), "0"),
        (0, "0"),
    ],
    ids=str,
)
def test_number(value, expected):
    assert number(value) == expected


def test_yen():
    values = [Decimal("1234567"), Decimal("-1234"), Decimal("0"), Decimal("-0"), Decimal("1E+3"), 980, "1500", None]
    assert [yen(value) for value in values] == ["¥1,234,567", "-¥1,234", "¥0", "¥0", "¥1,000", "¥980", "¥1,500", ""]


def test_floats_are_refused():
    with pytest.raises(TypeError):
        number(0.1)
    with pytest.raises(TypeError):
        yen(0.1)


def test_template_filters():
    template = Template(
        "{% load formatting %}{{ rate|percent }} {{ qty|number }} {{ none|percent }} {{ total|yen }} {{ none|yen }}"
    )

    context = Context({"rate": Decimal("10.00"), "qty": Decimal("1500"), "none": None, "total": Decimal("-1234")})
    assert template.render(context) == "10% 1,500 — -¥1,234 —"


@pytest.mark.parametrize(
    ("fraction", "shown"),
    [
        (Decimal("0.02"), "2%"),
        (Decimal("0.875"), "87.5%"),
        (Decimal("1"), "100%"),
        (Decimal("1.23456"), "123.5%"),
        (None, "—"),
    ],
)
def test_an_achievement_rate_is_shown_as_a_percentage(fraction, shown):
    from backoffice.templatetags.formatting import fraction_percent

    assert fraction_percent(fraction) == shown
