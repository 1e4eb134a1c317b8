"""Argentine identifiers, checked against numbers published by their holders (not made by us)."""

import pytest
from django.utils import translation
from stdnum.ar import cuit as stdnum_cuit

from core.identifiers import (
    CUIT_PREFIXES,
    InvalidIdentifier,
    normalize_cbu,
    normalize_cuit,
    normalize_dni,
)

# CUITs their holders print on every invoice and on their websites.
PUBLISHED_CUITS = {
    "33-69345023-9": "Administración Federal de Ingresos Públicos (AFIP)",
    "30-50001091-2": "Banco de la Nación Argentina",
    "30-54668997-9": "YPF S.A.",
    "30-70308853-4": "MercadoLibre S.R.L.",
}
# The example of the Spanish Wikipedia article "Clave Bancaria Uniforme".
PUBLISHED_CBU = "2850590940090418135201"


def test_the_afip_cuit_check_digit_worked_out_by_hand():
    # Weights 5 4 3 2 7 6 5 4 3 2 over 3 3 6 9 3 4 5 0 2 3:
    # 15 + 12 + 18 + 18 + 21 + 24 + 25 + 0 + 6 + 6 = 145; 145 mod 11 = 2; 11 - 2 = 9.
    assert normalize_cuit("33-69345023-9")[-1] == "9"


@pytest.mark.parametrize("value", PUBLISHED_CUITS)
def test_published_cuits_are_valid_with_or_without_dashes(value):
    digits = value.replace("-", "")
    assert normalize_cuit(value) == digits
    assert normalize_cuit(f" {digits[:2]}.{digits[2:10]}/{digits[10]} ") == digits


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "33-69345023-8",
            "El dígito verificador del CUIT no es correcto",
        ),  # AFIP's, last digit off
        ("30-50001091-3", "El dígito verificador del CUIT no es correcto"),
        ("99-69345023-9", "El CUIT empieza con 20, 23, 24 o 27"),
        ("3369345023", "El CUIT tiene 11 dígitos"),
        ("33-6934502X-9", "El CUIT tiene 11 dígitos"),
        ("", "El CUIT tiene 11 dígitos"),
    ],
)
def test_wrong_cuits_say_what_is_wrong_in_spanish(value, message):
    with translation.override("es"), pytest.raises(InvalidIdentifier) as caught:
        normalize_cuit(value)
    assert str(caught.value).startswith(message)


def test_the_prefixes_named_in_the_message_are_exactly_those_accepted():
    accepted = set()
    for prefix in (f"{n:02d}" for n in range(100)):
        body = f"{prefix}69345023"
        if stdnum_cuit.is_valid(body + stdnum_cuit.calc_check_digit(body)):
            accepted.add(prefix)
    assert accepted == set(CUIT_PREFIXES)
    with translation.override("en"), pytest.raises(InvalidIdentifier) as caught:
        normalize_cuit("99-69345023-9")
    named = {word.strip(",().") for word in str(caught.value).split() if word[:2].isdigit()}
    assert named == accepted


def test_the_published_cbu_is_valid_and_each_check_digit_matters():
    assert normalize_cbu(PUBLISHED_CBU) == PUBLISHED_CBU
    assert normalize_cbu("28505909 40090418135201") == PUBLISHED_CBU
    with translation.override("es"):
        with pytest.raises(InvalidIdentifier, match="bloque de banco y sucursal"):
            normalize_cbu("2810590940090418135201")  # the bank changed, its check digit not
        with pytest.raises(InvalidIdentifier, match="bloque de cuenta"):
            normalize_cbu("2850590940090418135200")
        with pytest.raises(InvalidIdentifier, match="22 dígitos"):
            normalize_cbu("285059094009041813520")


@pytest.mark.parametrize(("value", "digits"), [("20.123.456", "20123456"), ("5123456", "5123456")])
def test_dnis_are_read_with_or_without_dots(value, digits):
    assert normalize_dni(value) == digits


@pytest.mark.parametrize("value", ["12345", "2012345699", "0123456", "20.123.45X"])
def test_wrong_dnis_are_refused(value):
    with pytest.raises(InvalidIdentifier):
        normalize_dni(value)
