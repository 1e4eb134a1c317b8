"""Plugins in one registry pattern; check --deploy refuses demo and misconfigured ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.checks import plugins_fit_for_production
from core.identifiers import make_cbu
from core.registry import PluginRegistry, Registry
from documents.keys import OFFICIAL_SIGNERS, SEALS
from payables.exporters import BANK_FILES
from payments.providers import ONLINE
from suppliers.einvoice import INVOICE_FORMATS


def test_a_key_is_registered_once():
    registry: Registry[str] = Registry("greeting")
    registry.register("es", "hola")
    registry.register("es", "hola")  # the same again is harmless (modules imported twice)
    with pytest.raises(ValueError, match="already registered"):
        registry.register("es", "buenas")
    with pytest.raises(LookupError, match=r"unknown greeting 'it' \(known: es\)"):
        registry.get("it")


def test_each_integration_is_in_one_registry_with_real_and_demo_plugins():
    assert {plugin.key: plugin.demo for plugin in BANK_FILES} == {
        "pain.001.001.09": False,
        "pain.001.001.09-strd": False,
        "demo-csv": True,
    }
    assert {plugin.key: plugin.demo for plugin in OFFICIAL_SIGNERS} == {
        "pkcs11": False,
        "pkcs12-pin": True,
    }
    assert set(SEALS.keys()) == {"pkcs12", "pkcs11"}
    assert set(INVOICE_FORMATS.keys()) == {"facturx", "xml", "afip-qr"}
    assert {plugin.key: plugin.demo for plugin in ONLINE} == {"mercadopago": False, "demo": True}
    assert {BANK_FILES, SEALS, OFFICIAL_SIGNERS, INVOICE_FORMATS, ONLINE} <= set(
        PluginRegistry.every
    )


@pytest.fixture
def production(settings, tmp_path: Path):
    """A deployment with real keys configured (the files need only exist for the check)."""
    seal = tmp_path / "sello.p12"
    seal.write_bytes(b"not read by the check")
    module = tmp_path / "libpkcs11.so"
    module.write_bytes(b"")
    settings.DEBUG = False
    settings.SIGNING_SEAL_BACKEND = "pkcs12"
    settings.SIGNING_SEAL_PKCS12_PATH = str(seal)
    settings.SIGNING_OFFICIAL_BACKEND = "pkcs11"
    settings.SIGNING_PKCS11_MODULE = str(module)
    settings.SIGNING_CA_CHAIN = str(tmp_path / "chain.pem")
    settings.PAYABLES_EXPORTER = "pain.001.001.09"
    settings.PAYABLES_DEBTOR_CBU = make_cbu("0110001", "0000000000123")
    settings.CONTACT_WHATSAPP_BACKEND = "cloud-api"
    settings.WHATSAPP_PHONE_NUMBER_ID = "106540352242922"
    settings.WHATSAPP_ACCESS_TOKEN = "EAAG-production-token"
    settings.WHATSAPP_APP_SECRET = "app-secret"
    settings.WHATSAPP_VERIFY_TOKEN = "verify-token"
    settings.PAYMENTS_ONLINE_PROVIDER = "mercadopago"
    settings.MERCADOPAGO_ACCESS_TOKEN = "APP_USR-123"
    settings.MERCADOPAGO_WEBHOOK_SECRET = "a-webhook-secret"
    settings.SUPPLIERS_AFIP_CHECKER = "afip-wscdc"
    settings.SUPPLIERS_AFIP_REGISTER = "afip-padron-a5"
    settings.AFIP_CERT_PATH = settings.AFIP_KEY_PATH = str(tmp_path / "afip.pem")
    return settings


def _errors() -> list[tuple[str, str]]:
    return [(error.id, error.msg) for error in plugins_fit_for_production()]


def test_a_production_configuration_passes(production):
    assert _errors() == []


def test_demo_plugins_in_production_are_errors(production):
    production.SIGNING_SEAL_PKCS12_PATH = ""  # the demo PKI would seal
    production.SIGNING_OFFICIAL_BACKEND = "pkcs12-pin"
    production.PAYABLES_EXPORTER = "demo-csv"
    production.PAYMENTS_ONLINE_PROVIDER = "demo"
    assert {(code, message.split(" (")[0]) for code, message in _errors()} == {
        ("core.E102", "The seal signer 'pkcs12'"),
        ("core.E102", "The officials' signer 'pkcs12-pin'"),
        ("core.E102", "The bank file format 'demo-csv'"),
        ("core.E102", "The online payment provider 'demo'"),
    }
    production.DEBUG = True  # fine on a developer's machine
    assert _errors() == []


def test_misconfigured_and_unknown_plugins_are_errors(production, tmp_path):
    production.PAYABLES_DEBTOR_CBU = ""
    production.SIGNING_SEAL_PKCS12_PATH = str(tmp_path / "missing.p12")
    production.SIGNING_OFFICIAL_BACKEND = "hsm-in-the-cloud"
    production.MERCADOPAGO_WEBHOOK_SECRET = ""
    assert sorted(_errors()) == [
        (
            "core.E101",
            "SIGNING_OFFICIAL_BACKEND='hsm-in-the-cloud' is not a known officials' signer.",
        ),
        (
            "core.E103",
            "bank file format 'pain.001.001.09': PAYABLES_DEBTOR_CBU is not set: files cannot "
            "name the paying account.",
        ),
        (
            "core.E103",
            "online payment provider 'mercadopago': MERCADOPAGO_WEBHOOK_SECRET is not set",
        ),
        (
            "core.E103",
            f"seal signer 'pkcs12': SIGNING_SEAL_PKCS12_PATH {tmp_path / 'missing.p12'} is not a file.",
        ),
    ]


def test_people_are_offered_demo_plugins_only_while_debugging(production):
    assert [plugin.key for plugin in BANK_FILES.usable()] == [
        "pain.001.001.09",
        "pain.001.001.09-strd",
    ]
    production.DEBUG = True
    assert [plugin.key for plugin in BANK_FILES.usable()] == [
        "pain.001.001.09",
        "pain.001.001.09-strd",
        "demo-csv",
    ]
