"""The portal's URLs plus /bench/trivial/, the baseline every page is compared with."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config import urls as portal


def trivial(request: HttpRequest) -> HttpResponse:
    """No template, no query: what any request costs in middleware, WSGI and gunicorn."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial), *portal.urlpatterns]

handler400 = portal.handler400
handler403 = portal.handler403
handler404 = portal.handler404
handler500 = portal.handler500
