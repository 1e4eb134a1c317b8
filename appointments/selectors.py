"""Reads: offices that give a service, free slots, the queue of the day, current waits.

Free slots are computed, not stored: for an office and a service, each opening period
of the day (``core.offices`` hours, holidays and closures through ``core.calendar``) is cut
into slots of the service's length; a slot's capacity is the desks giving the service that
are neither blocked nor booked then. A few queries per search whatever the number of days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.calendar import LOCAL_TIMEZONE
from core.offices import Office, directory

from .models import Booking, Desk, OfficeRules, Service, SlotBlock, Ticket


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    free_desk_ids: tuple[int, ...] = field(default=())

    @property
    def free(self) -> int:
        return len(self.free_desk_ids)


def office(code: str) -> Office | None:
    return directory().office(code)


def rules_for(office_code: str) -> OfficeRules:
    """The office's rules, or the defaults (20/60-minute standards) when none were set."""
    return OfficeRules.objects.filter(office_code=office_code).first() or OfficeRules(
        office_code=office_code
    )


def bookable_services() -> list[Service]:
    return list(Service.objects.filter(active=True, desks__active=True).distinct())


def offices_giving(service: Service) -> list[Office]:
    codes = set(
        Desk.objects.filter(active=True, services=service).values_list("office_code", flat=True)
    )
    return [item for item in directory().offices if item.code in codes]


def local_today() -> date:
    return timezone.now().astimezone(LOCAL_TIMEZONE).date()


def bookable_window(office_code: str, now: datetime | None = None) -> tuple[datetime, date]:
    """The earliest start that respects the minimum notice, and the last bookable day."""
    now = now or timezone.now()
    rules = rules_for(office_code)
    earliest = now + timedelta(minutes=rules.min_notice_minutes)
    last_day = now.astimezone(LOCAL_TIMEZONE).date() + timedelta(days=rules.horizon_days)
    return earliest, last_day


def _overlaps(intervals: Iterable[tuple[datetime, datetime]], start: datetime, end: datetime):
    return any(begin < end and start < finish for begin, finish in intervals)


def slots_between(
    service: Service,
    office_code: str,
    first_day: date,
    last_day: date,
    *,
    desk_ids: Iterable[int] | None = None,
) -> dict[date, list[Slot]]:
    """Every slot of the office's opening hours from first_day to last_day, with free desks.

    Three queries: the desks giving the service, the bookings and the blocks of the range.
    """
    place = office(office_code)
    if place is None or last_day < first_day:
        return {}
    desks = Desk.objects.filter(office_code=office_code, active=True, services=service)
    if desk_ids is not None:
        desks = desks.filter(pk__in=list(desk_ids))
    desk_list = list(desks.order_by("pk").values_list("pk", flat=True))
    if not desk_list:
        return {}
    range_start = datetime.combine(first_day, datetime.min.time(), LOCAL_TIMEZONE)
    range_end = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), LOCAL_TIMEZONE)
    # Intervals per (desk, local day), so a slot is checked against that day's bookings only.
    taken: dict[tuple[int | None, date], list[tuple[datetime, datetime]]] = defaultdict(list)

    def add(desk_id: int | None, begin: datetime, finish: datetime) -> None:
        current = max(begin, range_start).astimezone(LOCAL_TIMEZONE).date()
        last = (min(finish, range_end) - timedelta(microseconds=1)).astimezone(LOCAL_TIMEZONE)
        while current <= last.date():
            taken[(desk_id, current)].append((begin, finish))
            current += timedelta(days=1)

    for desk_id, begin, finish in Booking.objects.filter(
        desk_id__in=desk_list,
        status__in=Booking.HOLDING,
        starts_at__lt=range_end,
        ends_at__gt=range_start,
    ).values_list("desk_id", "starts_at", "ends_at"):
        add(desk_id, begin, finish)
    for desk_id, begin, finish in SlotBlock.objects.filter(
        Q(desk__isnull=True) | Q(desk_id__in=desk_list),
        office_code=office_code,
        starts_at__lt=range_end,
        ends_at__gt=range_start,
    ).values_list("desk_id", "starts_at", "ends_at"):
        add(desk_id, begin, finish)  # desk None: every desk of the office
    length = timedelta(minutes=service.slot_minutes)
    result: dict[date, list[Slot]] = {}
    day = first_day
    while day <= last_day:
        slots = []
        office_wide = taken.get((None, day), [])
        for period_start, period_end in place.hours.periods_on(day):
            begin = period_start
            while begin + length <= period_end:
                end = begin + length
                if not _overlaps(office_wide, begin, end):
                    free = tuple(
                        d for d in desk_list if not _overlaps(taken.get((d, day), ()), begin, end)
                    )
                else:
                    free = ()
                slots.append(Slot(begin, end, free))
                begin = end
        result[day] = slots
        day += timedelta(days=1)
    return result


def free_slots_on(
    service: Service, office_code: str, day: date, *, now: datetime | None = None
) -> list[Slot]:
    """Slots of a day a resident can still book (free, with notice, within the horizon)."""
    earliest, last_day = bookable_window(office_code, now)
    if day > last_day or day < earliest.astimezone(LOCAL_TIMEZONE).date():
        return []
    slots = slots_between(service, office_code, day, day).get(day, [])
    return [slot for slot in slots if slot.free and slot.starts_at >= earliest]


def free_days(
    service: Service, office_code: str, *, now: datetime | None = None
) -> list[tuple[date, int]]:
    """Each bookable day with its number of free places (days with none left out)."""
    earliest, last_day = bookable_window(office_code, now)
    first_day = earliest.astimezone(LOCAL_TIMEZONE).date()
    days = []
    for day, slots in slots_between(service, office_code, first_day, last_day).items():
        free = sum(slot.free for slot in slots if slot.starts_at >= earliest)
        if free:
            days.append((day, free))
    return days


def day_or_today(text: str | None) -> date:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return local_today()


def blocks_on(office_code: str, day: date) -> list[SlotBlock]:
    start = datetime.combine(day, datetime.min.time(), LOCAL_TIMEZONE)
    return list(
        SlotBlock.objects.filter(
            office_code=office_code, starts_at__lt=start + timedelta(days=1), ends_at__gt=start
        ).select_related("desk")
    )


def bookings_of(user):
    """A resident's appointments booked while logged in, upcoming first, then the past."""
    return (
        Booking.objects.filter(user=user)
        .select_related("service")
        .order_by(
            models.Case(models.When(starts_at__gte=timezone.now(), then=0), default=1),
            "starts_at",
        )
    )


def day_bookings(office_code: str, day: date, *, text: str = ""):
    start = datetime.combine(day, datetime.min.time(), LOCAL_TIMEZONE)
    bookings = Booking.objects.filter(
        office_code=office_code, starts_at__gte=start, starts_at__lt=start + timedelta(days=1)
    ).select_related("service", "desk")
    if text:
        bookings = bookings.filter(
            Q(dni__icontains=text) | Q(code__iexact=text) | Q(full_name__icontains=text)
        )
    return bookings.order_by("starts_at", "desk__name")


def waiting_order_key(ticket: Ticket, now: datetime) -> tuple:
    """Priority visitors first; then appointments whose time has come, by that time; then the
    rest (walk-ins, and appointments still early) by arrival."""
    due = ticket.appointment_at is not None and ticket.appointment_at <= now
    return (
        not ticket.priority,
        not due,
        ticket.appointment_at if due else ticket.checked_in_at,
        ticket.pk,
    )


def waiting_tickets(office_code: str, *, services: Iterable[int] | None = None, now=None):
    now = now or timezone.now()
    tickets = Ticket.objects.filter(
        office_code=office_code, day=now.astimezone(LOCAL_TIMEZONE).date(), status="waiting"
    ).select_related("service")
    if services is not None:
        tickets = tickets.filter(service_id__in=list(services))
    return sorted(tickets, key=lambda ticket: waiting_order_key(ticket, now))


def wait_start(ticket: Ticket) -> datetime:
    """A visitor who came early waits from their appointment time, not from their arrival."""
    if ticket.appointment_at and ticket.appointment_at > ticket.checked_in_at:
        return ticket.appointment_at
    return ticket.checked_in_at


def wait_seconds(ticket: Ticket, now: datetime | None = None) -> int:
    end = ticket.called_at or now or timezone.now()
    return max(int((end - wait_start(ticket)).total_seconds()), 0)


def standard_seconds(ticket: Ticket, rules: OfficeRules) -> int:
    minutes = (
        rules.standard_with_appointment_minutes
        if ticket.appointment_at
        else rules.standard_without_appointment_minutes
    )
    return minutes * 60


@dataclass(frozen=True)
class WaitRow:
    ticket: Ticket
    wait_minutes: int
    standard_minutes: int

    @property
    def breached(self) -> bool:
        return self.wait_minutes > self.standard_minutes


def current_waits(office_code: str, *, services=None, now=None) -> list[WaitRow]:
    now = now or timezone.now()
    rules = rules_for(office_code)
    return [
        WaitRow(ticket, wait_seconds(ticket, now) // 60, standard_seconds(ticket, rules) // 60)
        for ticket in waiting_tickets(office_code, services=services, now=now)
    ]


def last_called(office_code: str, *, limit: int = 8) -> list[Ticket]:
    return list(
        Ticket.objects.filter(
            office_code=office_code,
            day=local_today(),
            announced_at__isnull=False,
        )
        .select_related("desk")
        .order_by("-announced_at")[:limit]
    )
