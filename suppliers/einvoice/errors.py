"""The one exception invoice intake raises for anything it will not accept."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from django.utils import translation
from django.utils.functional import Promise

RejectionCode = Literal[
    "file-too-large",
    "unsupported-format",
    "malformed-xml",
    "not-pdf",
    "malformed-pdf",
    "no-embedded-xml",
    "zugferd-1",
    "missing-field",
    "invalid-value",
    "line-sum-mismatch",
    "totals-mismatch",
    "invalid-qr",
    "no-qr",
    "bad-cuit",
    # Raised by suppliers.services.intake, once the invoice is read and checked against
    # the supplier who uploads it and its purchase order.
    "seller-mismatch",
    "buyer-mismatch",
    "po-mismatch",
    "duplicate",
    "supplier-not-active",
    "no-lines",
    "future-date",
    "wrong-letter",
]


class InvoiceRejected(Exception):
    """An uploaded invoice was refused.

    ``code`` is a stable slug the web layer translates. ``detail`` names the element or
    field and the values involved: either a plain English sentence, or (as the file
    parsers give it) a translatable template whose ``params`` carry the element paths and
    values, so ``localized_detail()`` says it in the reader's language while ``detail``
    stays English for logs and the supplier's software vendor. ``explanation``, when
    given, is a sentence already in the active language for the supplier's page.
    """

    def __init__(
        self,
        code: RejectionCode,
        detail: str | Promise,
        explanation: str = "",
        *,
        params: Mapping[str, object] | None = None,
    ) -> None:
        self.code: RejectionCode = code
        self.template = detail
        self.params = dict(params or {})
        self.explanation = explanation
        super().__init__(self.detail)

    @property
    def is_translatable(self) -> bool:
        return isinstance(self.template, Promise)

    def localized_detail(self) -> str:
        """The detail in the active language; a parameter that is itself translatable (an
        element's meaning, a rejection it wraps) is rendered in that language too."""
        if not self.params:
            return str(self.template)
        return self.template % {
            key: value.localized_detail()
            if isinstance(value, InvoiceRejected)
            else str(value)
            if isinstance(value, Promise)
            else value
            for key, value in self.params.items()
        }

    @property
    def detail(self) -> str:
        with translation.override("en"):
            return self.localized_detail()

    def __repr__(self) -> str:
        return f"InvoiceRejected({self.code!r}, {self.detail!r})"
