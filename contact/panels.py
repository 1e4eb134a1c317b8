from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import selectors


def staff_nav_item(request: HttpRequest, box: str = "") -> dict[str, Any] | None:
    if not selectors.is_agent(request.user):
        return None
    return {"box": box}
