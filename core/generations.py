"""Tokens in the shared cache that say "what was computed under me is still current".

A cached result is stored with the token it was computed under and used only while the
token is unchanged. Renewing the token drops every result of the old one at once, in every
process. A missing token (evicted, Redis restarted) is created anew and random, so it never
matches a result from before: the worst case is a recomputation, never a stale answer.
"""

from __future__ import annotations

import secrets

from django.core.cache import cache
from django.db import transaction


def current(key: str, timeout: int | None = None) -> str | None:
    """The token under ``key``, creating one if there is none (None if the cache refuses)."""
    token = cache.get(key)
    if token is None:
        cache.add(key, secrets.token_hex(16), timeout)
        token = cache.get(key)  # another process may have added first
    return token


def renew(key: str, timeout: int | None = None, using: str | None = None) -> None:
    """A new token now, so that the changing transaction reads its own change, and again after
    its commit, because another process may have stored a result of the old rows between."""
    _replace(key, timeout)
    transaction.on_commit(lambda: _replace(key, timeout), using=using)


def _replace(key: str, timeout: int | None) -> None:
    cache.set(key, secrets.token_hex(16), timeout)
