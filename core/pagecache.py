"""Whole public pages for anonymous visitors, served from the shared cache.

The home, the catalog (and its searches) and a procedure's page are the same for every
visitor without a session. ``public_page`` keeps their whole response in the cache, keyed
by host, full path and language, with the *generation* it was made in; the generation is
kept in the cache itself, so a hit costs one cache round trip (both keys at once), no
query and no template. Every middleware still runs around the
view: a cached page gets the security headers (CSP, X-Frame-Options, HSTS...),
``Content-Language`` and ``Vary`` like any other.

A new generation starts whenever something the pages show changes: apps name their
models with ``watch`` (a save, a deletion or a many-to-many change, at once and again
after the commit: a page rendered from the old rows in between is dropped), and a
migration starts one (a release). ``QuerySet.update()`` and ``bulk_create()`` send no
signal: code that changes watched rows so calls ``new_generation`` after its commit. A missing generation (evicted, Redis restarted) is a
new one: a page is never served from before it. What changes with time alone is
bounded: a page is kept at most ``PAGE_SECONDS``, and never past the next moment an app
registered with ``changes_at`` (a notice's end).

Only responses that hold nothing of the visitor are stored: GET or HEAD, no cookie but
the language and CSRF ones, 200, no cookie set, no session or message written, no CSRF
token and no CSP nonce used while rendering.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from . import generations

GENERATION_KEY = "public_pages:generation"
# The longest a page is kept: what changes with time alone and no app announces (the
# home's counts of the year, procedures.selectors.MOST_USED_SECONDS) is this much older.
PAGE_SECONDS = 600

_next_changes: list[Callable[[datetime], datetime | None]] = []


def generation() -> str | None:
    """The current generation; a missing one starts a new one (never an old one again)."""
    return generations.current(GENERATION_KEY)


def new_generation(**_signal) -> None:
    generations.renew(GENERATION_KEY)


def _changed(sender, using: str = "default", action: str = "post_", **_kwargs) -> None:
    if not action.startswith("post_"):
        return  # m2m_changed's pre_add, pre_remove, pre_clear
    generations.renew(GENERATION_KEY, using=using)


def watch(model: type[Model]) -> None:
    """The public pages show rows of ``model``: any change of them starts a new generation."""
    label = model._meta.label
    post_save.connect(_changed, sender=model, weak=False, dispatch_uid=f"pagecache.save.{label}")
    post_delete.connect(
        _changed, sender=model, weak=False, dispatch_uid=f"pagecache.delete.{label}"
    )
    for field in model._meta.local_many_to_many:
        m2m_changed.connect(
            _changed,
            sender=field.remote_field.through,
            weak=False,
            dispatch_uid=f"pagecache.m2m.{label}.{field.name}",
        )


def changes_at(next_change: Callable[[datetime], datetime | None]) -> None:
    """``next_change(now)``: the next moment the public pages change with time alone."""
    if next_change not in _next_changes:
        _next_changes.append(next_change)


def _seconds_to_keep() -> int:
    now = timezone.now()
    seconds = PAGE_SECONDS
    for next_change in _next_changes:
        moment = next_change(now)
        if moment is not None:
            seconds = min(seconds, int((moment - now).total_seconds()))
    return seconds


def _anonymous(request: HttpRequest) -> bool:
    kept_cookies = {settings.LANGUAGE_COOKIE_NAME, settings.CSRF_COOKIE_NAME}
    return (
        request.method in ("GET", "HEAD")
        # Any other cookie (the session's, pending messages') may change the page.
        and kept_cookies.issuperset(request.COOKIES)
        and not request.user.is_authenticated
    )


def keepable(request: HttpRequest, response: HttpResponse) -> bool:
    """A complete 200 that sets no cookie and wrote nothing to the session or the messages:
    the same bytes may answer this request again (also core.privatepages)."""
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and getattr(response, "is_rendered", True)
        and not response.cookies
        and not response.has_header("Vary")
        # A CSP nonce in the HTML belongs to this response alone.
        and not isinstance(getattr(request, "_csp_nonce", None), str)
        and not (session is not None and session.modified)
        and not len(getattr(request, "_messages", ()))
    )


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    # A CSRF token in the HTML belongs to this visitor alone.
    return keepable(request, response) and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")


def _key_for(language: str, place: str) -> str:
    digest = hashlib.md5(place.encode()).hexdigest()  # noqa: S324 - a cache key, not a secret
    return f"public_page:{language}:{digest}"


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the view's anonymous responses from the shared cache (see the module)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _anonymous(request):
            return view(request, *args, **kwargs)
        key = _key_for(translation.get_language(), request.get_host() + request.get_full_path())
        # One round trip: the generation, and the page with the generation it was made in.
        found = cache.get_many([GENERATION_KEY, key])
        current = found.get(GENERATION_KEY) or generation()
        stored = found.get(key)
        if stored is not None and stored[0] == current:
            return HttpResponse(stored[1], headers=stored[2])
        response = view(request, *args, **kwargs)
        if _storable(request, response):
            seconds = _seconds_to_keep()
            if seconds > 0:
                page = (current, response.content, dict(response.items()))
                cache.set(key, page, seconds)
        return response

    return wrapped
