from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def staff_case_panel(request: HttpRequest, case) -> dict[str, Any] | None:
    from .models import ServiceRequest

    service_request = (
        ServiceRequest.objects.filter(case=case).select_related("api_key").first()
        if case.channel == case.Channel.OPEN311
        else None
    )
    return {"service_request": service_request} if service_request else None
