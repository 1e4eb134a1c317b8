"""Every main page fits a 320 px screen without sideways scrolling, and passes axe there, in
Spanish and in English."""

import pytest
from django.test import Client
from viewflow.workflow.models import Task

from accounts.models import Department
from procedures.catalog import load_catalog
from procedures.models import Case
from procedures.services.catalog import sync_catalog
from tests.browser.test_procedure_flow import log_in
from tests.engine.conftest import make_catalog_dir, make_employee, make_resident
from tests.engine.test_resident_filing import file_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC = [
    "/",
    "/tramites/",
    "/tramites/habilitacion-de-prueba/",
    "/cuenta/login/",
    "/cuenta/signup/",
    "/cuenta/password/reset/",
    "/verificar/",
    "/accesibilidad/",
    "/ayuda/",
    "/cuenta/privacidad/",
]


@pytest.fixture
def filed(tmp_path):
    sync_catalog(load_catalog(make_catalog_dir(tmp_path / "catalog")))
    officer = make_employee("agente@example.com", "mesa-de-entradas")
    officer.groups.add(Department.objects.get(code="rentas").group)
    resident = Client()
    resident.force_login(make_resident("vecina@example.com", "30111222"))
    case = file_case(resident)
    resident.post("/tramites/habilitacion-de-prueba/iniciar/")  # and a draft
    return case


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def wide_elements(page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(-5).map(e => e.tagName + '.' + e.className + ' '
                + (e.textContent || '').trim().slice(0, 40))"""
    )


def check_pages(page, base, paths, assert_accessible):
    for path in paths:
        page.goto(base + path)
        assert overflow(page) <= 0, (path, wide_elements(page))
        assert_accessible(page)


@pytest.mark.parametrize("language", ["es", "en"])
def test_main_pages_fit_320_px(live_server, browser, filed, language, assert_accessible):
    base = live_server.url
    phone = {"viewport": {"width": 320, "height": 640}}
    visitor = browser.new_context(**phone)
    visitor.add_cookies([{"name": "django_language", "value": language, "url": base}])
    check_pages(visitor.new_page(), base, PUBLIC, assert_accessible)

    resident = browser.new_context(**phone).new_page()
    log_in(resident, base, "vecina@example.com")
    resident.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    draft = Case.objects.get(status=Case.Status.DRAFT)
    check_pages(
        resident,
        base,
        [
            "/mis-tramites/",
            f"/mis-tramites/{filed.reference}/",
            f"/mis-tramites/{filed.reference}/enviado/",
            f"/mis-tramites/borradores/{draft.pk}/seccion/0/",
            "/cuenta/perfil/",
            "/cuenta/mis-datos/",
        ],
        assert_accessible,
    )

    staff = browser.new_context(**phone).new_page()
    log_in(staff, base, "agente@example.com", with_totp=True)
    staff.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    task = Task.objects.get(process_id=filed.process_id, flow_task_type="HUMAN", status="NEW")
    check_pages(
        staff,
        base,
        ["/gestion/", "/gestion/cola/", f"/gestion/tareas/{task.pk}/"],
        assert_accessible,
    )
