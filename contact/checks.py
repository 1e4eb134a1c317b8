from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def inbound_email_secret(app_configs, **kwargs):
    """Without the shared secret anyone could post e-mails into the contact centre."""
    if settings.DEBUG or (settings.ANYMAIL or {}).get("WEBHOOK_SECRET"):
        return []
    return [
        checks.Error(
            "ANYMAIL_WEBHOOK_SECRET is not set: the inbound e-mail webhook accepts anyone.",
            hint="Set it to user:password and give the ESP the URL with those credentials.",
            id="contact.E001",
        )
    ]
