"""Argentine identifiers: DNI, CUIT/CUIL and CBU, checked by python-stdnum.

python-stdnum (``stdnum.ar``) decides what is valid; this module gives forms,
models, invoice parsers and tests one entry point and messages in our words.
Each ``normalize_*`` returns the bare digits or raises ``InvalidIdentifier``
with a message fit to show to the person who typed it.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from stdnum.ar import cbu as stdnum_cbu
from stdnum.ar import cuit as stdnum_cuit
from stdnum.ar import dni as stdnum_dni
from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError

# The kinds of CUIT python-stdnum accepts (tests/core/test_identifiers.py keeps them in step):
# people 20, 23, 24, 27; companies 30, 33, 34; international 50, 51, 55.
CUIT_PREFIXES = ("20", "23", "24", "27", "30", "33", "34", "50", "51", "55")
_SEPARATORS = re.compile(r"[\s.\-/]")


class InvalidIdentifier(ValueError):
    """The value is not a valid identifier; ``str(exc)`` explains why."""


def _digits(value: str) -> str:
    return _SEPARATORS.sub("", str(value or ""))


def cuit_check_digit(first_ten: str) -> str:
    """The check digit a CUIT with these first ten digits must end with."""
    return stdnum_cuit.calc_check_digit(first_ten)


def normalize_cuit(value: str) -> str:
    digits = _digits(value)
    try:
        return stdnum_cuit.validate(digits)
    except InvalidComponent:
        raise InvalidIdentifier(
            _(
                "A CUIT starts with 20, 23, 24 or 27 (people), 30, 33 or 34 (companies), "
                "or 50, 51 or 55 (international)."
            )
        ) from None
    except InvalidChecksum:
        raise InvalidIdentifier(
            _("The CUIT check digit is wrong: check the last digit you typed.")
        ) from None
    except ValidationError:
        raise InvalidIdentifier(_("A CUIT has 11 digits (for example 20-12345678-6).")) from None


def is_valid_cuit(value: str) -> bool:
    return stdnum_cuit.is_valid(_digits(value))


def format_cuit(digits: str) -> str:
    return stdnum_cuit.format(digits)


def make_cuit(prefix: str, dni: str) -> str:
    """A valid CUIT from a prefix and a DNI (demo data and tests)."""
    body = f"{prefix}{int(dni):08d}"
    return body + cuit_check_digit(body)


def normalize_dni(value: str) -> str:
    digits = _digits(value)
    try:
        digits = stdnum_dni.validate(digits)
    except ValidationError:
        raise InvalidIdentifier(_("A DNI has 7 or 8 digits, without dots.")) from None
    if int(digits) < 1_000_000:  # leading zeros make 7 digits of a smaller number
        raise InvalidIdentifier(_("A DNI has 7 or 8 digits, without dots."))
    return digits


def normalize_cbu(value: str) -> str:
    digits = _digits(value)
    try:
        return stdnum_cbu.validate(digits)
    except InvalidChecksum:
        if stdnum_cbu.calc_check_digit(digits[:7]) != digits[7]:
            raise InvalidIdentifier(
                _("The CBU check digit of the bank and branch block is wrong.")
            ) from None
        raise InvalidIdentifier(_("The CBU check digit of the account block is wrong.")) from None
    except ValidationError:
        raise InvalidIdentifier(_("A CBU has 22 digits.")) from None


def make_cbu(bank_branch: str, account: str) -> str:
    """A valid CBU from 7 bank/branch digits and 13 account digits (demo data and tests)."""
    return (
        bank_branch
        + stdnum_cbu.calc_check_digit(bank_branch)
        + account
        + stdnum_cbu.calc_check_digit(account)
    )
