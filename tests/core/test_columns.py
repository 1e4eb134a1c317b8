from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.columns import check_fits
from suppliers.models import PurchaseOrder, PurchaseOrderLine


def test_a_value_that_fits_comes_back_as_the_column_takes_it():
    assert check_fits(PurchaseOrderLine, "quantity", "1234567890.1234") == Decimal(
        "1234567890.1234"
    )
    assert check_fits(PurchaseOrder, "number", "x" * 40) == "x" * 40


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        (PurchaseOrder, "number", "x" * 41),
        (PurchaseOrderLine, "quantity", Decimal("NaN")),
        (PurchaseOrderLine, "quantity", Decimal("Infinity")),
        (PurchaseOrderLine, "quantity", Decimal("12345678901")),  # 11 + 4 places > 14 digits
        (PurchaseOrderLine, "quantity", Decimal("1.23456")),
        (PurchaseOrderLine, "kind", "software"),
        (PurchaseOrderLine, "description", ""),
    ],
)
def test_a_value_that_does_not_fit_is_refused_with_the_fields_name(model, field, value):
    with pytest.raises(ValidationError) as refused:
        check_fits(model, field, value)
    name = str(model._meta.get_field(field).verbose_name)
    assert refused.value.messages[0].startswith(name.capitalize() + ": ")
