"""Signed documents: every output a case produces, rendered to PDF/A, signed and verifiable.

``documents.signing`` is the library layer (rendering, PKI, signers, signing,
verification) and has no Django dependencies; the modules next to it are the
Django app built on it.
"""
