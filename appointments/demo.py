"""The demo set-up of `make run` and of the tests: services and desks at the three offices."""

from __future__ import annotations

from .models import Desk, Service

SERVICES = [
    ("licencia-de-conducir", "Licencia de conducir", 20, "licencia-de-conducir"),
    ("tasas-y-patentes", "Tasas y patentes", 15, ""),
    ("presentacion-asistida", "Presentación asistida de trámites", 15, ""),
    ("habilitaciones", "Habilitaciones comerciales", 30, "habilitacion-comercial"),
]
DESKS = {
    "palacio-municipal": [
        ("Puesto 1", ["presentacion-asistida"]),
        ("Puesto 2", ["presentacion-asistida", "tasas-y-patentes"]),
    ],
    "cav-norte": [
        ("Box 1", ["licencia-de-conducir"]),
        ("Box 2", ["licencia-de-conducir", "tasas-y-patentes"]),
        ("Box 3", ["presentacion-asistida"]),
    ],
    "cav-sur": [
        ("Ventanilla 1", ["habilitaciones", "presentacion-asistida"]),
    ],
}


def set_up() -> None:
    """Idempotent: creates what is missing, changes nothing else."""
    services = {}
    for code, name, minutes, procedure in SERVICES:
        services[code], _created = Service.objects.get_or_create(
            code=code,
            defaults={"name": name, "slot_minutes": minutes, "procedure_type_code": procedure},
        )
    for office_code, desks in DESKS.items():
        for name, codes in desks:
            desk, created = Desk.objects.get_or_create(office_code=office_code, name=name)
            if created:
                desk.services.set([services[code] for code in codes])
