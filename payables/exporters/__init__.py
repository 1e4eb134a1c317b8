"""Bank file exporters: a registry of plugins that turn a payment batch into a file.

ISO 20022 pain.001 is the real one; ``demo-csv`` is a plain list for trying the portal
without a bank. A bank-specific format is one more class registered in ``EXPORTERS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.conf import settings

if TYPE_CHECKING:
    from ..models import PaymentBatch, PaymentOrder


@dataclass(frozen=True)
class BankFile:
    name: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class Debtor:
    """The municipality as payer, from the settings."""

    name: str
    cuit: str
    cbu: str
    bic: str


class ExportRefused(Exception):
    """The batch cannot be written in this format; the message says why."""


class Exporter(Protocol):
    code: str
    label: str

    def export(
        self, batch: PaymentBatch, orders: list[PaymentOrder], debtor: Debtor
    ) -> BankFile: ...


def debtor_from_settings() -> Debtor:
    return Debtor(
        name=settings.MUNICIPALITY_NAME,
        cuit=settings.MUNICIPALITY_CUIT,
        cbu=settings.PAYABLES_DEBTOR_CBU,
        bic=settings.PAYABLES_DEBTOR_BIC,
    )


def registry() -> dict[str, Exporter]:
    from .demo_csv import DemoCsvExporter
    from .pain001 import Pain001Exporter

    return {exporter.code: exporter for exporter in (Pain001Exporter(), DemoCsvExporter())}


def get_exporter(code: str | None = None) -> Exporter:
    exporters = registry()
    code = code or settings.PAYABLES_EXPORTER
    if code not in exporters:
        raise ExportRefused(f"Unknown bank file format {code!r}; known: {', '.join(exporters)}.")
    return exporters[code]
