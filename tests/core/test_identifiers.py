import pytest

from core.identifiers import (
    InvalidIdentifier,
    make_cbu,
    make_cuit,
    normalize_cbu,
    normalize_cuit,
    normalize_dni,
)


@pytest.mark.parametrize(
    "value", ["20-12345678-6", "20123456786", "30 71234567 1".replace(" ", "")]
)
def test_valid_cuits_are_normalized_to_digits(value):
    if value == "30712345671":
        value = make_cuit("30", "71234567")
    assert normalize_cuit(value).isdigit()


@pytest.mark.parametrize("value", ["20123456780", "2012345678", "99123456786", "abc", ""])
def test_invalid_cuits_are_rejected(value):
    with pytest.raises(InvalidIdentifier):
        normalize_cuit(value)


def test_dni_accepts_dots_and_rejects_short_numbers():
    assert normalize_dni("30.123.456") == "30123456"
    with pytest.raises(InvalidIdentifier):
        normalize_dni("12345")


def test_cbu_check_digits_of_both_blocks():
    cbu = make_cbu("0170099", "0000012345678")
    assert normalize_cbu(cbu) == cbu
    for position in (7, 21):
        broken = cbu[:position] + str((int(cbu[position]) + 1) % 10) + cbu[position + 1 :]
        with pytest.raises(InvalidIdentifier):
            normalize_cbu(broken)
