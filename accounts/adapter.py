import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from django.conf import settings
from django.urls import reverse

from core.clientip import client_ip


@dataclass(frozen=True)
class PortalSite:
    """What allauth's e-mails call the site: the municipality, at its public address."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Account e-mails name the municipality and link to SITE_URL, never to the host
        the request happened to come through."""
        public = settings.SITE_URL
        site = PortalSite(name=settings.MUNICIPALITY_NAME, domain=urlsplit(public).netloc)
        request = self.request
        context = {**context, "current_site": site}
        if request is not None:
            seen_as = request.build_absolute_uri("/").rstrip("/")
            context = {
                key: public + value[len(seen_as) :]
                if isinstance(value, str) and value.startswith(seen_as + "/")
                else value
                for key, value in context.items()
            }
        super().send_mail(template_prefix, email, context)

    def get_client_ip(self, request) -> str:
        """allauth's rate limits (login, sign-up, codes) count per visitor, behind the proxy."""
        return client_ip(request)

    def get_login_redirect_url(self, request) -> str:
        """Employees start at their inbox, not at the residents' home (an explicit ``next``
        still wins: allauth only asks here when there is none)."""
        if request.user.is_authenticated and request.user.is_employee:
            return reverse("staff:inbox")
        return super().get_login_redirect_url(request)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """No password again right after typing it: a login in this session within the
        re-authentication window counts as one (allauth only counts its own page)."""
        request = self.request
        if request is not None and request.user.is_authenticated:
            records = get_authentication_records(request, request.user)
            recent = [
                r
                for r in records
                if r.get("method") in ("password", "mfa")
                and time.time() - r.get("at", 0) < account_settings.REAUTHENTICATION_TIMEOUT
            ]
            if recent:
                return False
        return super().is_reauthentication_required(app=app, **kwargs)
