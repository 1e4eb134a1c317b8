"""Mercado Pago's webhook signature, as its documentation describes it.

Header ``x-signature: ts=<ts>,v1=<hex>``; the signed text is
``id:<data.id>;request-id:<x-request-id>;ts:<ts>;`` with the missing parts left
out and ``data.id`` lowercased when alphanumeric; ``v1`` is the hex HMAC-SHA256
of it under the application's secret. ``ts`` comes in seconds in the documented
examples and in milliseconds in some deliveries: both are accepted.
"""

from __future__ import annotations

import hashlib
import hmac
import time

# How far a notification's timestamp may be from our clock.
TOLERANCE_SECONDS = 300


class BadSignature(Exception):
    """The notification is unsigned, wrongly signed or stale; the message says which."""


def manifest(data_id: str, request_id: str, ts: str) -> str:
    parts = []
    if data_id:
        parts.append(f"id:{data_id.lower() if data_id.isalnum() else data_id};")
    if request_id:
        parts.append(f"request-id:{request_id};")
    if ts:
        parts.append(f"ts:{ts};")
    return "".join(parts)


def sign(secret: str, *, data_id: str, request_id: str, ts: str) -> str:
    """The ``x-signature`` header value (what the provider, and our demo checkout, send)."""
    text = manifest(data_id, request_id, ts)
    digest = hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()
    return f"ts={ts},v1={digest}"


def _seconds(ts: str) -> float:
    value = int(ts)
    return value / 1000 if value > 10**11 else value


def verify(
    secret: str,
    *,
    header: str,
    data_id: str,
    request_id: str,
    now: float | None = None,
) -> None:
    """Raise ``BadSignature`` unless ``header`` signs this notification, recently."""
    if not secret:
        raise BadSignature("no webhook secret configured")
    fields = {}
    for part in header.split(","):
        key, _sep, value = part.strip().partition("=")
        fields[key.strip()] = value.strip()
    ts, given = fields.get("ts", ""), fields.get("v1", "")
    if not ts or not given or not ts.isdigit():
        raise BadSignature("missing signature")
    expected = sign(secret, data_id=data_id, request_id=request_id, ts=ts).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, given.lower()):
        raise BadSignature("wrong signature")
    if abs((time.time() if now is None else now) - _seconds(ts)) > TOLERANCE_SECONDS:
        raise BadSignature("stale notification")
