"""Paging through a department queue with plain links: every task once, in order, cheaply."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.models import Task

from procedures.models import Case
from tests.engine.test_query_counts import clone_case
from tests.engine.test_versions import submitted_case

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r">(EXP-\d{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</a>")


def link(page: str, rel: str) -> str | None:
    found = re.search(rf'<a href="(\?[^"]*)" rel="{rel}">', page)
    return "/gestion/cola/" + html.unescape(found.group(1)) if found else None


@pytest.fixture
def queue_of_60(version, applicant) -> list[str]:
    """60 queued cases with due dates spread (and some shared), in the queue's due order."""
    clone_case(submitted_case(version, applicant), 59)
    today = datetime.date(2026, 12, 1)
    for i, case in enumerate(Case.objects.order_by("pk")):
        case.due_date = today + datetime.timedelta(days=(i * 7) % 13)
        case.save(update_fields=["due_date"])
    return [
        t.process.case.reference
        for t in Task.objects.filter(status="NEW", flow_task_type="HUMAN")
        .select_related("process__case")
        .order_by("process__case__due_date", "created", "pk")
    ]


def test_next_links_walk_the_whole_queue_in_due_order_and_previous_walks_back(
    client, desk_clerk, queue_of_60
):
    client.force_login(desk_clerk)
    url, seen, pages = "/gestion/cola/", [], []
    while url:
        page = client.get(url).content.decode()
        pages.append(REFERENCE.findall(page))
        seen += pages[-1]
        url = link(page, "next")
    assert seen == queue_of_60
    assert [len(p) for p in pages] == [25, 25, 10]
    assert "Página 3 de 3" in page and 'aria-current="page"' in page
    back = client.get(link(page, "prev")).content.decode()
    assert REFERENCE.findall(back) == pages[1] and "Página 2 de 3" in back
    first = client.get(link(back, "prev")).content.decode()
    assert REFERENCE.findall(first) == pages[0] and link(first, "prev") is None
    assert "Página 1 de 3" in first


def test_a_task_claimed_meanwhile_neither_hides_nor_repeats_the_others(
    client, desk_clerk, queue_of_60
):
    from procedures.services import review

    client.force_login(desk_clerk)
    first = client.get("/gestion/cola/").content.decode()
    last_shown = REFERENCE.findall(first)[-1]
    claimed = Task.objects.get(process__case__reference=last_shown, status="NEW")
    review.claim(task_id=claimed.pk, user=desk_clerk)  # the cursor task leaves the queue
    second = client.get(link(first, "next")).content.decode()
    assert REFERENCE.findall(second) == queue_of_60[25:50]


def test_the_order_and_filters_chosen_are_kept_from_page_to_page(client, desk_clerk, queue_of_60):
    client.force_login(desk_clerk)
    page = client.get("/gestion/cola/", {"orden": "-due", "q": "EXP"}).content.decode()
    following = link(page, "next")
    assert "orden=-due" in following and "q=EXP" in following
    second = client.get(following).content.decode()
    walked = REFERENCE.findall(page) + REFERENCE.findall(second)
    due = dict(Case.objects.filter(reference__in=walked).values_list("reference", "due_date"))
    assert [due[r] for r in walked] == sorted((due[r] for r in walked), reverse=True)
    assert len(set(walked)) == 50


@pytest.mark.parametrize("cursor", ["despues=abc", "despues=999999999", "antes=-3", "pagina=40"])
def test_a_made_up_address_shows_the_first_page(client, desk_clerk, queue_of_60, cursor):
    client.force_login(desk_clerk)
    page = client.get(f"/gestion/cola/?{cursor}").content.decode()
    assert REFERENCE.findall(page) == queue_of_60[:25] and "Página 1 de 3" in page


def test_a_deep_page_reads_no_row_before_it(client, desk_clerk, queue_of_60):
    client.force_login(desk_clerk)
    url = "/gestion/cola/"
    for _ in range(2):
        url = link(client.get(url).content.decode(), "next")
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    listed = [q["sql"] for q in captured if "LIMIT 26" in q["sql"]]
    assert len(listed) == 1 and "OFFSET" not in listed[0], listed


def test_a_page_emptied_meanwhile_still_leads_back(client, desk_clerk, queue_of_60):
    from procedures.services import review

    client.force_login(desk_clerk)
    second = client.get(link(client.get("/gestion/cola/").content.decode(), "next"))
    last = link(second.content.decode(), "next")
    for task in Task.objects.filter(status="NEW", process__case__reference__in=queue_of_60[50:]):
        review.claim(task_id=task.pk, user=desk_clerk)
    emptied = client.get(last).content.decode()
    assert REFERENCE.findall(emptied) == [] and "No hay nada acá." in emptied
    first = re.search(r'<a href="\?([^"]*)">Primera página</a>', emptied)
    assert first is not None
    page = client.get("/gestion/cola/?" + html.unescape(first.group(1))).content.decode()
    assert REFERENCE.findall(page) == queue_of_60[:25]


def test_an_empty_queue_still_counts_and_names_the_departments(client, desk_clerk, queue_of_60):
    """The count and the departments ride on the rows; with no rows they are read apart."""
    from accounts.models import Department

    client.force_login(desk_clerk)
    full = client.get("/gestion/cola/").content.decode()
    name = Department.objects.get(group__user=desk_clerk).name
    assert f"Tus áreas: {name}" in full and "60 tareas" in full
    empty = client.get("/gestion/cola/", {"q": "EXP-1999-AAAA-AAAA"}).content.decode()
    assert f"Tus áreas: {name}" in empty and "0 tareas" in empty
    inbox = client.get("/gestion/").content.decode()
    assert f"Tus áreas: {name}" in inbox and "0 tareas" in inbox


def test_a_department_with_nothing_to_review_shows_empty_lists(client, db):
    """No task can reach it (no procedure at all): the count is NULL in SQL, shown as 0."""
    from accounts import services
    from tests.engine.conftest import make_employee

    services.ensure_department(code="cultura", name="Cultura")
    client.force_login(make_employee("cultura@example.com", "cultura"))
    for url in ("/gestion/cola/", "/gestion/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "0 tareas" in response.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_the_lists_send_their_partial_indexes_constants_in_the_query_text(
    client, desk_clerk, queue_of_60
):
    """A prepared statement's plan for all values (its generic plan) can use a partial index
    only if the query's text carries the index's condition (core.literals): with 'NEW',
    'ASSIGNED' or 'submitted' sent as parameters, PostgreSQL would plan the queue and the
    inbox anew on every request, as without prepared statements."""
    sent: list[tuple[str, tuple]] = []

    def record(execute, sql, params, many, context):
        sent.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    client.force_login(desk_clerk)
    for url in ("/gestion/cola/", "/gestion/"):
        sent.clear()
        with connection.execute_wrapper(record):
            assert client.get(url).status_code == 200
        sql, params = next((s, p) for s, p in sent if "LIMIT 26" in s)
        assert "procedures/flows.StandardProcedureFlow.review'" in sql, url
        assert '"procedures_case"."status" = \'submitted\'' in sql, url
        assert ("'NEW'" if url.endswith("cola/") else "'ASSIGNED'") in sql, url
        assert not {"NEW", "ASSIGNED", "submitted"} & {str(p) for p in params}, url
