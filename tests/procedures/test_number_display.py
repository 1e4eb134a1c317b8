"""Stored answers (JSON strings) read as the site writes numbers, on pages and documents."""

from procedures.catalog import FieldSpec, LocalizedText
from procedures.catalog.definitions import _display


def test_stored_money_and_numbers_read_the_argentine_way():
    money = FieldSpec(name="monto", kind="money", label=LocalizedText(es="Monto"))
    number = FieldSpec(name="m2", kind="number", label=LocalizedText(es="Superficie"))
    assert _display(money, "185000.50") == "185.000,50"
    assert _display(number, "90000") == "90.000"
    assert _display(number, "2.5") == "2,5"
