from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Department
from procedures.models import ProcedureType


class Area(models.Model):
    """A neighbourhood or zone a notice can be limited to (managed in the admin)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name


class Notice(models.Model):
    """A disruption of a service: public while it lasts, kept in the public history after."""

    class Service(models.TextChoices):
        WATER = "water", _("Water")
        LIGHTING = "lighting", _("Street lighting")
        WASTE = "waste", _("Waste collection")
        ROADS = "roads", _("Streets and traffic")
        COUNTER = "counter", _("A counter")
        PROCEDURE = "procedure", _("A procedure")
        PORTAL = "portal", _("This portal")
        OTHER = "other", _("Other")

    service = models.CharField(_("service affected"), max_length=12, choices=Service.choices)
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("what happens"), max_length=4000)
    what_to_do = models.TextField(_("what to do"), max_length=4000, blank=True)
    areas = models.ManyToManyField(
        Area,
        blank=True,
        related_name="notices",
        verbose_name=_("areas"),
        help_text=_("None: the whole city."),
    )
    procedure_types = models.ManyToManyField(
        ProcedureType,
        blank=True,
        related_name="notices",
        verbose_name=_("procedures affected"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="notices",
        verbose_name=pgettext_lazy("municipal department", "department"),
    )
    starts_at = models.DateTimeField(_("since"))
    ends_at = models.DateTimeField(_("expected until"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), max_length=4000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("service notice")
        verbose_name_plural = _("service notices")
        indexes = [models.Index(fields=["closed_at", "ends_at"])]

    def __str__(self) -> str:
        return self.title

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.closed_at is None and (self.ends_at is None or self.ends_at > now)

    @property
    def ended_at(self):
        return self.closed_at or (self.ends_at if not self.is_active() else None)


class NoticeUpdate(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(_("update"), max_length=4000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(
        pgettext_lazy("notice update", "published"), auto_now_add=True
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("notice update")
        verbose_name_plural = _("notice updates")

    def __str__(self) -> str:
        return f"{self.notice}: {self.created_at:%Y-%m-%d %H:%M}"


class Follow(models.Model):
    """A resident wants e-mails about notices of a service, or of an area (one of the two)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_follows"
    )
    service = models.CharField(max_length=12, choices=Notice.Service.choices, blank=True)
    area = models.ForeignKey(Area, on_delete=models.CASCADE, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "service", "area"], name="unique_follow"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.service or self.area}"


class NoticeEmail(models.Model):
    """One e-mail sent about one event of a notice: an outbox item run twice sends once."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="emails")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=30)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "user", "event"], name="one_email_per_notice_event"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notice} → {self.user} ({self.event})"
