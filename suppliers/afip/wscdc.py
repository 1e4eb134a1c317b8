"""WSCDC: AFIP confirms that a voucher it authorised exists with these data."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from . import AfipUnavailable, Verdict, VoucherQuery, wsaa
from .soap import call, client_for

WSDL = Path(__file__).resolve().parent / "wsdl" / "wscdc.wsdl"
BINDING = "{http://servicios1.afip.gob.ar/wscdc/}ServiceSoap"
SERVICE = "wscdc"


def _pairs(container, item: str) -> tuple[tuple[int, str], ...]:
    if container is None:
        return ()
    return tuple((entry.Code, entry.Msg or "") for entry in getattr(container, item) or [])


class WscdcChecker:
    key = "afip-wscdc"
    label = "AFIP WSCDC (constatación de comprobantes)"
    demo = False

    def problems(self) -> list[str]:
        found = []
        for name in ("AFIP_CERT_PATH", "AFIP_KEY_PATH"):
            if not getattr(settings, name):
                found.append(f"{name} is not set: AFIP cannot be asked about invoices.")
        if not settings.MUNICIPALITY_CUIT:
            found.append("MUNICIPALITY_CUIT is not set.")
        return found

    def verify(self, query: VoucherQuery) -> Verdict:
        token, sign = wsaa.ticket(SERVICE)
        service = client_for(WSDL, BINDING, settings.AFIP_WSCDC_URL)
        result = call(
            service.ComprobanteConstatar,
            Auth={"Token": token, "Sign": sign, "Cuit": int(settings.MUNICIPALITY_CUIT)},
            CmpReq={
                "CbteModo": query.authorization_kind,
                "CuitEmisor": int(query.issuer_cuit),
                "PtoVta": query.point_of_sale,
                "CbteTipo": query.voucher_type,
                "CbteNro": query.voucher_number,
                "CbteFch": query.issue_date.strftime("%Y%m%d"),
                "ImpTotal": float(query.total),
                "CodAutorizacion": query.authorization_code,
                "DocTipoReceptor": "80",
                "DocNroReceptor": query.receiver_cuit,
            },
        )
        errors = _pairs(result.Errors, "Err")
        if not result.Resultado:
            # No verdict on the voucher (expired ticket, service error): ask again later.
            raise AfipUnavailable("; ".join(f"{c}: {t}" for c, t in errors) or "no result")
        return Verdict(
            result.Resultado, observations=_pairs(result.Observaciones, "Obs"), errors=errors
        )
