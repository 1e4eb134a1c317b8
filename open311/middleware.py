"""Open311 clients get the spec's error list for an oversized body, not the portal's page."""

from __future__ import annotations

from django.conf import settings

from .render import error

PREFIX = "/open311/"


class Open311BodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(PREFIX):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                fmt = "xml" if request.path.endswith(".xml") else "json"
                return error(fmt, 400, "the request is too large")
        return self.get_response(request)
