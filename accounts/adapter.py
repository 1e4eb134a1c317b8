from allauth.account.adapter import DefaultAccountAdapter

from core.clientip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        """allauth's rate limits (login, sign-up, codes) count per visitor, behind the proxy."""
        return client_ip(request)
