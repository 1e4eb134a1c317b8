"""`check --deploy`: documents are never signed with the demo PKI in production.

The signers are plugins (``documents.keys.SEALS`` and ``OFFICIAL_SIGNERS``), which the
registry check reports one by one (core.E101-E103); this check says it once for the PKI
as a whole, trust roots and CA chain included, with what to configure.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from . import keys


@checks.register(checks.Tags.security, deploy=True)
def demo_signing_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if settings.DEBUG or not keys.uses_demo_pki():
        return []
    return [
        checks.Error(
            "No signing key is configured: documents would be signed and verified with the "
            "demo PKI (a key anybody can make), so nothing will be signed.",
            hint="Set the municipal seal (SIGNING_SEAL_BACKEND with SIGNING_SEAL_PKCS12_PATH, "
            "or SIGNING_SEAL_PKCS11_*), SIGNING_OFFICIAL_BACKEND=pkcs11, SIGNING_CA_CHAIN and "
            "SIGNING_TRUST_ROOTS_DIR, as .env.example describes.",
            id="documents.E001",
        )
    ]
