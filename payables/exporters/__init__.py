"""Bank file exporters: plugins (``core.registry``) that turn a payment batch into a file.

ISO 20022 pain.001 is the real one, with the remittance as free text or, for banks that
take it, structured (``pain.001.001.09-strd``); ``demo-csv`` is a plain list for trying the portal
without a bank. A bank-specific format is one more plugin registered in ``BANK_FILES``;
``PAYABLES_EXPORTER`` names the default, and ``check --deploy`` refuses a demo one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.utils.translation import gettext as _

from core.registry import PluginRegistry

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
    key: str
    label: str
    demo: bool

    def problems(self) -> list[str]: ...

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


BANK_FILES: PluginRegistry[Exporter] = PluginRegistry(
    "bank file format", settings=("PAYABLES_EXPORTER",)
)


def register_plugins() -> None:
    from .demo_csv import DemoCsvExporter
    from .pain001 import Pain001Exporter

    BANK_FILES.register(Pain001Exporter())
    BANK_FILES.register(Pain001Exporter(structured=True))
    BANK_FILES.register(DemoCsvExporter())


def get_exporter(key: str | None = None) -> Exporter:
    """The format ``key`` names (``PAYABLES_EXPORTER`` by default), if it may be used here."""
    key = key or settings.PAYABLES_EXPORTER
    usable = {exporter.key: exporter for exporter in BANK_FILES.usable()}
    if key not in usable:
        raise ExportRefused(
            _("Unknown bank file format “%(key)s”; known: %(known)s.")
            % {"key": key, "known": ", ".join(usable)}
        )
    return usable[key]
