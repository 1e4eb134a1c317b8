"""Staff pages under /gestion/turnos/ (accounts.middleware requires an employee with 2FA):
the day's appointments, booking for a resident, blocking slots, and the desk console."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.calendar import LOCAL_TIMEZONE
from core.offices import directory
from core.views import refusal_shown

from . import selectors, services
from .forms import BlockForm, TransferForm
from .models import Booking, Desk, Ticket
from .views import booking_flow

PAGE_SIZE = 25


def _office_or_404(code: str):
    place = directory().office(code)
    if place is None:
        raise Http404
    return place


@login_required
def index(request):
    offices = [
        place
        for place in directory().offices
        if Desk.objects.filter(office_code=place.code, active=True).exists()
    ]
    code = request.GET.get("oficina") or (offices[0].code if offices else "")
    place = directory().office(code) if code else None
    context = {"offices": offices, "office": place, "box": "appointments"}
    if place is not None:
        day = selectors.day_or_today(request.GET.get("dia"))
        text = request.GET.get("q", "").strip()[:40]
        context.update(
            day=day,
            q=text,
            page=Paginator(selectors.day_bookings(place.code, day, text=text), PAGE_SIZE).get_page(
                request.GET.get("pagina")
            ),
            desks=Desk.objects.filter(office_code=place.code, active=True),
            waits=selectors.current_waits(place.code),
            blocks=selectors.blocks_on(place.code, day),
        )
    return render(request, "appointments/staff/index.html", context)


@login_required
def book_for_resident(request):
    return booking_flow(request, staff=True)


@login_required
def block(request, office: str):
    place = _office_or_404(office)
    form = BlockForm(request.POST or None, office_code=place.code)
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.period()
        with refusal_shown(request) as attempt:
            _block, cancelled = services.block_slots(
                office_code=place.code,
                desk=form.cleaned_data["desk"],
                starts_at=starts_at,
                ends_at=ends_at,
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        if attempt.ok:
            messages.success(
                request,
                _("Slots blocked. %(count)d appointment(s) cancelled; their residents were told.")
                % {"count": len(cancelled)},
            )
            return redirect(
                reverse("appointments_staff:index")
                + f"?oficina={place.code}&dia={form.cleaned_data['day'].isoformat()}"
            )
    return render(
        request,
        "appointments/staff/block.html",
        {"office": place, "form": form, "box": "appointments"},
    )


@login_required
@require_POST
def cancel_booking(request, pk: int):
    booking = get_object_or_404(Booking, pk=pk)
    with refusal_shown(request) as attempt:
        services.cancel(booking=booking, actor=request.user, by_staff=True)
    if attempt.ok:
        messages.success(request, _("Appointment %(code)s cancelled.") % {"code": booking.code})
    day = booking.starts_at.astimezone(LOCAL_TIMEZONE).date()
    return redirect(
        reverse("appointments_staff:index") + f"?oficina={booking.office_code}&dia={day}"
    )


@login_required
def console(request, desk_id: int):
    desk = get_object_or_404(Desk, pk=desk_id, active=True)
    place = _office_or_404(desk.office_code)
    current = (
        Ticket.objects.filter(
            desk=desk, day=selectors.local_today(), status__in=["called", "serving"]
        )
        .select_related("service", "booking")
        .first()
    )
    services_here = list(desk.services.values_list("pk", flat=True))
    rules = selectors.rules_for(place.code)
    return render(
        request,
        "appointments/staff/console.html",
        {
            "desk": desk,
            "office": place,
            "current": current,
            "waits": selectors.current_waits(place.code, services=services_here),
            "rules": rules,
            "transfer_form": TransferForm(office_code=place.code),
            "box": "appointments",
        },
    )


@login_required
@require_POST
def console_action(request, desk_id: int, action: str):
    desk = get_object_or_404(Desk, pk=desk_id, active=True)
    with refusal_shown(request) as attempt:
        if action == "call_next":
            ticket = services.call_next(desk=desk, actor=request.user)
            messages.success(request, _("Ticket %(number)s called.") % {"number": ticket.number})
        elif action in ("recall", "no_show", "start", "finish"):
            ticket = get_object_or_404(Ticket, pk=request.POST.get("ticket"))
            services.act(ticket=ticket, desk=desk, action=action, actor=request.user)
        elif action == "transfer":
            ticket = get_object_or_404(Ticket, pk=request.POST.get("ticket"))
            form = TransferForm(request.POST, office_code=desk.office_code)
            if form.is_valid():
                services.transfer(
                    ticket=ticket,
                    desk=desk,
                    service=form.cleaned_data["service"],
                    actor=request.user,
                )
            else:
                messages.error(request, _("Choose the service to send the visitor to."))
        else:
            raise Http404
    if attempt.ok and action != "call_next":
        messages.success(request, _("Done."))
    return redirect("appointments_staff:console", desk_id=desk.pk)
