"""Public pages: booking (no login needed), the manage link, the kiosk, the calling screen,
and the availability API. Every step is a plain link or form: nothing needs JavaScript."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.calendar import LOCAL_TIMEZONE
from core.clientip import client_ip
from core.errors import ActionRefused
from core.offices import directory
from core.ratelimit import over_limit
from core.views import refusal_shown

from . import selectors, services
from .forms import CheckInForm, VisitorForm, WalkInForm, parse_start
from .models import Booking, Service, Ticket

API_MAX_DAYS = 31
# Captcha-free abuse control for public booking (and changing a booking): a household or a
# library's computer books a few appointments an hour, a script filling the agenda many.
BOOKING_LIMIT_PER_ADDRESS = 10
BOOKING_WINDOW_SECONDS = 3600


def _service(code: str | None) -> Service | None:
    if not code:
        return None
    return get_object_or_404(Service, code=code, active=True)


def _office_giving(service: Service, code: str | None):
    if not code:
        return None
    place = next((item for item in selectors.offices_giving(service) if item.code == code), None)
    if place is None:
        raise Http404
    return place


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def booking_flow(request, *, staff: bool):
    """Service → office → day → time → the visitor's details. Also reschedules (``cambiar``)."""
    service = _service(request.GET.get("servicio"))
    place = _office_giving(service, request.GET.get("oficina")) if service else None
    day = _day(request.GET.get("dia"))
    changing = None
    token = request.GET.get("cambiar", "")
    if token:
        try:
            changing = services.booking_from_token(token)
        except ActionRefused as exc:
            messages.error(request, str(exc))
            return redirect("appointments:book")
    context = {
        "staff": staff,
        "service": service,
        "office": place,
        "day": day,
        "changing": changing,
        "token": token,
        "case_reference": request.GET.get("tramite", "")[:24],
    }
    if service is None:
        context["services"] = selectors.bookable_services()
        return render(request, "appointments/book.html", context)
    if place is None:
        context["offices"] = selectors.offices_giving(service)
        return render(request, "appointments/book.html", context)
    if day is None:
        if request.GET.get("dia"):
            messages.error(request, _("That is not a date. Choose a day from the list."))
        context["days"] = selectors.free_days(service, place.code)
        return render(request, "appointments/book.html", context)
    slots = selectors.free_slots_on(service, place.code, day)
    context["slots"] = slots
    chosen = request.POST.get("starts_at") or request.GET.get("hora")
    if not chosen:
        if not slots:
            context["days"] = selectors.free_days(service, place.code)
        return render(request, "appointments/book.html", context)
    user = request.user
    initial = {"starts_at": chosen}
    if user.is_authenticated and not staff:
        initial.update(full_name=user.full_name, email=user.email)
    form = VisitorForm(request.POST or None, initial=initial)
    context["form"] = form
    context["chosen"] = chosen
    context["chosen_time"] = parse_start(chosen)
    if (
        request.method == "POST"
        and not staff
        and (changing is not None or form.is_valid())
        and over_limit(
            "appointments.book",
            client_ip(request),
            limit=BOOKING_LIMIT_PER_ADDRESS,
            window_seconds=BOOKING_WINDOW_SECONDS,
        )
    ):
        return render(
            request,
            "appointments/too_many.html",
            {"centre": directory().contact_centre},
            status=429,
        )
    if changing is not None and request.method == "POST":
        starts_at = parse_start(chosen)
        if starts_at is None:
            return HttpResponseBadRequest()
        with refusal_shown(request) as attempt:
            new = services.reschedule(booking=changing, starts_at=starts_at, actor=user)
        if attempt.ok:
            messages.success(request, _("Your appointment was changed. We sent you an e-mail."))
            return redirect("appointments:manage", token=services.manage_token(new))
        return render(request, "appointments/book.html", context)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown(request) as attempt:
            booking = services.book(
                service=service,
                office_code=place.code,
                starts_at=data["starts_at"],
                dni=data["dni"],
                full_name=data["full_name"],
                email=data["email"],
                phone=data["phone"],
                case_reference=request.POST.get("tramite", "")[:24],
                user=None if staff else user,
                actor=user,
            )
        if attempt.ok:
            messages.success(request, _("Appointment booked. We sent the confirmation by e-mail."))
            if staff:
                return redirect(
                    reverse("appointments_staff:index")
                    + f"?oficina={place.code}&dia={data['starts_at'].astimezone(LOCAL_TIMEZONE).date()}"
                )
            return redirect("appointments:manage", token=services.manage_token(booking))
    return render(request, "appointments/book.html", context)


def book(request):
    return booking_flow(request, staff=False)


@login_required
def my_appointments(request):
    bookings = selectors.bookings_of(request.user)
    page = Paginator(bookings, 20).get_page(request.GET.get("pagina"))
    for booking in page:
        booking.manage_token = services.manage_token(booking)
    return render(request, "appointments/my_appointments.html", {"page": page})


@never_cache
def manage(request, token: str):
    try:
        booking = services.booking_from_token(token)
    except ActionRefused as exc:
        return render(request, "appointments/link_refused.html", {"message": str(exc)}, status=400)
    return render(
        request,
        "appointments/manage.html",
        {"booking": booking, "token": token, "office": selectors.office(booking.office_code)},
    )


@require_POST
def manage_cancel(request, token: str):
    try:
        booking = services.booking_from_token(token)
    except ActionRefused as exc:
        return render(request, "appointments/link_refused.html", {"message": str(exc)}, status=400)
    with refusal_shown(request) as attempt:
        services.cancel(booking=booking, actor=request.user)
    if attempt.ok:
        messages.success(request, _("Your appointment was cancelled."))
    return redirect("appointments:manage", token=token)


# --- Kiosk ---------------------------------------------------------------------------------


def _office_or_404(code: str):
    place = selectors.office(code)
    if place is None:
        raise Http404
    return place


@never_cache
def kiosk(request, office: str):
    place = _office_or_404(office)
    categories = selectors.rules_for(place.code).priority_categories
    check_in_form = CheckInForm(
        request.POST if "code_or_dni" in request.POST else None, priority_categories=categories
    )
    # Prefixed: both forms have a priority box, and ids must be unique on the page.
    walk_in_form = WalkInForm(
        request.POST if "walk-service" in request.POST else None,
        office_code=place.code,
        priority_categories=categories,
        prefix="walk",
    )
    if request.method == "POST":
        ticket = None
        if check_in_form.is_bound and check_in_form.is_valid():
            with refusal_shown(request):
                ticket = services.check_in(
                    office_code=place.code,
                    code_or_dni=check_in_form.cleaned_data["code_or_dni"],
                    priority=check_in_form.cleaned_data["priority"],
                )
        elif walk_in_form.is_bound and walk_in_form.is_valid():
            with refusal_shown(request):
                ticket = services.walk_in(
                    office_code=place.code,
                    service=walk_in_form.cleaned_data["service"],
                    priority=walk_in_form.cleaned_data["priority"],
                )
        if ticket is not None:
            return redirect("appointments:ticket", office=place.code, ticket_id=ticket.pk)
    return render(
        request,
        "appointments/kiosk.html",
        {"office": place, "check_in_form": check_in_form, "walk_in_form": walk_in_form},
        status=400 if request.method == "POST" else 200,
    )


def ticket(request, office: str, ticket_id: int):
    place = _office_or_404(office)
    item = get_object_or_404(
        Ticket.objects.select_related("service"),
        pk=ticket_id,
        office_code=place.code,
        day=selectors.local_today(),
    )
    ahead = [
        other.pk for other in selectors.waiting_tickets(place.code, services=[item.service_id])
    ]
    position = ahead.index(item.pk) if item.pk in ahead else None
    return render(
        request, "appointments/ticket.html", {"office": place, "ticket": item, "ahead": position}
    )


# --- Calling screen ------------------------------------------------------------------------


@never_cache
def screen(request, office: str):
    place = _office_or_404(office)
    return render(
        request,
        "appointments/screen.html",
        {"office": place, "called": selectors.last_called(place.code)},
    )


@never_cache
@require_GET
def screen_feed(request, office: str):
    """What the calling screen polls (every second): the last calls, newest first."""
    place = _office_or_404(office)
    called = selectors.last_called(place.code)
    return JsonResponse(
        {
            "called": [
                {
                    "id": ticket.pk,
                    "number": ticket.number,
                    "desk": ticket.desk.name if ticket.desk else "",
                    "announced_at": ticket.announced_at.isoformat(),
                }
                for ticket in called
            ]
        }
    )


# --- Availability API ----------------------------------------------------------------------


@require_GET
def availability(request):
    """Free times for a kiosk or a city app (documented in docs/appointments.md)."""
    errors = []
    service = Service.objects.filter(code=request.GET.get("servicio", ""), active=True).first()
    if service is None:
        errors.append("servicio: unknown service code")
    office_code = request.GET.get("oficina", "")
    if directory().office(office_code) is None:
        errors.append("oficina: unknown office code")
    today = selectors.local_today()
    first = _day(request.GET.get("desde")) if request.GET.get("desde") else today
    if first is None:
        errors.append("desde: not a date (YYYY-MM-DD)")
    try:
        days = int(request.GET.get("dias", "7"))
    except ValueError:
        days = -1
    if not 1 <= days <= API_MAX_DAYS:
        errors.append(f"dias: a whole number from 1 to {API_MAX_DAYS}")
    if errors:
        return JsonResponse({"errors": errors}, status=400)
    earliest, last_day = selectors.bookable_window(office_code)
    last = min(first + timedelta(days=days - 1), last_day)
    by_day = selectors.slots_between(service, office_code, max(first, today), last)
    return JsonResponse(
        {
            "service": {
                "code": service.code,
                "name": service.name,
                "minutes": service.slot_minutes,
            },
            "office": office_code,
            "days": [
                {
                    "date": day.isoformat(),
                    "times": [
                        {"start": slot.starts_at.isoformat(), "free": slot.free}
                        for slot in slots
                        if slot.free and slot.starts_at >= earliest
                    ],
                }
                for day, slots in by_day.items()
            ],
        }
    )


def booking_for_staff(pk: int) -> Booking:
    return get_object_or_404(Booking.objects.select_related("service"), pk=pk)
