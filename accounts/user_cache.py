"""The logged-in user of each request read from the shared cache, not from the database.

Every logged-in request loads its user (Django's ``get_user``): one query each time. Here
one cache read answers instead, while the user's scope token (core.privatepages: renewed
whenever the user's row, or a row pointing to the user, changes) is the one the entry was
stored under. The token is read before the row, so a change committed after that read
renews it and what is stored is never taken for current; nothing is stored from inside a
transaction, whose reads may still be rolled back. Only with a shared cache
(``ACCOUNTS_PERMISSION_CACHE``, as the permissions).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from core import generations, privatepages

TIMEOUT = 3600


def _entry_key(user_pk: Any) -> str:
    return f"accounts:user:{user_pk}"


def cached(user_pk: Any, load: Callable[[], Any]) -> Any:
    """The user with this pk, from the cache or from ``load()`` (None: no such active user)."""
    if not settings.ACCOUNTS_PERMISSION_CACHE:
        return load()
    from django.contrib.auth import get_user_model

    token_key = privatepages.scope_key(privatepages.scope(get_user_model(), user_pk))
    entry_key = _entry_key(user_pk)
    found = cache.get_many([token_key, entry_key])
    token, entry = found.get(token_key), found.get(entry_key)
    if token is not None and entry is not None and entry[0] == token:
        return entry[1]
    token = token or generations.current(token_key, privatepages.TOKEN_SECONDS)
    user = load()
    if user is not None and token is not None and not transaction.get_connection().in_atomic_block:
        cache.set(entry_key, (token, user), TIMEOUT)
    return user
