"""Rate bills: imported from treasury's CSV with a report per row, idempotently; owned by the
resident whose DNI or CUIT they name, who sees and pays them in "what I owe"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from payments import selectors as payment_selectors
from payments import services as payments
from payments.models import PaymentOrder
from payments.providers import ProviderPayment
from rates import services
from rates.models import RateBill
from tests.engine.conftest import make_resident

pytestmark = pytest.mark.django_db

HEADER = "tipo;cuenta;periodo;documento;titular;importe;vencimiento\n"
GOOD = (
    "inmueble;12-345-6;cuota 11/2026;30111222;Vecina Demo;12.345,60;10/12/2026\n"
    "automotor;AB123CD;2026-11;20-30111222-0;Vecina Demo;8.000,00;2026-12-15\n"
)


def test_bills_are_imported_with_a_report_per_row_and_reimport_changes_nothing(employee):
    bad = (
        "agua;1;2026-11;30111222;X;10,00;10/12/2026\n"
        "inmueble;2;2026-11;123;X;10,00;10/12/2026\n"
        "inmueble;3;2026-11;30111222;X;diez;10/12/2026\n"
        "inmueble;4;2026-11;30111222;X;10,00;31/02/2026\n"
        "inmueble;5;2026-11;30111222;X;0,00;10/12/2026\n"
    )
    report = services.import_bills(content=(HEADER + GOOD + bad).encode(), actor=employee)
    assert report.created == 2 and report.unchanged == 0
    assert [number for number, _reason in report.refused] == [4, 5, 6, 7, 8]
    again = services.import_bills(content=(HEADER + GOOD).encode(), actor=employee)
    assert (again.created, again.unchanged, again.refused) == (0, 2, [])
    changed = HEADER + GOOD.replace("12.345,60", "99,00")
    conflict = services.import_bills(content=changed.encode(), actor=employee)
    assert conflict.refused and RateBill.objects.get(account="12-345-6").amount == Decimal(
        "12345.60"
    )
    assert RateBill.objects.count() == 2


def test_a_file_without_the_columns_is_refused_whole(employee):
    from core.errors import ActionRefused

    with pytest.raises(ActionRefused):
        services.import_bills(content=b"cuenta;importe\n1;2\n", actor=employee)
    assert not RateBill.objects.exists()


def test_the_owner_by_dni_or_cuit_sees_the_bills_and_pays_one(client, employee):
    owner = make_resident("vecina@example.com", "30111222")
    services.import_bills(content=(HEADER + GOOD).encode(), actor=employee)
    orders = payment_selectors.orders_of(owner)
    assert orders.count() == 2  # by DNI and by the CUIT that holds it
    client.force_login(owner)
    page = client.get("/pagos/").content.decode()
    assert "12-345-6" in page and "AB123CD" in page
    order = orders.get(amount=Decimal("12345.60"))
    payments.record_provider_payment(
        channel="mercadopago",
        fetched=ProviderPayment(
            id="9",
            status="approved",
            external_reference=order.external_reference,
            amount=order.amount,
            paid_at=timezone.now(),
        ),
    )
    assert PaymentOrder.objects.get(pk=order.pk).status == PaymentOrder.Status.PAID


def test_bills_imported_before_the_account_existed_are_claimed_at_login(client, employee):
    services.import_bills(content=(HEADER + GOOD).encode(), actor=employee)
    owner = make_resident("vecina@example.com", "30111222")
    assert not payment_selectors.orders_of(owner).exists()
    from tests.conftest import log_in

    log_in(client, "vecina@example.com", "una-clave-larga-123")
    assert payment_selectors.orders_of(owner).count() == 2
    services.claim_bills(owner)  # again: nothing more
    assert payment_selectors.orders_of(owner).count() == 2


def test_another_resident_does_not_see_them(employee):
    other = make_resident("otra@example.com", "30999888")
    services.import_bills(content=(HEADER + GOOD).encode(), actor=employee)
    assert not payment_selectors.orders_of(other).exists()
