import datetime as dt

import pytest

from tests.contracts.helpers import standard_templates
from tests.factories import CustomerFactory

TODAY = dt.date(2026, 12, 4)


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def customer(db, rep_user):
    return CustomerFactory(
        code="C0100",
        name="株式会社北斗精機",
        postal_code="530-0001",
        address="大阪府大阪市北区梅田1-2-3",
        closing_day=20,
        payment_month_offset=1,
        payment_day=10,
        sales_rep=rep_user,
    )


@pytest.fixture
def master_template(db):
    return standard_templates()["master"]


@pytest.fixture
def templates(db):
    return standard_templates()
