"""State changes of the supplier portal; each runs in one transaction with its audit event."""
