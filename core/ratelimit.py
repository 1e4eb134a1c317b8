"""Fixed-window counters in the shared cache, for public forms without a captcha.

The cache must be shared by every web process (check --deploy insists), or each process
would count on its own.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def over_limit(scope: str, value: str, *, limit: int, window_seconds: int) -> bool:
    """Count this attempt of ``value`` (an address, an e-mail); True once it went over
    ``limit`` attempts in the current window. Values are hashed: no personal data in keys."""
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{digest}"
    cache.add(key, 0, window_seconds)
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr: this attempt starts a new window
        cache.set(key, 1, window_seconds)
        return False
