"""A provider's notification, as the webhook receives it: verified, then kept.

Mercado Pago sends ``?data.id=<payment id>&type=payment`` with the
``x-signature`` and ``x-request-id`` headers; the body is not trusted (the
payment is fetched back from the API by ``services.confirm_notification``).
"""

from __future__ import annotations

from collections.abc import Mapping

from . import services, signature
from .providers import online_provider


def receive(provider_key: str, query: Mapping[str, str], headers: Mapping[str, str]) -> bool:
    """Verify and keep one notification; raises ``signature.BadSignature`` for a bad one.
    True when it was new (a replay, or a topic other than payments, is answered the same)."""
    provider = online_provider(provider_key)
    data_id = query.get("data.id") or query.get("id") or ""
    request_id = headers.get("x-request-id", "")
    signature.verify(
        provider.webhook_secret(),
        header=headers.get("x-signature", ""),
        data_id=data_id,
        request_id=request_id,
    )
    topic = query.get("type") or query.get("topic") or ""
    if topic != "payment" or not data_id:
        return False
    notification = services.receive_notification(
        provider_key=provider.key, resource_id=data_id, request_id=request_id, topic=topic
    )
    return notification is not None
