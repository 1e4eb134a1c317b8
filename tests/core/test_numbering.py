import pytest

from core import numbering


@pytest.mark.django_db(transaction=True)
def test_a_number_can_only_be_held_inside_the_transaction_that_uses_it():
    with pytest.raises(RuntimeError):
        numbering.hold("anything")
