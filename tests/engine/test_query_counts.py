"""Queries per page do not grow with the number of cases (10 vs 1,000), and stay few."""

from __future__ import annotations

import html
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.models import Process, Task

from procedures import selectors
from procedures.models import Case, CaseEvent
from procedures.references import new_reference
from tests.engine.test_versions import submitted_case

pytestmark = pytest.mark.django_db


def clone_case(case: Case, copies: int) -> None:
    """Copies of a submitted case, each with its own process, open task and events."""
    task = Task.objects.filter(process_id=case.process_id, flow_task_type="HUMAN").latest("pk")
    processes = Process.objects.bulk_create(
        [
            Process(
                flow_class=case.process.flow_class,
                status=case.process.status,
                data=case.process.data,
            )
            for _ in range(copies)
        ]
    )
    clones = []
    for process in processes:
        clone = Case.objects.get(pk=case.pk)
        clone.pk = None
        clone.reference = new_reference()
        clone.process = process
        clones.append(clone)
    clones = Case.objects.bulk_create(clones)
    tasks = Task.objects.bulk_create(
        [
            Task(
                process=process,
                flow_task=task.flow_task,
                flow_task_type=task.flow_task_type,
                status="NEW",
                owner_permission=task.owner_permission,
                token=task.token,
            )
            for process in processes
        ]
    )
    for clone, clone_task in zip(clones, tasks, strict=True):  # as procedures.signals does
        clone.queued_at = clone_task.created
    Case.objects.bulk_update(clones, ["queued_at"])
    CaseEvent.objects.bulk_create(
        [CaseEvent(case=clone, kind=CaseEvent.Kind.SUBMITTED) for clone in clones]
    )


@pytest.fixture(autouse=True)
def _rendered_every_time(monkeypatch):
    """These tests count what rendering a page costs; a page served whole from the cache
    (core.privatepages) costs none of it and is tested in test_private_page_cache."""
    from core import privatepages

    monkeypatch.setattr(privatepages, "_cacheable_request", lambda request: None)


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


MOST_QUERIES = 15  # per page, whatever the number of cases (issue 11)


@pytest.mark.parametrize(
    "page", ["queue", "deep_queue", "case", "my_cases", "inbox", "catalog", "procedure"]
)
def test_queries_stay_flat_from_10_to_1000_cases(client, version, applicant, desk_clerk, page):
    from procedures.services import review

    case = submitted_case(version, applicant)
    clone_case(case, 9)

    def measure() -> int:
        if page == "my_cases":
            client.force_login(applicant)
            return queries(client, "/mis-tramites/")
        client.force_login(desk_clerk)
        if page == "case":
            return queries(client, f"/gestion/expedientes/{case.reference}/")
        if page == "inbox":
            return queries(client, "/gestion/")
        if page == "catalog":
            client.logout()
            cache.clear()  # counted as rendered, not as cached
            return queries(client, "/tramites/?q=habilitacion")
        if page == "procedure":
            client.logout()
            cache.clear()  # counted as rendered, not as cached
            return queries(client, f"/tramites/{version.procedure_type.code}/")
        if page == "deep_queue":
            # The last page, as its "Next" links reach it: after the task just before it.
            tasks = selectors.staff_tasks(desk_clerk, box="queue").values_list("pk", flat=True)
            before_last = list(tasks)[-3]
            return queries(client, f"/gestion/cola/?despues={before_last}&pagina=9")
        return queries(client, "/gestion/cola/")

    if page == "inbox":
        for task in Task.objects.filter(status="NEW", flow_task_type="HUMAN")[:10]:
            review.claim(task_id=task.pk, user=desk_clerk)
    small = measure()
    clone_case(case, 990)
    if page == "inbox":
        for task in Task.objects.filter(status="NEW", flow_task_type="HUMAN")[:30]:
            review.claim(task_id=task.pk, user=desk_clerk)
    large = measure()
    assert large == small, f"{page}: {small} queries with 10 cases, {large} with 1,000"
    assert large <= MOST_QUERIES


def _count_subquery(sql: str) -> str:
    """The parenthesised part of a query that counts (the page's rows carry the count)."""
    start = sql.rindex("(", 0, sql.index("COUNT("))
    depth = 0
    for end, char in enumerate(sql[start:], start):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return sql[start : end + 1]
    raise AssertionError(sql)


def test_the_queue_counts_its_tasks_without_reading_their_cases(
    client, version, applicant, desk_clerk
):
    clone_case(submitted_case(version, applicant), 59)
    client.force_login(desk_clerk)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/gestion/cola/")
    assert "60 tareas" in response.content.decode()
    counts = [_count_subquery(q["sql"]) for q in captured if "COUNT(" in q["sql"]]
    assert len(counts) == 1 and "procedures_case" not in counts[0], counts
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/gestion/cola/?vencidos=1&q=EXP")
    assert response.status_code == 200


def test_a_long_queue_says_more_than_the_limit_and_pages_without_a_total(
    client, version, applicant, desk_clerk, monkeypatch
):
    """The count stops at the limit: a queue of 100,000 costs what one of 1,000 does."""
    monkeypatch.setattr(selectors, "TASK_COUNT_LIMIT", 30)
    clone_case(submitted_case(version, applicant), 59)
    client.force_login(desk_clerk)
    first = client.get("/gestion/cola/").content.decode()
    assert "Más de 30 tareas" in first and "60 tareas" not in first
    following = re.search(r'<a href="\?([^"]*)" rel="next">', first).group(1)
    second = client.get("/gestion/cola/?" + html.unescape(following)).content.decode()
    assert "Página 2<" in second and "Página 2 de" not in second
    monkeypatch.setattr(selectors, "TASK_COUNT_LIMIT", 60)
    assert "60 tareas" in client.get("/gestion/cola/").content.decode()


def test_a_whole_reference_finds_its_case_in_the_queue(client, version, applicant, desk_clerk):
    case = submitted_case(version, applicant)
    clone_case(case, 5)
    client.force_login(desk_clerk)
    typed = case.reference.lower().replace("0", "o")
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/gestion/cola/", {"q": typed}).content.decode()
    assert "1 tarea" in page and case.reference in page
    assert any(f"= '{case.reference}'" in q["sql"] for q in captured), "not by the unique index"
    assert "0 tareas" in client.get("/gestion/cola/", {"q": "EXP-1999-AAAA-AAAA"}).content.decode()


def test_drafts_on_my_procedures_cost_no_query_each(client, version, applicant):
    from procedures.services import cases

    client.force_login(applicant)
    cases.start_draft(version=version, applicant=applicant, filed_by=applicant)
    one = queries(client, "/mis-tramites/")
    for _ in range(4):
        cases.start_draft(version=version, applicant=applicant, filed_by=applicant)
    page = client.get("/mis-tramites/").content.decode()
    assert page.count("Habilitación de prueba") >= 5
    assert queries(client, "/mis-tramites/") == one <= 4  # session, user, page and count, drafts
