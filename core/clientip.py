"""The address a request came from, for rate limits: behind the TLS proxy, not the proxy's.

``REMOTE_ADDR`` is the last hop. With ``TRUSTED_PROXY_COUNT`` proxies of ours in front of
the portal, each appending the address it saw to ``X-Forwarded-For``, the client is the
entry that many places from the right; anything to its left was written by the client and
is ignored. With no trusted proxy the header is never read.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote  # did not come through all our proxies: nothing in the header is theirs
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
