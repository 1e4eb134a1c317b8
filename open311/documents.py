"""GeoReport v2 documents, as plain data rendered to JSON or XML by ``render``."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.utils import timezone

from accounts.models import Department
from procedures.models import Case

from .catalog import Service


def _when(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def service_entry(offered: Service) -> dict[str, Any]:
    version = offered.version
    return {
        "service_code": offered.code,
        "service_name": version.name_es,
        "description": offered.definition.summary.es,
        "metadata": bool(offered.attributes),
        "type": "realtime",
        "keywords": ", ".join(offered.definition.keywords),
        "group": version.procedure_type.category.name,
    }


def service_definition(offered: Service) -> dict[str, Any]:
    return {
        "service_code": offered.code,
        "attributes": [
            {
                "variable": True,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "datatype_description": attribute.spec.help.es if attribute.spec.help else "",
                "order": attribute.order,
                "description": attribute.spec.label.es,
                "values": [{"key": key, "name": name} for key, name in attribute.values],
            }
            for attribute in offered.attributes
        ],
    }


def department_names() -> dict[str, str]:
    return dict(Department.objects.values_list("code", "name"))


def request_entry(case: Case, departments: dict[str, str]) -> dict[str, Any]:
    """A claim as the spec lists it; never the reporter's name, e-mail, phone or answers."""
    sent = getattr(case, "open311_request", None)
    expected = (
        timezone.make_aware(datetime.combine(case.due_date, time(23, 59, 59)))
        if case.due_date and case.is_open
        else None
    )
    return {
        "service_request_id": case.reference,
        "status": "open" if case.is_open else "closed",
        "status_notes": "" if case.is_open else case.get_status_display(),
        "service_name": case.version.name_es,
        "service_code": case.version.procedure_type.code,
        "description": sent.description if sent else "",
        "agency_responsible": departments.get(case.current_department, ""),
        "service_notice": "",
        "requested_datetime": _when(case.submitted_at),
        "updated_datetime": _when(case.updated_at),
        "expected_datetime": _when(expected),
        "address": sent.address_string if sent else "",
        "address_id": sent.address_id if sent else "",
        "zipcode": "",
        "lat": float(sent.lat) if sent and sent.lat is not None else None,
        "long": float(sent.long) if sent and sent.long is not None else None,
        "media_url": sent.media_url if sent else "",
    }
