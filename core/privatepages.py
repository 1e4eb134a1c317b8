"""Whole pages of a logged-in user, kept in the shared cache for their session until what
they show changes.

A resident's "my procedures", a case's page, the staff's queue: each is read far more often
than what it shows changes, and rendering it costs tens of milliseconds of Python. A view
decorated with ``private_page`` is rendered once per session, path and language; later
visits get the same bytes while every *scope* the page depends on is unchanged.

**Scopes** name rows: ``<app_label>.<model>:<pk>`` (``procedures.case:12``), or whatever an
app names with ``resolve`` (``department:licencias``). A view says what it shows with
``depends_on(request, scope, ...)``; every page also depends on its user's row
(``accounts.user:<pk>``), on the public pages' generation (core.pagecache: the catalog,
notices) and on the keys apps add with ``user_keys`` (the user's permissions). Each scope has
a token in the cache (core.generations), renewed whenever a row it names changes: any model's
save or deletion renews the scope of the row itself, of every row it points to by a foreign
key, of its *subject* (``subject_type``/``subject_id``, as payment orders and signed
documents name a case), of rows it points to through related objects already loaded
(a payment's order's case), and the scopes apps add with ``resolve``. ``QuerySet.update()``
sends no signal: code that so changes rows a private page shows calls ``changed``.

**Correctness.** A page is stored with the tokens of its scopes read after rendering, and
only if none of them was renewed since shortly before the request began: a change committed
while the page was rendered may or may not be in it, so such a page is not kept. A change
committed later renews a token after its commit, which drops the page. A missing token is
created (never an old one again), and a page is kept ``PAGE_SECONDS`` at most, for what
changes with time alone (a due date becoming overdue).

**Isolation.** The key holds the session cookie and the CSRF cookie: a page is only ever
served to the browser session it was rendered for, whose user must still be logged in to it,
and the CSRF tokens in its forms are valid for that browser. Only GET and HEAD answered 200
are kept, without cookies or messages set, the session unmodified, and never while the
visitor has messages waiting.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from . import generations, pagecache

PAGE_SECONDS = 300
SCOPE_PREFIX = "private_pages:scope:"
TOKEN_SECONDS = 24 * 3600
# A token renewed this little before the request began may come from a change that committed
# while the page was read: clocks of different machines differ by this much at most.
CLOCK_MARGIN_SECONDS = 1.0
# How far a change follows related objects already loaded on the changed row.
RELATED_DEPTH = 2

ScopeResolver = Callable[[Model], Iterable[str]]
_resolvers: list[tuple[type[Model], ScopeResolver]] = []
_user_keys: list[Callable[[str], Iterable[str]]] = []


def scope(model: type[Model] | Model, pk: object) -> str:
    return f"{model._meta.label_lower}:{pk}"


def resolve(model: type[Model], resolver: ScopeResolver) -> None:
    """A change of a ``model`` row also changes the scopes ``resolver(row)`` names."""
    if (model, resolver) not in _resolvers:
        _resolvers.append((model, resolver))


def user_keys(keys: Callable[[str], Iterable[str]]) -> None:
    """Cache tokens (full keys) every private page of the user with this pk depends on."""
    if keys not in _user_keys:
        _user_keys.append(keys)


def depends_on(request: HttpRequest, *scopes: str) -> None:
    """The page being rendered for ``request`` shows rows of these scopes."""
    recorded = getattr(request, "_private_page_scopes", None)
    if recorded is not None:
        recorded.update(scopes)


def changed(*scopes: str, using: str | None = None) -> None:
    """Rows of these scopes changed without a signal (``QuerySet.update()``)."""
    generations.renew_many([SCOPE_PREFIX + s for s in scopes], TOKEN_SECONDS, using)


# --- Which scopes a change renews --------------------------------------------------------


def scopes_of(row: Model, depth: int = RELATED_DEPTH) -> set[str]:
    opts = row._meta
    found = {scope(row, row.pk)}
    for field in opts.concrete_fields:
        if not (field.many_to_one or field.one_to_one):
            continue
        value = getattr(row, field.attname)
        if value is None:
            continue
        found.add(scope(field.related_model, value))
        if depth and field.is_cached(row):
            related = field.get_cached_value(row)
            if related is not None:
                found |= scopes_of(related, depth - 1)
    subject_type, subject_id = getattr(row, "subject_type", None), getattr(row, "subject_id", None)
    if isinstance(subject_type, str) and subject_type and subject_id not in (None, ""):
        found.add(f"{subject_type.lower()}:{subject_id}")
    for model, resolver in _resolvers:
        if isinstance(row, model):
            found.update(resolver(row))
    return found


def _saved_or_deleted(sender, instance: Model, using: str = "default", **_kwargs) -> None:
    changed(*scopes_of(instance), using=using)


def _related_changed(
    sender, instance: Model, action: str, model, pk_set, using: str = "default", **_kwargs
) -> None:
    if not action.startswith("post_"):
        return
    found = scopes_of(instance)
    found.update(scope(model, pk) for pk in pk_set or ())
    changed(*found, using=using)


def connect() -> None:
    """Every model's changes renew their scopes (called once, from core's AppConfig)."""
    post_save.connect(_saved_or_deleted, weak=False, dispatch_uid="privatepages.save")
    post_delete.connect(_saved_or_deleted, weak=False, dispatch_uid="privatepages.delete")
    m2m_changed.connect(_related_changed, weak=False, dispatch_uid="privatepages.m2m")


# --- Serving ------------------------------------------------------------------------------


def _page_key(request: HttpRequest) -> str:
    place = "\n".join(
        (
            request.COOKIES.get(settings.SESSION_COOKIE_NAME, ""),
            request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
            translation.get_language() or "",
            request.get_host() + request.get_full_path(),
        )
    )
    digest = hashlib.sha256(place.encode()).hexdigest()
    return f"private_page:{digest}"


def _cacheable_request(request: HttpRequest) -> str | None:
    """The logged-in user's pk if this request may be answered from the cache."""
    if not settings.PRIVATE_PAGE_CACHE or request.method not in ("GET", "HEAD"):
        return None
    if CookieStorage.cookie_name in request.COOKIES:
        return None
    session = getattr(request, "session", None)
    if session is None or SessionStorage.session_key in session:
        return None
    user_pk = session.get(SESSION_KEY)
    return str(user_pk) if user_pk is not None else None


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    # Tokens in the page must be valid for the CSRF cookie the key holds.
    return (
        pagecache.keepable(request, response)
        and request.META.get("CSRF_COOKIE", csrf_cookie) == csrf_cookie
    )


def _implicit_keys(user_pk: str) -> list[str]:
    keys = [SCOPE_PREFIX + scope(get_user_model(), user_pk), pagecache.GENERATION_KEY]
    for more in _user_keys:
        keys.extend(more(user_pk))
    return keys


def _seconds_to_keep() -> int:
    now = timezone.localtime()
    tomorrow = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return min(PAGE_SECONDS, int((tomorrow - now).total_seconds()))


def private_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the view's responses to a logged-in session from the shared cache while what
    they show is unchanged (see the module). Put it under ``login_required``."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user_pk = _cacheable_request(request)
        if user_pk is None:
            return view(request, *args, **kwargs)
        key = _page_key(request)
        stored = cache.get(key)
        if stored is not None:
            owner, tokens, used_csrf, content, headers = stored
            if owner == user_pk and cache.get_many(list(tokens)) == tokens:
                if used_csrf:  # as get_token() does: the cookie's expiry is renewed
                    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
                return HttpResponse(content, headers=headers)
        began = time.time()
        request._private_page_scopes = set()
        response = view(request, *args, **kwargs)
        scopes = request._private_page_scopes
        del request._private_page_scopes
        if _storable(request, response):
            keys = _implicit_keys(user_pk) + sorted(SCOPE_PREFIX + s for s in scopes)
            tokens = generations.current_many(keys, TOKEN_SECONDS)
            settled = all(
                generations.issued_at(token) < began - CLOCK_MARGIN_SECONDS
                for token in tokens.values()
            )
            seconds = _seconds_to_keep()
            if settled and len(tokens) == len(keys) and seconds > 0:
                used_csrf = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
                page = (user_pk, tokens, used_csrf, response.content, dict(response.items()))
                cache.set(key, page, seconds)
        return response

    return wrapped
