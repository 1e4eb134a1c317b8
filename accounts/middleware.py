from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _

# Everything under these prefixes is for municipal staff only.
STAFF_PATH_PREFIXES = ("/gestion/", "/admin/")


class EmployeeMfaRequiredMiddleware:
    """Keeps residents and suppliers out of staff pages, and employees out until they have TOTP.

    Anonymous visitors pass through: each staff view sends them to log in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and request.path.startswith(STAFF_PATH_PREFIXES):
            if not (user.is_employee or user.is_superuser):
                raise PermissionDenied
            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                messages.warning(
                    request,
                    _(
                        "Municipal staff must set up two-factor authentication before working on cases."
                    ),
                )
                return redirect("mfa_activate_totp")
        return self.get_response(request)
