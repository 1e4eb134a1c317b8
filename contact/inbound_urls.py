"""Only the inbound webhook of the ESP the settings choose (anymail mounts every ESP's)."""

from anymail import urls as anymail_urls
from django.conf import settings
from django.urls import path

app_name = "anymail"

urlpatterns = [
    path(str(pattern.pattern), pattern.callback, name=pattern.name)
    for pattern in anymail_urls.urlpatterns
    if pattern.name == f"{settings.CONTACT_EMAIL_INBOUND_ESP}_inbound_webhook"
]
