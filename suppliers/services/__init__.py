"""State changes of the supplier portal; each runs in one transaction with its audit event."""


class SupplierActionError(Exception):
    """The action is not possible now; the message says why, ready to show."""
