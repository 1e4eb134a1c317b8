"""Is this document authentic and still valid? The one answer the page and the command give."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from . import keys, selectors
from .models import SignedDocument
from .signing.sign import sha256_hex
from .signing.verify import VerificationReport, verify_pdf


class Verdict:
    VALID = "valid"  # authentic, and in force
    REVOKED = "revoked"  # authentic, but revoked by the municipality
    SUPERSEDED = "superseded"  # authentic, but replaced by a newer document
    NOT_AUTHENTIC = "not_authentic"
    UNKNOWN_CODE = "unknown_code"


@dataclass(frozen=True)
class Verification:
    verdict: str
    document: SignedDocument | None = None
    reason: str = ""  # why it is not authentic, in the reader's language
    report: VerificationReport | None = None  # when a file was checked

    @property
    def authentic(self) -> bool:
        return self.verdict in (Verdict.VALID, Verdict.REVOKED, Verdict.SUPERSEDED)

    @property
    def valid(self) -> bool:
        return self.verdict == Verdict.VALID

    @property
    def timestamp(self) -> datetime | None:
        if self.report is not None and self.report.timestamp_time is not None:
            return self.report.timestamp_time
        return self.document.timestamped_at if self.document else None


def _reason_text(reason: str | None) -> str:
    """The library's reasons (stable English phrases) as the reader reads them."""
    reason = reason or ""
    known = {
        "not a PDF file (or a damaged one)": _("It is not a PDF file, or the file is damaged."),
        "no signature": _("The file has no digital signature."),
        "document was modified after signing (byte changes)": _(
            "The file was modified after it was signed."
        ),
        "signature is cryptographically invalid": _("The signature does not match the file."),
        "signature does not cover its whole revision": _(
            "The signature does not cover the whole document."
        ),
        "illegal incremental modification after signing": _(
            "Content was added to or changed in the file after it was signed."
        ),
        "signature timestamp is invalid": _("The signature's timestamp is not valid."),
        "signer not trusted": _(
            "The signature was not made with a certificate of this municipality."
        ),
        "signer certificate revoked": _("The signer's certificate was revoked."),
        "a CA certificate in the chain was revoked": _("A certificate of the chain was revoked."),
        "signer certificate expired": _("The signer's certificate had expired."),
        "signer certificate not yet valid": _("The signer's certificate was not yet valid."),
        "revocation data missing or out of date": _(
            "The revocation data needed to check the signature is missing or out of date."
        ),
        "signature timestamp authority not trusted": _(
            "The signature's timestamp comes from an authority that is not trusted."
        ),
    }
    if reason in known:
        return known[reason]
    if reason.startswith("document was changed after signing"):
        return known["illegal incremental modification after signing"]
    if reason.startswith("document timestamp: "):
        return _("An archive timestamp of the file is not valid.")
    return _("The signature could not be validated (%(detail)s).") % {"detail": reason}


def _by_status(document: SignedDocument, report: VerificationReport | None) -> Verification:
    verdict = {
        SignedDocument.Status.ISSUED: Verdict.VALID,
        SignedDocument.Status.REVOKED: Verdict.REVOKED,
        SignedDocument.Status.SUPERSEDED: Verdict.SUPERSEDED,
    }.get(document.status)
    if verdict is None:  # pending: nothing was issued yet
        return Verification(Verdict.UNKNOWN_CODE)
    return Verification(verdict, document=document, report=report)


def check_code(text: str) -> Verification:
    """What the portal's records say about the document with this code."""
    document = selectors.by_code(text)
    if document is None:
        return Verification(Verdict.UNKNOWN_CODE)
    return _by_status(document, None)


def check_file(data: bytes) -> Verification:
    """Validate the file's signatures against the municipality's trust roots, then find it."""
    report = verify_pdf(data, keys.trust_roots(), crls=keys.crls())
    if not report.authentic:
        return Verification(
            Verdict.NOT_AUTHENTIC, reason=_reason_text(report.reason), report=report
        )
    document = selectors.by_sha256(sha256_hex(data))
    if document is None:
        return Verification(
            Verdict.NOT_AUTHENTIC,
            reason=_(
                "The signature is valid, but this portal did not issue this file: "
                "it is not one of its documents."
            ),
            report=report,
        )
    return _by_status(document, report)
