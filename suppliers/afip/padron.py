"""AFIP's taxpayer register: the constancia de inscripción of one CUIT (personaServiceA5,
``getPersona_v2``), with a WSAA ticket for ``ws_sr_constancia_inscripcion``."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from . import AfipUnavailable, NotInRegister, TaxpayerRecord, wsaa
from .soap import call, client_for

WSDL = Path(__file__).resolve().parent / "wsdl" / "padron_a5.wsdl"
BINDING = "{http://a5.soap.ws.server.puc.sr/}PersonaServiceA5PortBinding"
SERVICE = "ws_sr_constancia_inscripcion"
# impuesto ids of the register: 30 IVA (responsable inscripto), 32 IVA exento; 20 and 21
# are the monotributo's (with a category in datosMonotributo).
VAT_REGISTERED, VAT_EXEMPT = 30, 32
MONOTRIBUTO = frozenset({20, 21})
# The fault AFIP answers for a CUIT it does not know; any other fault (an expired ticket,
# a service error) means "ask again later".
UNKNOWN_PERSON = "no existe persona"


class _Fault(Exception):
    pass


def _taxes(section) -> set[int]:
    if section is None:
        return set()
    return {tax.idImpuesto for tax in section.impuesto or [] if tax.idImpuesto is not None}


def tax_condition(answer) -> str | None:
    monotributo = answer.datosMonotributo
    if monotributo is not None and (
        monotributo.categoriaMonotributo is not None or _taxes(monotributo) & MONOTRIBUTO
    ):
        return "monotributo"
    general = _taxes(answer.datosRegimenGeneral)
    if VAT_REGISTERED in general:
        return "ri"
    if VAT_EXEMPT in general:
        return "exento"
    return None


class PadronA5Register:
    key = "afip-padron-a5"
    label = "AFIP taxpayer register (ws_sr_constancia_inscripcion)"
    demo = False

    def problems(self) -> list[str]:
        found = []
        for name in ("AFIP_CERT_PATH", "AFIP_KEY_PATH", "MUNICIPALITY_CUIT"):
            if not getattr(settings, name):
                found.append(f"{name} is not set: AFIP's register cannot be asked.")
        return found

    def lookup(self, cuit: str) -> TaxpayerRecord:
        token, sign = wsaa.ticket(SERVICE)
        service = client_for(WSDL, BINDING, settings.AFIP_PADRON_URL)
        try:
            answer = call(
                service.getPersona_v2,
                refused=_Fault,
                token=token,
                sign=sign,
                cuitRepresentada=int(settings.MUNICIPALITY_CUIT),
                idPersona=int(cuit),
            )
        except _Fault as fault:
            if UNKNOWN_PERSON in str(fault).lower():
                raise NotInRegister(str(fault)) from fault
            raise AfipUnavailable(str(fault)) from fault
        if answer is None:
            raise AfipUnavailable("The register answered nothing.")
        general = answer.datosGenerales
        if general is None:
            # errorConstancia: AFIP knows the CUIT but will not give its constancia
            # (for instance a key that is not active).
            errors = tuple(answer.errorConstancia.error or []) if answer.errorConstancia else ()
            return TaxpayerRecord(
                cuit=cuit,
                name="",
                key_state="SIN CONSTANCIA",
                tax_condition=None,
                errors=errors,
            )
        name = general.razonSocial or " ".join(
            part for part in (general.apellido, general.nombre) if part
        )
        return TaxpayerRecord(
            cuit=cuit,
            name=name,
            key_state=general.estadoClave or "",
            tax_condition=tax_condition(answer),
        )
