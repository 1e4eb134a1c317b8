"""Money as Argentines read and write it (core.money, Babel es_AR)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.money import UnreadableNumber, format_money, format_number, parse_amount


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (Decimal("1234.5"), "ARS", "$\u00a01.234,50"),
        (Decimal("2000"), "ARS", "$\u00a02.000,00"),
        (Decimal("0.05"), "ARS", "$\u00a00,05"),
        (Decimal("-1500"), "ARS", "-$\u00a01.500,00"),
        (Decimal("1234567.891"), "ARS", "$\u00a01.234.567,89"),
        (Decimal("99.9"), "USD", "US$\u00a099,90"),
        (Decimal("1000"), "EUR", "EUR\u00a01.000,00"),
    ],
)
def test_amounts_are_written_the_argentine_way(amount, currency, text):
    assert format_money(amount, currency) == text


def test_no_amount_is_an_empty_text():
    assert format_money(None) == "" and format_money("") == ""


@pytest.mark.parametrize(
    ("value", "text"), [(Decimal("20.0000"), "20"), (Decimal("2.5"), "2,5"), (1500, "1.500")]
)
def test_quantities_lose_trailing_zeros(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.234,50", Decimal("1234.50")),  # as Argentines write it (refused before Babel)
        ("1234,50", Decimal("1234.50")),
        ("121.000,00", Decimal("121000.00")),
        ("1.000.000", Decimal("1000000")),
        ("1.234", Decimal("1234")),  # the Argentine reading first
        ("1234.50", Decimal("1234.50")),  # as bank exports and English spreadsheets write it
        ("0.125", Decimal("0.125")),  # a dot that cannot group thousands is a decimal point
        ("-10,5", Decimal("-10.5")),
        (" 7 ", Decimal("7")),
        ("1\u00a0234,50", Decimal("1234.50")),
    ],
)
def test_amounts_are_read_as_people_and_banks_write_them(text, value):
    assert parse_amount(text) == value


@pytest.mark.parametrize(
    "text", ["", "abc", "1.23.4", "1,234.50", "NaN", "Infinity", "1e5", "1.2.3"]
)
def test_what_is_not_clearly_a_number_is_refused(text):
    with pytest.raises(UnreadableNumber):
        parse_amount(text)
