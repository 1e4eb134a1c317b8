"""QR codes of Argentine electronic vouchers (AFIP/ARCA, RG 4291): decode, validate, build.

The QR holds ``https://www.afip.gob.ar/fe/qr/?p=<base64 JSON>``. It identifies the voucher
and its authorisation but states only the total, so the ``ParsedInvoice`` it yields has no
lines, ``tax_inclusive_total == payable_total == importe``, zero allowances, charges,
prepaid and rounding amounts, and None for the net, tax exclusive and tax totals. It names
no parties either: the names are empty and the ids are the CUIT and the receiver's document.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar
from urllib.parse import unquote, urlsplit

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.identifiers import CUIT_PREFIXES, InvalidIdentifier, cuit_check_digit, normalize_cuit

from .errors import InvoiceRejected
from .model import AfipVoucher, CaeKind, DocumentKind, ParsedInvoice

QR_URL = "https://www.afip.gob.ar/fe/qr/"
QR_HOSTS = frozenset({"www.afip.gob.ar", "afip.gob.ar", "www.arca.gob.ar", "arca.gob.ar"})


class VoucherType(NamedTuple):
    name: str
    kind: DocumentKind


# AFIP voucher types that bill or credit a purchase (receipts and sale notes are left out).
VOUCHER_TYPES: dict[int, VoucherType] = {
    1: VoucherType("Factura A", "invoice"),
    2: VoucherType("Nota de Débito A", "invoice"),
    3: VoucherType("Nota de Crédito A", "credit_note"),
    6: VoucherType("Factura B", "invoice"),
    7: VoucherType("Nota de Débito B", "invoice"),
    8: VoucherType("Nota de Crédito B", "credit_note"),
    11: VoucherType("Factura C", "invoice"),
    12: VoucherType("Nota de Débito C", "invoice"),
    13: VoucherType("Nota de Crédito C", "credit_note"),
    51: VoucherType("Factura M", "invoice"),
    52: VoucherType("Nota de Débito M", "invoice"),
    53: VoucherType("Nota de Crédito M", "credit_note"),
    201: VoucherType("Factura de Crédito Electrónica MiPyMEs A", "invoice"),
    202: VoucherType("Nota de Débito Electrónica MiPyMEs A", "invoice"),
    203: VoucherType("Nota de Crédito Electrónica MiPyMEs A", "credit_note"),
    206: VoucherType("Factura de Crédito Electrónica MiPyMEs B", "invoice"),
    207: VoucherType("Nota de Débito Electrónica MiPyMEs B", "invoice"),
    208: VoucherType("Nota de Crédito Electrónica MiPyMEs B", "credit_note"),
    211: VoucherType("Factura de Crédito Electrónica MiPyMEs C", "invoice"),
    212: VoucherType("Nota de Débito Electrónica MiPyMEs C", "invoice"),
    213: VoucherType("Nota de Crédito Electrónica MiPyMEs C", "credit_note"),
}
# AFIP currency codes -> ISO 4217, for the currencies the portal accepts.
CURRENCIES = {"PES": "ARS", "DOL": "USD", "060": "EUR", "012": "BRL"}
CAE_KINDS: dict[str, CaeKind] = {"E": "CAE", "A": "CAEA"}
# Receiver document types whose number is a CUIT or CUIL, with a check digit.
CUIT_DOCUMENT_TYPES = frozenset({80, 86})
REQUIRED_KEYS = (
    "ver",
    "fecha",
    "cuit",
    "ptoVta",
    "tipoCmp",
    "nroCmp",
    "importe",
    "moneda",
    "ctz",
    "tipoCodAut",
    "codAut",
)

_T = TypeVar("_T")
_DIGITS = re.compile(r"[0-9]+")
_CUIT_SEPARATORS = re.compile(r"[\s.\-/]")
_AMOUNT = re.compile(r"([0-9]+)(?:\.([0-9]+))?")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def _invalid(detail: Promise, **params: object) -> InvoiceRejected:
    return InvoiceRejected("invalid-qr", detail, params=params)


def parse_afip_qr(qr: str) -> ParsedInvoice:
    """Decode a QR's text (the whole URL or only its ``p`` payload) into a voucher."""
    data = _decode_payload(qr)
    missing = [key for key in REQUIRED_KEYS if data.get(key) in (None, "")]
    if missing:
        raise InvoiceRejected(
            "missing-field",
            _("The QR data lacks %(keys)s."),
            params={"keys": ", ".join(missing)},
        )
    if str(data["ver"]) != "1":
        raise _invalid(
            _("%(key)s is %(value)s; only version 1 of the QR data is known."),
            key="ver",
            value=repr(data["ver"]),
        )
    voucher_type = _whole_number(data, "tipoCmp", _("voucher type"), 3)
    if voucher_type not in VOUCHER_TYPES:
        raise _invalid(
            _(
                "%(key)s %(value)s is not a known invoice, debit note or credit note type "
                "(known: %(known)s)."
            ),
            key="tipoCmp",
            value=voucher_type,
            known=", ".join(map(str, VOUCHER_TYPES)),
        )
    point_of_sale = _whole_number(data, "ptoVta", _("point of sale"), 5)
    voucher_number = _whole_number(data, "nroCmp", _("voucher number"), 8)
    cuit = _cuit(data["cuit"], "cuit", _("issuer CUIT"))
    total = _amount(data, "importe", _("voucher total"), max_decimals=2)
    currency = _lookup(CURRENCIES, data["moneda"])
    if currency is None:
        raise _invalid(
            _("%(key)s is %(value)s; accepted currency codes are %(known)s."),
            key="moneda",
            value=repr(data["moneda"]),
            known=", ".join(CURRENCIES),
        )
    exchange_rate = _amount(data, "ctz", _("exchange rate"), max_decimals=6)
    if currency == "ARS" and exchange_rate != 1:
        raise _invalid(
            _("%(key)s is %(value)s; a voucher in pesos has exchange rate 1."),
            key="ctz",
            value=data["ctz"],
        )
    if exchange_rate <= 0:
        raise _invalid(
            _("%(key)s is %(value)s; an exchange rate is greater than zero."),
            key="ctz",
            value=data["ctz"],
        )
    cae_kind = _lookup(CAE_KINDS, data["tipoCodAut"])
    if cae_kind is None:
        raise _invalid(
            _("%(key)s is %(value)s; expected E (CAE) or A (CAEA)."),
            key="tipoCodAut",
            value=repr(data["tipoCodAut"]),
        )
    cae = _digits(data, "codAut", _("authorisation code"), 14)
    if len(cae) != 14:
        raise _invalid(
            _("%(key)s is %(value)s; an authorisation code has 14 digits."),
            key="codAut",
            value=cae,
        )
    return ParsedInvoice(
        format="afip-qr",
        document_kind=VOUCHER_TYPES[voucher_type].kind,
        number=f"{point_of_sale:05d}-{voucher_number:08d}",
        issue_date=_date(data["fecha"]),
        due_date=None,
        currency=currency,
        seller_name="",
        seller_tax_ids=(cuit,),
        buyer_name="",
        buyer_tax_ids=_receiver_ids(data),
        po_reference=None,
        net_total=None,
        allowance_total=Decimal(0),
        charge_total=Decimal(0),
        tax_exclusive_total=None,
        tax_total=None,
        tax_inclusive_total=total,
        prepaid_total=Decimal(0),
        rounding_amount=Decimal(0),
        payable_total=total,
        lines=(),
        afip=AfipVoucher(
            cuit=cuit,
            voucher_type=voucher_type,
            point_of_sale=point_of_sale,
            voucher_number=voucher_number,
            cae=cae,
            cae_kind=cae_kind,
            exchange_rate=exchange_rate,
        ),
    )


def _decode_payload(qr: str) -> dict[str, Any]:
    text = qr.strip()
    payload = _payload_from_url(text) if "://" in text else text
    compact = re.sub(r"\s", "", payload).replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
    except binascii.Error:
        raise _invalid(_("The QR data is not valid base64.")) from None
    try:
        data = json.loads(raw, parse_float=Decimal, parse_constant=_reject_constant)
    except ValueError:
        raise _invalid(_("The QR data is not JSON.")) from None
    if not isinstance(data, dict):
        raise _invalid(_("The QR data is not a JSON object."))
    return data


def build_qr_url(
    *,
    cuit: str,
    issue_date: date,
    point_of_sale: int,
    voucher_type: int,
    voucher_number: int,
    total: Decimal,
    cae: str,
    currency: str = "ARS",
    exchange_rate: Decimal = Decimal(1),
    receiver_document_type: int | None = None,
    receiver_document_number: str | None = None,
    cae_kind: CaeKind = "CAE",
) -> str:
    """The QR URL AFIP prescribes for a voucher; raises ``InvoiceRejected`` for values
    ``parse_afip_qr`` would refuse. ``currency`` is an ISO code from ``CURRENCIES``."""
    afip_currencies = {iso: code for code, iso in CURRENCIES.items()}
    afip_cae_kinds = {kind: code for code, kind in CAE_KINDS.items()}
    data: dict[str, Any] = {
        "ver": 1,
        "fecha": issue_date.isoformat(),
        "cuit": _json_digits(_CUIT_SEPARATORS.sub("", cuit)),
        "ptoVta": point_of_sale,
        "tipoCmp": voucher_type,
        "nroCmp": voucher_number,
        "importe": _json_number(total),
        "moneda": afip_currencies.get(currency, currency),
        "ctz": _json_number(exchange_rate),
        "tipoCodAut": afip_cae_kinds[cae_kind],
        "codAut": _json_digits(cae),
    }
    if receiver_document_type is not None:
        data["tipoDocRec"] = receiver_document_type
        data["nroDocRec"] = _json_digits(receiver_document_number or "0")
    payload = base64.b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()
    url = f"{QR_URL}?p={payload}"
    parse_afip_qr(url)
    return url


def _payload_from_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise _invalid(_("The QR link %(url)s is not a valid URL."), url=repr(url[:80])) from None
    if (
        parts.scheme not in ("https", "http")
        or host not in QR_HOSTS
        or parts.path.rstrip("/") != "/fe/qr"
    ):
        raise _invalid(
            _("The QR points to %(url)s, not to the AFIP check page %(page)s."),
            url=repr(url[:80]),
            page=QR_URL,
        )
    # Not parse_qs: it would turn a literal "+" of the base64 into a space.
    values = [unquote(pair[2:]) for pair in parts.query.split("&") if pair.startswith("p=")]
    if len(values) != 1:
        raise _invalid(_("The QR link has no single p= parameter with the voucher data."))
    return values[0]


def _lookup(table: dict[str, _T], value: Any) -> _T | None:
    return table.get(value) if isinstance(value, str) else None


def _scalar_text(value: Any) -> str:
    """A JSON number or string as text; "" for anything else, which every pattern rejects."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        return ""
    return str(value)


def _reject_constant(name: str) -> None:
    raise ValueError(name)


def _digits(data: dict[str, Any], key: str, meaning: Promise, max_digits: int) -> str:
    """A whole-number field, given as a JSON number or a string of digits."""
    value = data[key]
    text = _scalar_text(value)
    if not _DIGITS.fullmatch(text) or len(text) > max_digits:
        raise _invalid(
            _(
                "%(key)s (%(meaning)s) is %(value)s; expected a whole number of at most %(max)s digits."
            ),
            key=key,
            meaning=meaning,
            value=repr(value),
            max=max_digits,
        )
    return text


def _whole_number(data: dict[str, Any], key: str, meaning: Promise, max_digits: int) -> int:
    number = int(_digits(data, key, meaning, max_digits))
    if number == 0:
        raise _invalid(
            _("%(key)s (%(meaning)s) is 0; it must be at least 1."), key=key, meaning=meaning
        )
    return number


def _amount(data: dict[str, Any], key: str, meaning: Promise, *, max_decimals: int) -> Decimal:
    value = data[key]
    text = _scalar_text(value)
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise _invalid(
            _("%(key)s (%(meaning)s) is %(value)s, not a number like 1234.56."),
            key=key,
            meaning=meaning,
            value=repr(value),
        )
    if len(match[1]) > 13 or len(match[2] or "") > max_decimals:
        raise _invalid(
            _("%(key)s (%(meaning)s) is %(value)s; at most 13 digits and %(max)s decimals."),
            key=key,
            meaning=meaning,
            value=text,
            max=max_decimals,
        )
    amount = Decimal(text)
    if amount <= 0:
        raise _invalid(
            _("%(key)s (%(meaning)s) is %(value)s; it must be greater than zero."),
            key=key,
            meaning=meaning,
            value=text,
        )
    return amount


def _cuit(value: Any, key: str, meaning: Promise) -> str:
    text = _scalar_text(value)
    try:
        return normalize_cuit(text)
    except InvalidIdentifier:
        pass
    digits = _CUIT_SEPARATORS.sub("", text)
    if re.fullmatch(r"[0-9]{11}", digits) and digits[:2] in CUIT_PREFIXES:
        template = _(
            "%(key)s (%(meaning)s) is %(value)s: its check digit should be %(expected)s, not %(given)s."
        )
        params = {"expected": cuit_check_digit(digits[:10]), "given": digits[10]}
    else:
        template = _(
            "%(key)s (%(meaning)s) is %(value)s: a CUIT has 11 digits and starts with %(prefixes)s."
        )
        params = {"prefixes": ", ".join(sorted(CUIT_PREFIXES))}
    raise InvoiceRejected(
        "bad-cuit",
        template,
        params={"key": key, "meaning": meaning, "value": repr(value), **params},
    )


def _date(value: Any) -> date:
    match = _DATE.fullmatch(value) if isinstance(value, str) else None
    try:
        if match is None:
            raise ValueError(value)
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise _invalid(
            _("%(key)s is %(value)s; expected a date like %(example)s."),
            key="fecha",
            value=repr(value),
            example="2024-03-31",
        ) from None


def _receiver_ids(data: dict[str, Any]) -> tuple[str, ...]:
    if data.get("nroDocRec") in (None, ""):
        return ()
    number = _digits(data, "nroDocRec", _("receiver document number"), 20)
    has_type = data.get("tipoDocRec") not in (None, "")
    if (
        has_type
        and int(_digits(data, "tipoDocRec", _("receiver document type"), 2)) in CUIT_DOCUMENT_TYPES
    ):
        return (_cuit(number, "nroDocRec", _("receiver CUIT")),)
    return () if int(number) == 0 else (number,)


def _json_digits(text: str) -> int | str:
    """Digits as the JSON number AFIP prescribes; anything else is left for the parser to
    reject with a precise message."""
    return int(text) if _DIGITS.fullmatch(text) else text


def _json_number(amount: Decimal) -> int | float:
    # A float's repr round-trips every amount of at most 15 significant digits exactly,
    # which covers the 13 digits and 2 decimals the QR allows.
    return int(amount) if amount == amount.to_integral_value() else float(amount)
