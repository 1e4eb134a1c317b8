from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import selectors


def staff_nav_item(request: HttpRequest, box: str = "") -> dict[str, Any] | None:
    if not selectors.is_agent(request.user):
        return None
    return {"box": box}


def case_conversations(request: HttpRequest, case) -> dict[str, Any] | None:
    """On the staff's case page: the contact-centre conversations linked to the case."""
    from .models import Conversation

    conversations = list(
        Conversation.objects.filter(case=case).select_related("contact").order_by("-created_at")
    )
    if not conversations:
        return None
    return {"conversations": conversations, "agent": selectors.is_agent(request.user)}
