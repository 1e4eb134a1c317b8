"""Twilio's voice webhooks: every request must be signed with TWILIO_AUTH_TOKEN.

The menu's content and records live in ``services``; ``twiml`` renders them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from . import services, twiml
from .menu import Node
from .models import Call


def twilio_signed(view: Callable[..., str | HttpResponse]) -> Callable[..., HttpResponse]:
    """403 unless X-Twilio-Signature signs this exact URL and form; TwiML in Spanish."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        token = settings.TWILIO_AUTH_TOKEN
        signature = request.headers.get("X-Twilio-Signature", "")
        url = request.build_absolute_uri()
        if not token or not RequestValidator(token).validate(url, request.POST, signature):
            return HttpResponseForbidden("invalid signature", content_type="text/plain")
        with translation.override("es"):
            result = view(request, *args, **kwargs)
        if isinstance(result, HttpResponse):
            return result
        return HttpResponse(result, content_type="text/xml; charset=utf-8")

    return wrapper


STEPS = {
    "opcion": "ivr:choose",
    "numero": "ivr:case_number",
    "confirmar": "ivr:confirm",
    "fuera-de-horario": "ivr:after_hours",
}


def _url(name: str, step: str = "", **query: object) -> str:
    path = reverse(STEPS[step] if step else "ivr:node", args=[name])
    return f"{path}?{urlencode(query)}" if query else path


def _node(name: str) -> Node:
    node = services.phone_menu().node(name)
    if node is None:
        raise Http404
    return node


def _call(request: HttpRequest, node: str) -> Call:
    return services.visit(
        call_sid=request.POST.get("CallSid", ""),
        from_number=request.POST.get("From", ""),
        to_number=request.POST.get("To", ""),
        node=node,
    )


def _tries(request: HttpRequest) -> int:
    value = request.GET.get("intento", "1")
    return max(1, min(int(value), services.MAX_TRIES)) if value.isdigit() else 1


def _render(request: HttpRequest, name: str) -> str:
    node = _node(name)
    call = _call(request, name)
    kind = node.kind
    if kind == "menu":
        return twiml.menu(node, _url(name, "opcion", intento=1))
    if kind == "case_status":
        return twiml.ask(node.prompt, _url(name, "numero", intento=1), num_digits=None)
    if kind == "callback":
        services.request_callback(call, reason=name)
        return twiml.say_and_hang_up(node.prompt)
    if kind == "transfer":
        is_open, when = services.transfer_open(node)
        if is_open:
            services.finish(call, leaf=name, outcome=Call.Outcome.TRANSFERRED)
            return twiml.enqueue(node, node.params["queue"])
        return twiml.ask(
            "Para que lo llamemos, marque 1. Para terminar, marque 2.",
            _url(name, "fuera-de-horario"),
            preface=when,
        )
    texts = {
        "notices": services.notices_text,
        "offices": lambda _node: services.offices_text(),
        "requirements": services.requirements_text,
    }
    services.finish(call, leaf=name, outcome=Call.Outcome.SELF_SERVICE)
    return twiml.say_and_hang_up(node.prompt, texts[kind](node))


@twilio_signed
def entry(request: HttpRequest) -> str:
    return _render(request, services.phone_menu().start)


@twilio_signed
def node(request: HttpRequest, name: str) -> str:
    return _render(request, name)


def _give_up(request: HttpRequest, name: str, reason: str) -> str:
    call = _call(request, name)
    services.finish(call, leaf="", outcome=Call.Outcome.ABANDONED)
    return twiml.say_and_hang_up(reason)


@twilio_signed
def choose(request: HttpRequest, name: str) -> str:
    node = _node(name)
    tries = _tries(request)
    digits, speech = request.POST.get("Digits", ""), request.POST.get("SpeechResult", "")
    option = node.option_for(digits=digits, speech=speech)
    if option is not None:
        return _render(request, option.next)
    if tries >= services.MAX_TRIES:
        return _give_up(request, name, "No pudimos entender su opción.")
    preface = "Esa opción no existe." if digits or speech else "No escuchamos ninguna opción."
    return twiml.menu(node, _url(name, "opcion", intento=tries + 1), preface=preface)


def _ask_reference_again(request: HttpRequest, node: Node, tries: int, preface: str) -> str:
    if tries >= services.MAX_TRIES:
        return _give_up(request, node.name, f"{preface} Puede consultar su trámite en el portal.")
    action = _url(node.name, "numero", intento=tries + 1)
    return twiml.ask(node.prompt, action, preface=preface, num_digits=None)


@twilio_signed
def case_number(request: HttpRequest, name: str) -> str:
    node = _node(name)
    tries = _tries(request)
    heard = request.POST.get("SpeechResult", "") or request.POST.get("Digits", "")
    reference = services.parse_reference(heard)
    if reference is None:
        preface = "No entendimos el número." if heard.strip() else "No escuchamos ningún número."
        return _ask_reference_again(request, node, tries, preface)
    return twiml.ask(
        "Si es correcto, marque 1 o diga sí. Para decirlo de nuevo, marque 2.",
        _url(name, "confirmar", ref=reference, intento=tries),
        preface=f"Entendimos: {services.reference_read_back(reference)}.",
    )


@twilio_signed
def confirm(request: HttpRequest, name: str) -> str:
    node = _node(name)
    tries = _tries(request)
    reference = services.parse_reference(request.GET.get("ref", ""))
    answer = request.POST.get("Digits", "") or request.POST.get("SpeechResult", "").lower()
    if reference is None or not (answer == "1" or answer.startswith("s")):
        return _ask_reference_again(request, node, tries, "Volvamos a intentarlo.")
    status = services.case_status_text(reference)
    if status is None:
        return _ask_reference_again(request, node, tries, "No encontramos ese número de trámite.")
    services.finish(_call(request, name), leaf=name, outcome=Call.Outcome.SELF_SERVICE)
    return twiml.say_and_hang_up(status)


@twilio_signed
def after_hours(request: HttpRequest, name: str) -> str:
    _node(name)
    call = _call(request, name)
    if request.POST.get("Digits") == "1":
        services.request_callback(call, reason=name)
        return twiml.say_and_hang_up(
            "Registramos su pedido: lo llamaremos en el horario de atención."
        )
    services.finish(call, leaf=name, outcome=Call.Outcome.SELF_SERVICE)
    return twiml.say_and_hang_up()


@twilio_signed
def call_status(request: HttpRequest) -> HttpResponse:
    services.call_ended(
        call_sid=request.POST.get("CallSid", ""),
        status=request.POST.get("CallStatus", ""),
        duration=request.POST.get("CallDuration", ""),
    )
    return HttpResponse(status=204)
