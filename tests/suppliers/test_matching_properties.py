"""Properties of line matching (suppliers.matching), over generated invoice sequences:
never more invoiced than ordered (or received, for goods) beyond the tolerance; partial
invoices sum; credit notes restore; what is counted is exactly what clean invoices add."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from suppliers import matching

PRICE = Decimal("12.50")

quantities = st.decimals(min_value=Decimal("0.5"), max_value=Decimal(40), places=1)
tolerances = st.one_of(
    st.none(), st.sampled_from([Decimal(0), Decimal(5), Decimal(10), Decimal("12.5")])
)
documents = st.lists(st.tuples(st.sampled_from([1, 1, 1, -1]), quantities), min_size=1, max_size=12)


def order_line(ordered: Decimal, received: Decimal, *, goods: bool) -> matching.OrderLineState:
    return matching.OrderLineState(
        id=1,
        line_number=1,
        item_code="A",
        description="Item",
        is_goods=goods,
        quantity=ordered,
        unit_price=PRICE,
        tax_rate=Decimal(21),
        received=received,
        invoiced=Decimal(0),
    )


def run(line: matching.OrderLineState, docs, tolerance: matching.Tolerance):
    results = []
    for sign, quantity in docs:
        result = matching.match_lines(
            [matching.LineInput(quantity=quantity, unit_price=PRICE, seller_item_id="A")],
            [line],
            sign=sign,
            tolerance=tolerance,
            invoice_total=(quantity * PRICE).quantize(Decimal("0.01")),
        )
        matching.apply(result, [line])
        results.append(result)
    return results


@settings(max_examples=300, deadline=None)
@given(
    ordered=st.decimals(min_value=1, max_value=100, places=0),
    received_share=st.decimals(min_value=0, max_value=1, places=2),
    goods=st.booleans(),
    quantity_percent=tolerances,
    docs=documents,
)
def test_never_more_invoiced_than_ordered_or_received_beyond_tolerance(
    ordered, received_share, goods, quantity_percent, docs
):
    received = (ordered * received_share).quantize(Decimal("0.1"))
    line = order_line(ordered, received, goods=goods)
    tolerance = matching.Tolerance(quantity_percent=quantity_percent)
    results = run(line, docs, tolerance)

    assert line.invoiced >= 0
    if quantity_percent is not None:
        factor = 1 + quantity_percent / 100
        assert line.invoiced <= ordered * factor
        if goods:
            assert line.invoiced <= received * factor
    # The counted quantity is exactly what the clean documents brought, signed.
    assert line.invoiced == sum(
        (result.applied[0] for result in results if result.clean), Decimal(0)
    )
    assert all(result.applied == [0] for result in results if not result.clean)


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(quantities, min_size=1, max_size=8))
def test_partial_invoices_sum(parts):
    total = sum(parts, Decimal(0))
    line = order_line(total, total, goods=True)
    results = run(line, [(1, part) for part in parts], matching.Tolerance())

    assert all(result.clean for result in results)
    assert line.invoiced == total
    # One more unit is over what was ordered, strictly.
    extra = run(line, [(1, Decimal("0.1"))], matching.Tolerance())[0]
    assert [finding.code for finding in extra.findings] == ["qty_ordered"]
    assert line.invoiced == total


@settings(max_examples=200, deadline=None)
@given(invoiced=quantities, credited_share=st.decimals(min_value=0, max_value=1, places=2))
def test_credit_notes_restore_what_was_invoiced(invoiced, credited_share):
    line = order_line(invoiced, invoiced, goods=True)
    run(line, [(1, invoiced)], matching.Tolerance())
    credited = (invoiced * credited_share).quantize(Decimal("0.1"))
    if credited:
        (result,) = run(line, [(-1, credited)], matching.Tolerance())
        assert result.clean
    assert line.invoiced == invoiced - credited
    # Crediting more than is now invoiced is held and changes nothing.
    (too_much,) = run(line, [(-1, line.invoiced + 1)], matching.Tolerance())
    assert [finding.code for finding in too_much.findings] == ["qty_invoiced"]
    assert line.invoiced == invoiced - credited
    # What was credited can be invoiced again, up to the order.
    if credited:
        assert run(line, [(1, credited)], matching.Tolerance())[0].clean
    assert line.invoiced == invoiced


@settings(max_examples=200, deadline=None)
@given(
    ordered_price=st.decimals(min_value=1, max_value=1000, places=2),
    invoiced_price=st.decimals(min_value=1, max_value=1000, places=2),
    price_percent=tolerances,
)
def test_price_tolerance(ordered_price, invoiced_price, price_percent):
    line = order_line(Decimal(10), Decimal(10), goods=False)
    line.unit_price = ordered_price
    result = matching.match_lines(
        [matching.LineInput(quantity=Decimal(1), unit_price=invoiced_price, seller_item_id="A")],
        [line],
        sign=1,
        tolerance=matching.Tolerance(price_percent=price_percent, total_percent=None),
        invoice_total=invoiced_price,
    )
    held = "price" in {finding.code for finding in result.findings}
    if price_percent is None:
        assert not held
    else:
        assert held == (abs(invoiced_price - ordered_price) > ordered_price * price_percent / 100)


def test_lines_are_assigned_by_reference_code_description_then_price():
    lines = [
        matching.OrderLineState(
            i, i, code, description, True, Decimal(5), price, Decimal(0), Decimal(5), Decimal(0)
        )
        for i, code, description, price in (
            (1, "A", "Alpha", Decimal(1)),
            (2, "B", "Beta", Decimal(2)),
            (3, "", "Gamma", Decimal(3)),
            (4, "", "Delta", Decimal(4)),
        )
    ]
    inputs = [
        matching.LineInput(Decimal(1), Decimal(4), po_line_reference="4"),
        matching.LineInput(Decimal(1), Decimal(2), seller_item_id="b"),
        matching.LineInput(Decimal(1), Decimal(3), description="GAMMA"),
        matching.LineInput(Decimal(1), Decimal(1), description="Something else"),
        matching.LineInput(Decimal(1), Decimal(9), description="Unknown"),
    ]
    assigned = matching.assign_order_lines(inputs, lines)
    assert [line.id if line else None for line in assigned] == [4, 2, 3, 1, None]
