"""Captcha-free abuse control for the public contact form: a few messages per hour."""

from __future__ import annotations

import hashlib

from django.core.cache import cache

WINDOW_SECONDS = 3600
LIMITS = {"ip": 5, "email": 3}


def over_limit(kind: str, value: str) -> bool:
    """Count this attempt; True once ``value`` went over its hourly limit."""
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    key = f"contact-form:{kind}:{digest}"
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        return cache.incr(key) > LIMITS[kind]
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        return False
