from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Call(models.Model):
    """One phone call through the menu: the contact centre's figures count these."""

    class Outcome(models.TextChoices):
        IN_MENU = "in_menu", _("Still in the menu")
        SELF_SERVICE = "self_service", _("Served by the menu")
        TRANSFERRED = "transferred", _("Transferred to a person")
        CALLBACK = "callback", _("Callback requested")
        ABANDONED = "abandoned", _("Abandoned")

    call_sid = models.CharField(_("call id"), max_length=64, unique=True)
    from_number = models.CharField(_("caller"), max_length=32, blank=True)
    to_number = models.CharField(_("number called"), max_length=32, blank=True)
    path = models.JSONField(_("path"), default=list, blank=True)
    leaf = models.CharField(_("leaf reached"), max_length=64, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.IN_MENU
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("phone call")
        verbose_name_plural = _("phone calls")
        indexes = [models.Index(fields=["started_at"])]

    def __str__(self) -> str:
        return f"{self.call_sid} ({self.get_outcome_display()})"


class CallbackRequest(models.Model):
    call = models.OneToOneField(Call, on_delete=models.PROTECT, related_name="callback")
    number = models.CharField(_("number"), max_length=32)
    reason = models.CharField(_("reason"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("callback request")
        verbose_name_plural = _("callback requests")

    def __str__(self) -> str:
        return self.number
