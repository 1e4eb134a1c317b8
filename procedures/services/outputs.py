"""The document a case produces when its last step is approved, through the signing pipeline.

Certificates and acknowledgements are sealed by the municipality on the
signing queue (``documents.services.request_document``); a resolution was
already signed by the approving official, with their PIN, when they approved
(``documents.services.sign_resolution``, called by ``review.decide``).
"""

from __future__ import annotations

import logging

from documents import services as documents
from documents.models import SignedDocument

from ..models import Case
from .catalog import definition_of

log = logging.getLogger(__name__)


def produce_output(case: Case) -> SignedDocument | None:
    """Idempotent: a case has one current output document."""
    kind = definition_of(case.version).output.kind
    if kind == "none":
        return None
    if kind == SignedDocument.Kind.RESOLUTION:
        resolution = documents.announce_resolution(case)
        if resolution is not None:
            return resolution
        # Approved before officials signed resolutions: the municipality seals it instead.
        log.warning("%s has no signed resolution: sealing it", case.reference)
    return documents.request_document(case=case, kind=kind)
