"""A person's data, as they may download it under Argentina's personal data law (Ley 25.326,
art. 14: the right of access).

Each app that keeps personal data registers an exporter here (accounts cannot import the
apps above it): it returns JSON-ready data and the files it keeps, as (name in the ZIP,
open file) pairs. ``export_zip`` writes one ZIP with ``datos.json`` and the files.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO

from django.utils import timezone

from core.registry import Registry

from .models import User

Exported = tuple[Any, Iterable[tuple[str, Callable[[], BinaryIO]]]]
EXPORTERS: Registry[Callable[[User], Exported]] = Registry("personal data exporter")


def _account(user: User) -> Exported:
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "document_type": user.document_type,
        "document_number": user.document_number,
        "phone": user.phone,
        "verified_phone": user.verified_phone,
        "phone_verifications": [
            {
                "phone": v.phone,
                "asked": v.created_at.isoformat(),
                "confirmed": v.confirmed_at.isoformat() if v.confirmed_at else None,
            }
            for v in user.phone_verifications.order_by("created_at")
        ],
        "address": user.address,
        "city": user.city,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
    }
    return data, ()


EXPORTERS.register("account", _account)


def export_zip(user: User) -> bytes:
    """Everything every app keeps about ``user``: ``datos.json`` and ``archivos/…``."""
    data: dict[str, Any] = {"exported_at": timezone.now().isoformat()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        names = EXPORTERS.keys()  # iterating the registry gives the exporters, not their keys
        for key in names:
            section, files = EXPORTERS.get(key)(user)
            data[key] = section
            for name, opener in files:
                with opener() as source:
                    archive.writestr(f"archivos/{name}", source.read())
        archive.writestr("datos.json", json.dumps(data, ensure_ascii=False, indent=2))
    return buffer.getvalue()
