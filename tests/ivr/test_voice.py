"""The phone menu through the real views, every request signed as Twilio signs it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import Department
from ivr import services
from ivr.menu import walk
from ivr.models import Call, CallbackRequest
from ivr.services import MAX_SAY_CHARS, phone_menu
from notices import services as notice_services
from notices.models import Notice
from procedures.models import Case
from tests.engine.conftest import make_employee, make_resident

from .conftest import call_data, signed_post, spoken, twiml

pytestmark = pytest.mark.django_db
LOCAL = ZoneInfo("America/Argentina/Buenos_Aires")
TUESDAY_10 = datetime(2026, 11, 24, 10, 0, tzinfo=LOCAL)
SUNDAY_10 = datetime(2026, 11, 29, 10, 0, tzinfo=LOCAL)


@pytest.fixture
def at(monkeypatch):
    def set_time(moment: datetime) -> None:
        monkeypatch.setattr(services, "now", lambda: moment)

    set_time(TUESDAY_10)
    return set_time


def test_every_path_reaches_its_leaf_without_dead_ends_loops_or_long_prompts(
    client, menu_catalog, at
):
    paths = walk(phone_menu())
    assert len(paths) == 12
    for number, (keys, leaf) in enumerate(paths):
        sid = f"CAWALK{number}"
        response = signed_post(client, "/telefono/voz/", call_data(sid))
        visited: list[str] = []
        for key in keys:
            root = twiml(response)
            assert all(len(say.text) <= MAX_SAY_CHARS for say in root.iter("Say"))
            gather = root.find("Gather")
            assert gather is not None, f"dead end before {keys} -> {leaf}"
            action = gather.get("action")
            assert action not in visited, f"loop at {action}"
            visited.append(action)
            response = signed_post(client, action, call_data(sid, Digits=key))
        root = twiml(response)
        assert all(len(say.text) <= MAX_SAY_CHARS for say in root.iter("Say"))
        assert spoken(root), f"{leaf} says nothing"
        last = list(root)[-1].tag
        assert last in {"Hangup", "Enqueue", "Gather"}, f"{leaf} ends in {last}"
        call = Call.objects.get(call_sid=sid)
        assert call.path[0] == "principal" and call.path[-1] == leaf
    assert Call.objects.count() == 12


def test_speech_chooses_like_keys(client, menu_catalog, at):
    response = signed_post(
        client, "/telefono/voz/principal/opcion/?intento=1", call_data(SpeechResult="Horarios")
    )
    assert "Palacio Municipal" in spoken(twiml(response))


@pytest.mark.parametrize(
    "headers",
    [
        {},  # unsigned
        {"HTTP_X_TWILIO_SIGNATURE": "bm90IGEgc2lnbmF0dXJl"},
    ],
)
def test_unsigned_requests_are_refused(client, headers):
    response = client.post("/telefono/voz/", call_data(), **headers)
    assert response.status_code == 403
    assert not Call.objects.exists()


def test_tampered_or_wrong_token_requests_are_refused(client, menu_catalog):
    from twilio.request_validator import RequestValidator

    from .conftest import TOKEN

    data = call_data(Digits="1")
    signature = RequestValidator(TOKEN).compute_signature(
        "http://testserver/telefono/voz/principal/opcion/?intento=1", data
    )
    tampered = {**data, "Digits": "5"}
    response = client.post(
        "/telefono/voz/principal/opcion/?intento=1", tampered, HTTP_X_TWILIO_SIGNATURE=signature
    )
    assert response.status_code == 403
    other_url = client.post(
        "/telefono/voz/hablar/opcion/?intento=1", data, HTTP_X_TWILIO_SIGNATURE=signature
    )
    assert other_url.status_code == 403
    wrong_token = signed_post(client, "/telefono/voz/", call_data(), token="otro")
    assert wrong_token.status_code == 403
    assert signed_post(client, "/telefono/voz/", call_data()).status_code == 200


def test_silence_and_garbage_get_three_tries_then_a_goodbye(client, menu_catalog):
    silence = twiml(signed_post(client, "/telefono/voz/principal/opcion/?intento=1", call_data()))
    assert "No escuchamos ninguna opción." in spoken(silence)
    action = silence.find("Gather").get("action")
    assert action.endswith("intento=2")
    garbage = twiml(signed_post(client, action, call_data(Digits="9")))
    assert "Esa opción no existe." in spoken(garbage)
    action = garbage.find("Gather").get("action")
    last = twiml(signed_post(client, action, call_data(SpeechResult="bla bla")))
    assert "No pudimos entender su opción." in spoken(last)
    assert list(last)[-1].tag == "Hangup"
    assert Call.objects.get().outcome == Call.Outcome.ABANDONED


def _file_case(reference: str) -> Case:
    from procedures.models import ProcedureVersion
    from tests.engine.conftest import TYPE_CODE

    applicant = make_resident("vecina@example.com", "30111222")
    version = ProcedureVersion.objects.get(procedure_type__code=TYPE_CODE, status="published")
    return Case.objects.create(
        version=version,
        applicant=applicant,
        filed_by=applicant,
        reference=reference,
        status=Case.Status.SUBMITTED,
        due_date=datetime(2026, 12, 9).date(),
        answers={"razon_social": "Kiosco Secreto"},
    )


def test_case_status_reads_back_confirms_and_says_only_status_and_due_date(client, menu_catalog):
    _file_case("EXP-2026-7KM4-Q9XD")
    ask = twiml(signed_post(client, "/telefono/voz/estado_tramite/", call_data()))
    action = ask.find("Gather").get("action")
    heard = twiml(signed_post(client, action, call_data(SpeechResult="e x p 2026 7 k m 4 q 9 x d")))
    assert "E X P, 2 0 2 6, 7 K M 4, Q 9 X D" in spoken(heard)
    confirm = heard.find("Gather").get("action")
    answer = twiml(signed_post(client, confirm, call_data(Digits="1")))
    text = spoken(answer)
    assert "En revisión" in text and "miércoles 9 de diciembre" in text
    for personal in ("Vecina", "vecina@example.com", "Kiosco Secreto", "Calle 1"):
        assert personal not in text
    call = Call.objects.get()
    assert call.leaf == "estado_tramite" and call.outcome == Call.Outcome.SELF_SERVICE


def test_a_wrong_or_unknown_reference_gets_three_tries(client, menu_catalog):
    ask = twiml(signed_post(client, "/telefono/voz/estado_tramite/", call_data()))
    action = ask.find("Gather").get("action")
    first = twiml(signed_post(client, action, call_data(SpeechResult="no sé")))
    assert "No entendimos el número." in spoken(first)
    action = first.find("Gather").get("action")
    heard = twiml(signed_post(client, action, call_data(SpeechResult="EXP 2026 AAAA BBBB")))
    confirm = heard.find("Gather").get("action")
    unknown = twiml(signed_post(client, confirm, call_data(Digits="1")))
    assert "No encontramos ese número de trámite." in spoken(unknown)
    action = unknown.find("Gather").get("action")
    last = twiml(signed_post(client, action, call_data()))
    assert "Puede consultar su trámite en el portal." in spoken(last)
    assert list(last)[-1].tag == "Hangup"


def test_notices_are_read_filtered_by_service(client, menu_catalog):
    officer = make_employee("aguas@example.com", "mesa-de-entradas")
    common = {
        "actor": officer,
        "department": Department.objects.get(code="mesa-de-entradas"),
        "description": "Obras.",
        "starts_at": timezone.now() - timedelta(hours=1),
    }
    notice_services.publish(
        **common, service=Notice.Service.WATER, title="Corte de agua", what_to_do="Junte agua."
    )
    notice_services.publish(**common, service=Notice.Service.LIGHTING, title="Sin luz en la plaza")
    water = spoken(twiml(signed_post(client, "/telefono/voz/avisos_agua/", call_data())))
    assert "Corte de agua, en toda la ciudad." in water and "Junte agua." in water
    assert "Sin luz" not in water
    everything = spoken(twiml(signed_post(client, "/telefono/voz/avisos_todos/", call_data("CA2"))))
    assert "Corte de agua" in everything and "Sin luz en la plaza" in everything


def test_transfer_within_hours_queues_the_call(client, menu_catalog, at):
    root = twiml(signed_post(client, "/telefono/voz/hablar_rentas/", call_data()))
    assert root.find("Enqueue").text == "rentas"
    assert Call.objects.get().outcome == Call.Outcome.TRANSFERRED


@pytest.mark.parametrize(
    ("moment", "next_opening"),
    [
        (SUNDAY_10, "lunes 30 de noviembre a las 08:00"),
        # Monday 23 November 2026 is a national holiday (Soberanía Nacional, moved).
        (datetime(2026, 11, 23, 10, 0, tzinfo=LOCAL), "martes 24 de noviembre a las 08:00"),
    ],
)
def test_transfer_outside_hours_says_when_and_takes_a_callback(
    client, menu_catalog, at, moment, next_opening
):
    at(moment)
    root = twiml(signed_post(client, "/telefono/voz/hablar_rentas/", call_data()))
    assert f"Puede llamar el {next_opening}." in spoken(root)
    assert root.find("Enqueue") is None
    action = root.find("Gather").get("action")
    done = twiml(signed_post(client, action, call_data(Digits="1")))
    assert "lo llamaremos" in spoken(done)
    callback = CallbackRequest.objects.get()
    assert callback.number == "+5491155550000" and callback.done_at is None
    assert Call.objects.get().outcome == Call.Outcome.CALLBACK


def test_status_callback_records_duration_and_abandonment(client, menu_catalog):
    signed_post(client, "/telefono/voz/", call_data("CA1"))
    signed_post(client, "/telefono/voz/oficinas/", call_data("CA2"))
    for sid in ("CA1", "CA2", "CA1"):  # Twilio may repeat a callback
        response = signed_post(
            client, "/telefono/estado/", call_data(sid, CallStatus="completed", CallDuration="42")
        )
        assert response.status_code == 204
    abandoned, served = Call.objects.get(call_sid="CA1"), Call.objects.get(call_sid="CA2")
    assert abandoned.outcome == Call.Outcome.ABANDONED and abandoned.duration_seconds == 42
    assert served.outcome == Call.Outcome.SELF_SERVICE and served.ended_at is not None


def test_phone_figures_count_containment_abandonment_and_open_callbacks(client, menu_catalog, at):
    from ivr.selectors import phone_figures

    signed_post(client, "/telefono/voz/oficinas/", call_data("CA1"))
    signed_post(client, "/telefono/voz/hablar_rentas/", call_data("CA2"))
    signed_post(client, "/telefono/voz/pedir_llamada/", call_data("CA3"))
    signed_post(client, "/telefono/voz/", call_data("CA4"))
    signed_post(client, "/telefono/estado/", call_data("CA4", CallStatus="completed"))
    today = timezone.localdate()
    figures = phone_figures(today, today)
    assert (figures.calls, figures.self_service, figures.transferred, figures.abandoned) == (
        4,
        1,
        1,
        1,
    )
    assert figures.containment_rate == 0.25 and figures.abandonment_rate == 0.25
    assert figures.callbacks_open == 1
    assert figures.per_day == {today: 4}
