"""The other parts' daily aggregates, built by hand, shown on the manager dashboard."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest

from accounts.models import Department
from appointments.models import DailyWaits, Service
from contact.models import DailyContactFigures, Team
from core.calendar import LOCAL_TIMEZONE
from core.money import format_money
from ivr.models import Call, CallbackRequest
from payments.models import Payment, PaymentOrder
from tests.engine.conftest import make_resident
from tests.indicators.test_pages import city_manager, head  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

JANUARY = "/gestion/indicadores/?desde=2026-01-01&hasta=2026-01-31"
NO_DATA = "Todavía no hay datos."
CITY_WIDE_ONLY = "Se muestra solo en la vista de toda la ciudad."


def section(page: str, key: str) -> str:
    start = page.index(f'aria-labelledby="source-{key}"')
    return page[start : page.index("</section>", start)]


def local(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), LOCAL_TIMEZONE)


def contact_rows() -> None:
    revenue = Team.objects.create(
        code="rentas", name="Rentas", department=Department.objects.get(code="rentas")
    )
    centre = Team.objects.create(code="atencion", name="Atención general")
    DailyContactFigures.objects.create(
        day=date(2026, 1, 5), team=revenue, channel="whatsapp", conversations=10, answered=8,
        within_sla=6, first_response_median_s=120, first_response_p90_s=600,
        csat_responses=4, csat_satisfied=3,
    )  # fmt: skip
    DailyContactFigures.objects.create(
        day=date(2026, 1, 6), team=revenue, channel="email", conversations=10, answered=12,
        within_sla=9, first_response_median_s=300, first_response_p90_s=900,
    )  # fmt: skip
    DailyContactFigures.objects.create(
        day=date(2026, 1, 5), team=centre, channel="web", conversations=50, answered=50,
        within_sla=50, first_response_median_s=60, first_response_p90_s=60,
        csat_responses=10, csat_satisfied=10,
    )  # fmt: skip
    DailyContactFigures.objects.create(  # outside the range
        day=date(2026, 2, 2), team=revenue, channel="web", conversations=999, answered=999
    )


def test_contact_figures_of_the_heads_department_only(client, head):  # noqa: F811
    contact_rows()
    client.force_login(head)
    figures = section(client.get(JANUARY).content.decode(), "contact")
    # 10 + 10 conversations; 15 of 20 answered within the level; 3 of 4 ratings satisfied.
    assert "<td>20</td>" in figures and "<td>75 %</td>" in figures
    # Daily medians weighted by answered: (120 × 8 + 300 × 12) / 20 = 228 s; p90 780 s.
    assert "<td>3,8 min</td>" in figures and "<td>13,0 min</td>" in figures
    assert "<svg" in figures and '<th scope="row">01/2026</th>' in figures
    assert "999" not in figures and NO_DATA not in figures


def test_contact_figures_city_wide_include_the_contact_centre_group(client, city_manager):  # noqa: F811
    contact_rows()
    client.force_login(city_manager)
    figures = section(client.get(JANUARY).content.decode(), "contact")
    # 70 conversations; 65 of 70 within the level (93 %); 13 of 14 ratings satisfied (93 %).
    assert "<td>70</td>" in figures and figures.count("<td>93 %</td>") >= 2


def test_contact_figures_per_week(client, head):  # noqa: F811
    contact_rows()
    client.force_login(head)
    figures = section(client.get(JANUARY + "&por=week").content.decode(), "contact")
    # 5 January 2026 is a Monday: both days fall in the same week.
    assert '<th scope="row">05/01</th>' in figures


def test_counter_waits_against_the_standards_per_office(client, city_manager):  # noqa: F811
    service = Service.objects.create(code="licencias", name="Licencias")
    DailyWaits.objects.create(
        office_code="palacio-municipal", service=service, day=date(2026, 1, 5), tickets=12,
        served=10, no_shows=2, within_standard_percent=Decimal("80.0"),
        median_wait_seconds=600, p90_wait_seconds=1800,
    )  # fmt: skip
    DailyWaits.objects.create(
        office_code="palacio-municipal", service=service, day=date(2026, 1, 6), tickets=10,
        served=10, within_standard_percent=Decimal("60.0"),
        median_wait_seconds=1200, p90_wait_seconds=3000,
    )  # fmt: skip
    DailyWaits.objects.create(
        office_code="cav-norte", service=service, day=date(2026, 1, 5), tickets=3, no_shows=3
    )
    client.force_login(city_manager)
    figures = section(client.get(JANUARY).content.decode(), "appointments")
    row = figures[figures.index("Palacio Municipal") :]
    row = row[: row.index("</tr>")]
    # 22 tickets, 20 served, 8 + 6 = 14 of them within the standard; medians 600 and 1200 s.
    assert "<td>22</td><td>20</td><td>2</td><td>70 %</td><td>15,0 min</td><td>40,0 min</td>" in row
    assert "<td>25</td>" in figures  # tickets of both offices
    assert "<svg" in figures


def test_phone_menu_containment_and_abandonment(client, city_manager):  # noqa: F811
    outcomes = ["self_service", "self_service", "transferred", "abandoned"]
    for number, outcome in enumerate(outcomes):
        call = Call.objects.create(call_sid=f"CA{number}", outcome=outcome)
        Call.objects.filter(pk=call.pk).update(started_at=local(date(2026, 1, 5)))
    Call.objects.filter(call_sid="CA2").update(outcome="callback")
    CallbackRequest.objects.create(call=Call.objects.get(call_sid="CA2"), number="2235550000")
    later = Call.objects.create(call_sid="CA9", outcome="abandoned")
    Call.objects.filter(pk=later.pk).update(started_at=local(date(2026, 2, 1)))
    client.force_login(city_manager)
    figures = section(client.get(JANUARY).content.decode(), "ivr")
    # Four calls in January: two solved by the menu, one abandoned; one callback to make.
    assert "<td>4</td>" in figures and "<td>50 %</td>" in figures and "<td>25 %</td>" in figures
    assert "<td>1</td>" in figures and "<svg" in figures


def test_payments_by_channel(client, city_manager):  # noqa: F811
    payer = make_resident("vecina@example.com", "30111222")
    order = PaymentOrder.objects.create(
        subject_type="accounts.user", subject_id=str(payer.pk), payer=payer,
        concept="Tasa", amount=Decimal("5000.00"), due_date=date(2026, 1, 31),
    )  # fmt: skip

    def paid(number, channel, amount, fee="0", status="approved", day=date(2026, 1, 10)):
        Payment.objects.create(
            order=order, channel=channel, provider_payment_id=str(number), status=status,
            amount=Decimal(amount), fee=Decimal(fee), paid_at=local(day),
        )  # fmt: skip

    paid(1, "mercadopago", "1000", fee="50")
    paid(2, "mercadopago", "1000", fee="50")
    paid(3, "cash_desk", "500")
    paid(4, "credit", "200")
    paid(5, "mercadopago", "999", status="rejected")
    paid(6, "transfer", "7777", day=date(2026, 2, 1))
    client.force_login(city_manager)
    figures = section(client.get(JANUARY).content.decode(), "payments")
    # Three payments of new money (the credit moves money already received): 2,500 pesos,
    # two of the three online.
    assert "<td>3</td>" in figures and f"<td>{format_money(Decimal('2500'))}</td>" in figures
    assert "<td>67 %</td>" in figures
    mercado_pago = figures[figures.index('<th scope="row">Mercado Pago</th>') :]
    mercado_pago = mercado_pago[: mercado_pago.index("</tr>")]
    assert f"<td>2</td><td>{format_money(Decimal('2000'))}</td>" in mercado_pago
    assert f"<td>{format_money(Decimal('1900'))}</td>" in mercado_pago
    assert "7777" not in figures and "999" not in figures


def test_parts_without_rows_say_no_data_yet(client, city_manager):  # noqa: F811
    client.force_login(city_manager)
    page = client.get(JANUARY).content.decode()
    for key in ("contact", "ivr", "appointments", "payments"):
        assert NO_DATA in section(page, key)


def test_a_department_head_does_not_see_city_wide_parts(client, head):  # noqa: F811
    service = Service.objects.create(code="licencias", name="Licencias")
    DailyWaits.objects.create(
        office_code="palacio-municipal", service=service, day=date(2026, 1, 5), tickets=12
    )
    client.force_login(head)
    page = client.get(JANUARY).content.decode()
    for key in ("ivr", "appointments", "payments"):
        assert CITY_WIDE_ONLY in section(page, key)
    assert NO_DATA in section(page, "contact")


def test_dashboard_with_every_source_on_reads_a_handful_of_queries(
    client,
    city_manager,  # noqa: F811
    django_assert_max_num_queries,
):
    """Each source adds a constant number of queries (contact 1, phone 3, counters 1,
    payments 1), however many days, teams and offices: the bound of the base test holds."""
    revenue = Team.objects.create(
        code="rentas", name="Rentas", department=Department.objects.get(code="rentas")
    )
    service = Service.objects.create(code="licencias", name="Licencias")
    payer = make_resident("vecina@example.com", "30111222")
    order = PaymentOrder.objects.create(
        subject_type="accounts.user", subject_id=str(payer.pk), payer=payer,
        concept="Tasa", amount=Decimal("5000.00"), due_date=date(2026, 3, 31),
    )  # fmt: skip
    for offset in range(60):
        day = date(2026, 1, 1) + timedelta(days=offset)
        for channel in ("whatsapp", "email", "web"):
            DailyContactFigures.objects.create(
                day=day, team=revenue, channel=channel, conversations=3, answered=3
            )
        for office in ("palacio-municipal", "cav-norte", "cav-sur"):
            DailyWaits.objects.create(office_code=office, service=service, day=day, served=4)
        call = Call.objects.create(call_sid=f"CA{offset}", outcome="self_service")
        Call.objects.filter(pk=call.pk).update(started_at=local(day))
        Payment.objects.create(
            order=order, channel="cash_network", provider_payment_id=str(offset),
            status="approved", amount=Decimal("10"), paid_at=local(day),
        )  # fmt: skip
    client.force_login(city_manager)
    url = "/gestion/indicadores/?desde=2026-01-01&hasta=2026-03-31"
    client.get(url)
    with django_assert_max_num_queries(25):
        page = client.get(url).content.decode()
    for key in ("contact", "ivr", "appointments", "payments"):
        assert NO_DATA not in section(page, key)


def test_public_page_shows_counter_waits_per_office_with_small_offices_suppressed(client, db):
    service = Service.objects.create(code="licencias", name="Licencias")
    DailyWaits.objects.create(
        office_code="palacio-municipal", service=service, day=date(2026, 1, 5), served=6,
        within_standard_percent=Decimal("100.0"), median_wait_seconds=300,
    )  # fmt: skip
    DailyWaits.objects.create(
        office_code="palacio-municipal", service=service, day=date(2026, 1, 20), served=4,
        within_standard_percent=Decimal("50.0"), median_wait_seconds=1050,
    )  # fmt: skip
    DailyWaits.objects.create(  # three people: too few to publish
        office_code="cav-norte", service=service, day=date(2026, 1, 5), served=3,
        within_standard_percent=Decimal("100.0"), median_wait_seconds=60,
    )  # fmt: skip
    DailyWaits.objects.create(  # another month
        office_code="cav-sur", service=service, day=date(2026, 2, 5), served=50
    )
    page = client.get("/transparencia/2026-01/").content.decode()
    waits = page[page.index('aria-labelledby="waits-title"') :]
    # 10 people, 6 + 2 called within the standard; medians (300 × 6 + 1050 × 4) / 10 = 600 s.
    assert "<td>10</td><td>80 %</td><td>10,0 min</td>" in waits
    cav_norte = waits[waits.index("Centro de Atención Vecinal Norte") :]
    assert cav_norte.index("<td>—</td><td>—</td><td>—</td>") < cav_norte.index("</tr>")
    assert "Vecinal Sur" not in waits
    assert "Esperas en nuestras ventanillas" in page


def test_public_page_without_counter_figures(client, db):
    page = client.get("/transparencia/2026-01/").content.decode()
    waits = page[page.index('aria-labelledby="waits-title"') :]
    assert "No hay cifras para este mes." in waits
