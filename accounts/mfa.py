"""The second factor of municipal staff, checked per session.

A staff account with a TOTP authenticator is not enough: the session itself must have passed
the second factor (allauth's login stage, its re-authentication page, or setting up the
authenticator in this session). allauth keeps the list of authentication methods used in the
session; the "mfa" entry is the proof.
"""

from __future__ import annotations

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.http import HttpRequest

from .models import User


def needs_second_factor(user: User) -> bool:
    """Employees and anyone who may open the admin."""
    return user.is_authenticated and (user.is_employee or user.is_staff or user.is_superuser)


def has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def passed_second_factor(request: HttpRequest) -> bool:
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def record_second_factor(*, request: HttpRequest, authenticator: Authenticator) -> None:
    """This session passed the second factor with ``authenticator`` (setting up a TOTP
    authenticator means typing a valid code from it)."""
    record_authentication(
        request, authenticator.user, "mfa", id=authenticator.pk, type=authenticator.type
    )
