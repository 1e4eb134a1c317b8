"""Page slots: a higher app adds a panel to a lower app's page without being imported by it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.test import RequestFactory
from django.utils.html import format_html

from core import slots
from core.checks import slots_are_declared
from tests.engine.conftest import make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def panels():
    added: list[tuple[str, str]] = []

    def add(slot: str, key: str, **kwargs):
        slots.contribute(slot, key=key, **kwargs)
        added.append((slot, key))

    yield add
    for slot, key in added:
        slots.withdraw(slot, key=key)


def test_every_slot_the_pages_render_is_declared_with_what_it_gets():
    assert {
        "core.home",
        "procedures.procedure_page",
        "procedures.case_page",
        "procedures.staff_case_page",
        "suppliers.invoice_page",
        "suppliers.staff_nav",
    } <= set(slots.declared)
    assert all(description.strip() for description in slots.declared.values())


def test_a_panel_shows_on_the_page_of_the_app_below(client, panels):
    panels(
        "core.home",
        "tests.announcement",
        render=lambda request: format_html("<p class='test-panel'>{}</p>", "Corte de agua: <hoy>"),
    )
    page = client.get("/").content.decode()
    assert "<p class='test-panel'>Corte de agua: &lt;hoy&gt;</p>" in page


def test_panels_get_the_pages_values_render_in_order_and_may_show_nothing(panels):
    request = RequestFactory().get("/")
    request.user = make_resident("vecina@example.com", "30111222")
    panels("procedures.case_page", "tests.b", render=lambda request, case: f"[b:{case}]", order=20)
    panels("procedures.case_page", "tests.a", render=lambda request, case: f"[a:{case}]", order=10)
    panels("procedures.case_page", "tests.none", render=lambda request, case: None, order=15)
    panels(
        "procedures.case_page",
        "tests.template",
        template="core/refused.html",
        context=lambda request, case: None if case == "EXP-1" else {"message": case},
    )
    assert slots.render_slot("procedures.case_page", request, {"case": "EXP-1"}) == (
        "[a:EXP-1][b:EXP-1]"
    )
    shown = slots.render_slot("procedures.case_page", request, {"case": "EXP-2"})
    assert shown.startswith("[a:EXP-2][b:EXP-2]") and "<p>EXP-2</p>" in shown


def test_a_panel_for_an_undeclared_slot_is_reported_by_check(panels):
    assert slots_are_declared() == []
    panels("procedures.case_pgae", "tests.typo", render=lambda request, case: "")
    [error] = slots_are_declared()
    assert error.id == "core.E110" and "procedures.case_pgae" in error.msg
    assert "core.E110" in {message.id for message in run_checks()}


def test_a_panel_has_a_template_or_a_function_not_both():
    with pytest.raises(ValueError):
        slots.contribute("core.home", key="tests.both", template="x.html", render=lambda r: "")
    with pytest.raises(ValueError, match="already registered"):
        slots.contribute(
            "suppliers.staff_nav", key="payables.payments", render=lambda r, section: ""
        )


def test_the_footer_is_rendered_once_per_language_and_takes_no_context(client, panels):
    with pytest.raises(ValueError):
        slots.contribute(
            "core.footer", key="tests.x", template="core/_footer_links.html", context=dict
        )
    slots._rendered.clear()  # another test of this process may have rendered it already
    first = client.get("/ayuda/")
    assert "accounts/_footer_privacy.html" in [t.name for t in first.templates]
    again = client.get("/accesibilidad/")
    assert "accounts/_footer_privacy.html" not in [t.name for t in again.templates]
    assert "Aviso de privacidad" in again.content.decode()

    panels("core.footer", "tests.privacy_again", template="accounts/_footer_privacy.html")
    assert client.get("/ayuda/").content.decode().count("Aviso de privacidad") == 2
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/ayuda/").content.decode()
    assert english.count("Privacy notice") == 2 and "Aviso de privacidad" not in english
