"""Only the inbound webhook of the ESP the settings choose (anymail mounts every ESP's)."""

from functools import wraps

from anymail import urls as anymail_urls
from django.conf import settings
from django.urls import path

app_name = "anymail"


def whole_body(view):
    """An e-mail with attachments exceeds DATA_UPLOAD_MAX_MEMORY_SIZE (meant for forms): read
    it here, bounded by RequestSizeLimitMiddleware, so the message is kept and an oversized
    attachment is refused by the content checks instead of the whole e-mail failing."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not hasattr(request, "_body"):
            request._body = request.read()
        return view(request, *args, **kwargs)

    return wrapped


urlpatterns = [
    path(str(pattern.pattern), whole_body(pattern.callback), name=pattern.name)
    for pattern in anymail_urls.urlpatterns
    if pattern.name == f"{settings.CONTACT_EMAIL_INBOUND_ESP}_inbound_webhook"
]
