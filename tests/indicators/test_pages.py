"""The manager dashboard, cost entry, the satisfaction question and the public pages."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from core.models import OutboxItem
from core.outbox import run as run_outbox_item
from indicators.models import CaseDay, ChannelCost, SatisfactionAnswer
from indicators.services import aggregates, alerts
from procedures.models import Case
from tests.engine.conftest import make_employee

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
THIS_MONTH = TODAY.replace(day=1)


def grant(user: User, *codenames: str) -> User:
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return User.objects.get(pk=user.pk)


def figures(day: date, department: str, procedure="habilitacion-de-prueba", **counts) -> CaseDay:
    row = CaseDay.objects.create(
        day=day, procedure=procedure, department=department, channel="online", **counts
    )
    aggregates.roll_up_month(day)  # as aggregate_day does after writing a day
    return row


@pytest.fixture
def head(version):
    return grant(make_employee("jefa@example.com", "rentas"), "view_department_indicators")


@pytest.fixture
def city_manager(version):
    return grant(
        make_employee("gestion@example.com", "mesa-de-entradas"),
        "view_city_indicators",
        "add_channelcost",
    )


def test_department_head_sees_own_department_only(client, head):
    figures(TODAY, "rentas", received=7, resolved=6, resolved_on_time=5, resolved_late=1)
    figures(TODAY, "catastro", procedure="otro", received=99)
    client.force_login(head)
    page = client.get("/gestion/indicadores/").content.decode()
    assert "Indicadores" in page and "<svg" in page
    assert ">7<" in page and ">99<" not in page
    assert 'aria-current="page">Indicadores' in page  # the staff tab contributed by the slot
    assert client.get("/gestion/indicadores/?departamento=catastro").status_code == 403
    assert client.get("/gestion/indicadores/?departamento=rentas").status_code == 200


def test_city_wide_view_needs_its_permission(client, version, city_manager):
    figures(TODAY, "catastro", procedure="otro", received=99)
    clerk = make_employee("mesa2@example.com", "mesa-de-entradas")
    client.force_login(clerk)
    assert client.get("/gestion/indicadores/").status_code == 403
    assert "/gestion/indicadores/" not in client.get("/gestion/").content.decode()
    client.force_login(city_manager)
    assert ">99<" in client.get("/gestion/indicadores/?departamento=catastro").content.decode()
    assert ">99<" in client.get("/gestion/indicadores/").content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("desde=2026-06-01&hasta=2026-05-01", "La fecha de inicio es posterior a la de fin"),
        ("desde=2016-01-01&hasta=2026-01-01", "como máximo tres años"),
        ("desde=ayer", "Escribí una fecha válida"),
        ("por=year", "Elegí una opción válida"),
    ],
)
def test_bad_filters_are_explained_and_show_no_figures(client, head, query, message):
    figures(TODAY, "rentas", received=7)
    client.force_login(head)
    response = client.get(f"/gestion/indicadores/?{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and ">7<" not in page


def test_dashboard_reads_a_handful_of_queries(client, head, django_assert_max_num_queries):
    for offset in range(60):
        figures(
            date(2026, 1, 1).replace(day=1) + timezone.timedelta(days=offset), "rentas", received=1
        )
    client.force_login(head)
    client.get("/gestion/indicadores/?desde=2026-01-01&hasta=2026-03-31")
    with django_assert_max_num_queries(25):
        response = client.get("/gestion/indicadores/?desde=2026-01-01&hasta=2026-03-31")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-1000", "no puede ser negativo"),
        ("mil pesos", "Escribí un monto en pesos"),
        ("1.23.4", "Escribí un monto en pesos"),
        ("12,345", "como máximo dos decimales"),
    ],
)
def test_bad_cost_inputs_change_nothing(client, city_manager, amount, message):
    client.force_login(city_manager)
    response = client.post(
        "/gestion/indicadores/costos/", {"mes": "2026-03", "canal": "online", "monto": amount}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ChannelCost.objects.exists()


def test_bad_cost_month_and_permission(client, city_manager, head):
    client.force_login(city_manager)
    response = client.post(
        "/gestion/indicadores/costos/", {"mes": "2026-13", "canal": "online", "monto": "10"}
    )
    assert "AAAA-MM" in response.content.decode() or "YYYY-MM" in response.content.decode()
    client.force_login(head)
    assert client.get("/gestion/indicadores/costos/").status_code == 403
    assert not ChannelCost.objects.exists()


def test_cost_per_transaction(client, city_manager):
    figures(date(2026, 3, 5), "rentas", received=300)
    figures(date(2026, 3, 6), "rentas", received=100)
    client.force_login(city_manager)
    response = client.post(
        "/gestion/indicadores/costos/",
        {"mes": "2026-03", "canal": "online", "monto": "1.000.000,00"},
        follow=True,
    )
    assert "Costo guardado" in response.content.decode()
    assert ChannelCost.objects.get().amount == Decimal("1000000.00")
    page = client.get("/gestion/indicadores/?desde=2026-03-01&hasta=2026-03-31").content.decode()
    assert "$\xa02.500,00" in page or "$ 2.500,00" in page  # 1.000.000 / 400 cases


def test_breach_alert_counts_cases_due_soon(client, head, scenario):
    case = scenario.file(TODAY)
    Case.objects.filter(pk=case.pk).update(current_department="rentas", due_date=TODAY)
    client.force_login(head)
    page = client.get("/gestion/indicadores/").content.decode()
    assert "Trámites que vencen en los próximos 3 días hábiles" in page
    assert '<th scope="row">Dirección de Rentas</th><td>1</td>' in page


def test_satisfaction_question_once_per_moment(client, scenario, applicant):
    case = scenario.file(TODAY)
    client.force_login(applicant)
    page = client.get(f"/mis-tramites/{case.reference}/").content.decode()
    assert "¿Cómo fue hacer este trámite?" in page
    url = f"/mis-tramites/encuesta/{case.pk}/"
    response = client.post(url, {"moment": "submitted", "satisfaction-score": "7"}, follow=True)
    assert "Elegí un puntaje del 1 al 5" in response.content.decode()
    assert not SatisfactionAnswer.objects.exists()
    response = client.post(
        url,
        {"moment": "result", "satisfaction-score": "5"},
        follow=True,
    )
    assert "no está abierta" in response.content.decode()
    client.post(
        url, {"moment": "submitted", "satisfaction-score": "4", "satisfaction-comment": "Bien"}
    )
    response = client.post(url, {"moment": "submitted", "satisfaction-score": "1"}, follow=True)
    assert "Ya respondiste" in response.content.decode()
    assert list(SatisfactionAnswer.objects.values_list("score", "comment")) == [(4, "Bien")]
    assert (
        "¿Cómo fue hacer este trámite?"
        not in client.get(f"/mis-tramites/{case.reference}/").content.decode()
    )


def test_someone_elses_case_cannot_be_answered(client, scenario):
    case = scenario.file(TODAY)
    from tests.engine.conftest import make_resident

    client.force_login(make_resident("otra@example.com", "30999888"))
    response = client.post(
        f"/mis-tramites/encuesta/{case.pk}/", {"moment": "submitted", "satisfaction-score": "5"}
    )
    assert response.status_code == 404
    assert not SatisfactionAnswer.objects.exists()


def test_public_page_suppresses_small_cells(client, version):
    figures(
        THIS_MONTH,
        "rentas",
        received=12,
        resolved=4,
        resolved_on_time=4,
        resolution_histogram={"1": 1, "2": 1, "3": 1, "4": 1},
    )
    page = client.get("/transparencia/").content.decode()
    assert "Habilitación de prueba" in page
    assert "<td>12</td><td>—</td><td>—</td>" in page  # 4 resolved: suppressed with their rate
    assert "/transparencia/" in client.get("/").content.decode()  # the footer link


def test_open_data_files_and_dictionary(client, version):
    figures(
        THIS_MONTH,
        "rentas",
        received=3,
        resolved=6,
        resolved_on_time=5,
        resolved_late=1,
        resolution_histogram={"2": 1, "4": 1, "6": 1, "8": 1, "10": 1, "12": 1},
    )
    month = f"{THIS_MONTH:%Y-%m}"
    data = json.loads(client.get(f"/transparencia/datos/{month}.json").content)
    record = data["records"][0]
    assert record["tramite"] == "habilitacion-de-prueba"
    assert record["recibidos"] is None  # 3 < 5
    # 6 resolved, 1 of them late: the 5 on time would give the 1 back (6 - 5), so both go,
    # and the percentage with them; the median counts no one and stays.
    assert record["resueltos"] == 6
    assert record["resueltos_en_plazo"] is None and record["resueltos_fuera_de_plazo"] is None
    assert record["porcentaje_en_plazo"] is None
    assert (record["mediana_dias_habiles"], record["p90_dias_habiles"]) == (7.0, 12)
    csv_text = client.get(f"/transparencia/datos/{month}.csv").content.decode()
    header, line = csv_text.splitlines()[:2]
    assert header.startswith("mes,tramite,nombre,recibidos,resueltos")
    assert line.startswith(f"{month},habilitacion-de-prueba,Habilitación de prueba,,6,,,,7.0,12")
    dictionary = client.get("/transparencia/datos/diccionario/").content.decode()
    assert "porcentaje_en_plazo" in dictionary and f"/transparencia/datos/{month}.csv" in dictionary
    for bad in ("2026-13", "mes", f"{TODAY.year + 1}-01"):
        assert client.get(f"/transparencia/datos/{bad}.csv").status_code == 404
        assert client.get(f"/transparencia/{bad}/").status_code == 404


def test_weekly_backlog_email_goes_once_to_the_head(head, version):
    figures(TODAY, "rentas", open_0_30=3, open_31_60=2, open_over_60=1, overdue=2)
    assert alerts.schedule_weekly_backlog(TODAY) >= 1
    item = OutboxItem.objects.get(kind="indicators.backlog_email", payload__department="rentas")
    run_outbox_item(item.pk)
    OutboxItem.objects.filter(pk=item.pk).update(done_at=None)
    run_outbox_item(item.pk)  # delivered twice: sent once
    sent = [message for message in mail.outbox if "Rentas" in message.subject]
    assert len(sent) == 1 and sent[0].to == ["jefa@example.com"]
    assert "Abiertos hace más de 60 días: 1" in sent[0].body
    assert "Vencidos hoy: 2" in sent[0].body
    alerts.schedule_weekly_backlog(TODAY)
    assert OutboxItem.objects.filter(payload__department="rentas").count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("2026-06-01", "2026-05-01"), "before the first"),
        (("2026-02-30",), "not a date"),
        ((f"{TODAY.year + 1}-01-01",), "future"),
    ],
)
def test_rebuild_command_refuses_bad_ranges(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("indicators_rebuild", *args)
    assert not CaseDay.objects.exists()


def test_a_part_plugs_its_figures_in_through_the_source_registry(client, city_manager):
    from indicators import sources

    placeholder = sources.SOURCES.get("contact")
    sources.register(
        sources.Source(
            "contact",
            "Centro de atención",
            "Tiempos de respuesta.",
            lambda filters: [("Llamadas atendidas en 20 segundos", "81 %")],
            10,
        )
    )
    try:
        client.force_login(city_manager)
        page = client.get("/gestion/indicadores/").content.decode()
        assert "Llamadas atendidas en 20 segundos" in page and "81 %" in page
        assert page.count("Todavía no hay datos.") == 3  # phone menu, counters, payments
    finally:
        sources.register(placeholder)
