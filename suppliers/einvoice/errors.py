"""The one exception invoice intake raises for anything it will not accept."""

from __future__ import annotations

from typing import Literal

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

    ``code`` is a stable slug the web layer translates; ``detail`` is a precise English
    explanation naming the element or field and the values involved (for logs and the
    supplier's software vendor); ``explanation``, when given, says the same in the active
    language for the supplier's page.
    """

    def __init__(self, code: RejectionCode, detail: str, explanation: str = "") -> None:
        super().__init__(detail)
        self.code: RejectionCode = code
        self.detail = detail
        self.explanation = explanation

    def __repr__(self) -> str:
        return f"InvoiceRejected({self.code!r}, {self.detail!r})"
