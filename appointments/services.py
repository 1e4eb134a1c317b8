"""Writes: booking, cancelling, rescheduling, blocking slots, check-in and the desk's actions.

Overbooking is prevented by serialising the bookings of an office: ``book`` locks the
office's desk rows (``SELECT ... FOR UPDATE``) before it counts what is free, so of many
simultaneous requests for the last place one books and the others see it taken. A partial
unique constraint (one active booking per desk and start) backs this up. Ticket calls are
conditional updates (``status = waiting``): of two desks calling one ticket, one wins.
Every change writes an audit record; e-mails go through the outbox after the commit.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import audit, numbering, outbox
from core.calendar import LOCAL_TIMEZONE, holiday_name
from core.errors import ActionRefused
from core.percentiles import median, percentile, whole

from . import selectors
from .models import Booking, DailyWaits, Desk, Service, SlotBlock, Ticket

CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"  # no look-alikes (0/O, 1/I, 5/S, 8/B)
MANAGE_SALT = "appointments.manage"
# A manage link stops working this long after it was sent, even if the booking is later.
MANAGE_LINK_MAX_AGE = timedelta(days=120)


def _local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_TIMEZONE)


def when_text(moment: datetime) -> str:
    return date_format(_local(moment), "DATETIME_FORMAT")


# --- Manage links -------------------------------------------------------------------------


def manage_token(booking: Booking) -> str:
    """A signed, single-purpose token to cancel or reschedule without logging in."""
    return signing.dumps({"b": booking.pk, "c": booking.code}, salt=MANAGE_SALT)


def booking_from_token(token: str) -> Booking:
    try:
        data = signing.loads(token, salt=MANAGE_SALT, max_age=MANAGE_LINK_MAX_AGE.total_seconds())
    except signing.SignatureExpired as exc:
        raise ActionRefused(
            _("This link has expired. Find your booking with its code at the office.")
        ) from exc
    except signing.BadSignature as exc:
        raise ActionRefused(_("This link is not valid. Check that you copied all of it.")) from exc
    booking = Booking.objects.filter(pk=data.get("b"), code=data.get("c")).first()
    if booking is None:
        raise ActionRefused(_("This link is not valid. Check that you copied all of it."))
    return booking


# --- Booking ------------------------------------------------------------------------------


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        # All digits would read as a DNI at the kiosk.
        if not code.isdigit() and not Booking.objects.filter(code=code).exists():
            return code


def _check_time(service: Service, office_code: str, starts_at: datetime, now: datetime) -> None:
    """The rules of the office's calendar, each with its own message."""
    place = selectors.office(office_code)
    if place is None or not service.active:
        raise ActionRefused(_("That office does not give this service."))
    local = _local(starts_at)
    if starts_at <= now:
        raise ActionRefused(_("That time has already passed. Choose a later one."))
    name = holiday_name(local.date())
    if name and not place.hours.open_on_holidays:
        raise ActionRefused(_("%(day)s is a holiday (%(name)s): the office is closed.") % {
            "day": date_format(local.date(), "DATE_FORMAT"), "name": name
        })  # fmt: skip
    length = timedelta(minutes=service.slot_minutes)
    starts = [
        slot_start
        for period_start, period_end in place.hours.periods_on(local.date())
        for slot_start in _slot_starts(period_start, period_end, length)
    ]
    if starts_at not in starts:
        raise ActionRefused(_("The office does not give appointments at that time."))
    earliest, last_day = selectors.bookable_window(office_code, now)
    if starts_at < earliest:
        raise ActionRefused(_("That time is too soon: book at least %(minutes)d minutes ahead.") % {
            "minutes": selectors.rules_for(office_code).min_notice_minutes
        })  # fmt: skip
    if local.date() > last_day:
        raise ActionRefused(
            _("Appointments can be booked up to %(date)s.")
            % {"date": date_format(last_day, "DATE_FORMAT")}
        )


def _slot_starts(period_start: datetime, period_end: datetime, length: timedelta):
    begin = period_start
    while begin + length <= period_end:
        yield begin
        begin += length


def _lock_office(office_code: str) -> None:
    # Every booking of an office takes its desks' row locks first, in one order: bookings of
    # the same office run one after the other, other offices are not held up.
    list(Desk.objects.select_for_update().filter(office_code=office_code).order_by("pk"))
    numbering.hold(f"appointments.office.{office_code}")


def book(
    *,
    service: Service,
    office_code: str,
    starts_at: datetime,
    dni: str,
    full_name: str,
    email: str,
    phone: str = "",
    case_reference: str = "",
    user=None,
    actor=None,
    now: datetime | None = None,
    replacing: Booking | None = None,
) -> Booking:
    """Book a place, or refuse with the reason; a repeated request returns the same booking."""
    now = now or timezone.now()
    _check_time(service, office_code, starts_at, now)
    try:
        with transaction.atomic():
            _lock_office(office_code)
            same = Booking.objects.filter(
                service=service,
                office_code=office_code,
                starts_at=starts_at,
                dni=dni,
                status=Booking.Status.BOOKED,
            ).first()
            if same is not None:
                return same  # a double click, or the form sent twice
            active = Booking.objects.filter(
                service=service, dni=dni, status=Booking.Status.BOOKED, starts_at__gt=now
            )
            if replacing is not None:
                active = active.exclude(pk=replacing.pk)
            if active.count() >= service.max_active_per_person:
                raise ActionRefused(
                    _(
                        "This DNI already has %(count)d active appointment(s) for this service. "
                        "Cancel or change it first."
                    )
                    % {"count": service.max_active_per_person}
                )
            day = _local(starts_at).date()
            slot = next(
                (
                    slot
                    for slot in selectors.slots_between(service, office_code, day, day)[day]
                    if slot.starts_at == starts_at
                ),
                None,
            )
            if slot is None or not slot.free:
                raise ActionRefused(
                    _("That time is no longer free. Choose another one; nothing was booked.")
                )
            booking = Booking.objects.create(
                code=_new_code(),
                service=service,
                office_code=office_code,
                desk_id=slot.free_desk_ids[0],
                starts_at=starts_at,
                ends_at=slot.ends_at,
                dni=dni,
                full_name=full_name,
                email=email,
                phone=phone,
                case_reference=case_reference,
                user=user if user is not None and user.is_authenticated else None,
                booked_by=actor if actor is not None and actor.is_authenticated else None,
            )
            audit.record(
                actor=actor,
                action="appointments.booked",
                obj=booking,
                summary=f"{booking.code} {service.code} {office_code} {_local(starts_at):%Y-%m-%d %H:%M}",
                after={"status": booking.status, "desk": booking.desk_id},
            )
            outbox.enqueue("appointments.confirmation", {"booking_id": booking.pk}, subject=booking)
            return booking
    except IntegrityError as exc:
        # The constraint caught what the lock should have: someone else took the place.
        raise ActionRefused(
            _("That time is no longer free. Choose another one; nothing was booked.")
        ) from exc


def _check_changeable(booking: Booking, now: datetime, *, by_staff: bool) -> None:
    if not Booking.STATES.allows(booking.status, Booking.Status.CANCELLED):
        raise ActionRefused(_("This appointment is no longer active: nothing was changed."))
    deadline = booking.starts_at - timedelta(
        minutes=selectors.rules_for(booking.office_code).change_deadline_minutes
    )
    if not by_staff and now > deadline:
        raise ActionRefused(
            _("Appointments can be changed until %(when)s. Call the office instead.")
            % {"when": when_text(deadline)}
        )


def cancel(
    *, booking: Booking, actor=None, by_staff: bool = False, now=None, notify: bool = True
) -> Booking:
    now = now or timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        _check_changeable(booking, now, by_staff=by_staff)
        Booking.STATES.move(booking, Booking.Status.CANCELLED)
        booking.cancelled_at = now
        booking.save(update_fields=["status", "cancelled_at"])
        audit.record(
            actor=actor,
            action="appointments.cancelled",
            obj=booking,
            before={"status": "booked"},
            after={"status": "cancelled"},
        )
        if notify:
            outbox.enqueue("appointments.cancelled", {"booking_id": booking.pk}, subject=booking)
    return booking


def reschedule(*, booking: Booking, starts_at: datetime, actor=None, now=None) -> Booking:
    """Move an appointment to another time: the new one is booked and the old one cancelled
    together, or neither."""
    now = now or timezone.now()
    with transaction.atomic():
        current = Booking.objects.select_for_update().get(pk=booking.pk)
        _check_changeable(current, now, by_staff=False)
        new = book(
            service=current.service,
            office_code=current.office_code,
            starts_at=starts_at,
            dni=current.dni,
            full_name=current.full_name,
            email=current.email,
            phone=current.phone,
            case_reference=current.case_reference,
            user=current.user,
            actor=actor,
            now=now,
            replacing=current,
        )
        if new.pk == current.pk:
            raise ActionRefused(_("That is the time you already have."))
        cancel(booking=current, actor=actor, now=now, notify=False)
    return new


def block_slots(
    *,
    office_code: str,
    desk: Desk | None,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    actor,
) -> tuple[SlotBlock, list[Booking]]:
    """Close a desk (or the office) for a while. Appointments then are moved to another free
    desk at the same time when there is one; the rest are cancelled and their residents told,
    with new times offered. Returns the block and the cancelled bookings."""
    if ends_at <= starts_at:
        raise ActionRefused(_("The end must be after the start."))
    cancelled: list[Booking] = []
    with transaction.atomic():
        _lock_office(office_code)
        block = SlotBlock.objects.create(
            office_code=office_code,
            desk=desk,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="appointments.blocked",
            obj=block,
            summary=f"{office_code} {desk or '*'} {_local(starts_at):%Y-%m-%d %H:%M}-{_local(ends_at):%H:%M}",
        )
        affected = Booking.objects.filter(
            office_code=office_code,
            status=Booking.Status.BOOKED,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        ).select_related("service")
        if desk is not None:
            affected = affected.filter(desk=desk)
        for booking in affected:
            day = _local(booking.starts_at).date()
            slot = next(
                (
                    slot
                    for slot in selectors.slots_between(booking.service, office_code, day, day)[day]
                    if slot.starts_at == booking.starts_at
                ),
                None,
            )
            if slot is not None and slot.free:
                before = booking.desk_id
                booking.desk_id = slot.free_desk_ids[0]
                booking.save(update_fields=["desk"])
                audit.record(
                    actor=actor,
                    action="appointments.moved_desk",
                    obj=booking,
                    before={"desk": before},
                    after={"desk": booking.desk_id},
                )
                continue
            Booking.STATES.move(booking, Booking.Status.CANCELLED)
            booking.cancelled_at = timezone.now()
            booking.save(update_fields=["status", "cancelled_at"])
            audit.record(
                actor=actor,
                action="appointments.cancelled_by_block",
                obj=booking,
                summary=reason[:200],
                before={"status": "booked"},
                after={"status": "cancelled"},
            )
            outbox.enqueue("appointments.displaced", {"booking_id": booking.pk}, subject=booking)
            cancelled.append(booking)
    return block, cancelled


# --- Reminders ----------------------------------------------------------------------------

REMINDER_BEFORE = timedelta(hours=24)


def queue_reminders(now: datetime | None = None) -> int:
    """Mark and queue the reminders now due (appointments in the next 24 h); each once."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        due = Booking.objects.select_for_update(skip_locked=True).filter(
            status=Booking.Status.BOOKED,
            reminder_sent_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + REMINDER_BEFORE,
        )
        for booking in due:
            booking.reminder_sent_at = now
            booking.save(update_fields=["reminder_sent_at"])
            outbox.enqueue("appointments.reminder", {"booking_id": booking.pk}, subject=booking)
            count += 1
    return count


# --- The counter day ----------------------------------------------------------------------


def _next_number(office_code: str, day: date, prefix: str) -> str:
    numbering.hold(f"appointments.tickets.{office_code}.{day.isoformat()}")
    count = Ticket.objects.filter(
        office_code=office_code, day=day, number__startswith=prefix
    ).count()
    return f"{prefix}{count + 1:03d}"


def check_in(*, office_code: str, code_or_dni: str, priority: bool = False, now=None) -> Ticket:
    """A visitor with an appointment arrives: a ticket. Past the grace period they queue as a
    walk-in (the booking still counts as attended)."""
    now = now or timezone.now()
    today = _local(now).date()
    text = code_or_dni.strip().upper().replace(" ", "").replace(".", "")
    if not text:
        raise ActionRefused(_("Enter your booking code or your DNI."))
    candidates = Booking.objects.filter(office_code=office_code).filter(
        **({"dni": text} if text.isdigit() else {"code": text})
    )
    start = datetime.combine(today, datetime.min.time(), LOCAL_TIMEZONE)
    booking = (
        candidates.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=1))
        .order_by("starts_at")
        .first()
    )
    if booking is None:
        # Only the code (a secret) says which day it is for: a DNI typed at a public kiosk
        # must not tell a stranger when that person comes.
        other = None
        if not text.isdigit():
            other = candidates.filter(status=Booking.Status.BOOKED).order_by("starts_at").first()
        if other is not None:
            raise ActionRefused(
                _("That appointment is for %(date)s, not today.")
                % {"date": date_format(_local(other.starts_at).date(), "DATE_FORMAT")}
            )
        raise ActionRefused(
            _("We cannot find an appointment for today with that code or DNI at this office.")
        )
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status == Booking.Status.CHECKED_IN:
            return booking.ticket  # checked in already (a second tap)
        if booking.status != Booking.Status.BOOKED:
            raise ActionRefused(_("That appointment was cancelled."))  # or marked absent
        grace = timedelta(minutes=selectors.rules_for(office_code).grace_minutes)
        late = now > booking.starts_at + grace
        ticket = Ticket.objects.create(
            office_code=office_code,
            day=today,
            number=_next_number(office_code, today, "B" if late else "A"),
            service=booking.service,
            booking=booking,
            appointment_at=None if late else booking.starts_at,
            priority=priority,
            case_reference=booking.case_reference,
            checked_in_at=now,
        )
        Booking.STATES.move(booking, Booking.Status.CHECKED_IN)
        booking.save(update_fields=["status"])
        audit.record(
            actor=None,
            action="appointments.checked_in",
            obj=ticket,
            summary=f"{booking.code} -> {ticket.number}" + (" (late: walk-in)" if late else ""),
            after={"status": ticket.status, "late": late},
        )
    return ticket


def walk_in(*, office_code: str, service: Service, priority: bool = False, now=None) -> Ticket:
    now = now or timezone.now()
    if selectors.office(office_code) is None:
        raise ActionRefused(_("That office does not give this service."))
    if not Desk.objects.filter(office_code=office_code, active=True, services=service).exists():
        raise ActionRefused(_("That office does not give this service."))
    today = _local(now).date()
    with transaction.atomic():
        ticket = Ticket.objects.create(
            office_code=office_code,
            day=today,
            number=_next_number(office_code, today, "B"),
            service=service,
            priority=priority,
            checked_in_at=now,
        )
        audit.record(
            actor=None,
            action="appointments.walked_in",
            obj=ticket,
            summary=ticket.number,
            after={"status": ticket.status, "priority": priority},
        )
    return ticket


def _busy_ticket(desk: Desk, now: datetime) -> Ticket | None:
    return Ticket.objects.filter(
        desk=desk, day=_local(now).date(), status__in=["called", "serving"]
    ).first()


def call(*, ticket: Ticket, desk: Desk, actor, now=None) -> Ticket:
    """Call one waiting ticket to a desk; of two desks calling it at once, one wins."""
    now = now or timezone.now()
    with transaction.atomic():
        won = Ticket.objects.filter(pk=ticket.pk, status=Ticket.Status.WAITING).update(
            status=Ticket.Status.CALLED,
            desk=desk,
            called_at=now,
            announced_at=now,
        )
        if not won:
            raise ActionRefused(_("Another desk has just called this visitor."))
        ticket.refresh_from_db()
        audit.record(
            actor=actor,
            action="appointments.called",
            obj=ticket,
            summary=f"{ticket.number} -> {desk.name}",
            before={"status": "waiting"},
            after={"status": "called", "desk": desk.pk},
        )
    return ticket


def call_next(*, desk: Desk, actor, now=None) -> Ticket:
    now = now or timezone.now()
    if _busy_ticket(desk, now) is not None:
        raise ActionRefused(_("Finish with the current visitor (or mark them absent) first."))
    services = list(desk.services.values_list("pk", flat=True))
    for candidate in selectors.waiting_tickets(desk.office_code, services=services, now=now):
        try:
            return call(ticket=candidate, desk=desk, actor=actor, now=now)
        except ActionRefused:
            continue  # another desk took it between our read and our update: the next one
    raise ActionRefused(_("Nobody is waiting for the services of this desk."))


_MOVES = {
    # action: (target status, the moment it stamps); Ticket.STATES says from where.
    "recall": (Ticket.Status.CALLED, "announced_at"),
    "no_show": (Ticket.Status.NO_SHOW, "finished_at"),
    "start": (Ticket.Status.SERVING, "started_at"),
    "finish": (Ticket.Status.DONE, "finished_at"),
}


def act(*, ticket: Ticket, desk: Desk, action: str, actor, now=None) -> Ticket:
    """Recall, mark absent, start or finish the ticket at this desk."""
    now = now or timezone.now()
    target, stamp = _MOVES[action]
    stale = _("This visitor is not at that step any more: nothing changed.")
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.desk_id != desk.pk:
            raise ActionRefused(stale)
        before = Ticket.STATES.move(ticket, target, refusal=stale)
        setattr(ticket, stamp, now)
        fields = ["status", stamp]
        if action == "recall":
            ticket.recalls += 1
            fields.append("recalls")
        ticket.save(update_fields=fields)
        if action == "no_show" and ticket.booking_id:
            booking = Booking.objects.select_for_update().get(pk=ticket.booking_id)
            previous = Booking.STATES.move(booking, Booking.Status.NO_SHOW)
            booking.save(update_fields=["status"])
            audit.record(
                actor=actor,
                action="appointments.no_show",
                obj=booking,
                before={"status": previous},
                after={"status": booking.status},
            )
        audit.record(
            actor=actor,
            action=f"appointments.{action}",
            obj=ticket,
            summary=ticket.number,
            before={"status": before},
            after={"status": target},
        )
    return ticket


def transfer(*, ticket: Ticket, desk: Desk, service: Service, actor, now=None) -> Ticket:
    """Send the visitor to another service: back in the queue, keeping their number and place
    (their wait was measured at the first call)."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.desk_id != desk.pk or ticket.status not in ("called", "serving"):
            raise ActionRefused(_("This visitor is not at that step any more: nothing changed."))
        if not Desk.objects.filter(
            office_code=ticket.office_code, active=True, services=service
        ).exists():
            raise ActionRefused(_("That office does not give this service."))
        before = {"status": ticket.status, "service": ticket.service_id}
        Ticket.STATES.move(ticket, Ticket.Status.WAITING)
        ticket.service = service
        ticket.desk = None
        ticket.save(update_fields=["status", "service", "desk"])
        audit.record(
            actor=actor,
            action="appointments.transferred",
            obj=ticket,
            summary=f"{ticket.number} -> {service.code}",
            before=before,
            after={"status": "waiting", "service": service.pk},
        )
    return ticket


# --- Daily figures ------------------------------------------------------------------------


def compute_daily_waits(day: date) -> list[DailyWaits]:
    """Store (or refresh) the figures of each office and service for one day."""
    stored = []
    tickets = Ticket.objects.filter(day=day).select_related("service")
    groups: dict[tuple[str, int], list[Ticket]] = {}
    for ticket in tickets:
        groups.setdefault((ticket.office_code, ticket.service_id), []).append(ticket)
    with transaction.atomic():
        for (office_code, service_id), items in sorted(groups.items()):
            rules = selectors.rules_for(office_code)
            called = [ticket for ticket in items if ticket.called_at]
            waits = [selectors.wait_seconds(ticket) for ticket in called]
            within = sum(
                1
                for ticket, wait in zip(called, waits, strict=True)
                if wait <= selectors.standard_seconds(ticket, rules)
            )
            services = [
                int((ticket.finished_at - ticket.started_at).total_seconds())
                for ticket in items
                if ticket.status == Ticket.Status.DONE and ticket.started_at
            ]
            row, _created = DailyWaits.objects.update_or_create(
                office_code=office_code,
                service_id=service_id,
                day=day,
                defaults={
                    "tickets": len(items),
                    "served": sum(1 for ticket in items if ticket.status == Ticket.Status.DONE),
                    "no_shows": sum(
                        1 for ticket in items if ticket.status == Ticket.Status.NO_SHOW
                    ),
                    "with_appointment": sum(1 for ticket in items if ticket.appointment_at),
                    "median_wait_seconds": whole(median(waits)),
                    "p90_wait_seconds": whole(percentile(waits, 0.9)),
                    "within_standard_percent": (
                        round(100 * within / len(called), 1) if called else None
                    ),
                    "median_service_seconds": whole(median(services)),
                },
            )
            stored.append(row)
    return stored
