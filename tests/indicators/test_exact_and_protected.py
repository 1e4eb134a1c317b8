"""Exact medians from the day histograms, the office of counter cases, and small cells that
stay hidden whatever one subtracts."""

from __future__ import annotations

import json
import random
from datetime import date

import pytest
from django.utils import timezone

from indicators import opendata
from indicators.figures import DAYS_OVERFLOW, days_histogram
from indicators.models import CaseDay
from indicators.selectors import Filters, periods
from indicators.services import aggregates
from procedures.models import Case, Category, ProcedureType
from tests.engine.conftest import make_employee
from tests.engine.test_resident_filing import fill_until_review

from .conftest import at
from .test_pages import grant

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
THIS_MONTH = TODAY.replace(day=1)


@pytest.fixture
def head(version):
    return grant(make_employee("jefa@example.com", "rentas"), "view_department_indicators")


def day_row(day: date, procedure="habilitacion-de-prueba", **counts) -> CaseDay:
    defaults = {"department": "rentas", "channel": "online"}
    row = CaseDay.objects.create(day=day, procedure=procedure, **(defaults | counts))
    aggregates.roll_up_month(day)  # as aggregate_day does after writing a day
    return row


# --- Medians and 90th percentiles, exact for any period ------------------------------------


def test_the_histogram_counts_whole_days_and_a_last_bucket():
    assert days_histogram([3, 3, 10, 300, DAYS_OVERFLOW]) == {"3": 2, "10": 1, "250": 2}


def test_median_and_p90_of_a_month_from_the_days_histograms(client, head):
    # 2 June: two cases took 3 business days and one 10; 3 June: 4, 20 and more than 250.
    # The month's six values in order: 3, 3, 4, 10, 20, 250+ .
    # Median (even count): (4 + 10) / 2 = 7. p90: rank ceil(0.9 × 6) = 6, the last: 250+.
    # The mean of the two daily medians would have said (3 + 20) / 2 = 11.5.
    day_row(date(2026, 6, 2), resolved=3, resolution_histogram={"3": 2, "10": 1})
    day_row(date(2026, 6, 3), resolved=3, resolution_histogram={"4": 1, "20": 1, "250": 1})
    # Another department's row on the same days is filtered out.
    day_row(date(2026, 6, 2), department="catastro", resolved=1, resolution_histogram={"1": 1})
    (june,) = periods(
        Filters(first=date(2026, 6, 1), last=date(2026, 6, 30), departments=("rentas",))
    )
    assert (june.resolved, june.median, june.p90) == (6, 7.0, 250)

    client.force_login(head)
    page = client.get("/gestion/indicadores/?desde=2026-06-01&hasta=2026-06-30").content.decode()
    assert "<td>7,0</td><td>≥ 250</td>" in page


def test_weekly_and_monthly_medians_of_the_same_days(head):
    # Week of Mon 1 June: 2, 2, 9; week of Mon 8 June: 5. Median per week 2 and 5; p90 9 and 5.
    # The month: 2, 2, 5, 9: median (2 + 5) / 2 = 3.5, p90 rank ceil(3.6) = 4: 9.
    day_row(date(2026, 6, 1), resolved=2, resolution_histogram={"2": 2})
    day_row(date(2026, 6, 5), resolved=1, resolution_histogram={"9": 1})
    day_row(date(2026, 6, 8), resolved=1, resolution_histogram={"5": 1})
    weeks = periods(Filters(first=date(2026, 6, 1), last=date(2026, 6, 14), period="week"))
    assert [(w.start, w.median, w.p90) for w in weeks] == [
        (date(2026, 6, 1), 2, 9),
        (date(2026, 6, 8), 5, 5),
    ]
    (month,) = periods(Filters(first=date(2026, 6, 1), last=date(2026, 6, 30)))
    assert (month.median, month.p90) == (3.5, 9)


# --- The office of cases filed at a counter --------------------------------------------------


def test_counter_cases_are_counted_per_office(client, scenario, desk_clerk, head):
    online = scenario.file(date(2026, 6, 2))
    client.force_login(desk_clerk)
    with at(date(2026, 6, 2)):
        response = client.post(
            "/gestion/iniciar/",
            {
                "procedure": "habilitacion-de-prueba",
                "applicant": "30111222",
                "channel": "counter",
                "office": "cav-norte",
            },
        )
        at_counter = Case.objects.exclude(pk=online.pk).get()
        assert response["Location"] == f"/mis-tramites/borradores/{at_counter.pk}/seccion/0/"
        fill_until_review(client, at_counter)
        client.post(f"/mis-tramites/borradores/{at_counter.pk}/revisar/")
    aggregates.aggregate_day(date(2026, 6, 2))

    rows = CaseDay.objects.filter(day=date(2026, 6, 2)).order_by("channel")
    assert [(r.channel, r.office, r.received, r.drafts_started) for r in rows] == [
        ("counter", "cav-norte", 1, 1),
        ("online", "", 1, 1),
    ]
    client.force_login(head)
    base = "/gestion/indicadores/?desde=2026-06-01&hasta=2026-06-30"
    page = client.get(f"{base}&oficina=cav-norte").content.decode()
    assert '<th scope="row">06/2026</th><td>1</td>' in page  # the counter case only
    page = client.get(base).content.decode()
    assert '<th scope="row">06/2026</th><td>2</td>' in page
    assert "Centro de Atención Vecinal Norte" in page or "cav-norte" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("oficina=cav-norte&canal=online", "Solo los trámites iniciados en un mostrador"),
        ("oficina=ninguna", "Elegí una opción válida"),
    ],
)
def test_an_office_filter_that_cannot_apply_is_explained(client, head, query, message):
    day_row(TODAY, received=7)
    client.force_login(head)
    response = client.get(f"/gestion/indicadores/?{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and ">7<" not in page


def test_the_data_dictionary_says_where_the_office_does_not_apply(client, db):
    page = client.get("/transparencia/datos/diccionario/").content.decode()
    assert "no se desglosan por oficina" in page


# --- Small cells: primary and complementary suppression --------------------------------------

COLUMNS = tuple(opendata.COUNT_COLUMNS)


def recovered(rows: list[dict], totals: dict, true_rows: list[dict], true_totals: dict) -> set:
    """What someone can work out from the published figures by adding and subtracting: every
    equation with one unknown left is solved, again and again. Returns the hidden cells
    found, as (row index or "total", column)."""
    known = {(i, c): row[c] for i, row in enumerate(rows) for c in COLUMNS if row[c] is not None}
    known |= {("total", c): totals[c] for c in COLUMNS if totals[c] is not None}
    truth = {(i, c): row[c] for i, row in enumerate(true_rows) for c in COLUMNS}
    truth |= {("total", c): true_totals[c] for c in COLUMNS}
    keys = [*range(len(rows)), "total"]
    # Each equation: cells on the left minus cells on the right is zero.
    equations = [([(k, "resueltos")], [(k, part) for part in opendata.PARTS]) for k in keys]
    equations += [([("total", c)], [(i, c) for i in range(len(rows))]) for c in COLUMNS]
    found = set()
    progress = True
    while progress:
        progress = False
        for left, right in equations:
            unknown = [cell for cell in left + right if cell not in known]
            if len(unknown) != 1:
                continue
            (cell,) = unknown
            sign = 1 if cell in left else -1
            value = sum(known.get(c, 0) for c in right) - sum(known.get(c, 0) for c in left)
            known[cell] = sign * value
            assert known[cell] == truth[cell]  # the arithmetic of the attack is right
            found.add(cell)
            progress = True
    return found


def table(*rows: tuple[int, int, int, int, int]) -> list[dict]:
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


def totals_of(rows: list[dict]) -> dict:
    return {c: sum(row[c] for row in rows) for c in COLUMNS}


def test_complementary_suppression_worked_by_hand():
    # received, resolved, on time, late, satisfaction answers
    rows = table((30, 20, 17, 3, 0), (12, 9, 9, 0, 0), (2, 0, 0, 0, 0))
    protected = opendata.protect(rows)
    # A's 3 late hide its 17 on time (20 - 17 = 3); C's 2 received hide B's 12, the next
    # smallest (44 - 30 - 12 = 2). The month's 3 late are few, so its 26 on time go too
    # (29 - 26 = 3); with both totals hidden, A's on time and late cannot come back from
    # their columns, and B's 9 and 0 can stay.
    assert protected.rows == [
        {"recibidos": 30, "resueltos": 20, "resueltos_en_plazo": None,
         "resueltos_fuera_de_plazo": None, "respuestas_satisfaccion": 0},
        {"recibidos": None, "resueltos": 9, "resueltos_en_plazo": 9,
         "resueltos_fuera_de_plazo": 0, "respuestas_satisfaccion": 0},
        {"recibidos": None, "resueltos": 0, "resueltos_en_plazo": 0,
         "resueltos_fuera_de_plazo": 0, "respuestas_satisfaccion": 0},
    ]  # fmt: skip
    assert protected.totals == {
        "recibidos": 44, "resueltos": 29, "resueltos_en_plazo": None,
        "resueltos_fuera_de_plazo": None, "respuestas_satisfaccion": 0,
    }  # fmt: skip
    assert not recovered(protected.rows, protected.totals, rows, totals_of(rows))


def test_a_lone_small_cell_hides_the_total_when_nothing_else_can():
    rows = table((3, 0, 0, 0, 0))
    protected = opendata.protect(rows)
    assert protected.rows[0]["recibidos"] is None and protected.totals["recibidos"] is None


def test_no_hidden_count_comes_back_by_subtraction_in_any_table():
    draw = random.Random(15)  # noqa: S311 - the same tables every run
    for _round in range(400):
        rows = []
        for _row in range(draw.randint(1, 6)):
            on_time, late = draw.choice([0, 1, 2, 4, 5, 9, 30]), draw.choice([0, 1, 3, 6, 12])
            received = draw.choice([0, 1, 3, 5, 8, 40])
            rows.append(dict(zip(COLUMNS, (received, on_time + late, on_time, late,
                                           draw.choice([0, 2, 7])), strict=True)))  # fmt: skip
        protected = opendata.protect(rows)
        hidden = {
            (i, c) for i, row in enumerate(protected.rows) for c in COLUMNS if row[c] is None
        } | {("total", c) for c in COLUMNS if protected.totals[c] is None}
        assert not recovered(protected.rows, protected.totals, rows, totals_of(rows)) & hidden
        for true, shown in zip(rows, protected.rows, strict=True):
            for column in COLUMNS:
                assert shown[column] in (None, true[column])
                if 0 < true[column] < opendata.SMALL_CELL:
                    assert shown[column] is None


def resident_type(code: str) -> None:
    category, _ = Category.objects.get_or_create(code="prueba", defaults={"names": {"es": "P"}})
    ProcedureType.objects.create(code=code, audience="resident", category=category)


def test_the_page_the_files_and_the_monthly_total_hide_the_same_cells(client, version):
    resident_type("b-tramite")
    resident_type("c-tramite")
    day_row(THIS_MONTH, received=30, resolved=20, resolved_on_time=17, resolved_late=3)
    day_row(THIS_MONTH, procedure="b-tramite", received=12, resolved=9, resolved_on_time=9)
    day_row(THIS_MONTH, procedure="c-tramite", received=2)
    month = f"{THIS_MONTH:%Y-%m}"
    records = {
        r["tramite"]: r
        for r in json.loads(client.get(f"/transparencia/datos/{month}.json").content)["records"]
    }
    assert (records["b-tramite"]["recibidos"], records["c-tramite"]["recibidos"]) == (None, None)
    assert records["habilitacion-de-prueba"]["resueltos_fuera_de_plazo"] is None
    assert records["habilitacion-de-prueba"]["resueltos_en_plazo"] is None
    assert records["habilitacion-de-prueba"]["porcentaje_en_plazo"] is None
    csv_lines = client.get(f"/transparencia/datos/{month}.csv").content.decode().splitlines()
    assert any(line.startswith(f"{month},b-tramite,b-tramite,,9,9,0,100.0,") for line in csv_lines)

    page = client.get("/transparencia/").content.decode()
    # The month's totals: 44 received and 29 resolved are safe; the on-time percentage is not.
    this_month_row = f'<th scope="row">{THIS_MONTH:%m/%Y}</th><td>44</td><td>29</td><td>—</td>'
    assert this_month_row in page
    assert "<td>12</td>" not in page and "<td>2</td>" not in page


def test_channel_costs_are_not_divided_by_one_offices_cases(client, version):
    manager = grant(
        make_employee("gestion@example.com", "mesa-de-entradas"),
        "view_city_indicators",
        "add_channelcost",
    )
    day_row(TODAY, channel="counter", office="cav-norte", received=7)
    client.force_login(manager)
    page = client.get("/gestion/indicadores/?oficina=cav-norte").content.decode()
    assert ">7<" in page
    assert "Los costos se muestran solo en la vista de todo el municipio." in page
