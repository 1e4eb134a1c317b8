"""Money and numbers as Argentines write them (es_AR, with Babel): "$ 1.234,50", "2,5".

Amounts are ``Decimal`` everywhere; these are the only places they become
text or are read from text typed or exported by people and banks.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel import Locale
from babel.numbers import NumberFormatError, format_currency, format_decimal, parse_decimal

LOCALE = "es_AR"
# Parsed once: Babel parses a locale name again on every call (a file of many amounts).
_LOCALE = Locale.parse(LOCALE)
DEFAULT_CURRENCY = "ARS"
# The currency sign, a non-breaking space, the amount with two decimals: "$ 1.234,50".
_CURRENCY_PATTERN = "¤\u00a0#,##0.00"
# What machines write (bank exports, spreadsheets in English): 1234.50, -0.125.
_MACHINE_DECIMAL = re.compile(r"-?\d+\.\d+")


class UnreadableNumber(ValueError):
    """The text is not a number written in a way we read."""


def format_money(amount: Decimal | int | str | None, currency: str = DEFAULT_CURRENCY) -> str:
    """ "$ 1.234,50" for pesos, "EUR 1.234,50" for euros; "" for no amount."""
    if amount in (None, ""):
        return ""
    return format_currency(
        Decimal(amount), currency or DEFAULT_CURRENCY, format=_CURRENCY_PATTERN, locale=_LOCALE
    )


def format_number(value: Decimal | int | str | None) -> str:
    """A quantity without trailing zeros: "20", "2,5", "1.500"."""
    if value in (None, ""):
        return ""
    return format_decimal(Decimal(value).normalize(), locale=LOCALE)


def format_decimal_places(value: Decimal | int | str, places: int | None) -> str:
    """A number with exactly ``places`` decimals ("185.000,50"), or as few as needed when
    ``places`` is None; for showing a typed amount back in a form."""
    if places is None:
        return format_number(value)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(Decimal(value), format=pattern, locale=LOCALE, decimal_quantization=True)


def parse_amount(text: str) -> Decimal:
    """A number as Argentines write it ("1.234,50", "1234,5") or as machines do ("1234.50").

    The Argentine reading comes first: "1.234" is one thousand two hundred and
    thirty-four. A single dot that cannot be a thousands separator ("1234.50",
    "0.125") is a decimal point. Wrong grouping ("1.23.4"), NaN, infinities and
    exponents are refused.
    """
    text = (text or "").strip().replace("\u00a0", "").replace(" ", "")
    try:
        value = parse_decimal(text, locale=LOCALE, strict=True)
    except (NumberFormatError, InvalidOperation):
        if _MACHINE_DECIMAL.fullmatch(text):
            return Decimal(text)
        raise UnreadableNumber(text) from None
    if not value.is_finite() or "e" in text.lower():
        raise UnreadableNumber(text)
    return value
