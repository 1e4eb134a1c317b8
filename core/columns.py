"""Checking a value against the column it is headed for, before writing it.

PostgreSQL refuses text longer than its column and numbers with more digits than it holds
(a 500 if nobody checked first); SQLite stores them, and the pages that read them break
later. Input from files (CSV imports, e-invoices) is checked here first, so a bad value
becomes a clear message about that value and nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models


def check_fits(model: type[models.Model], field_name: str, value: Any) -> Any:
    """``value`` as the column takes it, or ValidationError naming the field and the limit.

    Applies the model field's own checks: maximum length, digits and decimal places (NaN and
    infinities are not numbers), choices, and blank values in required fields.
    """
    field = model._meta.get_field(field_name)
    try:
        return field.clean(value, None)
    except ValidationError as exc:
        raise ValidationError(
            f"{str(field.verbose_name).capitalize()}: {' '.join(exc.messages)}", code="invalid"
        ) from None
