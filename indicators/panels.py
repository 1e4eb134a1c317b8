"""What indicators adds to other apps' pages (``core.slots``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from procedures.models import Case

from .forms import SatisfactionForm
from .selectors import visible_departments
from .services.satisfaction import moment_to_ask


def staff_nav_item(request: HttpRequest, box: str = "") -> dict[str, Any] | None:
    if visible_departments(request.user) == ():
        return None
    return {"current": box == "indicators"}


def satisfaction_question(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """On the applicant's case page, once after submitting and once after the result."""
    if not isinstance(case, Case) or request.user.pk != case.applicant_id:
        return None
    moment = moment_to_ask(case)
    if moment is None:
        return None
    return {"case": case, "moment": moment, "form": SatisfactionForm(prefix="satisfaction")}
