"""Issue #12 item 11: the per-line amounts excluding tax add up to the document's, per rate."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backoffice.money import RoundingMode, TaxMode, compute_totals, net_amounts

lines = st.lists(
    st.tuples(st.sampled_from([10, 8, 0]), st.integers(min_value=0, max_value=10_000_000).map(Decimal)),
    min_size=1,
    max_size=40,
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a shared, loaded CI machine
@given(lines=lines, mode=st.sampled_from(list(RoundingMode)), tax_mode=st.sampled_from(list(TaxMode)))
def test_net_amounts_add_up_per_rate_to_the_documents_subtotal(lines, mode, tax_mode):
    nets = net_amounts(lines, mode=mode, tax_mode=tax_mode)
    totals = compute_totals(lines, mode=mode, tax_mode=tax_mode)

    for row in totals.breakdown:
        of_rate = (net for (rate, _amount), net in zip(lines, nets, strict=True) if rate == row.rate)
        assert sum(of_rate, Decimal(0)) == row.subtotal
    for (rate, amount), net in zip(lines, nets, strict=True):
        assert 0 <= amount - net <= amount  # never a negative tax nor more tax than the line
        exact = amount * rate / (100 + rate) if tax_mode == TaxMode.INCLUSIVE else 0
        assert abs((amount - net) - exact) < 2  # within a yen of the line's exact share, give or take rounding


def test_the_issue_example_extracts_once_per_rate():
    lines = [(10, Decimal(1700)), (10, Decimal(5200)), (10, Decimal(2900)), (8, Decimal(4500)), (8, Decimal(3300))]
    lines += [(8, Decimal(2900))]

    nets = net_amounts(lines, tax_mode=TaxMode.INCLUSIVE)

    assert nets == [Decimal(n) for n in (1545, 4728, 2637, 4167, 3056, 2685)]
    assert sum(nets) == 18818  # 20,500 − 890 − 792
