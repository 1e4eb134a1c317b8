"""Signed documents: PDFs about a subject of any app, rendered to PDF/A, signed and verifiable.

``documents.signing`` is the library layer (rendering, PKI, signers, signing,
verification) and has no Django dependencies; the modules next to it are the
Django app built on it. The app knows nothing of cases or payments: a higher
app gives a document's content and hears about it through ``documents.hooks``.
"""
