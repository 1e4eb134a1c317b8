"""A local stand-in for AFIP's WSAA, WSCDC and taxpayer register (constancia de
inscripción, personaServiceA5), speaking their SOAP 1.1 protocol.

WSAA (``/ws/services/LoginCms``) takes the base64 CMS, checks its signature and
certificate, the login request's times and service, and answers a 12-hour ticket; asked
again while one is valid it faults ``coe.alreadyAuthenticated`` with HTTP 500, as AFIP
does. WSCDC (``/WSCDC/service.asmx``) checks the ticket and answers A for a voucher it
knows with the same data, R with observation 100 otherwise. The register
(``/sr-padron/webservices/personaServiceA5``) answers ``getPersona_v2`` for the persons
added with ``add_person``, and the fault "No existe persona con ese Id" for others. ``down``
makes all answer HTTP 503. Everything received is kept in ``received`` so tests assert on the wire.
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
PADRON_NS = "http://a5.soap.ws.server.puc.sr/"
PADRON_SERVICE = "ws_sr_constancia_inscripcion"


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


def padron_fault(message: str) -> bytes:
    return envelope(
        f"<soap:Fault><faultcode>soap:Server</faultcode>"
        f"<faultstring>{escape(message)}</faultstring></soap:Fault>"
    )


@dataclass
class FakeAfip:
    trusted_certificate: bytes  # DER
    vouchers: dict[tuple[int, int, int, int], dict] = field(default_factory=dict)
    received: list[tuple[str, etree._Element]] = field(default_factory=list)
    tickets: dict[str, tuple[str, str, datetime]] = field(default_factory=dict)
    persons: dict[int, str] = field(default_factory=dict)
    authorised_services: frozenset[str] = frozenset({"wscdc", PADRON_SERVICE})
    down: bool = False
    url: str = ""

    def add_person(
        self,
        cuit: str,
        *,
        name: str = "PROVEEDORA SA",
        key_state: str = "ACTIVO",
        taxes: tuple[int, ...] = (30,),
        monotributo_category: str | None = None,
        constancia_error: str | None = None,
    ) -> None:
        """A person of the register: ``taxes`` are impuesto ids of the general regime
        (30 IVA, 32 IVA exento), a ``monotributo_category`` makes a monotributista."""
        if constancia_error:
            self.persons[int(cuit)] = (
                f"<errorConstancia><error>{escape(constancia_error)}</error>"
                f"<idPersona>{cuit}</idPersona></errorConstancia>"
            )
            return
        general = (
            "<datosGenerales><domicilioFiscal><codPostal>5000</codPostal>"
            "<descripcionProvincia>CORDOBA</descripcionProvincia><direccion>SAN MARTIN 1</direccion>"
            "<idProvincia>3</idProvincia><tipoDomicilio>FISCAL</tipoDomicilio></domicilioFiscal>"
            f"<estadoClave>{key_state}</estadoClave><idPersona>{cuit}</idPersona>"
            f"<mesCierre>12</mesCierre><razonSocial>{escape(name)}</razonSocial>"
            "<tipoClave>CUIT</tipoClave><tipoPersona>JURIDICA</tipoPersona></datosGenerales>"
        )
        if monotributo_category:
            regimes = (
                "<datosMonotributo><categoriaMonotributo>"
                f"<descripcionCategoria>{monotributo_category} LOCACIONES DE SERVICIO</descripcionCategoria>"
                "<idCategoria>23</idCategoria><idImpuesto>20</idImpuesto><periodo>202401</periodo>"
                "</categoriaMonotributo><impuesto><descripcionImpuesto>MONOTRIBUTO</descripcionImpuesto>"
                "<idImpuesto>20</idImpuesto><periodo>202401</periodo></impuesto></datosMonotributo>"
                "<errorRegimenGeneral><error>No se encuentra inscripto en el Régimen General</error>"
                "<mensaje>No cumple con las condiciones para enviar datos del régimen general</mensaje>"
                "</errorRegimenGeneral>"
            )
        else:
            impuestos = "".join(
                f"<impuesto><descripcionImpuesto>IMPUESTO {tax}</descripcionImpuesto>"
                f"<idImpuesto>{tax}</idImpuesto><periodo>201101</periodo></impuesto>"
                for tax in taxes
            )
            regimes = (
                f"<datosRegimenGeneral>{impuestos}</datosRegimenGeneral>"
                "<errorMonotributo><error>Datos de monotributo incompletos- no posee categoría</error>"
                "<mensaje>No cumple con las condiciones para enviar datos monotributo</mensaje>"
                "</errorMonotributo>"
            )
        self.persons[int(cuit)] = general + regimes

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
        elif path.endswith("/personaServiceA5"):
            status, answer = self.get_persona(request)
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
        if service not in self.authorised_services:
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

    def get_persona(self, request) -> tuple[str, bytes]:
        issued = self.tickets.get(PADRON_SERVICE)
        if issued is None or (request.findtext("token"), request.findtext("sign")) != issued[:2]:
            return "500 Internal Server Error", padron_fault("ValidacionDeToken: token inválido")
        person = self.persons.get(int(request.findtext("idPersona")))
        if person is None:
            return "500 Internal Server Error", padron_fault("No existe persona con ese Id")
        return "200 OK", envelope(
            f'<ns2:getPersona_v2Response xmlns:ns2="{PADRON_NS}"><personaReturn>{person}'
            f"<metadata><fechaHora>{timezone.now().isoformat()}</fechaHora>"
            "<servidor>fake</servidor></metadata></personaReturn></ns2:getPersona_v2Response>"
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
