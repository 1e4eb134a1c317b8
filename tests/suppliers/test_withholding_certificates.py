"""Each withholding of a paid order gets a sealed certificate the supplier downloads, and
the month's withholdings go to the tax office in SICORE (income tax) and SIRE (VAT, SUSS)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.identifiers import format_cuit
from payables import certificates
from payables import services as payments
from payables.models import Withholding
from payables.services import withholding as withholding_services

from .test_money_safety import exported  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(exported, clerk, django_capture_on_commit_callbacks):  # noqa: F811
    order, batch = exported
    with django_capture_on_commit_callbacks(execute=True):  # certificates are sealed after it
        payments.confirm_paid(batch=batch, paid_on=timezone.localdate(), note="", actor=clerk)
    order.refresh_from_db()
    return order


def test_each_withholding_has_a_sealed_certificate_with_what_afip_needs(paid, settings) -> None:
    rows = list(Withholding.objects.filter(order=paid).order_by("pk"))
    year = timezone.localdate().year
    income, social = rows
    document = certificates.certificate_of(income)
    assert document.status == "issued" and document.has_file
    facts = document.facts
    assert facts["certificate_number"] == f"RET-{year}-000001"
    assert facts["agent_cuit"] == format_cuit(settings.MUNICIPALITY_CUIT)
    assert facts["subject_cuit"] == format_cuit(paid.supplier.cuit)
    assert facts["regime"] == "094"
    assert facts["base_display"] == "$\xa0100.000,00"
    assert facts["taxable_display"] == "$\xa032.830,00"  # 100,000 - 67,170
    assert facts["rate_display"] == "2 %"
    assert facts["amount_display"] == "$\xa0656,60"
    assert facts["withheld_on"] == timezone.localdate().isoformat()
    assert [v["number"] for v in facts["vouchers"]] == ["A-1"]
    assert certificates.certificate_of(social).facts["amount_display"] == "$\xa01.000,00"
    # Asking again (a retried payment confirmation) seals nothing new.
    assert certificates.request_certificates([paid.pk], actor=None)[0].pk == document.pk


def test_supplier_downloads_its_certificates_and_others_cannot(
    client, paid, clerk, second_approver
) -> None:
    from suppliers.models import SupplierMember

    row = Withholding.objects.filter(order=paid).order_by("pk").first()
    document = certificates.certificate_of(row)
    url = reverse("documents:download", args=[document.code])
    member = SupplierMember.objects.filter(supplier=paid.supplier).first().user
    client.force_login(member)
    invoice = paid.items.get().invoice
    page = client.get(reverse("suppliers:invoice", args=[invoice.pk])).content.decode()
    assert url in page and row.certificate_number in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{row.certificate_number}.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF-")

    client.force_login(clerk)  # accounts payable, from the batch page
    batch_page = client.get(reverse("payables:batch", args=[paid.batch_id])).content.decode()
    assert url in batch_page
    assert client.get(url).status_code == 200

    from . import factories

    _other, stranger = factories.supplier("72345678", name="Otra SA")
    client.force_login(stranger)
    assert client.get(url).status_code == 404


def test_sire_f2004_file_has_the_social_security_withholding(paid, settings) -> None:
    month = timezone.localdate()
    today = f"{month:%d/%m/%Y}"
    assert len(withholding_services.sicore_lines(month)) == 1  # income tax only
    assert withholding_services.sire_lines(month, "2005") == []
    lines = withholding_services.sire_lines(month, "2004")
    assert len(lines) == 1
    line = lines[0]
    assert len(line) == withholding_services.SIRE_LINE_LENGTHS["2004"] == 191
    sire = Withholding.objects.get(order=paid, tax="suss")
    assert line[0:4] == "2004" and line[4:8] == "0100"
    # The traceability code: our certificate number's year and sequence.
    assert line[8:18] == sire.certificate_number.replace("RET-", "").replace("-", "")
    assert line[18:29] == settings.MUNICIPALITY_CUIT
    assert line[29:32] == "353" and line[32:35] == "755"
    assert line[35:46] == paid.supplier.cuit
    assert line[46:56] == today  # withheld when paid
    assert line[56:58] == "06" and line[58:68] == today  # the payment order, OP-000001
    assert line[68:84] == "000001          "
    assert line[84:98] == "00000121000.00"  # the order's gross
    assert line[98:112] == "00000001000.00"  # withheld
    assert line[112:] == " " * 79  # no original certificate, no other data
    assert withholding_services.sire_file(month, "2004") == f"{line}\r\n".encode()


def test_the_vat_withholding_goes_to_sire_form_2005(exported, clerk, settings) -> None:  # noqa: F811
    order, batch = exported
    # A VAT withholding as the rules would store it for a goods payment.
    Withholding.objects.create(
        order=order,
        supplier=order.supplier,
        tax="iva",
        regime="RG2854-B",
        description="IVA — bienes",
        month=timezone.localdate().replace(day=1),
        base=Decimal("21000.00"),
        taxable=Decimal("21000.00"),
        rate=Decimal("50"),
        amount=Decimal("10500.00"),
    )
    payments.confirm_paid(batch=batch, paid_on=timezone.localdate(), note="", actor=clerk)
    month = timezone.localdate()
    today = f"{month:%d/%m/%Y}"
    assert [line[:4] for line in withholding_services.sire_lines(month, "2004")] == ["2004"]
    (line,) = withholding_services.sire_lines(month, "2005")
    assert len(line) == withholding_services.SIRE_LINE_LENGTHS["2005"] == 305
    vat = Withholding.objects.get(order=order, tax="iva")
    assert line[0:4] == "0100"  # F.2005 has no form field: its file is imported as F.2005
    assert line[4:40] == vat.certificate_number.ljust(36)
    assert line[40:43] == "216" and line[43:46] == "214"  # RG 2854, goods (50 %)
    assert line[46:56] == today
    assert line[56:58] == "01"  # VAT registered
    assert line[58:89] == "0" + " " * 30  # withheld, so no reason for not withholding
    # F.2005 amounts carry a decimal comma (F.2004 ones a point).
    assert line[89:103] == "00000010500,00"  # withheld
    assert line[103:117] == "00000021000,00"  # calculation base
    assert line[117:134] == "0" + "000,00" + " " * 10  # no exclusion
    assert line[134:136] == "06" and line[136:146] == today
    assert line[146:162] == "000001          "
    assert line[162:200] == " " * 38  # no COE, original COE or CAE
    assert line[200:214] == "00000121000,00"  # the order's gross
    assert line[214:244] == " " * 30
    assert line[244:255] == order.supplier.cuit
    assert line[255:] == " " * 50  # no original certificate, no cancellation


def test_staff_page_and_command_give_the_files(client, paid, clerk, tmp_path) -> None:
    month = f"{timezone.localdate():%Y-%m}"
    client.force_login(clerk)
    page = client.get(reverse("payables:withholdings"), {"mes": month}).content.decode()
    assert "SICORE" in page and "F.2004" in page and "F.2005" in page
    assert "confirmá en la ayuda de SIRE los códigos de régimen" in page
    sire = client.get(reverse("payables:sire", args=["2004"]), {"mes": month})
    assert sire.status_code == 200
    assert sire["Content-Disposition"] == f'attachment; filename="sire-f2004-{month}.txt"'
    assert sire.content.count(b"\r\n") == 1
    vat = client.get(reverse("payables:sire", args=["2005"]), {"mes": month})
    assert vat.status_code == 200 and vat.content == b""
    assert client.get(reverse("payables:sire", args=["2003"]), {"mes": month}).status_code == 404
    bad = client.get(reverse("payables:sire", args=["2004"]), {"mes": "2026-13"}, follow=True)
    assert "Escribí el mes como año y mes" in bad.content.decode()

    call_command("export_withholdings", month, dir=str(tmp_path))
    assert (tmp_path / f"sicore-{month}.txt").read_bytes().count(b"\r\n") == 1
    assert (tmp_path / f"sire-f2004-{month}.txt").read_bytes().count(b"\r\n") == 1
    assert (tmp_path / f"sire-f2005-{month}.txt").read_bytes() == b""


def test_a_withholding_too_large_for_sire_refuses_the_file_with_a_reason(
    client, paid, clerk
) -> None:
    """An amount over SIRE's 14 characters would shift every field after it: no file, a reason."""
    row = Withholding.objects.get(order=paid, tax="suss")
    Withholding.objects.filter(pk=row.pk).update(amount=Decimal("123456789012.00"))
    client.force_login(clerk)
    month = timezone.localdate()
    response = client.get(reverse("payables:sire", args=["2004"]), {"mes": f"{month:%Y-%m}"})
    assert response.status_code == 409
    page = response.content.decode()
    assert row.certificate_number in page and "SIRE" in page
    assert "Content-Disposition" not in response
