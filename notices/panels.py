"""Context functions of the panels this app adds to other apps' pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import selectors

HOME_LIMIT = 5


def home_notices(request: HttpRequest) -> dict[str, Any] | None:
    notices = list(selectors.active_notices()[: HOME_LIMIT + 1])
    if not notices:
        return None
    return {"notices": notices[:HOME_LIMIT], "more": len(notices) > HOME_LIMIT}


def procedure_notices(request: HttpRequest, version, **_values) -> dict[str, Any] | None:
    notices = list(selectors.notices_for_procedure(version.procedure_type))
    return {"notices": notices} if notices else None


def staff_nav_item(request: HttpRequest, box: str = "") -> dict[str, Any]:
    return {"current": box == "notices"}
