"""Rendering, signing and verifying PDF/A documents (no Django dependencies)."""
