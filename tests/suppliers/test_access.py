"""Who may open which page: supplier X never reaches supplier Y's data on any supplier URL;
residents and employees get 403 on supplier pages; staff pages need their permissions;
purchase orders are scoped to the employee's departments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from core.identifiers import make_cbu
from payables import services as payments
from payables.notices import notice_of
from suppliers import urls as supplier_urls
from suppliers.flows import InvoiceFlow
from suppliers.models import SupplierInvitation
from suppliers.services import intake, organisations, review

from . import factories

pytestmark = pytest.mark.django_db


def submit_paid_invoice(sup, user, po, clerk, second, capture) -> tuple:
    line = po.lines.get()
    invoice = intake.submit_manual(
        supplier=sup,
        user=user,
        pdf=factories.pdf(),
        header=intake.ManualHeader(
            kind="invoice",
            number=f"F-{sup.pk}",
            issue_date=date(2025, 3, 1),
            due_date=None,
            net_total=Decimal("1000.00"),
            tax_total=Decimal("210.00"),
            total=Decimal("1210.00"),
        ),
        purchase_order=po,
        lines=[intake.LineEntry(po_line=line, quantity=Decimal(1))],
    )
    task = invoice.process.task_set.get(flow_task=InvoiceFlow.review)
    review.claim(task_id=task.pk, user=clerk)
    review.decide(task_id=task.pk, user=clerk, action="approve")
    order = payments.prepare_orders(actor=clerk).orders[0]
    batch = payments.create_batch(
        order_ids=[order.pk], execution_date=timezone.localdate(), actor=factories.batch_creator()
    )
    payments.approve_batch(batch=batch, actor=clerk)
    payments.approve_batch(batch=batch, actor=second)
    payments.export_batch(batch=batch, actor=clerk)
    with capture(execute=True):  # the signed payment notice is sealed after the commit
        payments.confirm_paid(batch=batch, paid_on=timezone.localdate(), note="", actor=clerk)
    order.refresh_from_db()
    return invoice, order


@pytest.fixture
def world(buyer, clerk, second_approver, settings, django_capture_on_commit_callbacks):
    settings.PAYABLES_DEBTOR_CBU = make_cbu("0110001", "0000000000123")
    worlds = {}
    for name, dni in (("x", "71234567"), ("y", "72345678")):
        sup, user = factories.supplier(dni, name=f"Proveedor {name.upper()}")
        po = factories.order(sup, buyer, [factories.line("Servicio", 10, 1000, kind="service")])
        invoice, order = submit_paid_invoice(
            sup, user, po, clerk, second_approver, django_capture_on_commit_callbacks
        )
        invitation = organisations.invite(
            supplier=sup, email=f"nuevo-{name}@example.com", actor=user
        )
        worlds[name] = {
            "supplier": sup,
            "user": user,
            "po": po,
            "invoice": invoice,
            "order": order,
            "invitation": invitation,
        }
    return worlds


def supplier_urls_for(world: dict) -> list[tuple[str, str]]:
    """(name, url) for every supplier-portal route, filled with this supplier's objects."""
    values = {
        "order": world["po"].pk,
        "order_invoice": world["po"].pk,
        "invoice": world["invoice"].pk,
        "invoice_pdf": world["invoice"].pk,
        "invoice_reply": world["invoice"].pk,
        "invoice_withdraw": world["invoice"].pk,
        "invitation": world["invitation"].token,
    }
    urls = []
    for pattern in supplier_urls.urlpatterns:
        args = [values[pattern.name]] if pattern.pattern.converters else []
        urls.append((pattern.name, reverse(f"suppliers:{pattern.name}", args=args)))
    return urls


OWN_OBJECT_ROUTES = {
    "order",
    "order_invoice",
    "invoice",
    "invoice_pdf",
    "invoice_reply",
    "invoice_withdraw",
}


def test_every_supplier_route_is_covered(world) -> None:
    names = {name for name, _url in supplier_urls_for(world["x"])}
    assert names == {pattern.name for pattern in supplier_urls.urlpatterns}
    assert names >= OWN_OBJECT_ROUTES


def test_supplier_x_sees_its_own_pages(client, world) -> None:
    x = world["x"]
    client.force_login(x["user"])
    for name in (
        "home",
        "organisation",
        "orders",
        "order",
        "order_invoice",
        "invoices",
        "invoice_new",
        "invoice",
    ):
        url = dict(supplier_urls_for(x))[name]
        response = client.get(url)
        assert response.status_code == 200, (name, url)
        assert b"Proveedor Y" not in response.content, name
    assert client.get(dict(supplier_urls_for(x))["invoice_pdf"]).status_code == 200


def test_each_supplier_downloads_its_own_signed_payment_notice(client, world, clerk) -> None:
    notices = {name: notice_of(world[name]["order"]) for name in ("x", "y")}
    assert all(notice.status == "issued" for notice in notices.values())
    url = f"/documentos/{notices['x'].code}/descargar/"
    client.force_login(world["x"]["user"])
    page = client.get(reverse("suppliers:invoice", args=[world["x"]["invoice"].pk]))
    assert url in page.content.decode() and notices["x"].display_code in page.content.decode()
    notice = client.get(url)
    assert notice.status_code == 200
    assert (
        notice["Content-Disposition"]
        == f'attachment; filename="{world["x"]["order"].reference}.pdf"'
    )
    assert b"".join(notice.streaming_content).startswith(b"%PDF-")
    assert client.get(f"/documentos/{notices['y'].code}/descargar/").status_code == 404
    client.force_login(clerk)  # accounts payable
    assert client.get(url).status_code == 200


def test_supplier_y_cannot_reach_supplier_x_objects(client, world) -> None:
    client.force_login(world["y"]["user"])
    for name, url in supplier_urls_for(world["x"]):
        if name not in OWN_OBJECT_ROUTES:
            continue
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in (404, 405), (name, url, response.status_code)
            assert b"Proveedor X" not in response.content, name


def test_lists_show_only_the_suppliers_own_rows(client, world) -> None:
    client.force_login(world["y"]["user"])
    for name in ("home", "orders", "invoices", "organisation"):
        content = client.get(reverse(f"suppliers:{name}")).content
        assert world["x"]["invoice"].number.encode() not in content
        assert world["x"]["po"].number.encode() not in content
        assert world["x"]["supplier"].cuit.encode() not in content


# How a new account gets in: a resident account without procedures may register its
# organisation or accept an invitation (and becomes a supplier account).
ONBOARDING_ROUTES = {"register", "invitation"}


def test_residents_and_employees_get_403_on_every_supplier_page(
    client, world, resident, buyer
) -> None:
    for user in (resident, buyer):
        client.force_login(user)
        for name, url in supplier_urls_for(world["x"]):
            expected = 200 if user == resident and name in ONBOARDING_ROUTES else 403
            assert client.get(url).status_code == expected, (user.email, name, url)


def test_anonymous_visitors_are_sent_to_log_in(client, world) -> None:
    for name, url in supplier_urls_for(world["x"]):
        response = client.get(url)
        assert response.status_code == 302 and "/cuenta/login/" in response["Location"], name


def test_suppliers_get_403_on_staff_pages(client, world) -> None:
    client.force_login(world["x"]["user"])
    for url in (
        "/gestion/proveedores/",
        "/gestion/proveedores/pagos/",
        reverse("suppliers_staff:invoice", args=[world["x"]["invoice"].pk]),
    ):
        assert client.get(url).status_code == 403


def test_staff_pages_need_supplier_permissions(client, world, clerk, buyer) -> None:
    outsider = factories.employee("otro@example.com", code="obras")
    client.force_login(outsider)
    assert client.get(reverse("suppliers_staff:orders")).status_code == 403
    assert client.get(reverse("payables:index")).status_code == 403

    client.force_login(clerk)
    for url in (
        reverse("suppliers_staff:queue", args=["exceptions"]),
        reverse("suppliers_staff:queue", args=["waiting"]),
        reverse("suppliers_staff:orders"),
        reverse("suppliers_staff:order", args=[world["x"]["po"].pk]),
        reverse("suppliers_staff:invoice", args=[world["x"]["invoice"].pk]),
        reverse("suppliers_staff:suppliers"),
        reverse("suppliers_staff:supplier", args=[world["x"]["supplier"].pk]),
        reverse("payables:index"),
        reverse("payables:batch", args=[world["x"]["order"].batch_id]),
        reverse("payables:statement"),
    ):
        assert client.get(url).status_code == 200, url

    client.force_login(buyer)  # purchasing only: no accounts payable queue
    assert client.get(reverse("suppliers_staff:queue", args=["exceptions"])).status_code == 403
    assert client.get(reverse("suppliers_staff:order_new")).status_code == 200


def test_orders_are_scoped_to_the_employees_departments(client, world, buyer) -> None:
    other = factories.employee("obras@example.com", "purchasing", code="obras")
    client.force_login(other)
    assert (
        client.get(reverse("suppliers_staff:order", args=[world["x"]["po"].pk])).status_code == 403
    )
    assert (
        world["x"]["po"].number.encode()
        not in client.get(reverse("suppliers_staff:orders")).content
    )
    assert (
        client.get(reverse("suppliers_staff:invoice", args=[world["x"]["invoice"].pk])).status_code
        == 403
    )
    client.force_login(buyer)
    assert (
        client.get(reverse("suppliers_staff:order", args=[world["x"]["po"].pk])).status_code == 200
    )


def test_an_invitation_is_for_its_addressee(client, world) -> None:
    invitation: SupplierInvitation = world["x"]["invitation"]
    stranger = factories.verified_user("nuevo-y@example.com")
    client.force_login(stranger)
    client.post(reverse("suppliers:invitation", args=[invitation.token]))
    stranger.refresh_from_db()
    assert not stranger.is_supplier_user

    invited = factories.verified_user("nuevo-x@example.com")
    client.force_login(invited)
    response = client.post(reverse("suppliers:invitation", args=[invitation.token]))
    assert response.status_code == 302
    invited.refresh_from_db()
    assert (
        invited.is_supplier_user and invited.supplier_membership.supplier == world["x"]["supplier"]
    )
    assert (
        client.get(reverse("suppliers:invoice", args=[world["y"]["invoice"].pk])).status_code == 404
    )


def test_url_names_are_unique() -> None:
    resolver = get_resolver()
    assert "suppliers" in resolver.namespace_dict and "suppliers_staff" in resolver.namespace_dict
