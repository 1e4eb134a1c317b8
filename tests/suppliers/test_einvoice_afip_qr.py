"""AFIP/ARCA electronic voucher QR codes (RG 4291)."""

from __future__ import annotations

import base64
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from core.identifiers import make_cuit
from suppliers.einvoice import InvoiceRejected, build_qr_url, parse_afip_qr, parse_invoice_file

ISSUER = make_cuit("30", "71234567")
MUNICIPALITY = make_cuit("30", "99999999")
VALID = {
    "ver": 1,
    "fecha": "2025-03-14",
    "cuit": int(ISSUER),
    "ptoVta": 3,
    "tipoCmp": 1,
    "nroCmp": 1234,
    "importe": 121000.5,
    "moneda": "PES",
    "ctz": 1,
    "tipoDocRec": 80,
    "nroDocRec": int(MUNICIPALITY),
    "tipoCodAut": "E",
    "codAut": 75123456789012,
}


def payload(**changes: Any) -> str:
    """Base64 of the valid QR data with ``changes`` applied; a None value drops the key."""
    data = {key: value for key, value in {**VALID, **changes}.items() if value is not None}
    return base64.b64encode(json.dumps(data).encode()).decode()


def url(**changes: Any) -> str:
    return f"https://www.afip.gob.ar/fe/qr/?p={payload(**changes)}"


def rejection(qr: str) -> InvoiceRejected:
    with pytest.raises(InvoiceRejected) as caught:
        parse_afip_qr(qr)
    return caught.value


def test_valid_qr() -> None:
    invoice = parse_afip_qr(url())

    assert (invoice.format, invoice.document_kind) == ("afip-qr", "invoice")
    assert invoice.number == "00003-00001234"
    assert invoice.issue_date == date(2025, 3, 14)
    assert invoice.currency == "ARS"
    assert invoice.seller_tax_ids == (ISSUER,)
    assert invoice.buyer_tax_ids == (MUNICIPALITY,)
    assert invoice.payable_total == invoice.tax_inclusive_total == Decimal("121000.5")
    assert (invoice.net_total, invoice.tax_total, invoice.lines) == (None, None, ())
    assert invoice.afip is not None
    assert (invoice.afip.cae, invoice.afip.cae_kind) == ("75123456789012", "CAE")
    assert (invoice.afip.voucher_type, invoice.afip.point_of_sale) == (1, 3)
    assert invoice.to_json_dict()["totals"]["payable"] == "121000.5"


@pytest.mark.parametrize("voucher_type", [3, 8, 13, 53, 203, 208, 213])
def test_credit_notes(voucher_type: int) -> None:
    assert parse_afip_qr(url(tipoCmp=voucher_type)).document_kind == "credit_note"


def test_payload_alone_urlsafe_and_unpadded() -> None:
    data = payload(importe=99.99, moneda="DOL", ctz=1050.25, tipoCodAut="A")
    urlsafe = data.replace("+", "-").replace("/", "_").rstrip("=")
    invoice = parse_afip_qr(urlsafe)

    assert (invoice.currency, invoice.payable_total) == ("USD", Decimal("99.99"))
    assert invoice.afip is not None
    assert (invoice.afip.cae_kind, invoice.afip.exchange_rate) == ("CAEA", Decimal("1050.25"))


def test_string_fields_and_arca_host() -> None:
    qr = "https://www.arca.gob.ar/fe/qr/?p=" + payload(cuit=ISSUER, importe="500.00")
    assert parse_afip_qr(qr).payable_total == Decimal("500.00")


def test_consumer_without_document() -> None:
    invoice = parse_afip_qr(url(tipoCmp=6, tipoDocRec=99, nroDocRec=0))
    assert invoice.buyer_tax_ids == ()


def test_parse_invoice_file_recognises_a_qr_link() -> None:
    assert parse_invoice_file(url().encode() + b"\n").format == "afip-qr"


def test_build_qr_url_round_trips() -> None:
    qr = build_qr_url(
        cuit=ISSUER,
        issue_date=date(2025, 3, 14),
        point_of_sale=12,
        voucher_type=11,
        voucher_number=99999999,
        total=Decimal("1234567890123.45"),
        cae="75123456789012",
        receiver_document_type=80,
        receiver_document_number=MUNICIPALITY,
    )
    invoice = parse_afip_qr(qr)

    assert qr.startswith("https://www.afip.gob.ar/fe/qr/?p=")
    assert invoice.number == "00012-99999999"
    assert invoice.payable_total == Decimal("1234567890123.45")
    assert invoice.buyer_tax_ids == (MUNICIPALITY,)


def test_build_qr_url_refuses_bad_data() -> None:
    with pytest.raises(InvoiceRejected) as caught:
        build_qr_url(
            cuit="30-71234567-0",
            issue_date=date(2025, 3, 14),
            point_of_sale=1,
            voucher_type=1,
            voucher_number=1,
            total=Decimal("10"),
            cae="75123456789012",
        )
    assert caught.value.code == "bad-cuit"


def test_bad_cuit_check_digit() -> None:
    wrong = ISSUER[:10] + str((int(ISSUER[10]) + 1) % 10)
    rejected = rejection(url(cuit=int(wrong)))

    assert rejected.code == "bad-cuit"
    assert rejected.detail == (
        f"cuit (issuer CUIT) is {int(wrong)}: its check digit should be {ISSUER[10]}, "
        f"not {wrong[10]}."
    )


def test_bad_receiver_cuit() -> None:
    rejected = rejection(url(nroDocRec=20123456780))
    assert (rejected.code, rejected.detail.split(" is ")[0]) == (
        "bad-cuit",
        "nroDocRec (receiver CUIT)",
    )


def test_bad_base64() -> None:
    assert rejection("https://www.afip.gob.ar/fe/qr/?p=not*base64!").code == "invalid-qr"


def test_not_json() -> None:
    rejected = rejection(base64.b64encode(b"ver=1").decode())
    assert (rejected.code, rejected.detail) == ("invalid-qr", "The QR data is not JSON.")


@pytest.mark.parametrize("key", ["codAut", "importe", "cuit"])
def test_missing_key(key: str) -> None:
    rejected = rejection(url(**{key: None}))
    assert (rejected.code, rejected.detail) == ("missing-field", f"The QR data lacks {key}.")


def test_unknown_voucher_type() -> None:
    rejected = rejection(url(tipoCmp=99))

    assert rejected.code == "invalid-qr"
    assert rejected.detail.startswith("tipoCmp 99 is not a known")


@pytest.mark.parametrize("amount", ["abc", "12,50", "1e5", True, [1]])
def test_non_numeric_amount(amount: Any) -> None:
    rejected = rejection(url(importe=amount))

    assert rejected.code == "invalid-qr"
    assert rejected.detail.startswith("importe (voucher total) is ")


@pytest.mark.parametrize(
    ("changes", "start"),
    [
        ({"importe": 0}, "importe (voucher total) is 0; it must be greater than zero"),
        ({"importe": 10.123}, "importe (voucher total) is 10.123; at most 13 digits"),
        ({"codAut": 123}, "codAut is 123; an authorisation code has 14 digits"),
        ({"tipoCodAut": "X"}, "tipoCodAut is 'X'"),
        ({"moneda": "XYZ"}, "moneda is 'XYZ'"),
        ({"moneda": ["PES"]}, "moneda is ['PES']"),
        ({"fecha": "2025-02-30"}, "fecha is '2025-02-30'"),
        ({"ptoVta": 0}, "ptoVta (point of sale) is 0"),
        ({"nroCmp": 123456789}, "nroCmp (voucher number) is 123456789"),
        ({"ver": 2}, "ver is 2"),
    ],
)
def test_invalid_fields(changes: dict[str, Any], start: str) -> None:
    rejected = rejection(url(**changes))

    assert rejected.code == "invalid-qr"
    assert rejected.detail.startswith(start)


def test_foreign_link() -> None:
    rejected = rejection(f"https://afip.example.com/fe/qr/?p={payload()}")

    assert rejected.code == "invalid-qr"
    assert "not to the AFIP check page" in rejected.detail
