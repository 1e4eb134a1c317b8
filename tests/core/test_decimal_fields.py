"""Number and money fields read and show numbers the way the site writes them."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.forms import ArgentineDecimalField


@pytest.mark.parametrize(
    ("typed", "places", "value"),
    [
        ("185.000,50", 2, Decimal("185000.50")),
        ("90.000", 2, Decimal("90000")),
        ("3.800,00", 2, Decimal("3800.00")),
        ("$ 1.234,5", 2, Decimal("1234.5")),  # copied from a page, with the sign
        ("12,3,4", 2, None),
        ("1234.50", 2, Decimal("1234.50")),  # as a spreadsheet copies it
        ("2,5", 1, Decimal("2.5")),
        ("1.500", 0, Decimal("1500")),
        ("20", 0, Decimal("20")),
    ],
)
def test_argentine_numbers_are_read(typed, places, value):
    field = ArgentineDecimalField(decimal_places=places, max_digits=14)
    if value is None:
        with pytest.raises(ValidationError) as refused:
            field.clean(typed)
        assert refused.value.error_list[0].code == "invalid"
    else:
        assert field.clean(typed) == value


def test_too_many_decimals_says_so_for_the_argentine_format():
    field = ArgentineDecimalField(decimal_places=2, max_digits=14)
    with pytest.raises(ValidationError) as refused:
        field.clean("1,234")
    assert refused.value.error_list[0].code == "max_decimal_places"


@pytest.mark.parametrize(
    ("stored", "places", "shown"),
    [
        (Decimal("185000.5"), 2, "185.000,50"),
        (Decimal("90000"), 0, "90.000"),
        ("185.000,5", 2, "185.000,5"),  # what the person typed comes back as typed
    ],
)
def test_numbers_are_shown_as_the_site_writes_them(stored, places, shown):
    widget = ArgentineDecimalField(decimal_places=places, max_digits=14).widget
    assert f'value="{shown}"' in widget.render("monto", stored)
