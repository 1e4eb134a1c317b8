from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from viewflow.workflow.exceptions import FlowLockFailed

from .errors import ActionRefused, FlowBusy

MB = 1024 * 1024
# Without a session a visitor only logs in, signs up, or checks one PDF of up to 10 MB on
# /verificar/ (documents.forms.MAX_UPLOAD_MB): that and the form around it.
ANONYMOUS_REQUEST_MAX_MB = 11
# Providers' webhooks carry whole e-mails with attachments: the app refuses what is too large
# and keeps the message; a 413 here would lose it (the provider gives up after its retries).
WEBHOOK_PATH_PREFIXES = ("/anymail/",)


class SpanishFirstLocaleMiddleware:
    """Spanish unless the visitor chose another language with the switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language; a
    municipality's portal speaks Spanish first, so only the explicit choice
    (the language cookie set by ``set_language``) changes it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class RequestSizeLimitMiddleware:
    """Refuses a request body larger than the portal accepts, before reading any of it.

    Django reads an upload whole (into a temporary file) before a form can say it is too
    large. People with a session may send REQUEST_MAX_MB (several case documents of up to
    20 MB in one form); visitors without one, ANONYMOUS_REQUEST_MAX_MB. The TLS proxy's
    ``client_max_body_size`` should equal REQUEST_MAX_MB so that nothing larger reaches
    gunicorn at all.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > ANONYMOUS_REQUEST_MAX_MB * MB:
            limit_mb = (
                settings.REQUEST_MAX_MB
                if request.user.is_authenticated or request.path.startswith(WEBHOOK_PATH_PREFIXES)
                else ANONYMOUS_REQUEST_MAX_MB
            )
            if length > limit_mb * MB:
                # The unread body is the server's to drop (gunicorn closes the connection).
                return render(request, "413.html", {"limit_mb": limit_mb}, status=413)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy on HTML pages. Files (PDFs shown inline, downloads) go without it:
    Chrome's PDF viewer is an embedded object that `object-src 'none'` would block."""

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)


class ActionRefusedMiddleware:
    """A refusal no view handled is still an answer for the person, never a server error.

    After a form (POST) the message is shown on the page the form was on;
    otherwise on a page of its own (409). A workflow lock that could not be
    taken (``FlowLockFailed``) is the same kind of answer: try again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, FlowLockFailed):
            exception = FlowBusy()
        if not isinstance(exception, ActionRefused):
            return None
        message = str(exception)
        if request.method == "POST":
            messages.error(request, message)
            back = request.headers.get("Referer", "")
            allowed = url_has_allowed_host_and_scheme(
                back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
            return redirect(back if allowed else "core:home")
        return render(request, "core/refused.html", {"message": message}, status=409)
