"""Argentine identifiers: DNI, CUIT/CUIL and CBU, with their check digits.

Pure functions so that forms, models, invoice parsers and tests share one
definition. Each ``normalize_*`` returns the bare digits or raises
``InvalidIdentifier`` with a message fit to show to the person who typed it.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

CUIT_PREFIXES = frozenset({"20", "23", "24", "25", "26", "27", "30", "33", "34"})
_CUIT_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_CBU_BANK_WEIGHTS = (7, 1, 3, 9, 7, 1, 3)
_CBU_ACCOUNT_WEIGHTS = (3, 9, 7, 1, 3, 9, 7, 1, 3, 9, 7, 1, 3)
_SEPARATORS = re.compile(r"[\s.\-/]")


class InvalidIdentifier(ValueError):
    """The value is not a valid identifier; ``str(exc)`` explains why."""


def _digits(value: str) -> str:
    return _SEPARATORS.sub("", str(value or ""))


def cuit_check_digit(first_ten: str) -> int | None:
    """Check digit for the first ten digits of a CUIT, or None when none exists."""
    remainder = 11 - sum(int(d) * w for d, w in zip(first_ten, _CUIT_WEIGHTS, strict=True)) % 11
    if remainder == 11:
        return 0
    if remainder == 10:
        return None
    return remainder


def normalize_cuit(value: str) -> str:
    digits = _digits(value)
    if not digits.isdigit() or len(digits) != 11:
        raise InvalidIdentifier(_("A CUIT has 11 digits (for example 20-12345678-6)."))
    if digits[:2] not in CUIT_PREFIXES:
        raise InvalidIdentifier(_("A CUIT starts with 20, 23, 24, 27, 30, 33 or 34."))
    expected = cuit_check_digit(digits[:10])
    if expected is None or expected != int(digits[10]):
        raise InvalidIdentifier(_("The CUIT check digit is wrong: check the last digit you typed."))
    return digits


def is_valid_cuit(value: str) -> bool:
    try:
        normalize_cuit(value)
    except InvalidIdentifier:
        return False
    return True


def format_cuit(digits: str) -> str:
    return f"{digits[:2]}-{digits[2:10]}-{digits[10:]}"


def make_cuit(prefix: str, dni: str) -> str:
    """Build a valid CUIT from a prefix and a DNI (used for demo data and tests)."""
    body = f"{prefix}{int(dni):08d}"
    check = cuit_check_digit(body)
    if check is None:
        raise InvalidIdentifier(_("No CUIT exists for that prefix and DNI."))
    return f"{body}{check}"


def normalize_dni(value: str) -> str:
    digits = _digits(value)
    if not digits.isdigit() or not 7 <= len(digits) <= 8 or int(digits) < 1_000_000:
        raise InvalidIdentifier(_("A DNI has 7 or 8 digits, without dots."))
    return digits


def _cbu_block_ok(block: str, weights: tuple[int, ...]) -> bool:
    total = sum(int(d) * w for d, w in zip(block[:-1], weights, strict=True))
    return (10 - total % 10) % 10 == int(block[-1])


def normalize_cbu(value: str) -> str:
    digits = _digits(value)
    if not digits.isdigit() or len(digits) != 22:
        raise InvalidIdentifier(_("A CBU has 22 digits."))
    if not _cbu_block_ok(digits[:8], _CBU_BANK_WEIGHTS):
        raise InvalidIdentifier(_("The CBU check digit of the bank and branch block is wrong."))
    if not _cbu_block_ok(digits[8:], _CBU_ACCOUNT_WEIGHTS):
        raise InvalidIdentifier(_("The CBU check digit of the account block is wrong."))
    return digits


def make_cbu(bank_branch: str, account: str) -> str:
    """Build a valid CBU from 7 bank/branch digits and 13 account digits."""

    def check(block: str, weights: tuple[int, ...]) -> str:
        total = sum(int(d) * w for d, w in zip(block, weights, strict=True))
        return str((10 - total % 10) % 10)

    return (
        bank_branch
        + check(bank_branch, _CBU_BANK_WEIGHTS)
        + account
        + check(account, _CBU_ACCOUNT_WEIGHTS)
    )
