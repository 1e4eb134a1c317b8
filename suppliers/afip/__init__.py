"""Checking suppliers and their Argentine invoices with AFIP (ARCA): plugins
(``core.registry``).

``afip-wscdc`` asks AFIP's voucher-verification service (WSCDC, SOAP, with a WSAA login
ticket signed by the municipality's certificate); ``afip-padron-a5`` looks a CUIT up in
AFIP's taxpayer register (ws_sr_constancia_inscripcion, ``getPersona_v2``); each ``demo``
answers locally for trying the portal and is refused by ``check --deploy``.
``SUPPLIERS_AFIP_CHECKER`` and ``SUPPLIERS_AFIP_REGISTER`` choose them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from core.registry import PluginRegistry


class AfipUnavailable(Exception):
    """AFIP did not answer (or answered that it is down): check again later."""


@dataclass(frozen=True)
class VoucherQuery:
    issuer_cuit: str
    point_of_sale: int
    voucher_type: int
    voucher_number: int
    issue_date: date
    total: Decimal
    authorization_code: str
    authorization_kind: str  # "CAE" or "CAEA"
    receiver_cuit: str


@dataclass(frozen=True)
class Verdict:
    result: str
    """A approved, O observed, R rejected."""
    observations: tuple[tuple[int, str], ...] = field(default_factory=tuple)
    errors: tuple[tuple[int, str], ...] = field(default_factory=tuple)

    @property
    def message(self) -> str:
        return "; ".join(f"{code}: {text}" for code, text in self.observations + self.errors)


class InvoiceChecker(Protocol):
    key: str
    label: str
    demo: bool

    def problems(self) -> list[str]: ...

    def verify(self, query: VoucherQuery) -> Verdict: ...


CHECKERS: PluginRegistry[InvoiceChecker] = PluginRegistry(
    "AFIP invoice check", settings=("SUPPLIERS_AFIP_CHECKER",)
)


class DemoChecker:
    """Approves every voucher whose CAE has 14 digits; for trying the portal only."""

    key = "demo"
    label = "AFIP (demo: no request leaves the server)"
    demo = True

    def problems(self) -> list[str]:
        return []

    def verify(self, query: VoucherQuery) -> Verdict:
        if len(query.authorization_code) == 14 and query.authorization_code.isdigit():
            return Verdict("A")
        return Verdict("R", observations=((100, "CAE inexistente (demo)"),))


class NotInRegister(Exception):
    """AFIP's register has no taxpayer with this CUIT; the message is AFIP's."""


@dataclass(frozen=True)
class TaxpayerRecord:
    """What AFIP's taxpayer register states about one CUIT."""

    cuit: str
    name: str
    key_state: str
    """estadoClave: ACTIVO, INACTIVO, ..."""
    tax_condition: str | None
    """"ri", "monotributo" or "exento" (``Supplier.TaxCondition``), None when the register
    states none of them."""
    errors: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return self.key_state.upper() == "ACTIVO"


class TaxpayerRegister(Protocol):
    key: str
    label: str
    demo: bool

    def problems(self) -> list[str]: ...

    def lookup(self, cuit: str) -> TaxpayerRecord: ...


REGISTERS: PluginRegistry[TaxpayerRegister] = PluginRegistry(
    "AFIP taxpayer register", settings=("SUPPLIERS_AFIP_REGISTER",)
)


class DemoRegister:
    """Every CUIT is an active taxpayer of unknown condition; for trying the portal only."""

    key = "demo"
    label = "AFIP taxpayer register (demo: no request leaves the server)"
    demo = True

    def problems(self) -> list[str]:
        return []

    def lookup(self, cuit: str) -> TaxpayerRecord:
        return TaxpayerRecord(cuit=cuit, name="", key_state="ACTIVO", tax_condition=None)


def register_plugins() -> None:
    from .padron import PadronA5Register
    from .wscdc import WscdcChecker

    CHECKERS.register(WscdcChecker())
    CHECKERS.register(DemoChecker())
    REGISTERS.register(PadronA5Register())
    REGISTERS.register(DemoRegister())


def checker() -> InvoiceChecker:
    return CHECKERS.chosen()


def taxpayer_register() -> TaxpayerRegister:
    return REGISTERS.chosen()
