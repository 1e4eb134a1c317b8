"""Offline verification of signed PDFs against a given set of trust roots.

Nothing is fetched: certificates and revocation data come from the file (CMS
and DSS) and from the CRLs the caller passes (e.g. its CA's current ones).

* B-B / B-T (no DSS, no document timestamp): pyHanko's validation at the
  current time. Revocation is checked against whatever data is at hand, and
  assumed fine when there is none (soft-fail): offline there is nothing else
  to ask.
* B-LT / B-LTA: ETSI EN 319 102-1 long-term validation (``ades_lta_validation``),
  with revocation data required where certificates declare it. The newest
  document timestamp must validate at the current time, so once the CRLs in
  the file are stale (30 days for the demo PKI) the caller must pass current
  ones; the document timestamps then carry the signature past its
  certificate's expiry.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate, AdESPassed, AdESSubIndic
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    SignatureCoverageLevel,
    validate_pdf_signature,
    validate_pdf_timestamp,
)
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.policy_decl import (
    CertificateFetchingRule,
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.status import (
    DocumentTimestampStatus,
    PdfSignatureStatus,
    SignatureStatus,
)
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.revinfo.archival import CRLContainer

from .loops import outside_event_loop

TrustRoot = x509.Certificate | asn1_x509.Certificate

_UNTRUSTED = "signer not trusted"
_UNTRUSTED_REASONS: dict[AdESSubIndic | None, str] = {
    AdESFailure.REVOKED: "signer certificate revoked",
    AdESIndeterminate.REVOKED_NO_POE: "signer certificate revoked",
    AdESIndeterminate.REVOKED_CA_NO_POE: "a CA certificate in the chain was revoked",
    AdESIndeterminate.EXPIRED: "signer certificate expired",
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE: "signer certificate expired",
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED: "signer certificate expired",
    AdESFailure.NOT_YET_VALID: "signer certificate not yet valid",
    AdESIndeterminate.NOT_YET_VALID: "signer certificate not yet valid",
    # Long-term validation: typically the file's CRLs are stale and no current ones were given.
    AdESIndeterminate.TRY_LATER: "revocation data missing or out of date",
    AdESIndeterminate.REVOCATION_OUT_OF_BOUNDS_NO_POE: "revocation data missing or out of date",
    AdESIndeterminate.NO_POE: "revocation data missing or out of date",
}


@dataclass(frozen=True)
class SignatureSummary:
    field_name: str
    kind: str  # "signature" or "document timestamp"
    valid: bool
    reason: str | None
    signer_common_name: str | None
    signer_organisation: str | None
    signing_time: datetime | None  # as claimed by the signer
    timestamp_time: datetime | None  # from the TSA token
    coverage: str | None
    modification_level: str | None
    pyhanko_summary: str


@dataclass(frozen=True)
class VerificationReport:
    """Whole-document verdict; signer fields describe the first signature."""

    authentic: bool
    reason: str | None  # None when authentic
    signer_common_name: str | None = None
    signer_organisation: str | None = None
    signing_time: datetime | None = None
    timestamp_time: datetime | None = None
    level: str | None = None  # "B-B", "B-T", "B-LT" or "B-LTA"
    coverage: str | None = None
    modification_level: str | None = None
    signatures: tuple[SignatureSummary, ...] = ()


def _asn1(cert: TrustRoot) -> asn1_x509.Certificate:
    if isinstance(cert, asn1_x509.Certificate):
        return cert
    return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))


def _asn1_crls(crls: Iterable[x509.CertificateRevocationList]) -> list[asn1_crl.CertificateList]:
    return [asn1_crl.CertificateList.load(c.public_bytes(Encoding.DER)) for c in crls]


def lta_validation_context(
    trust_roots: Sequence[TrustRoot],
    *,
    crls: Iterable[x509.CertificateRevocationList] = (),
    allow_fetching: bool = False,
) -> ValidationContext:
    """Context for ``extend_to_lta``: revocation data is required, so it ends up in the DSS.

    Offline (the default), the CRLs must be supplied; with ``allow_fetching``
    pyHanko downloads CRLs/OCSP responses from the URLs in the certificates.
    """
    return ValidationContext(
        trust_roots=[_asn1(c) for c in trust_roots],
        crls=_asn1_crls(crls),
        allow_fetching=allow_fetching,
        revocation_mode="require",
    )


@dataclass(frozen=True)
class _Anchors:
    roots: list[asn1_x509.Certificate]
    crls: list[asn1_crl.CertificateList]

    def context(self) -> ValidationContext:
        return ValidationContext(
            trust_roots=self.roots,
            crls=self.crls,
            allow_fetching=False,
            revocation_mode="soft-fail",
        )

    def ades_spec(self) -> PdfSignatureValidationSpec:
        declared = RevocationCheckingRule.CHECK_IF_DECLARED
        policy = CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build(trust_roots=self.roots),
            revinfo_policy=CertRevTrustPolicy(RevocationCheckingPolicy(declared, declared)),
        )
        gathering = RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY,
            certificate_fetching_rule=CertificateFetchingRule.NEVER_FETCH,
        )
        return PdfSignatureValidationSpec(
            SignatureValidationSpec(
                cert_validation_policy=policy,
                revinfo_gathering_policy=gathering,
                local_knowledge=LocalKnowledge(known_crls=[CRLContainer(c) for c in self.crls]),
            )
        )


def _name_part(status: SignatureStatus, key: str) -> str | None:
    value = status.signing_cert.subject.native.get(key)
    return value[0] if isinstance(value, list) else value


def _integrity_problem(status: PdfSignatureStatus | DocumentTimestampStatus) -> str | None:
    if not status.intact:
        return "document was modified after signing (byte changes)"
    if not status.valid:
        return "signature is cryptographically invalid"
    coverage = status.coverage
    if coverage is None or coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        return "signature does not cover its whole revision"
    level = status.modification_level
    if status.docmdp_ok is False or level is None or level is ModificationLevel.OTHER:
        return "illegal incremental modification after signing"
    if level > ModificationLevel.LTA_UPDATES:
        return f"document was changed after signing ({level.name.lower()})"
    if isinstance(status, PdfSignatureStatus) and status.timestamp_validity is not None:
        timestamp = status.timestamp_validity
        if not (timestamp.intact and timestamp.valid):
            return "signature timestamp is invalid"
    return None


def _trust_problem(status: SignatureStatus, ades: AdESSubIndic | None = None) -> str | None:
    """Trust at the current time, or per the long-term (AdES) result when given."""
    if ades is not None:
        return None if ades is AdESPassed.OK else _UNTRUSTED_REASONS.get(ades, _UNTRUSTED)
    if not status.trusted:
        return _UNTRUSTED_REASONS.get(status.trust_problem_indic, _UNTRUSTED)
    timestamp = getattr(status, "timestamp_validity", None)
    if timestamp is not None and not timestamp.trusted:
        return "signature timestamp authority not trusted"
    return None


def _summary(
    signature: EmbeddedPdfSignature,
    status: PdfSignatureStatus | DocumentTimestampStatus,
    problem: str | None,
) -> SignatureSummary:
    if isinstance(status, DocumentTimestampStatus):
        kind, signing_time, timestamp_time = "document timestamp", None, status.timestamp
    else:
        timestamp = status.timestamp_validity
        kind, signing_time = "signature", signature.self_reported_timestamp
        timestamp_time = timestamp.timestamp if timestamp is not None else None
    level = status.modification_level
    return SignatureSummary(
        field_name=signature.field_name,
        kind=kind,
        valid=problem is None,
        reason=problem,
        signer_common_name=_name_part(status, "common_name"),
        signer_organisation=_name_part(status, "organization_name"),
        signing_time=signing_time,
        timestamp_time=timestamp_time,
        coverage=status.coverage.name if status.coverage is not None else None,
        modification_level=level.name if level is not None else None,
        pyhanko_summary=status.summary(),
    )


def _level(reader: PdfFileReader, signature: EmbeddedPdfSignature, timestamped: bool) -> str:
    later_timestamps = [
        ts
        for ts in reader.embedded_timestamp_signatures
        if ts.signed_revision > signature.signed_revision
    ]
    if "/DSS" in reader.root and later_timestamps:
        return "B-LTA"
    if "/DSS" in reader.root:
        return "B-LT"
    return "B-T" if timestamped else "B-B"


def _check_signature(
    reader: PdfFileReader, signature: EmbeddedPdfSignature, anchors: _Anchors
) -> tuple[SignatureSummary, str]:
    long_term = "/DSS" in reader.root or bool(reader.embedded_timestamp_signatures)
    if long_term:
        result = asyncio.run(ades_lta_validation(signature, anchors.ades_spec()))
        status = result.api_status
        if not isinstance(status, PdfSignatureStatus):
            raise ValueError(result.failure_msg or "long-term validation failed")
        problem = _integrity_problem(status) or _trust_problem(status, result.ades_subindic)
    else:
        context = anchors.context()
        status = validate_pdf_signature(signature, context, context)
        problem = _integrity_problem(status) or _trust_problem(status)
    summary = _summary(signature, status, problem)
    return summary, _level(reader, signature, summary.timestamp_time is not None)


@outside_event_loop
def verify_pdf(
    pdf: bytes,
    trust_roots: Sequence[TrustRoot],
    *,
    crls: Iterable[x509.CertificateRevocationList] = (),
) -> VerificationReport:
    """Verify every signature and document timestamp in ``pdf``; never raises.

    ``crls``: current CRLs known to the caller, checked alongside those in the
    file (see the module docstring for when they are needed).
    """
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # any parsing failure means the same thing to the caller
        return VerificationReport(authentic=False, reason="not a PDF file (or a damaged one)")
    regular = reader.embedded_regular_signatures
    if not regular:
        return VerificationReport(authentic=False, reason="no signature")

    anchors = _Anchors([_asn1(c) for c in trust_roots], _asn1_crls(crls))
    timestamps = reader.embedded_timestamp_signatures
    summaries: list[SignatureSummary] = []
    levels: list[str] = []
    for signature in signatures:
        try:
            if signature.sig_object_type == "/DocTimeStamp":
                status = validate_pdf_timestamp(signature, anchors.context())
                problem = _integrity_problem(status)
                # Earlier archive timestamps may have expired: the next one vouches for them.
                if problem is None and signature is timestamps[-1]:
                    problem = _trust_problem(status)
                summaries.append(_summary(signature, status, problem))
            else:
                summary, level = _check_signature(reader, signature, anchors)
                summaries.append(summary)
                levels.append(level)
        except Exception as exc:  # a malformed signature is a verdict, not a crash
            return VerificationReport(
                authentic=False,
                reason=f"signature {signature.field_name!r} could not be validated: {exc}",
                signatures=tuple(summaries),
            )

    first = next(s for s in summaries if s.kind == "signature")
    failed = next((s for s in summaries if not s.valid), None)
    reason = None
    if failed is not None:
        reason = failed.reason if failed.kind == "signature" else f"{failed.kind}: {failed.reason}"
    return VerificationReport(
        authentic=failed is None,
        reason=reason,
        signer_common_name=first.signer_common_name,
        signer_organisation=first.signer_organisation,
        signing_time=first.signing_time,
        timestamp_time=first.timestamp_time,
        level=levels[0],
        coverage=first.coverage,
        modification_level=first.modification_level,
        signatures=tuple(summaries),
    )
