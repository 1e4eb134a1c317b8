"""Logged-in pages kept in the cache (core.privatepages): a second visit renders nothing, a
change shows at once to everyone who sees it, and nobody is ever shown another's page."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import privatepages
from payments.models import Payment, PaymentOrder
from procedures import selectors
from procedures.models import Case
from tests.engine.test_resident_filing import GOOD_SECTION_0, file_case, start
from tests.engine.test_staff_handling import open_task

pytestmark = pytest.mark.django_db


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def seen_twice(client, path: str) -> str:
    """The first visit of a browser without a CSRF cookie yet sets one, and is not kept."""
    page(client, path)
    return page(client, path)


def case_queries(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        page(client, path)
    return [q["sql"] for q in captured if "procedures_case" in q["sql"]]


@pytest.fixture
def submitted(client, version, applicant, django_capture_on_commit_callbacks) -> Case:
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        return file_case(client)


def test_a_second_visit_reads_no_case_and_a_decision_shows_at_once(client, submitted, desk_clerk):
    mine, case_page = "/mis-tramites/", f"/mis-tramites/{submitted.reference}/"
    for path in (mine, case_page):
        assert "En revisión" in seen_twice(client, path)
        assert case_queries(client, path) == []  # served from the cache

    staff = Client()
    staff.force_login(desk_clerk)
    task = open_task(submitted)
    staff.post(f"/gestion/tareas/{task.pk}/tomar/")
    staff.post(
        f"/gestion/tareas/{task.pk}/decidir/",
        {"decision": "correction", "message": "Falta el DNI.", "correction_fields": ["dni"]},
    )
    assert "Falta el DNI." in page(client, case_page)
    assert "Corrección pedida" in page(client, mine) and "En revisión" not in page(client, mine)


def test_a_colleagues_claim_leaves_the_queue_at_once(client, submitted, desk_clerk):
    from tests.engine.conftest import make_employee

    colleague = make_employee("mesa2@example.com", "mesa-de-entradas")
    client.force_login(desk_clerk)
    assert submitted.reference in seen_twice(client, "/gestion/cola/")
    assert case_queries(client, "/gestion/cola/") == []
    assert submitted.reference not in page(client, "/gestion/")

    other = Client()
    other.force_login(colleague)
    other.post(f"/gestion/tareas/{open_task(submitted).pk}/tomar/")
    assert submitted.reference not in page(client, "/gestion/cola/")
    assert submitted.reference in page(other, "/gestion/")


def test_nobody_is_shown_another_residents_pages(client, version, applicant, other_resident):
    client.force_login(applicant)
    first = file_case(client)
    assert first.reference in page(client, "/mis-tramites/")
    client.force_login(other_resident)
    theirs = page(client, "/mis-tramites/")
    assert first.reference not in theirs
    assert client.get(f"/mis-tramites/{first.reference}/").status_code == 404
    second = file_case(client)
    assert second.reference in page(client, "/mis-tramites/")
    client.force_login(applicant)
    again = page(client, "/mis-tramites/")
    assert first.reference in again and second.reference not in again


def test_forms_of_a_cached_page_pass_the_csrf_check(applicant, submitted):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(applicant)
    seen_twice(browser, "/mis-tramites/")
    cached = page(browser, "/mis-tramites/")
    assert case_queries(browser, "/mis-tramites/") == []
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', cached).group(1)
    response = browser.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert browser.get("/mis-tramites/").status_code == 302  # logged out: to the login page


def test_a_message_is_shown_once_not_kept_with_the_page(client, version, applicant):
    client.force_login(applicant)
    seen_twice(client, "/mis-tramites/")
    draft = start(client)
    response = client.post(
        f"/mis-tramites/borradores/{draft.pk}/seccion/0/",
        {**GOOD_SECTION_0, "later": "1"},
        follow=True,
    )
    assert "Guardado. Podés seguir" in response.content.decode()
    assert "Guardado. Podés seguir" not in page(client, "/mis-tramites/")


def test_a_page_rendered_while_what_it_shows_changed_is_not_kept(client, submitted, monkeypatch):
    drafts_of = selectors.drafts_of

    def changed_meanwhile(user):
        privatepages.changed(privatepages.scope(Case, submitted.pk))
        return drafts_of(user)

    page(client, "/mis-tramites/")  # sets the CSRF cookie
    monkeypatch.setattr(selectors, "drafts_of", changed_meanwhile)
    page(client, "/mis-tramites/")
    monkeypatch.setattr(selectors, "drafts_of", drafts_of)
    assert case_queries(client, "/mis-tramites/") != []  # rendered again
    assert case_queries(client, "/mis-tramites/") == []


def test_a_payment_renews_the_scope_of_its_orders_case(submitted, applicant):
    order = PaymentOrder(pk=7, subject_type="procedures.case", subject_id=str(submitted.pk))
    payment = Payment(pk=9, order=order)
    assert {"payments.payment:9", "payments.paymentorder:7", f"procedures.case:{submitted.pk}"} <= (
        privatepages.scopes_of(payment)
    )


def test_a_form_step_is_kept_until_its_draft_is_saved(client, version, applicant):
    client.force_login(applicant)
    draft = start(client)
    step = f"/mis-tramites/borradores/{draft.pk}/seccion/0/"
    assert "Kiosco" not in seen_twice(client, step)
    assert case_queries(client, step) == []
    assert client.post(step, GOOD_SECTION_0).status_code == 302
    assert "Kiosco" in page(client, step)  # the answers saved, shown at once
