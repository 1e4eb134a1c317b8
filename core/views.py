from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from .errors import ActionRefused
from .health import run_checks
from .pagecache import public_page


@dataclass
class Attempt:
    """How a service call went: ``refused`` holds the message shown when it was refused."""

    refused: str = ""

    @property
    def ok(self) -> bool:
        return not self.refused


@contextmanager
def refusal_shown(request: HttpRequest) -> Iterator[Attempt]:
    """Run a service call for a view; a refusal becomes an error message on the next page.

    with refusal_shown(request) as attempt:
        services.claim(task_id=task_id, user=request.user)
    if attempt.ok:
        messages.success(request, _("The task is yours."))
    return redirect(...)
    """
    attempt = Attempt()
    try:
        yield attempt
    except ActionRefused as exc:
        attempt.refused = str(exc)
        messages.error(request, attempt.refused)


@public_page
def home(request):
    return render(request, "core/home.html")


def help_page(request):
    """Help and contact: the contact centre, every office (address, hours, phone, what it
    does), where staff file with you in person, and frequently asked questions."""
    from .offices import directory, hours_lines

    found = directory()
    offices = [(office, hours_lines(office.hours_spec)) for office in found.offices]
    return render(
        request,
        "core/help.html",
        {
            "centre": found.contact_centre,
            "centre_hours": hours_lines(found.contact_centre.hours_spec),
            "offices": offices,
            "assisted": [office for office, _hours in offices if office.assisted_filing],
        },
    )


def accessibility(request):
    from .offices import directory

    return render(request, "core/accessibility.html", {"centre": directory().contact_centre})


@csrf_exempt
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, without a CSRF token.

    The switcher is on every page: a token in it would make each public page its visitor's
    own and uncacheable (core.pagecache). All the switch does is set the language cookie;
    a form on another site is still refused by its Origin, which browsers send on POST.
    """
    origin = request.headers.get("Origin")
    own = f"{request.scheme}://{request.get_host()}"
    if origin is not None and origin != own and origin not in settings.CSRF_TRUSTED_ORIGINS:
        return HttpResponseForbidden()
    return i18n.set_language(request)


@never_cache
@require_GET
def healthz(request):
    healthy, checks = run_checks()
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without the request: the failure may be in a context processor or middleware.
    return HttpResponseServerError(loader.get_template("500.html").render())
