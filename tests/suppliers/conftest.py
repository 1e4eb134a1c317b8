import pytest

from . import factories


@pytest.fixture
def buyer(db):
    """An employee of the purchasing department who creates orders and records receptions."""
    return factories.employee("compras@example.com", "purchasing", code="compras")


@pytest.fixture
def clerk(db):
    """An accounts payable employee who may also approve payment batches."""
    return factories.employee(
        "tesoreria@example.com", "accounts_payable", "approve_payment_batches", code="tesoreria"
    )


@pytest.fixture
def second_approver(db):
    return factories.employee(
        "contaduria@example.com", "accounts_payable", "approve_payment_batches", code="contaduria"
    )


@pytest.fixture
def third_approver(db):
    return factories.employee(
        "intendencia@example.com", "accounts_payable", "approve_payment_batches", code="intendencia"
    )


@pytest.fixture(autouse=True)
def _english():
    """Service messages are asserted in English (the msgids); pages are tested in Spanish."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _old_invoices_are_not_held(settings):
    """The sample invoices are years old; the tests of the age hold set a limit themselves."""
    settings.SUPPLIERS_INVOICE_MAX_AGE_DAYS = None
