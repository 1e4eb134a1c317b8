"""A refused action is an answer for the person, shown in one way wherever it comes from."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import RequestFactory
from django.utils import translation
from viewflow.workflow.exceptions import FlowLockFailed

from core.errors import ActionRefused
from core.middleware import ActionRefusedMiddleware
from core.views import refusal_shown


def _request(method: str = "post", referer: str = ""):
    headers = {"HTTP_REFERER": referer} if referer else {}
    request = getattr(RequestFactory(), method)("/gestion/tareas/7/tomar/", **headers)
    SessionMiddleware(lambda r: None).process_request(request)
    request._messages = FallbackStorage(request)
    return request


def _shown(request) -> list[str]:
    return [str(message) for message in get_messages(request)]


def test_a_refusal_in_a_view_becomes_an_error_message_and_the_view_goes_on():
    request = _request()
    with refusal_shown(request) as attempt:
        raise ActionRefused("Esta tarea ya la tomó otra persona.")
    assert not attempt.ok and attempt.refused == "Esta tarea ya la tomó otra persona."
    assert _shown(request) == ["Esta tarea ya la tomó otra persona."]

    with refusal_shown(request) as attempt:
        pass
    assert attempt.ok


def test_other_errors_are_not_taken_for_refusals():
    with pytest.raises(ZeroDivisionError), refusal_shown(_request()):
        1 / 0  # noqa: B018 - the error under test


@pytest.mark.parametrize(
    ("referer", "expected"),
    [
        ("http://testserver/gestion/tareas/7/", "http://testserver/gestion/tareas/7/"),
        ("https://elsewhere.example/phish", "/"),  # never back to another site
        ("", "/"),
    ],
)
def test_an_escaped_refusal_after_a_form_goes_back_to_the_form_with_the_message(referer, expected):
    request = _request("post", referer)
    response = ActionRefusedMiddleware(lambda r: None).process_exception(
        request, ActionRefused("El lote ya no se puede cancelar.")
    )
    assert response.status_code == 302 and response.url == expected
    assert _shown(request) == ["El lote ya no se puede cancelar."]


def test_an_escaped_refusal_on_a_page_is_a_409_page_saying_why(db):
    request = _request("get")
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    response = ActionRefusedMiddleware(lambda r: None).process_exception(
        request, ActionRefused("Este expediente está cerrado.")
    )
    assert response.status_code == 409
    assert "Este expediente está cerrado." in response.content.decode()


def test_a_workflow_lock_that_could_not_be_taken_says_try_again():
    request = _request("post", "http://testserver/gestion/tareas/7/")
    with translation.override("es"):
        response = ActionRefusedMiddleware(lambda r: None).process_exception(
            request, FlowLockFailed("Lock failed for StandardProcedureFlow")
        )
        shown = _shown(request)
    assert response.status_code == 302
    assert shown == [
        "Otra persona está actuando sobre esto en este momento. No se cambió nada: probá de nuevo."
    ]


def test_errors_that_are_not_refusals_are_left_to_django():
    response = ActionRefusedMiddleware(lambda r: None).process_exception(
        _request(), KeyError("bug")
    )
    assert response is None
