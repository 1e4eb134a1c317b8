from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import mfa

# Everything under these prefixes is for municipal staff only.
STAFF_PATH_PREFIXES = ("/gestion/", "/admin/")
# What a staff session may open before it passes the second factor: setting it up (which
# asks for the password again first), typing a code, leaving, changing the language.
BEFORE_SECOND_FACTOR = frozenset(
    {
        "account_logout",
        "account_reauthenticate",
        "mfa_activate_totp",
        "mfa_authenticate",
        "mfa_reauthenticate",
        "set_language",
        "core:healthz",
    }
)


class EmployeeMfaRequiredMiddleware:
    """Keeps residents and suppliers out of staff pages, and staff sessions out of everything
    until they passed the second factor.

    Checked per session, on every page, POST and download (the admin's, those under
    /gestion/, signed documents, filing on someone's behalf): a staff account's password alone
    opens nothing. Staff without an authenticator are sent to set one up. Anonymous visitors
    pass through: each view sends them to log in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        staff = mfa.needs_second_factor(user)
        if request.path.startswith(STAFF_PATH_PREFIXES) and not staff:
            raise PermissionDenied
        if not staff or mfa.passed_second_factor(request):
            return None
        if request.resolver_match.view_name in BEFORE_SECOND_FACTOR:
            return None
        if not mfa.has_totp(user):
            messages.warning(
                request,
                _("Municipal staff must set up two-factor authentication before working on cases."),
            )
            return redirect("mfa_activate_totp")
        messages.warning(request, _("Enter the code from your authenticator app to go on working."))
        next_path = request.get_full_path() if request.method == "GET" else "/"
        return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': next_path})}")
