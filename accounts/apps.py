from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added

        from core import privatepages, slots

        from . import permission_cache, phone

        phone.register()
        permission_cache.connect_signals()
        # A logged-in page kept in the cache shows what the user's permissions allow.
        privatepages.user_keys(permission_cache.keys_of)
        authenticator_added.connect(_second_factor_set_up, weak=False)
        slots.contribute(
            "core.home",
            key="accounts.greeting",
            template="accounts/_home_greeting.html",
            context=_greeting,
            order=20,
        )
        slots.contribute(
            "core.footer",
            key="accounts.privacy",
            template="accounts/_footer_privacy.html",
            order=80,
        )


def _greeting(request):
    return {} if request.user.is_authenticated else None


def _second_factor_set_up(sender, request, user, authenticator, **kwargs) -> None:
    from allauth.mfa.models import Authenticator

    from . import mfa

    # Recovery codes are generated with the TOTP authenticator; only the TOTP code was typed.
    if request is not None and authenticator.type == Authenticator.Type.TOTP:
        mfa.record_second_factor(request=request, authenticator=authenticator)
