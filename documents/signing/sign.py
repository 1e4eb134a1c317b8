"""PAdES signatures: B-B / B-T at issue time, then B-LT / B-LTA on demand.

Each step is an incremental update, so earlier signatures and PDF/A
conformance survive. The functions are synchronous (pyHanko runs its own
event loop): call them from worker threads or Celery tasks, not from inside a
running event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from datetime import datetime
from io import BytesIO

from asn1crypto import cms
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, PdfTimeStamper, Signer
from pyhanko.sign.signers.pdf_signer import TimestampDSSContentSettings
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.validation import DocumentSecurityStore, collect_validation_info
from pyhanko_certvalidator import ValidationContext

from .loops import outside_event_loop

MD_ALGORITHM = "sha256"
# Room reserved for the CMS container, in DER bytes. Knowing it up front spares
# pyHanko a dry-run signature (and a TSA round trip) just to measure the size.
# Signed attributes, an RSA signature and framing fit in 2 KiB; certificates
# come on top.
_SIGNATURE_OVERHEAD = 2048
# A timestamp token carries the TSA's own chain: the demo TSA's is ~4 KiB,
# common public TSAs stay well below this.
_TIMESTAMP_ALLOWANCE = 8192


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+\d+\s*\]")


def timestamp_time(pdf: bytes) -> datetime | None:
    """The TSA's time in the latest signature's timestamp token (None without one, i.e. B-B).

    Read, not validated, and without parsing the whole PDF (that would cost
    as much as the hashing and signing): for records about a file this code
    just signed. Document timestamps (B-LTA) are skipped.
    """
    for byte_range in reversed(list(_BYTE_RANGE.finditer(pdf))):
        _start, contents_start, contents_end = (int(n) for n in byte_range.groups())
        # The CMS, hex-encoded between "<" and ">", padded with zeros to the space reserved.
        der = bytes.fromhex(pdf[contents_start + 1 : contents_end - 1].decode("ascii"))
        signed_data = cms.ContentInfo.load(der, strict=False)["content"]
        if signed_data["encap_content_info"]["content_type"].native == "tst_info":
            continue  # a document timestamp, not a signature
        unsigned = signed_data["signer_infos"][0]["unsigned_attrs"]
        for attribute in unsigned if unsigned.native is not None else ():
            if attribute["type"].native == "signature_time_stamp_token":
                token = attribute["values"][0]["content"]
                return token["encap_content_info"]["content"].parsed["gen_time"].native
        return None
    return None


def _bytes_reserved(signer: Signer, timestamped: bool) -> int:
    """pyHanko's ``bytes_reserved``, which counts hex digits: two per DER byte."""
    certs = [signer.signing_cert, *signer.cert_registry]
    size = _SIGNATURE_OVERHEAD + sum(len(cert.dump()) for cert in certs if cert is not None)
    if timestamped:
        size += _TIMESTAMP_ALLOWANCE
    return 2 * size


@outside_event_loop
def sign_pdf(
    pdf: bytes,
    signer: Signer,
    *,
    certify: bool,
    timestamper: TimeStamper | None,
    field_name: str,
    reason: str,
    location: str,
    contact: str | None = None,
) -> bytes:
    """Sign ``pdf``: PAdES B-B, or B-T when a ``timestamper`` is given.

    ``certify=True`` makes a certification (author) signature that forbids any
    later change except PAdES long-term validation updates (DSS and document
    timestamps, which validators accept under DocMDP level 1).
    """
    metadata = PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm=MD_ALGORITHM,
        reason=reason,
        location=location,
        contact_info=contact,
        subfilter=SigSeedSubFilter.PADES,
        certify=certify,
        docmdp_permissions=MDPPerm.NO_CHANGES,
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    output = BytesIO()
    PdfSigner(metadata, signer, timestamper=timestamper).sign_pdf(
        writer,
        bytes_reserved=_bytes_reserved(signer, timestamper is not None),
        output=output,
    )
    return output.getvalue()


async def _extend_to_lta(
    pdf: bytes, validation_context: ValidationContext, timestamper: TimeStamper
) -> bytes:
    reader = PdfFileReader(BytesIO(pdf))
    signatures = reader.embedded_signatures
    if not signatures:
        raise ValueError("the document has no signature to extend")
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    # No per-signature VRI entries (optional, and deprecated in PAdES): a
    # renewal would have to rewrite them, which validators flag as a suspicious
    # change. The DSS's global certificate/CRL/OCSP arrays serve every signature.
    for signature in signatures:
        # Validating the chain is what gathers the CRLs/OCSP responses it needs.
        paths = await collect_validation_info(signature, validation_context)
        DocumentSecurityStore.supply_dss_in_writer(
            writer, None, paths=paths, validation_context=validation_context
        )
    output = BytesIO()
    token_size = len((await timestamper.async_dummy_response(MD_ALGORITHM)).dump())
    await PdfTimeStamper(timestamper).async_timestamp_pdf(
        writer,
        MD_ALGORITHM,
        validation_context,
        bytes_reserved=2 * (token_size + _SIGNATURE_OVERHEAD),
        output=output,
        dss_settings=TimestampDSSContentSettings(include_vri=False),
    )
    return output.getvalue()


@outside_event_loop
def extend_to_lta(
    pdf: bytes, validation_context: ValidationContext, timestamper: TimeStamper
) -> bytes:
    """Add validation data for every signature (DSS, B-LT) and a document timestamp (B-LTA).

    The signatures should be B-T already: ``verify_pdf`` validates B-LTA with
    pyHanko's AdES long-term validation, which requires a signature timestamp.

    ``validation_context`` decides where revocation data comes from: give it
    the CRLs/OCSP responses, or allow fetching. Run it again before the last
    timestamp's certificate expires to renew the archive timestamp chain.
    """
    return asyncio.run(_extend_to_lta(pdf, validation_context, timestamper))
