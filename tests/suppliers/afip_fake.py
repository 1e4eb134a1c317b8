"""A local stand-in for AFIP's WSAA and WSCDC, speaking their SOAP 1.1 protocol.

WSAA (``/ws/services/LoginCms``) takes the base64 CMS, checks its signature and
certificate, the login request's times and service, and answers a 12-hour ticket; asked
again while one is valid it faults ``coe.alreadyAuthenticated`` with HTTP 500, as AFIP
does. WSCDC (``/WSCDC/service.asmx``) checks the ticket and answers A for a voucher it
knows with the same data, R with observation 100 otherwise. ``down`` makes both answer
HTTP 503. Everything received is kept in ``received`` so tests assert on the wire.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from wsgiref.simple_server import WSGIRequestHandler, make_server
from xml.sax.saxutils import escape

from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from django.utils import timezone
from lxml import etree

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
WSAA_NS = "http://wsaa.view.sua.dvadac.desein.afip.gov"
WSCDC_NS = "http://servicios1.afip.gob.ar/wscdc/"


def envelope(body: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP}">'
        f"<soap:Body>{body}</soap:Body></soap:Envelope>"
    ).encode()


def fault(code: str, message: str) -> bytes:
    return envelope(
        f'<soap:Fault><faultcode xmlns:ns1="{WSAA_NS}">ns1:{code}</faultcode>'
        f"<faultstring>{escape(message)}</faultstring></soap:Fault>"
    )


@dataclass
class FakeAfip:
    trusted_certificate: bytes  # DER
    vouchers: dict[tuple[int, int, int, int], dict] = field(default_factory=dict)
    received: list[tuple[str, etree._Element]] = field(default_factory=list)
    tickets: dict[str, tuple[str, str, datetime]] = field(default_factory=dict)
    down: bool = False
    url: str = ""

    def add_voucher(self, *, cuit, point_of_sale, voucher_type, number, date, total, cae):
        self.vouchers[(int(cuit), point_of_sale, voucher_type, number)] = {
            "CbteFch": date.strftime("%Y%m%d"),
            "ImpTotal": Decimal(total).quantize(Decimal("0.01")),
            "CodAutorizacion": cae,
        }

    # --- WSGI -----------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        if self.down:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"Service Unavailable"]
        path = environ["PATH_INFO"]
        request = etree.fromstring(body).find(f"{{{SOAP}}}Body")[0]
        self.received.append((path, request))
        if path.endswith("/LoginCms"):
            status, answer = self.login(request)
        else:
            status, answer = "200 OK", self.constatar(request)
        start_response(status, [("Content-Type", "text/xml; charset=utf-8")])
        return [answer]

    def login(self, request) -> tuple[str, bytes]:
        signed = cms.ContentInfo.load(base64.b64decode(request.findtext(f"{{{WSAA_NS}}}in0")))
        data = signed["content"]
        tra = data["encap_content_info"]["content"].native
        certificate = data["certificates"][0].chosen.dump()
        if certificate != self.trusted_certificate:
            return "500 Internal Server Error", fault(
                "cms.cert.untrusted", "Certificado no emitido por AC de confianza"
            )
        signer = data["signer_infos"][0]
        attributes = signer["signed_attrs"]
        digest = next(
            a["values"][0].native for a in attributes if a["type"].native == "message_digest"
        )
        attributes_der = b"\x31" + attributes.dump(force=True)[1:]
        try:
            x509.load_der_x509_certificate(certificate).public_key().verify(
                signer["signature"].native, attributes_der, padding.PKCS1v15(), hashes.SHA256()
            )
            assert digest == hashlib.sha256(tra).digest()
        except Exception:  # noqa: BLE001 - any failure is AFIP's cms.sign.invalid
            return "500 Internal Server Error", fault(
                "cms.sign.invalid", "Firma inválida o algoritmo no soportado"
            )
        login = etree.fromstring(tra)
        service = login.findtext("service")
        generated = datetime.fromisoformat(login.findtext("header/generationTime"))
        now = timezone.now()
        if generated > now or generated < now - timedelta(hours=24):
            return "500 Internal Server Error", fault(
                "xml.generationTime.invalid", "generationTime posee formato o dato inválido"
            )
        if service != "wscdc":
            return "500 Internal Server Error", fault(
                "coe.notAuthorized", "Computador no autorizado a acceder al servicio"
            )
        if service in self.tickets and self.tickets[service][2] > now:
            return "500 Internal Server Error", fault(
                "coe.alreadyAuthenticated",
                "El CEE ya posee un TA valido para el acceso al WSN solicitado",
            )
        token, sign = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        expires = now + timedelta(hours=12)
        self.tickets[service] = (token, sign, expires)
        ticket = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><loginTicketResponse version="1.0">'
            f"<header><source>CN=wsaahomo, O=AFIP, C=AR</source><destination>C=AR</destination>"
            f"<uniqueId>{secrets.randbelow(2**32)}</uniqueId>"
            f"<generationTime>{now.isoformat()}</generationTime>"
            f"<expirationTime>{expires.isoformat()}</expirationTime></header>"
            f"<credentials><token>{token}</token><sign>{sign}</sign></credentials>"
            "</loginTicketResponse>"
        )
        return "200 OK", envelope(
            f'<loginCmsResponse xmlns="{WSAA_NS}"><loginCmsReturn>{escape(ticket)}</loginCmsReturn></loginCmsResponse>'
        )

    def constatar(self, request) -> bytes:
        def text(element, name):
            return element.findtext(f"{{{WSCDC_NS}}}{name}")

        auth = request.find(f"{{{WSCDC_NS}}}Auth")
        issued = self.tickets.get("wscdc")
        if issued is None or (text(auth, "Token"), text(auth, "Sign")) != issued[:2]:
            return envelope(
                f'<ComprobanteConstatarResponse xmlns="{WSCDC_NS}"><ComprobanteConstatarResult>'
                "<Errors><Err><Code>600</Code><Msg>ValidacionDeToken: token o firma inválidos</Msg></Err></Errors>"
                "</ComprobanteConstatarResult></ComprobanteConstatarResponse>"
            )
        voucher = request.find(f"{{{WSCDC_NS}}}CmpReq")
        key = tuple(
            int(text(voucher, name)) for name in ("CuitEmisor", "PtoVta", "CbteTipo", "CbteNro")
        )
        known = self.vouchers.get(key)
        stated = {
            "CbteFch": text(voucher, "CbteFch"),
            "ImpTotal": Decimal(text(voucher, "ImpTotal")).quantize(Decimal("0.01")),
            "CodAutorizacion": text(voucher, "CodAutorizacion"),
        }
        if known is None:
            result, observations = (
                "R",
                [(100, "El N° de CAI/CAE/CAEA consultado no existe en las bases del organismo")],
            )
        elif known != stated:
            differing = ", ".join(name for name in stated if stated[name] != known[name])
            result, observations = "R", [(102, f"Los datos no coinciden: {differing}")]
        else:
            result, observations = "A", []
        obs = "".join(f"<Obs><Code>{c}</Code><Msg>{escape(m)}</Msg></Obs>" for c, m in observations)
        return envelope(
            f'<ComprobanteConstatarResponse xmlns="{WSCDC_NS}"><ComprobanteConstatarResult>'
            f"<Resultado>{result}</Resultado>"
            + (f"<Observaciones>{obs}</Observaciones>" if obs else "")
            + f"<FchProceso>{timezone.now():%Y%m%d%H%M%S}</FchProceso>"
            "</ComprobanteConstatarResult></ComprobanteConstatarResponse>"
        )


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def serve(fake: FakeAfip):
    server = make_server("127.0.0.1", 0, fake, handler_class=QuietHandler)
    fake.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server
