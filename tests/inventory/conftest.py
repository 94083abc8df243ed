import pytest

from tests.factories import ProductFactory, WarehouseFactory, complete_company_profile


@pytest.fixture(autouse=True)
def _issuer(request):
    """Issuing a purchase order prints the 発注書: the company must be set up."""
    if (
        "db" in request.fixturenames
        or "transactional_db" in request.fixturenames
        or request.node.get_closest_marker("django_db")
    ):
        request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
        complete_company_profile()


@pytest.fixture
def main_wh(db):
    return WarehouseFactory(code="MAIN", name="本社倉庫", is_default=True)


@pytest.fixture
def osaka_wh(db):
    return WarehouseFactory(code="OSAKA", name="大阪倉庫")


@pytest.fixture
def product(db):
    return ProductFactory(sku="A-100", name="ステンレスボルト M8")


@pytest.fixture
def service_product(db):
    return ProductFactory(sku="S-900", name="送料", track_stock=False, supplier=None)
