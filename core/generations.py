"""Tokens in the shared cache that say "what was computed under me is still current".

A cached result is stored with the token it was computed under and used only while the
token is unchanged. Renewing the token drops every result of the old one at once, in every
process. A missing token (evicted, Redis restarted) is created anew and random, so it never
matches a result from before: the worst case is a recomputation, never a stale answer.

A token starts with the moment it was issued (``issued_at``), so that a result computed
while its token was renewed can be recognised and not stored (core.privatepages).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction


def new_token(issued: float | None = None) -> str:
    """A token issued now; a token created where there was none says 0 (no change renewed it)."""
    return f"{time.time() if issued is None else issued:.6f}:{secrets.token_hex(8)}"


def issued_at(token: str) -> float:
    """When ``token`` was issued (0 for a token of an older form)."""
    moment, _, _ = token.partition(":")
    try:
        return float(moment)
    except ValueError:
        return 0.0


def current(key: str, timeout: int | None = None) -> str | None:
    """The token under ``key``, creating one if there is none (None if the cache refuses)."""
    token = cache.get(key)
    if token is None:
        cache.add(key, new_token(0.0), timeout)
        token = cache.get(key)  # another process may have added first
    return token


def current_many(keys: Iterable[str], timeout: int | None = None) -> dict[str, str]:
    """The tokens under ``keys`` in one round trip, creating those missing."""
    keys = list(keys)
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, new_token(0.0), timeout)
        found.update(cache.get_many(missing))
    return found


def renew(key: str, timeout: int | None = None, using: str | None = None) -> None:
    """A new token now, so that the changing transaction reads its own change, and again after
    its commit, because another process may have stored a result of the old rows between."""
    renew_many([key], timeout, using)


def renew_many(keys: Iterable[str], timeout: int | None = None, using: str | None = None) -> None:
    keys = list(keys)
    if not keys:
        return
    _replace(keys, timeout)
    transaction.on_commit(lambda: _replace(keys, timeout), using=using)


def _replace(keys: list[str], timeout: int | None) -> None:
    cache.set_many({key: new_token() for key in keys}, timeout)
