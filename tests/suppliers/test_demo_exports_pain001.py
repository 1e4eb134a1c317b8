"""`make run` exports pain.001 out of the box: the Makefile gives the demo a paying account
(a valid CBU) and the supplier demo has three treasury employees, so a batch can be made
by one and approved by two others with separation of duties on."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from lxml import etree

from accounts.demo import load_demo_accounts
from accounts.models import User
from core.identifiers import normalize_cbu
from payables import services as payments
from payables.exporters import get_exporter, pain001
from suppliers.demo import TREASURY_CLERK_EMAIL, load_supplier_demo
from suppliers.models import Invoice, PurchaseOrder
from suppliers.services import intake

from . import factories

pytestmark = pytest.mark.django_db
MAKEFILE = Path(django_settings.BASE_DIR) / "Makefile"


def makefile_debtor_cbu() -> str:
    found = re.search(r"^run: export PAYABLES_DEBTOR_CBU \?= (\S+)$", MAKEFILE.read_text(), re.M)
    assert found, "make run sets no PAYABLES_DEBTOR_CBU"
    return found.group(1)


def test_the_demo_makes_approves_and_exports_a_pain001(settings) -> None:
    settings.PAYABLES_DEBTOR_CBU = normalize_cbu(makefile_debtor_cbu())
    assert settings.PAYABLES_CREATOR_MAY_APPROVE is False
    load_demo_accounts()
    supplier = load_supplier_demo()
    assert get_exporter().key == "pain.001.001.09"  # usable: no problems reported

    po = PurchaseOrder.objects.get(supplier=supplier, currency="ARS")
    user = supplier.members.get()
    toner = po.lines.get(item_code="TONER")
    invoice = intake.submit_manual(
        supplier=supplier,
        user=user,
        pdf=factories.pdf(),
        header=intake.ManualHeader(
            kind="invoice",
            number="0001-00000001",
            issue_date=timezone.localdate(),
            due_date=None,
            net_total=Decimal("80000.00"),
            tax_total=Decimal("16800.00"),
            total=Decimal("96800.00"),
        ),
        purchase_order=po,
        lines=[intake.LineEntry(po_line=toner, quantity=Decimal(1))],
    )
    # Matching and review are tested elsewhere; here the invoice is approved as it would be.
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.APPROVED)

    maker = User.objects.get(email=TREASURY_CLERK_EMAIL)
    order = payments.prepare_orders(actor=maker).orders[0]
    batch = payments.create_batch(
        order_ids=[order.pk], execution_date=timezone.localdate(), actor=maker
    )
    for email in ("rentas@demo.municipio.ar", "admin@demo.municipio.ar"):
        payments.approve_batch(batch=batch, actor=User.objects.get(email=email))
    batch = payments.export_batch(batch=batch, actor=maker)
    root = etree.fromstring(batch.file.open("rb").read())
    assert pain001.schema().validate(root)
    ns = {"p": pain001.NAMESPACE}
    assert root.findtext(".//p:DbtrAcct/p:Id/p:Othr/p:Id", namespaces=ns) == (
        settings.PAYABLES_DEBTOR_CBU
    )
    assert date.fromisoformat(root.findtext(".//p:ReqdExctnDt/p:Dt", namespaces=ns))
