"""What the phone menu says and records, independent of the telephony platform.

Texts are plain Spanish strings (``twiml`` wraps them for Twilio). The case
status leaf reads only a case's status and due date: anyone can call, so
nothing personal is ever read out.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

import yaml
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from core.offices import directory
from notices.selectors import active_notices
from procedures.catalog import CATALOG_DIR
from procedures.models import Case
from procedures.selectors import published_version_of

from .menu import MENU_FILE, Menu, Node, load_menu
from .models import Call, CallbackRequest

# Longest single text read out; dynamic lists are cut to fit.
MAX_SAY_CHARS = 600
MAX_NOTICES_READ = 3
MAX_TRIES = 3
SPOKEN_DATE = r"l j \d\e F"  # "martes 24 de noviembre"
_REFERENCE = re.compile(r"^(?:EXP)?(\d{4})([0-9A-Z]{8})$")
_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def known_names() -> dict[str, set[str]]:
    """Procedure and department codes the menu file may name (from the catalog files)."""
    departments = yaml.safe_load((CATALOG_DIR / "departments.yaml").read_text(encoding="utf-8"))
    return {
        "procedures": {path.stem for path in (CATALOG_DIR / "types").glob("*.yaml")},
        "departments": {department["code"] for department in departments},
    }


@cache
def phone_menu() -> Menu:
    return load_menu(MENU_FILE, known_names())


def now() -> datetime:
    return timezone.now()


# --- Call records ------------------------------------------------------------------------


def visit(*, call_sid: str, from_number: str, to_number: str, node: str) -> Call:
    """Record that the call reached a node (created at its first request)."""
    with transaction.atomic():
        call, _created = Call.objects.select_for_update().get_or_create(
            call_sid=call_sid[:64],
            defaults={"from_number": from_number[:32], "to_number": to_number[:32]},
        )
        if not call.path or call.path[-1] != node:
            call.path = [*call.path, node]
            call.save(update_fields=["path"])
    return call


def finish(call: Call, *, leaf: str, outcome: str) -> None:
    Call.objects.filter(pk=call.pk).update(leaf=leaf, outcome=outcome)


def request_callback(call: Call, *, reason: str) -> CallbackRequest:
    with transaction.atomic():
        callback, _created = CallbackRequest.objects.get_or_create(
            call=call, defaults={"number": call.from_number, "reason": reason[:64]}
        )
        finish(call, leaf=reason, outcome=Call.Outcome.CALLBACK)
    return callback


def call_ended(*, call_sid: str, status: str, duration: str) -> None:
    """Twilio's status callback: the call is over; one still in the menu was abandoned."""
    seconds = int(duration) if duration.isdigit() else None
    with transaction.atomic():
        call = Call.objects.select_for_update().filter(call_sid=call_sid).first()
        if call is None or call.ended_at is not None:
            return  # unknown or already recorded (Twilio retries callbacks)
        call.ended_at = now()
        call.duration_seconds = seconds
        if call.outcome == Call.Outcome.IN_MENU:
            call.outcome = Call.Outcome.ABANDONED
        call.save(update_fields=["ended_at", "duration_seconds", "outcome"])


# --- What the leaves say ------------------------------------------------------------------


def _fit(parts: list[str]) -> str:
    text = ""
    for part in parts:
        if len(text) + len(part) + 1 > MAX_SAY_CHARS:
            break
        text = f"{text} {part}".strip()
    return text


def _spoken_time(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{date_format(local, SPOKEN_DATE)} a las {local:%H:%M}"


def notices_text(node: Node) -> str:
    notices = active_notices()
    if node.params.get("service"):
        notices = notices.filter(service=node.params["service"])
    found = list(notices[: MAX_NOTICES_READ + 1])
    if not found:
        return "No hay avisos vigentes para este servicio."
    parts = []
    for notice in found[:MAX_NOTICES_READ]:
        areas = ", ".join(area.name for area in notice.areas.all()) or "toda la ciudad"
        until = (
            f" Se prevé que termine el {_spoken_time(notice.ends_at)}." if notice.ends_at else ""
        )
        parts.append(f"{notice.title}, en {areas}.{until} {notice.what_to_do}".strip())
    if len(found) > MAX_NOTICES_READ:
        parts.append("Hay más avisos en el portal, en la sección avisos.")
    return _fit(parts)


DAY_NAMES = {
    "mon": "lunes", "tue": "martes", "wed": "miércoles", "thu": "jueves", "fri": "viernes",
    "sat": "sábados", "sun": "domingos",
}  # fmt: skip


def _spoken_days(key: str) -> str:
    first, _dash, last = key.partition("-")
    if last:
        return f"de {DAY_NAMES[first].removesuffix('s')} a {DAY_NAMES[last].removesuffix('s')}"
    return f"los {DAY_NAMES[first]}"


def offices_text() -> str:
    parts = []
    for office in directory().offices:
        hours = "; ".join(
            f"{_spoken_days(days)} de "
            + " y de ".join(interval.replace("-", " a ") for interval in intervals)
            for days, intervals in office.hours_spec.items()
        )
        parts.append(f"{office.name.in_language('es')}: {office.address}, {hours}.")
    return _fit(parts)


def requirements_text(node: Node) -> str:
    parts = []
    for code in node.params["procedures"]:
        version = published_version_of(code)
        if version is None:
            parts.append("Este trámite no está disponible en este momento.")
            continue
        requirements = [item.get("es", "") for item in version.definition.get("requirements", [])]
        documents = [d["label"]["es"] for d in version.definition.get("documents", [])]
        parts += [f"Para {version.name_es} necesita:", *requirements, *documents]
    return _fit(parts)


def parse_reference(spoken: str) -> str | None:
    """A reference said aloud ("E X P 2026 7KM4 Q9XD"), as stored, or None."""
    letters = re.sub(r"[^0-9A-Z]", "", spoken.upper().replace("GUION", ""))
    match = _REFERENCE.match(letters)
    if not match:
        return None
    year, body = match.group(1), match.group(2).translate(_MISREAD)
    return f"EXP-{year}-{body[:4]}-{body[4:]}"


def reference_read_back(reference: str) -> str:
    """In groups, character by character: "E X P, 2 0 2 6, 7 K M 4, Q 9 X D"."""
    return ", ".join(" ".join(group) for group in reference.split("-"))


def case_status_text(reference: str) -> str | None:
    """Only the status and due date: whoever calls, nothing personal is read."""
    case = Case.objects.filter(reference=reference).only("status", "due_date", "reference").first()
    if case is None:
        return None
    text = f"El trámite {reference_read_back(reference)} está: {case.get_status_display()}."
    if case.is_open and case.due_date:
        text += f" La fecha prevista de respuesta es el {date_format(case.due_date, SPOKEN_DATE)}."
    return text


def transfer_open(node: Node) -> tuple[bool, str]:
    """Whether the team answers now; if not, when it does next (spoken)."""
    hours = node.hours()
    moment = now()
    if hours.is_open_at(timezone.localtime(moment)):
        return True, ""
    following = hours.next_opening(timezone.localtime(moment))
    when = _spoken_time(following) if following else "en su horario de atención"
    return False, f"En este momento no hay personas atendiendo. Puede llamar el {when}."
