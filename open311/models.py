from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from procedures.models import Case


def new_key() -> str:
    return secrets.token_urlsafe(32)


class ApiKey(models.Model):
    """An app allowed to file claims through Open311; issued and revoked in the admin."""

    name = models.CharField(_("app name"), max_length=100)
    contact_email = models.EmailField(
        _("contact e-mail"),
        help_text=_("Claims filed without the reporter's e-mail are followed by this address."),
    )
    key = models.CharField(_("key"), max_length=64, unique=True, default=new_key, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    requests_per_hour = models.PositiveIntegerField(
        _("claims per hour"), default=60, help_text=_("More in the same hour are refused.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self) -> str:
        return self.name


class ApiKeyUsage(models.Model):
    """Claims filed with a key in one clock hour (the rate limit's counter, shared by every
    web process)."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="usage")
    hour = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "hour"], name="one_usage_row_per_hour")
        ]

    def __str__(self) -> str:
        return f"{self.api_key} {self.hour:%Y-%m-%d %H}h: {self.count}"


class ServiceRequest(models.Model):
    """What an Open311 client sent besides the form answers; the claim itself is the case."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="open311_request")
    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="requests")
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    address_string = models.CharField(max_length=250, blank=True)
    address_id = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    media_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")

    def __str__(self) -> str:
        return str(self.case)
