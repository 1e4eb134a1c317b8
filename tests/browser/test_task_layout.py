"""The reviewer sees the application, its documents and history beside the decision, and
review steps name their departments."""

import pytest
from django.test import Client
from playwright.sync_api import expect
from viewflow.workflow.models import Task

from accounts.models import Department
from procedures.catalog import load_catalog
from procedures.services import review
from procedures.services.catalog import sync_catalog
from tests.browser.test_procedure_flow import log_in
from tests.engine.conftest import make_catalog_dir, make_employee, make_resident
from tests.engine.test_resident_filing import file_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def claimed_task(tmp_path):
    sync_catalog(load_catalog(make_catalog_dir(tmp_path / "catalog")))
    officer = make_employee("agente@example.com", "mesa-de-entradas")
    officer.groups.add(Department.objects.get(code="rentas").group)
    resident = Client()
    resident.force_login(make_resident("vecina@example.com", "30111222"))
    case = file_case(resident)
    task = Task.objects.get(process_id=case.process_id, status="NEW", flow_task_type="HUMAN")
    review.claim(task_id=task.pk, user=officer)
    return task


@pytest.mark.parametrize("width", [1280, 1920])
def test_the_decision_sits_beside_the_application(
    live_server, browser, claimed_task, width, assert_accessible
):
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    log_in(page, live_server.url, "agente@example.com", with_totp=True)
    page.goto(f"{live_server.url}/gestion/tareas/{claimed_task.pk}/")

    decision = page.locator(".task-actions")
    expect(decision.get_by_role("button", name="Registrar la decisión")).to_be_visible()
    case = page.locator(".task-case")
    answers = case.get_by_role("heading", name="Respuestas")
    history = case.get_by_role("heading", name="Historial")
    expect(answers).to_be_in_viewport()
    beside = decision.bounding_box()
    left = case.bounding_box()
    assert beside["x"] >= left["x"] + left["width"]  # to the right of the case, not above it
    assert beside["y"] < answers.bounding_box()["y"] + 100  # at the same height
    # Down at the history, the decision is still on the screen.
    history.scroll_into_view_if_needed()
    expect(decision).to_be_in_viewport()
    expect(case).to_contain_text("Mesa de Entradas")
    expect(case).not_to_contain_text("(mesa-de-entradas)")
    expect(case).not_to_contain_text("(rentas)")
    assert_accessible(page)
