"""Withholdings at payment, reviewed with worked examples (amounts from the rules file)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from payables import withholdings
from payables.models import PaymentOrder, ProvincialRate, Withholding
from payables.services import withholding as withholding_services

from .test_money_safety import exported  # noqa: F401 (fixture)

D = Decimal
DAY = date(2026, 3, 10)


def goods(net: str, rate: str = "21") -> withholdings.LineBase:
    return withholdings.LineBase(is_goods=True, net=D(net), vat_rate=D(rate))


def service(net: str, rate: str = "21") -> withholdings.LineBase:
    return withholdings.LineBase(is_goods=False, net=D(net), vat_rate=D(rate))


def compute(lines, *, condition="ri", taxes=("ganancias", "iva", "suss", "iibb"), **kwargs):
    found = withholdings.compute(
        rules=withholdings.load_rules(),
        taxes=taxes,
        condition=condition,
        day=DAY,
        lines=lines,
        month_so_far=kwargs.pop("month_so_far", {}),
        **kwargs,
    )
    return {item.rule.key: item.amount for item in found}


def test_goods_to_a_registered_supplier() -> None:
    # 1,000,000 of goods with 21 % VAT:
    #   income tax 78: 2 % of (1,000,000 - 224,000)       = 15,520.00
    #   VAT RG 2854 goods: 50 % of 210,000                 = 105,000.00
    #   gross income (not in the padrón): 4 % of 1,000,000 = 40,000.00
    #   social security applies to services only.
    assert compute([goods("1000000")]) == {
        "ganancias:078": D("15520.00"),
        "iva:RG2854-B": D("105000.00"),
        "iibb:ARBA": D("40000.00"),
    }


def test_services_accumulate_over_the_month() -> None:
    # First payment of the month: 50,000 of services is under the 67,170 minimum.
    first = compute([service("50000")], taxes=("ganancias",))
    assert first == {"ganancias:094": D("0.00")}
    # Second: 100,000 more; 2 % of (150,000 - 67,170) = 1,656.60, nothing withheld before.
    second = compute(
        [service("100000")],
        taxes=("ganancias",),
        month_so_far={"ganancias:094": withholdings.MonthSoFar(D("50000"), D("0"))},
    )
    assert second == {"ganancias:094": D("1656.60")}
    # Third: 20,000 more; 2 % of (170,000 - 67,170) = 2,056.60 - 1,656.60 = 400.00.
    third = compute(
        [service("20000")],
        taxes=("ganancias",),
        month_so_far={"ganancias:094": withholdings.MonthSoFar(D("150000"), D("1656.60"))},
    )
    assert third == {"ganancias:094": D("400.00")}


def test_nothing_below_the_minimum_withholding() -> None:
    # 2 % of (78,000 - 67,170) = 216.60 < 240: not withheld.
    assert compute([service("78000")], taxes=("ganancias",)) == {"ganancias:094": D("0.00")}


def test_monotributo_pays_no_income_tax_or_vat_withholding() -> None:
    assert compute([service("500000")], condition="monotributo") == {"iibb:ARBA": D("20000.00")}


def test_the_padron_rate_replaces_the_default() -> None:
    assert compute([goods("100000")], taxes=("iibb",), padron_rate=D("1.75")) == {
        "iibb:ARBA": D("1750.00")
    }


def test_credit_notes_lower_the_base() -> None:
    assert compute([service("300000"), service("-100000")], taxes=("suss",)) == {
        "suss:RG1784": D("2000.00")
    }


def test_rules_out_of_force_do_not_apply() -> None:
    found = withholdings.compute(
        rules=withholdings.load_rules(),
        taxes=("ganancias",),
        condition="ri",
        day=date(2020, 1, 1),
        lines=[service("500000")],
        month_so_far={},
    )
    assert found == []


# --- Stored with the payment order, certificates when paid, SICORE ------------------------


@pytest.mark.django_db
def test_order_shows_gross_withholdings_and_net_and_sicore_lists_them(exported, clerk) -> None:  # noqa: F811
    from payables import services as payments

    order, batch = exported
    assert [(w.tax, w.regime, w.base, w.amount) for w in order.withholdings.all()] == [
        ("ganancias", "094", D("100000.00"), D("656.60")),
        ("suss", "RG1784", D("100000.00"), D("1000.00")),
    ]
    payments.confirm_paid(batch=batch, paid_on=timezone.localdate(), note="", actor=clerk)
    year = timezone.localdate().year
    assert list(
        Withholding.objects.order_by("pk").values_list("certificate_number", flat=True)
    ) == [f"RET-{year}-000001", f"RET-{year}-000002"]

    lines = withholding_services.sicore_lines(timezone.localdate())
    assert len(lines) == 1 and len(lines[0]) == 145
    line = lines[0]
    assert line[:2] == "06"
    assert line[12:28] == "0000000000000001"  # OP-000001
    assert line[28:44] == "0000000121000,00"
    assert line[44:48] == "0217" and line[48:51] == "094" and line[51] == "1"
    assert line[52:66] == "00000032830,00"  # 100,000 - 67,170
    assert line[76:79] == "010" and line[79:93] == "00000000656,60"
    assert line[109:111] == "80" and line[111:131].strip() == order.supplier.cuit
    assert withholding_services.sicore_file(timezone.localdate()).endswith(b"\r\n")
    assert PaymentOrder.objects.get().amount == D("119343.40")


@pytest.mark.django_db
def test_padron_import_all_or_nothing(clerk) -> None:
    from core.identifiers import make_cuit

    good = make_cuit("30", "71234567")
    content = (
        f"R;25022026;01032026;31032026;{good};C;N;N;1,75;12\n"
        f"R;25022026;01032026;31032026;20123456780;C;N;N;1,75;12\n"
        f"R;25022026;01032026;31032026;{good};C;N;N;NaN;12\n"
        f"R;25022026;01132026;31032026;{good};C;N;N;1;12\n"
    ).encode("latin-1")
    report = withholding_services.import_provincial_padron(content=content, actor=clerk)
    assert [row for row, _message in report.errors] == [2, 3, 4]
    assert ProvincialRate.objects.count() == 0

    report = withholding_services.import_provincial_padron(
        content=f"R;25022026;01032026;31032026;{good};C;N;N;1,75;12\n".encode(), actor=clerk
    )
    assert (report.imported, report.errors) == (1, [])
    assert withholding_services.provincial_rate(good, date(2026, 3, 15)) == D("1.75")
    assert withholding_services.provincial_rate(good, date(2026, 4, 1)) is None


@pytest.mark.django_db
def test_batch_page_shows_gross_withholdings_and_net(client, exported, clerk) -> None:  # noqa: F811
    from django.urls import reverse

    order, batch = exported
    client.force_login(clerk)
    page = " ".join(client.get(reverse("payables:batch", args=[batch.pk])).content.decode().split())
    assert "$ 121.000,00" in page and "$ 119.343,40" in page
    assert (
        "Locaciones de obra y/o servicios no ejecutadas en relación de dependencia: $ 656,60"
        in page
    )
    response = client.get(reverse("payables:sicore"), {"mes": "2026-03"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    # An impossible month is refused with a message, not answered with another month's file.
    assert client.get(reverse("payables:sicore"), {"mes": "2026-13"}).status_code == 302
