"""The phone counts in the contact centre's figures: supervisors see it beside the written
channels."""

from __future__ import annotations

import pytest

from contact.models import Team
from ivr.models import Call, CallbackRequest
from tests.contact.conftest import agent_of


@pytest.fixture
def supervisor(db):
    team = Team.objects.create(code="atencion", name="Atención general", channels=["whatsapp"])
    return agent_of(team, "supervisora@example.com", supervisor=True)


def _call(sid: str, outcome: str) -> Call:
    return Call.objects.create(call_sid=sid, from_number="+5491155550001", outcome=outcome)


def test_supervisors_see_calls_containment_abandonment_and_open_callbacks(client, supervisor):
    for n in range(6):
        _call(f"CA-self-{n}", Call.Outcome.SELF_SERVICE)
    _call("CA-person", Call.Outcome.TRANSFERRED)
    _call("CA-gone", Call.Outcome.ABANDONED)
    asked = _call("CA-later", Call.Outcome.CALLBACK)
    CallbackRequest.objects.create(call=asked, number="+5491155550001")
    client.force_login(supervisor)
    page = client.get("/gestion/contacto/indicadores/").content.decode()
    assert "Menú telefónico, últimos 30 días" in page
    assert "<dd>9</dd>" in page  # calls
    assert "<dd>67%</dd>" in page  # 6 of 9 served by the menu
    assert "<dd>11%</dd>" in page  # 1 of 9 abandoned
    assert "Llamadas por día" in page


def test_without_calls_the_page_says_so(client, supervisor):
    client.force_login(supervisor)
    page = client.get("/gestion/contacto/indicadores/").content.decode()
    assert "No hubo llamadas al menú telefónico en los últimos 30 días" in page
