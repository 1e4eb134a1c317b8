"""The phone menu rendered as Twilio TwiML with the official SDK."""

from __future__ import annotations

from twilio.twiml.voice_response import Gather, VoiceResponse

from .menu import Node

# Twilio's Polly voices have no es-AR; es-MX is the closest (channels.md). Speech
# recognition does know es-AR.
VOICE = "Polly.Mia"
SAY_LANGUAGE = "es-MX"
GATHER_LANGUAGE = "es-AR"
GOODBYE = "Gracias por llamar a la Municipalidad. Hasta luego."


def _say(target: VoiceResponse | Gather, text: str) -> None:
    target.say(text, voice=VOICE, language=SAY_LANGUAGE)


def _gather(action: str, *, speech: bool = True, num_digits: int | None = 1) -> Gather:
    return Gather(
        input="dtmf speech" if speech else "dtmf",
        action=action,
        method="POST",
        num_digits=num_digits,
        timeout=5,
        language=GATHER_LANGUAGE,
        action_on_empty_result=True,
    )


def ask(prompt: str, action: str, *, preface: str = "", num_digits: int | None = 1) -> str:
    """Say (a preface and) a prompt while listening; silence also goes to ``action``."""
    response = VoiceResponse()
    gather = _gather(action, num_digits=num_digits)
    if preface:
        _say(gather, preface)
    _say(gather, prompt)
    response.append(gather)
    return str(response)


def menu(node: Node, action: str, *, preface: str = "") -> str:
    return ask(node.prompt, action, preface=preface)


def say_and_hang_up(*texts: str) -> str:
    response = VoiceResponse()
    for text in texts:
        if text:
            _say(response, text)
    _say(response, GOODBYE)
    response.hangup()
    return str(response)


def redirect(url: str) -> str:
    response = VoiceResponse()
    response.redirect(url, method="POST")
    return str(response)


def enqueue(node: Node, queue: str) -> str:
    response = VoiceResponse()
    _say(response, node.prompt)
    response.enqueue(queue)
    return str(response)
