"""Counter appointments: services, desks, bookings, blocked slots, tickets and daily waits.

Offices themselves (address, opening hours, closures) live in ``core/data/offices.yaml``
and are named here by their ``code``; this app adds the desks and what each desk gives.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.states import StateMachine


class Service(models.Model):
    """Something a desk does (a driving licence renewal); its slot length and booking rules."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=150)
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=15)
    procedure_type_code = models.SlugField(
        _("procedure type"),
        max_length=80,
        blank=True,
        help_text=_("The procedure type whose cases need this visit, if any."),
    )
    max_active_per_person = models.PositiveSmallIntegerField(
        _("active bookings per person"), default=1
    )
    active = models.BooleanField(pgettext_lazy("service or desk", "active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name


class OfficeRules(models.Model):
    """Booking rules and service standards of one office (defaults apply when absent)."""

    office_code = models.SlugField(_("office"), max_length=60, unique=True)
    min_notice_minutes = models.PositiveIntegerField(_("minimum notice (minutes)"), default=60)
    horizon_days = models.PositiveIntegerField(_("booking horizon (days)"), default=30)
    change_deadline_minutes = models.PositiveIntegerField(
        _("cancel or reschedule until (minutes before)"), default=120
    )
    grace_minutes = models.PositiveIntegerField(_("late arrival grace (minutes)"), default=15)
    standard_with_appointment_minutes = models.PositiveIntegerField(
        _("wait standard with appointment (minutes)"), default=20
    )
    standard_without_appointment_minutes = models.PositiveIntegerField(
        _("wait standard without appointment (minutes)"), default=60
    )
    priority_categories = models.CharField(
        _("who gets priority"),
        max_length=200,
        blank=True,
        help_text=_(
            "As the local law says, e.g. “embarazadas, mayores de 70, personas con "
            "discapacidad o en tratamiento oncológico”. Empty: the portal's default text."
        ),
    )

    class Meta:
        verbose_name = _("office rules")
        verbose_name_plural = _("office rules")

    def __str__(self) -> str:
        return self.office_code


class Desk(models.Model):
    office_code = models.SlugField(_("office"), max_length=60)
    name = models.CharField(_("name"), max_length=60)
    services = models.ManyToManyField(Service, related_name="desks", verbose_name=_("services"))
    active = models.BooleanField(pgettext_lazy("service or desk", "active"), default=True)

    class Meta:
        ordering = ["office_code", "name"]
        verbose_name = _("desk")
        verbose_name_plural = _("desks")
        constraints = [
            models.UniqueConstraint(fields=["office_code", "name"], name="unique_desk_name")
        ]

    def __str__(self) -> str:
        return self.name


class SlotBlock(models.Model):
    """A desk (or every desk of an office) closed for a while: nobody can book it."""

    office_code = models.SlugField(_("office"), max_length=60)
    desk = models.ForeignKey(
        Desk,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="blocks",
        verbose_name=_("desk"),
        help_text=_("Empty: every desk of the office."),
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("blocked slot")
        verbose_name_plural = _("blocked slots")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="block_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.office_code} {self.starts_at:%Y-%m-%d %H:%M}"


class Booking(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", pgettext_lazy("appointment", "Cancelled")
        CHECKED_IN = "checked_in", _("Checked in")
        NO_SHOW = "no_show", _("Did not come")

    STATES = StateMachine(
        {
            Status.BOOKED: {Status.CANCELLED, Status.CHECKED_IN, Status.NO_SHOW},
            Status.CHECKED_IN: {Status.NO_SHOW},  # called at the desk and did not answer
            Status.CANCELLED: set(),
            Status.NO_SHOW: set(),
        }
    )
    # Bookings that hold their desk and time.
    HOLDING = (Status.BOOKED, Status.CHECKED_IN)

    code = models.CharField(_("booking code"), max_length=12, unique=True)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("service")
    )
    office_code = models.SlugField(_("office"), max_length=60)
    desk = models.ForeignKey(
        Desk, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("desk")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.BOOKED
    )
    dni = models.CharField(_("DNI"), max_length=10)
    full_name = models.CharField(_("full name"), max_length=150)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    case_reference = models.CharField(_("case"), max_length=24, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointments",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [models.Index(fields=["office_code", "starts_at"])]
        constraints = [
            # The last line of defence against overbooking: one active booking per desk and
            # start (the booking service also locks the office's desks while it counts).
            models.UniqueConstraint(
                fields=["desk", "starts_at"],
                condition=Q(status__in=["booked", "checked_in"]),
                name="one_booking_per_desk_and_time",
            )
        ]

    def __str__(self) -> str:
        return self.code


class Ticket(models.Model):
    """A visitor waiting at an office on one day: with an appointment or walked in."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        CALLED = "called", _("Called")
        SERVING = "serving", _("Being served")
        DONE = "done", _("Done")
        NO_SHOW = "no_show", _("Did not answer")

    STATES = StateMachine(
        {
            Status.WAITING: {Status.CALLED},
            # Called again (recall) stays called; a transfer sends the visitor back to the queue.
            Status.CALLED: {Status.CALLED, Status.SERVING, Status.NO_SHOW, Status.WAITING},
            Status.SERVING: {Status.DONE, Status.WAITING},
            Status.DONE: set(),
            Status.NO_SHOW: set(),
        }
    )

    office_code = models.SlugField(_("office"), max_length=60)
    day = models.DateField(_("day"))
    number = models.CharField(_("number"), max_length=8)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("service")
    )
    booking = models.OneToOneField(
        Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="ticket"
    )
    appointment_at = models.DateTimeField(_("appointment time"), null=True, blank=True)
    priority = models.BooleanField(pgettext_lazy("priority attention", "priority"), default=False)
    case_reference = models.CharField(_("case"), max_length=24, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.WAITING
    )
    desk = models.ForeignKey(
        Desk, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    checked_in_at = models.DateTimeField(_("checked in at"))
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    # The last time the calling screen showed it (the first call, or a recall).
    announced_at = models.DateTimeField(null=True, blank=True)
    recalls = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["checked_in_at"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [models.Index(fields=["office_code", "day", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["office_code", "day", "number"], name="unique_ticket")
        ]

    def __str__(self) -> str:
        return self.number


class DailyWaits(models.Model):
    """One office, service and day: what the dashboard reads."""

    office_code = models.SlugField(_("office"), max_length=60)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    tickets = models.PositiveIntegerField(default=0)
    served = models.PositiveIntegerField(default=0)
    no_shows = models.PositiveIntegerField(default=0)
    with_appointment = models.PositiveIntegerField(default=0)
    median_wait_seconds = models.PositiveIntegerField(null=True)
    p90_wait_seconds = models.PositiveIntegerField(null=True)
    within_standard_percent = models.DecimalField(max_digits=5, decimal_places=1, null=True)
    median_service_seconds = models.PositiveIntegerField(null=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "office_code"]
        verbose_name = _("daily waits")
        verbose_name_plural = _("daily waits")
        constraints = [
            models.UniqueConstraint(
                fields=["office_code", "service", "day"], name="unique_daily_waits"
            )
        ]

    def __str__(self) -> str:
        return f"{self.office_code} {self.day}"
