"""Suppliers are looked up in AFIP's taxpayer register (ws_sr_constancia_inscripcion,
getPersona_v2 through zeep with a WSAA ticket, against a local fake speaking its SOAP
protocol) when they register and before they are paid."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core.errors import ActionRefused
from core.identifiers import make_cbu, make_cuit
from core.models import AuditEvent, OutboxItem
from payables import services as payments
from suppliers.models import Supplier
from suppliers.services import afip_register, organisations

from . import factories
from .afip_fake import PADRON_SERVICE
from .test_review_and_payment import approve, manual

pytestmark = pytest.mark.django_db

RegisterCheck = Supplier.RegisterCheck


def registered(cuit: str, condition: str = Supplier.TaxCondition.REGISTERED) -> Supplier:
    user = factories.verified_user(f"alta{cuit}@example.com")
    return organisations.register_supplier(
        user=user,
        data=organisations.SupplierData(
            cuit=cuit,
            legal_name="Proveedora Cordobesa SA",
            tax_condition=condition,
            email=user.email,
        ),
    )


def lookups_queued(supplier: Supplier) -> int:
    return OutboxItem.objects.filter(kind=afip_register.KIND, subject_id=str(supplier.pk)).count()


def test_registration_queues_a_lookup_and_activation_waits_for_it(afip, clerk) -> None:
    cuit = make_cuit("30", "71234567")
    afip.add_person(cuit, name="PROVEEDORA CORDOBESA SA", taxes=(30, 10))
    supplier = registered(cuit)

    assert supplier.afip_register == RegisterCheck.PENDING
    assert lookups_queued(supplier) == 1
    with pytest.raises(ActionRefused, match="has not confirmed this supplier"):
        organisations.set_supplier_status(
            supplier=supplier, status=Supplier.Status.ACTIVE, actor=clerk
        )

    assert afip_register.lookup_supplier(supplier_id=supplier.pk) == RegisterCheck.ACTIVE
    supplier.refresh_from_db()
    assert (supplier.afip_register, supplier.afip_tax_condition) == (RegisterCheck.ACTIVE, "ri")
    assert supplier.afip_register_message == "PROVEEDORA CORDOBESA SA"
    organisations.set_supplier_status(supplier=supplier, status=Supplier.Status.ACTIVE, actor=clerk)

    # On the wire: a ticket for the register's own service, then getPersona_v2.
    (_, login), (path, request) = afip.received
    assert path == "/sr-padron/webservices/personaServiceA5"
    assert request.tag == "{http://a5.soap.ws.server.puc.sr/}getPersona_v2"
    assert request.findtext("idPersona") == cuit
    assert request.findtext("cuitRepresentada") == settings.MUNICIPALITY_CUIT
    assert afip.tickets[PADRON_SERVICE][:2] == (
        request.findtext("token"),
        request.findtext("sign"),
    )
    assert AuditEvent.objects.filter(
        action="supplier.afip_register_checked", after__afip_register="active"
    ).exists()


@pytest.mark.parametrize(
    ("person", "declared", "state", "condition"),
    [
        ({"monotributo_category": "D"}, "ri", RegisterCheck.MISMATCH, "monotributo"),
        ({"monotributo_category": "D"}, "monotributo", RegisterCheck.ACTIVE, "monotributo"),
        ({"taxes": (32,)}, "exento", RegisterCheck.ACTIVE, "exento"),
        ({"taxes": (30,)}, "exento", RegisterCheck.MISMATCH, "ri"),
        ({"key_state": "INACTIVO"}, "ri", RegisterCheck.INACTIVE, "ri"),
        ({"constancia_error": "La clave se encuentra inactiva"}, "ri", RegisterCheck.INACTIVE, ""),
    ],
)
def test_what_the_register_says_decides_activation(
    afip, clerk, person, declared, state, condition
) -> None:
    cuit = make_cuit("30", "71234567")
    afip.add_person(cuit, **person)
    supplier = registered(cuit, declared)

    assert afip_register.lookup_supplier(supplier_id=supplier.pk) == state
    supplier.refresh_from_db()
    assert supplier.afip_tax_condition == condition
    if state != RegisterCheck.ACTIVE:
        with pytest.raises(ActionRefused):
            organisations.set_supplier_status(
                supplier=supplier, status=Supplier.Status.ACTIVE, actor=clerk
            )


def test_a_cuit_the_register_does_not_know(afip) -> None:
    supplier = registered(make_cuit("30", "71234567"))

    assert afip_register.lookup_supplier(supplier_id=supplier.pk) == RegisterCheck.NOT_FOUND
    supplier.refresh_from_db()
    assert "No existe persona" in supplier.afip_register_message


def test_afip_down_is_a_visible_wait_checked_again_by_beat(afip, clerk) -> None:
    cuit = make_cuit("30", "71234567")
    afip.add_person(cuit)
    supplier = registered(cuit)
    afip.down = True

    assert afip_register.lookup_supplier(supplier_id=supplier.pk) == RegisterCheck.UNAVAILABLE
    supplier.refresh_from_db()
    assert supplier.get_afip_register_display() == (
        "AFIP's register did not answer: checked again later"
    )
    with pytest.raises(ActionRefused):
        organisations.set_supplier_status(
            supplier=supplier, status=Supplier.Status.ACTIVE, actor=clerk
        )
    # Not asked again at once; after the retry delay, beat queues it.
    assert afip_register.recheck_registers() == 0
    Supplier.objects.filter(pk=supplier.pk).update(
        afip_register_checked_at=timezone.now() - afip_register.RETRY_AFTER * 2
    )
    before = lookups_queued(supplier)
    assert afip_register.recheck_registers() == 1
    assert lookups_queued(supplier) == before + 1

    afip.down = False
    assert afip_register.lookup_supplier(supplier_id=supplier.pk) == RegisterCheck.ACTIVE


def test_foreign_suppliers_are_not_looked_up(afip) -> None:
    supplier = registered(make_cuit("30", "71234567"), Supplier.TaxCondition.FOREIGN)

    assert supplier.afip_register == RegisterCheck.NOT_APPLICABLE
    assert lookups_queued(supplier) == 0
    assert afip_register.is_current(supplier)


def test_payment_waits_for_a_recent_register_lookup(afip, buyer, clerk, settings) -> None:
    settings.PAYABLES_DEBTOR_CBU = make_cbu("0110001", "0000000000123")
    sup, user = factories.supplier("71234567", name="Proveedora Cordobesa SA")
    po = factories.order(
        sup,
        buyer,
        [
            factories.line("Resmas A4", 100, "5000.00", code="RES-A4"),
            factories.line("Mantenimiento", 1, "100000.00", kind="service"),
        ],
    )
    approve(manual(sup, user, po, "A-1", reams=0, service=1), clerk)
    afip.add_person(sup.cuit, taxes=(30,))
    # The last lookup is older than the payment window allows.
    Supplier.objects.filter(pk=sup.pk).update(
        afip_register_checked_at=timezone.now()
        - timedelta(hours=settings.SUPPLIERS_AFIP_REGISTER_MAX_AGE_HOURS + 1)
    )
    sup.refresh_from_db()
    queued = lookups_queued(sup)

    held = payments.prepare_orders(actor=clerk)
    assert held.orders == []
    assert held.waiting == [(sup, "being looked up again in AFIP's taxpayer register")]
    assert lookups_queued(sup) == queued + 1
    # Beat also asks for suppliers with approved invoices and an old lookup.
    assert afip_register.recheck_registers() == 1

    afip.down = True
    assert afip_register.lookup_supplier(supplier_id=sup.pk) == RegisterCheck.UNAVAILABLE
    sup.refresh_from_db()
    assert payments.prepare_orders(actor=clerk).waiting == [
        (sup, "AFIP's taxpayer register: AFIP's register did not answer: checked again later")
    ]

    afip.down = False
    assert afip_register.lookup_supplier(supplier_id=sup.pk) == RegisterCheck.ACTIVE
    prepared = payments.prepare_orders(actor=clerk)
    assert [order.supplier for order in prepared.orders] == [sup]


def test_staff_supplier_page_shows_the_register(afip, clerk, client) -> None:
    sup, _user = factories.supplier("71234567", name="Proveedora Cordobesa SA")
    client.force_login(clerk)
    response = client.get(reverse("suppliers_staff:supplier", args=[sup.pk]))

    page = response.content.decode()
    assert "Padrón de contribuyentes de AFIP" in page
    assert "Activo en el padrón de AFIP" in page
