"""What appointments adds to other apps' pages (``core.slots``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import Service


def staff_nav_item(request: HttpRequest, box: str = "") -> dict[str, Any]:
    return {"current": box == "appointments"}


def _service_for(version) -> Service | None:
    """The counter service a procedure version needs, if any (``version`` may be missing)."""
    code = getattr(getattr(version, "procedure_type", None), "code", "")
    if not code:
        return None
    return Service.objects.filter(procedure_type_code=code, active=True).first()


def procedure_page(request: HttpRequest, version, definition) -> dict[str, Any] | None:
    service = _service_for(version)
    return {"service": service} if service else None


def case_page(request: HttpRequest, case) -> dict[str, Any] | None:
    service = _service_for(getattr(case, "version", None))
    return {"service": service, "case": case} if service else None
