"""GeoReport v2 endpoints. Thin: parsing and filing live in services/selectors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from . import catalog, documents, render, selectors, services
from .services import Open311Error


def spec_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request, *args, fmt: str, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as exc:
            return render.error(fmt, exc.status, exc.description)
        except RequestDataTooBig:
            return render.error(fmt, 400, "the request is too large")

    return wrapper


@require_GET
@spec_errors
def service_list(request, fmt: str) -> HttpResponse:
    body = [documents.service_entry(offered) for offered in catalog.services()]
    return render.respond(fmt, "services", body)


@require_GET
@spec_errors
def service_definition(request, code: str, fmt: str) -> HttpResponse:
    offered = catalog.service(code)
    if offered is None:
        raise Open311Error(404, f"service_code {code} not found")
    return render.respond(fmt, "service_definition", documents.service_definition(offered))


@csrf_exempt
@require_http_methods(["GET", "POST"])
@spec_errors
def requests(request, fmt: str) -> HttpResponse:
    if request.method == "POST":
        api_key = services.authenticate(request.POST.get("api_key", ""))
        filed = services.file_request(api_key=api_key, data=request.POST)
        body = [
            {
                "service_request_id": filed.case.reference,
                "service_notice": "",
                "account_id": None,
            }
        ]
        return render.respond(fmt, "service_requests", body)
    query = selectors.parse_query(request.GET)
    departments = documents.department_names()
    body = [documents.request_entry(case, departments) for case in selectors.claims(query)]
    return render.respond(fmt, "service_requests", body)


@require_GET
@spec_errors
def request_detail(request, reference: str, fmt: str) -> HttpResponse:
    case = selectors.claim(reference)
    if case is None:
        raise Open311Error(404, f"service_request_id {reference} not found")
    body = [documents.request_entry(case, documents.department_names())]
    return render.respond(fmt, "service_requests", body)
